// kernels/layernorm.h — layer normalisation over the last dimension.
//
//   mean_t = (1/C) sum_c x[t,c]          var_t = (1/C) sum_c (x[t,c] - mean_t)^2
//   xhat[t,c] = (x[t,c] - mean_t) / sqrt(var_t + eps)
//   out[t,c]  = xhat[t,c] * w[c] + b[c]
// Shapes: out, x (T, C); w, b (C). eps from config.json layer_norm_epsilon.
// out may alias x (in place).
// mean, rstd (T) are optional outputs (nullptr to skip): the walks use them to
// separate the normalised vector from the affine part.
// Matches torch.nn.functional.layer_norm (biased variance).
#pragma once
#include <cstdint>

#include "core/cpu.h"

namespace gw {

void layernorm_ref(float* out, float* mean, float* rstd, const float* x, const float* w,
                   const float* b, int64_t T, int64_t C, float eps);
void layernorm_avx2(float* out, float* mean, float* rstd, const float* x, const float* w,
                    const float* b, int64_t T, int64_t C, float eps);
void layernorm_avx512(float* out, float* mean, float* rstd, const float* x, const float* w,
                      const float* b, int64_t T, int64_t C, float eps);
// Dispatches to the kernel of the given instruction set (the caller makes sure the
// CPU has it: parse_isa / best_isa do).
void layernorm(Isa isa, float* out, float* mean, float* rstd, const float* x, const float* w,
               const float* b, int64_t T, int64_t C, float eps);

}  // namespace gw
