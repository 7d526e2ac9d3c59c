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

// The reference in float64: the same loops, for the finite-difference checks of the backward.
void layernorm_ref(double* out, double* mean, double* rstd, const double* x, const double* w,
                   const double* b, int64_t T, int64_t C, double eps);

// ---------------------------------------------------------------- backward (training, lesson 17)
//
// For one row, with g = dL/dout, xhat = (x - mean) * rstd and gw = g * w:
//   db[c] += g[c]        dw[c] += g[c] * xhat[c]
//   dx[c] += rstd * (gw[c] - mean_c(gw) - xhat[c] * mean_c(gw * xhat))
// Shapes: dx, dout, x (T, C); dw, db, w (C); mean, rstd (T), the forward's outputs.
// Like every backward here it ADDS (+=) into its gradients: a weight's gradient gathers
// every row that used it, and an activation read by two branches gets both contributions.
// Sums in double, as the forward's (one implementation, no separate vector kernel: the
// backward of a layer norm is ~1% of a training step).
void layernorm_backward(float* dx, float* dw, float* db, const float* dout, const float* x,
                        const float* w, const float* mean, const float* rstd, int64_t T, int64_t C);
void layernorm_backward(double* dx, double* dw, double* db, const double* dout, const double* x,
                        const double* w, const double* mean, const double* rstd, int64_t T,
                        int64_t C);
// The two halves, so a team can share them: dx row by row (call it on a block of rows),
// and columns [c0, c1) of dw and db (each sums over all T rows, in row order, so the
// result does not depend on how the columns were shared out).
void layernorm_backward_rows(float* dx, const float* dout, const float* x, const float* w,
                             const float* mean, const float* rstd, int64_t T, int64_t C);
void layernorm_backward_params(float* dw, float* db, const float* dout, const float* x,
                               const float* mean, const float* rstd, int64_t T, int64_t C,
                               int64_t c0, int64_t c1);

}  // namespace gw
