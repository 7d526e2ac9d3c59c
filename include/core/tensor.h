// core/tensor.h — memory for numbers: owning buffers and typed, non-owning weight views.
//
// Every array in gptwalk is a flat run of floats in row-major order. A shape is
// written outermost first: (T, C) means T rows of C floats, and element [t][c]
// lives at index t*C + c. Legend used in every header:
//   T  tokens (positions)        C  n_embd (the width of the residual stream)
//   NH heads   HS head size (C / NH)   V vocab size   L layers   P n_positions
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "core/weight_formats.h"

namespace gw {

constexpr int kMaxDims = 4;

struct Shape {
    int ndim = 0;
    int64_t dim[kMaxDims] = {0, 0, 0, 0};

    Shape() = default;
    Shape(std::initializer_list<int64_t> dims);
    int64_t numel() const;                     // product of the dims (1 for a scalar)
    bool operator==(const Shape& o) const;
    bool operator!=(const Shape& o) const { return !(*this == o); }
    std::string str() const;                   // "(50257, 768)"
};

// Owns `bytes` of zero-filled memory starting on a 64-byte boundary (one cache line, one
// AVX-512 register, so vector loads never split a line at row starts). Move-only; frees
// itself. Blocks of 1 MiB or more come straight from the kernel (mmap), in 2 MiB pages
// where it offers them: they are zero already, and a page costs memory only once it is
// written, so a KV cache sized for every position of the context holds only (about) the
// positions used so far.
class AlignedBytes {
public:
    AlignedBytes() = default;
    explicit AlignedBytes(size_t bytes);
    ~AlignedBytes();
    AlignedBytes(AlignedBytes&& o) noexcept;
    AlignedBytes& operator=(AlignedBytes&& o) noexcept;
    AlignedBytes(const AlignedBytes&) = delete;
    AlignedBytes& operator=(const AlignedBytes&) = delete;

    void* data() { return data_; }
    const void* data() const { return data_; }
    size_t size() const { return size_; }

private:
    void release();
    void* data_ = nullptr;
    size_t size_ = 0;
    bool mapped_ = false;  // from mmap (else aligned_alloc)
};

// An owning, aligned, zero-filled float buffer: n floats of AlignedBytes. A move hands the
// memory over; a copy allocates new memory and copies every float (so two buffers never
// share, and none is freed twice): copying a RunState forks a KV cache (lesson 13's beam
// search), at the cost of its bytes — all of them, since the copy writes every page.
class FloatBuffer {
public:
    FloatBuffer() = default;
    explicit FloatBuffer(size_t n) : mem_(n * sizeof(float)) {}
    FloatBuffer(FloatBuffer&&) noexcept = default;
    FloatBuffer& operator=(FloatBuffer&&) noexcept = default;
    FloatBuffer(const FloatBuffer& o);
    FloatBuffer& operator=(const FloatBuffer& o);

    float* data() { return static_cast<float*>(mem_.data()); }
    const float* data() const { return static_cast<const float*>(mem_.data()); }
    size_t size() const { return mem_.size() / sizeof(float); }
    float& operator[](size_t i) { return data()[i]; }
    float operator[](size_t i) const { return data()[i]; }

private:
    AlignedBytes mem_;
};

// A weight matrix as it is stored, owned by someone else (the mapped checkpoint, or the
// buffers the loader made): a typed, non-owning view. The forward pass hands it to the
// kernels, which read each type in its own way (kernels/linear.h, kernels/matvec.h).
//   F32        data: floats                 BF16, F16  data: uint16_t bit patterns
//   Q8         data: int8_t values, scales: one F16 scale per block of 32 along each
//              stored row (core/weight_formats.h), rows of q8_blocks(stored_cols()) scales
// `shape` is the matrix as the checkpoint names it: (IC, OC) for a Conv1D weight, (V, C)
// for wte. `transposed` views store it the other way round, (dim[1], dim[0]): the loader
// makes Q8 Conv1D weights that way so that each output's weights are one contiguous row
// of blocks (model/weights.h says why).
struct WeightView {
    WType type = WType::F32;
    const void* data = nullptr;
    const uint16_t* scales = nullptr;  // Q8 only
    Shape shape;                       // (rows, cols) as the checkpoint has it
    bool transposed = false;
    std::string name;                  // the checkpoint key, for messages and `inspect`

    int64_t stored_rows() const { return transposed ? shape.dim[1] : shape.dim[0]; }
    int64_t stored_cols() const { return transposed ? shape.dim[0] : shape.dim[1]; }
    size_t bytes() const;              // of data and scales: what one pass over it reads
    const float* f32() const;          // data as floats; throws gw::Error unless type is F32
};

// A view of F32 numbers someone else owns (a checkpoint mapping, a test's vector, live
// parameters during training).
WeightView f32_view(const float* data, Shape shape, std::string name = "");

// ---- Reading a weight as F32: the one way code outside the kernels reads weights
// (walks, lessons, tests, tools). Exact for every type: Q8 reads as d * q.

// Element (r, c) of the matrix as it is stored (row r of stored_rows()), as F32: one at a
// time, for scalar code (the kernels' _ref twins).
float stored_weight(const WeightView& w, int64_t r, int64_t c);

// Row r of w as the checkpoint shapes it: shape.dim[1] floats into out.
void read_row_f32(float* out, const WeightView& w, int64_t r);

// The whole of w as F32, shaped as w.shape: the view's own floats when it is F32 (no
// copy), otherwise a widened copy owned by this object. One matrix at a time: the
// forward pass never makes one.
class AsF32 {
public:
    explicit AsF32(const WeightView& w);
    const float* data() const { return data_; }
    const float* row(int64_t r) const { return data_ + r * cols_; }

private:
    FloatBuffer copy_;
    const float* data_ = nullptr;
    int64_t cols_ = 0;
};

}  // namespace gw
