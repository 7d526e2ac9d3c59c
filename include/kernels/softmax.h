// kernels/softmax.h — softmax of one row, numerically stable.
//
//   m = max_i x[i];  out[i] = exp(x[i] - m) / sum_j exp(x[j] - m)     for i < n
// Shapes: out, x (n). out may alias x (in place). Entries equal to -INFINITY get
// probability 0 (that is how the causal mask works); a row that is all -INFINITY
// has no valid entry and gives all zeros rather than NaN.
#pragma once
#include <cstdint>

#include "core/cpu.h"

namespace gw {

void softmax_ref(float* out, const float* x, int64_t n);
void softmax_avx2(float* out, const float* x, int64_t n);
void softmax_avx512(float* out, const float* x, int64_t n);
void softmax(Isa isa, float* out, const float* x, int64_t n);

}  // namespace gw
