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

// The same, returning log sum_i exp x[i] (-INFINITY for a row with no valid entry): the
// cross-entropy loss of a row is that minus the target's logit (crossentropy.h).
double softmax_lse(Isa isa, float* out, const float* x, int64_t n);
// The reference in float64, for finite-difference checks.
void softmax_ref(double* out, const double* x, int64_t n);

// ---------------------------------------------------------------- backward (training, lesson 17)
//
//   y = softmax(x), g = dL/dy:   dx[i] += y[i] * (g[i] - sum_j y[j] g[j])
// Shapes: dx, y, dy (n). Adds into dx, like every backward. Masked entries (y = 0) get 0.
// The sum in double; one implementation (attention rows are short: no vector kernel).
void softmax_backward(float* dx, const float* y, const float* dy, int64_t n);
void softmax_backward(double* dx, const double* y, const double* dy, int64_t n);

}  // namespace gw
