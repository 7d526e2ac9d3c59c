// kernels/matvec.h — products with weights stored in BF16, F16 or Q8 blocks (lesson 16).
//
// A decode step multiplies one row x by every weight matrix and reads each weight once
// (lesson 15): its time is bytes. These kernels read the weights in their stored type
// (2 bytes, or 1.0625 for Q8: core/weight_formats.h), widen them to F32 in registers, and
// multiply and add in F32: the result is the F32 product with the rounded weights, which
// is what tools/reference/gpt2_ref.py computes in float64 for the tests. x stays F32.
//
// Two forms, by how the matrix lies in memory (model/weights.h):
//   rows  partial (N) = x[k0:k1] (K) · W[k0:k1, :] (K, N)     W [in, out], a Conv1D weight as
//         stored (BF16, F16): partial = sum_k x[k] W[k, :], each row of W scaled and added.
//         Threads take blocks of rows (contiguous memory) and add their partials in a
//         fixed order (model/forward.cpp), as the F32 path does.
//   dot   y[n] = W[n, :] · x (K)  for stored rows n in [n0, n1)   W one row per output:
//         wte (V, C) for the LM head (BF16, F16, Q8), and Q8 Conv1D weights, which the
//         loader stores transposed (OC, IC). Threads take blocks of outputs: no partials,
//         and each output is computed the same way whoever computes it.
// Prefill (T > 1 rows, where sgemm is fastest) widens blocks of weights to F32 instead
// (kernels/convert.h widen_rows, kernels/linear.h).
//
// Each form has a scalar _ref twin (sums in double, the algorithmic reference) and AVX2
// (8 lanes, with F16C for F16) and AVX-512 (16 lanes) kernels, chosen by `isa`.
// Shapes: K inputs (rows of a [in, out] matrix), N outputs.
#pragma once
#include <cstdint>

#include "core/cpu.h"
#include "core/tensor.h"

namespace gw {

// partial (N) = x[k0:k1] · W[k0:k1, :], w a BF16 or F16 view stored [in, out] (K, N).
void matvec_rows(Isa isa, float* partial, const float* x, const WeightView& w, int64_t k0, int64_t k1);
void matvec_rows_ref(float* partial, const float* x, const WeightView& w, int64_t k0, int64_t k1);

// y[n - n0] = (stored row n of w) · x for n in [n0, n1); w BF16, F16 or Q8, x has
// w.stored_cols() floats.
void matvec_dot(Isa isa, float* y, const float* x, const WeightView& w, int64_t n0, int64_t n1);
void matvec_dot_ref(float* y, const float* x, const WeightView& w, int64_t n0, int64_t n1);

}  // namespace gw
