// core/tensor.cpp — shapes and aligned buffers (lesson 01).
#include "core/tensor.h"

#include <cstring>  // memset, memcpy
#include <new>      // std::bad_alloc
#include <utility>  // std::exchange

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

FloatBuffer::FloatBuffer(size_t n) : size_(n) {
    if (n == 0) return;
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64;  // aligned_alloc wants a multiple of 64
    data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!data_) throw std::bad_alloc();
    std::memset(data_, 0, bytes);
}

FloatBuffer::FloatBuffer(const FloatBuffer& o) : FloatBuffer(o.size_) {
    if (size_) std::memcpy(data_, o.data_, size_ * sizeof(float));
}

FloatBuffer& FloatBuffer::operator=(const FloatBuffer& o) {
    if (this != &o) *this = FloatBuffer(o);  // copy first, then move in: o stays intact on failure
    return *this;
}

FloatBuffer::FloatBuffer(FloatBuffer&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}

FloatBuffer& FloatBuffer::operator=(FloatBuffer&& o) noexcept {
    if (this != &o) {
        std::free(data_);
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
    }
    return *this;
}

}  // namespace gw
