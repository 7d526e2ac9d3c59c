// core/tensor.h — memory for numbers: owning buffers and non-owning views.
//
// Every array in gptwalk is a flat run of floats in row-major order. A shape is
// written outermost first: (T, C) means T rows of C floats, and element [t][c]
// lives at index t*C + c. Legend used in every header:
//   T  tokens (positions)        C  n_embd (the width of the residual stream)
//   NH heads   HS head size (C / NH)   V vocab size   L layers   P n_positions
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>

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

// A non-owning view: a pointer plus the shape of what it points to.
// Weights are views into the mapped checkpoint; activations are views into buffers.
struct View {
    const float* data = nullptr;
    Shape shape;
    std::string name;  // the checkpoint key or trace point, for messages and dumps

    // row r of a 2-D view: `shape.dim[1]` floats starting at r * dim[1]
    const float* row(int64_t r) const { return data + r * shape.dim[1]; }
};

// An owning, 64-byte-aligned float buffer (aligned so vector loads never split a
// cache line at row starts). Frees itself. A move hands the memory over; a copy allocates
// new memory and copies every float (so two buffers never share, and none is freed twice):
// copying a RunState forks a KV cache (lesson 13's beam search), at the cost of its bytes.
class FloatBuffer {
public:
    FloatBuffer() = default;
    explicit FloatBuffer(size_t n);  // zero-filled
    ~FloatBuffer() { std::free(data_); }
    FloatBuffer(FloatBuffer&& o) noexcept;
    FloatBuffer& operator=(FloatBuffer&& o) noexcept;
    FloatBuffer(const FloatBuffer& o);
    FloatBuffer& operator=(const FloatBuffer& o);

    float* data() { return data_; }
    const float* data() const { return data_; }
    size_t size() const { return size_; }
    float& operator[](size_t i) { return data_[i]; }
    float operator[](size_t i) const { return data_[i]; }

private:
    float* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace gw
