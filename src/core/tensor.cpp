// core/tensor.cpp — shapes, aligned buffers and weight views (lesson 01).
#include "core/tensor.h"

#include <sys/mman.h>  // mmap, munmap

#include <cstdlib>  // aligned_alloc, free
#include <cstring>  // memset, memcpy
#include <new>      // std::bad_alloc
#include <utility>  // std::exchange, std::move

#include "core/error.h"

namespace gw {

Shape::Shape(std::initializer_list<int64_t> dims) {
    if (dims.size() > kMaxDims) fail("shape with ", dims.size(), " dims; at most ", kMaxDims);
    for (int64_t d : dims) dim[ndim++] = d;
}

int64_t Shape::numel() const {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= dim[i];
    return n;
}

bool Shape::operator==(const Shape& o) const {
    if (ndim != o.ndim) return false;
    for (int i = 0; i < ndim; i++)
        if (dim[i] != o.dim[i]) return false;
    return true;
}

std::string Shape::str() const {
    std::string s = "(";
    for (int i = 0; i < ndim; i++) s += (i ? ", " : "") + std::to_string(dim[i]);
    return s + (ndim == 1 ? ",)" : ")");
}

// ---------------------------------------------------------------- owned memory

// Below this, aligned_alloc (the heap reuses memory, so it is zeroed by hand); from it on,
// fresh pages from the kernel, zero and not yet committed.
constexpr size_t kMapBytes = size_t(1) << 20;

AlignedBytes::AlignedBytes(size_t bytes) : size_(bytes) {
    if (bytes == 0) return;
    if (bytes >= kMapBytes) {
        void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        // Large pages (2 MiB) where the system offers them on request: one page fault where
        // there would be 512 (converting GPT-2's weights at load touches 250 MB of fresh
        // memory), and fewer TLB misses when the kernels stream the weights. Advice only.
        madvise(p, bytes, MADV_HUGEPAGE);
        data_ = p;
        mapped_ = true;
        return;
    }
    size_t rounded = (bytes + 63) / 64 * 64;  // aligned_alloc wants a multiple of the alignment
    data_ = std::aligned_alloc(64, rounded);
    if (!data_) throw std::bad_alloc();
    std::memset(data_, 0, rounded);
}

void AlignedBytes::release() {
    if (mapped_) munmap(data_, size_);
    else std::free(data_);
    data_ = nullptr;
    size_ = 0;
    mapped_ = false;
}

AlignedBytes::~AlignedBytes() { release(); }

AlignedBytes::AlignedBytes(AlignedBytes&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)),
      mapped_(std::exchange(o.mapped_, false)) {}

AlignedBytes& AlignedBytes::operator=(AlignedBytes&& o) noexcept {
    if (this != &o) {
        release();
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
        mapped_ = std::exchange(o.mapped_, false);
    }
    return *this;
}

FloatBuffer::FloatBuffer(const FloatBuffer& o) : FloatBuffer(o.size()) {
    if (o.size()) std::memcpy(data(), o.data(), o.size() * sizeof(float));
}

FloatBuffer& FloatBuffer::operator=(const FloatBuffer& o) {
    if (this != &o) *this = FloatBuffer(o);  // copy first, then move in: o stays intact on failure
    return *this;
}

// ---------------------------------------------------------------- weight views

size_t WeightView::bytes() const {
    const int64_t n = shape.numel();
    if (type == WType::Q8) return size_t(n) + size_t(stored_rows() * q8_blocks(stored_cols())) * 2;
    return size_t(n) * (type == WType::F32 ? 4 : 2);
}

const float* WeightView::f32() const {
    if (type != WType::F32) fail("weight '", name, "' is stored as ", wtype_name(type), ", not f32");
    return static_cast<const float*>(data);
}

WeightView f32_view(const float* data, Shape shape, std::string name) {
    WeightView w;
    w.data = data;
    w.shape = shape;
    w.name = std::move(name);
    return w;
}

float stored_weight(const WeightView& w, int64_t sr, int64_t sc) {
    const int64_t i = sr * w.stored_cols() + sc;
    switch (w.type) {
        case WType::F32: return static_cast<const float*>(w.data)[i];
        case WType::BF16: return bf16_to_f32(static_cast<const uint16_t*>(w.data)[i]);
        case WType::F16: return f16_to_f32(static_cast<const uint16_t*>(w.data)[i]);
        case WType::Q8:
            return f16_to_f32(w.scales[sr * q8_blocks(w.stored_cols()) + sc / kQ8Block]) *
                   float(static_cast<const int8_t*>(w.data)[i]);
    }
    return 0.0f;
}

void read_row_f32(float* out, const WeightView& w, int64_t r) {
    const int64_t cols = w.shape.dim[1];
    if (w.shape.ndim != 2 || r < 0 || r >= w.shape.dim[0])
        fail("read_row_f32: row ", r, " of weight '", w.name, "' ", w.shape.str(), " does not exist");
    if (w.type == WType::F32 && !w.transposed) {
        std::memcpy(out, w.f32() + r * cols, size_t(cols) * sizeof(float));
        return;
    }
    for (int64_t c = 0; c < cols; c++) out[c] = w.transposed ? stored_weight(w, c, r) : stored_weight(w, r, c);
}

AsF32::AsF32(const WeightView& w) : cols_(w.shape.ndim == 2 ? w.shape.dim[1] : w.shape.numel()) {
    if (w.type == WType::F32 && !w.transposed) {
        data_ = w.f32();
        return;
    }
    copy_ = FloatBuffer(size_t(w.shape.numel()));
    for (int64_t r = 0; r < w.shape.dim[0]; r++) read_row_f32(copy_.data() + r * cols_, w, r);
    data_ = copy_.data();
}

}  // namespace gw
