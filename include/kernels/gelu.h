// kernels/gelu.h — GPT-2's activation, the tanh approximation of GELU ("gelu_new").
//
//   gelu(x) = 0.5 * x * (1 + tanh( sqrt(2/pi) * (x + 0.044715 x^3) ))
// Shapes: out, x (n); out may alias x. gelu_exact_ref is the erf form
// 0.5 x (1 + erf(x / sqrt 2)), kept for lesson 09's comparison.
#pragma once
#include <cstdint>

#include "core/cpu.h"

namespace gw {

void gelu_ref(float* out, const float* x, int64_t n);
void gelu_avx2(float* out, const float* x, int64_t n);
void gelu_avx512(float* out, const float* x, int64_t n);
void gelu(Isa isa, float* out, const float* x, int64_t n);
void gelu_exact_ref(float* out, const float* x, int64_t n);

// The reference in float64, for the finite-difference checks of the backward.
void gelu_ref(double* out, const double* x, int64_t n);

// ---------------------------------------------------------------- backward (training, lesson 17)
//
//   gelu'(x) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) u',   u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
//   dx[i] += dout[i] * gelu'(x[i])
// Shapes: dx, x, dout (n); x the forward's input (finite). Adds into dx, like every
// backward; dx must not alias x or dout. The vector kernels compute gelu' through the
// forward's sigmoid form (gelu.cpp) and agree with the reference to a few float ulps.
void gelu_backward_ref(float* dx, const float* x, const float* dout, int64_t n);
void gelu_backward_ref(double* dx, const double* x, const double* dout, int64_t n);
void gelu_backward_avx2(float* dx, const float* x, const float* dout, int64_t n);
void gelu_backward_avx512(float* dx, const float* x, const float* dout, int64_t n);
void gelu_backward(Isa isa, float* dx, const float* x, const float* dout, int64_t n);

}  // namespace gw
