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

}  // namespace gw
