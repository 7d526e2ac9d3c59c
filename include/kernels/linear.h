// kernels/linear.h — matrix products, all through OpenBLAS. The ONLY caller of cblas.
//
// GPT-2's checkpoints store their dense layers as "Conv1D" weights of shape
// [in, out] (IC, OC). For activations x of shape (T, IC) in row-major order,
//     y (T, OC) = x (T, IC) · W (IC, OC) + b (OC)
// is then a plain product with no transpose: row t of y mixes the rows of W
// weighted by x[t]. (PyTorch's nn.Linear stores [out, in] and needs W^T.)
// The tied LM head is different: wte is (V, C) — one row per token vector — so
//     logits (T, V) = x (T, C) · wte^T
// and every logit is a dot product <x_t, e_v> (lesson 11, and the walks).
#pragma once
#include <cstdint>

#include "core/cpu.h"
#include "core/tensor.h"

namespace gw {

// The one matrix-product entry point (row-major):
//   c (M, N) = alpha * a (M, K) · op(b) + beta * c
//   op(b) = b (K, N) when !b_transposed, or b^T where b is stored (N, K).
// lda/ldb/ldc are the row strides in floats (so a head's slice of a wider matrix
// can be used in place). M == 1 goes to sgemv, which OpenBLAS runs several times
// faster than a one-row sgemm.
void matmul(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb,
            int64_t M, int64_t N, int64_t K, bool b_transposed, float alpha, float beta);
// The same product by three plain loops: the algorithmic reference for tests and lesson 06.
void matmul_ref(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb,
                int64_t M, int64_t N, int64_t K, bool b_transposed, float alpha, float beta);

// out (T, OC) = inp (T, IC) · w (IC, OC) + b (OC)     (b may be nullptr)
void linear(float* out, const float* inp, const float* w, const float* b, int64_t T, int64_t IC,
            int64_t OC);
void linear_ref(float* out, const float* inp, const float* w, const float* b, int64_t T,
                int64_t IC, int64_t OC);

// logits (T, V) = x (T, C) · wte^T, with wte (V, C)
void lm_head(float* logits, const float* x, const float* wte, int64_t T, int64_t C, int64_t V);

// Blocks of output columns [c0, c1) of the two products above: one thread's share when
// a product is split over a team (model/forward.cpp). The other columns of out are not touched.
//   out[:, c0:c1] = inp (T, IC) · w[:, c0:c1] + b[c0:c1]      (rows of out are OC apart)
//   logits[:, v0:v1] = x (T, C) · wte[v0:v1, :]^T             (rows of logits are V apart)
void linear_columns(float* out, const float* inp, const float* w, const float* b, int64_t T,
                    int64_t IC, int64_t OC, int64_t c0, int64_t c1);
void lm_head_columns(float* logits, const float* x, const float* wte, int64_t T, int64_t C,
                     int64_t V, int64_t v0, int64_t v1);

// One input row times a block of rows [k0, k1) of w, without the bias:
//   partial (OC) = inp[k0:k1] · w[k0:k1, :]
// The partials of blocks that tile [0, IC) add up to linear() minus its bias. A decode
// step (T = 1) split this way lets each thread stream contiguous blocks of w, which
// reads memory faster than the strided column blocks of linear_columns.
void linear_rows_partial(float* partial, const float* inp, const float* w, int64_t OC,
                         int64_t k0, int64_t k1);

// The same two column blocks with weights of any type (core/tensor.h's WeightView), for
// prefill: F32 goes to sgemm as above; BF16, F16 and Q8 are widened to F32 one panel of
// at most kPanelRows x kPanelCols weights at a time (kernels/convert.h widen_rows, with
// `isa`'s kernels) into `panel` (kPanelFloats floats, the caller's scratch), and each
// panel multiplied by sgemm and added on. A panel fits in L2, so the widened weights are
// read back from cache: prefill stays sgemm's speed while the weights take fewer bytes.
// w (IC, OC) as the checkpoint shapes it, any layout; wte (V, C).
constexpr int64_t kPanelRows = 512, kPanelCols = 128;  // rows: a multiple of kQ8Block
constexpr int64_t kPanelFloats = kPanelRows * kPanelCols;
void linear_columns(Isa isa, float* out, const float* inp, const WeightView& w, const float* b, int64_t T,
                    int64_t c0, int64_t c1, float* panel);
void lm_head_columns(Isa isa, float* logits, const float* x, const WeightView& wte, int64_t T, int64_t v0,
                     int64_t v1, float* panel);

// The products above with weights of any type, on the calling thread alone, for code that
// runs one product at a time (walks, lessons): F32 as linear() and lm_head(); one row by
// matvec.h's kernels; more rows a widened panel at a time, in a panel allocated here.
//   out (T, OC) = inp (T, IC) · w (IC, OC) + b        logits (T, V) = x (T, C) · wte^T
void linear(Isa isa, float* out, const float* inp, const WeightView& w, const float* b, int64_t T);
void lm_head(Isa isa, float* logits, const float* x, const WeightView& wte, int64_t T);

// How many threads OpenBLAS may use (process-wide; set once by the CLI's --threads).
void set_blas_threads(int n);
int blas_threads();  // the current setting

// ---------------------------------------------------------------- backward (training, lesson 17)
//
// For out (T, OC) = inp (T, IC) · w (IC, OC) + b and g = dL/dout (T, OC):
//   dinp (T, IC) += g · w^T         each input row gets the weighted sum of its output rows' gradients
//   dw (IC, OC)  += inp^T · g       a weight's gradient sums over every row that used it
//   db (OC)      += sum_t g[t]
// The tied head, logits (T, V) = x (T, C) · wte^T, is the same with w = wte^T and no bias:
//   dx (T, C) += dlogits · wte      dwte (V, C) += dlogits^T · x
// Every backward ADDS (+=) into its gradients (beta = 1 in the products).

// c (M, N) = alpha * a^T · b + beta * c, where a is stored (K, M) and b (K, N), row strides
// lda, ldb, ldc: the product the weight gradients need (inp^T · g sums over the rows t).
void matmul_at(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb,
               int64_t M, int64_t N, int64_t K, float alpha, float beta);
void matmul_at_ref(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb,
                   int64_t M, int64_t N, int64_t K, float alpha, float beta);

void linear_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp,
                     const float* w, int64_t T, int64_t IC, int64_t OC);
// Its pieces, for a team: dinp row by row (call it on a block of rows), and output columns
// [c0, c1) of dw and db (db may be nullptr; its sums run row after row, so the result does
// not depend on how the columns were shared out).
void linear_backward_input(float* dinp, const float* dout, const float* w, int64_t T, int64_t IC,
                           int64_t OC);
void linear_backward_weight(float* dw, float* db, const float* dout, const float* inp, int64_t T,
                            int64_t IC, int64_t OC, int64_t c0, int64_t c1);
// The tied head's backward, in the same two pieces: dx for a block of rows, and rows
// [v0, v1) of dwte (token vectors v0..v1-1).
void lm_head_backward_input(float* dx, const float* dlogits, const float* wte, int64_t T, int64_t C,
                            int64_t V);
void lm_head_backward_weight(float* dwte, const float* dlogits, const float* x, int64_t T, int64_t C,
                             int64_t V, int64_t v0, int64_t v1);
// Plain loops (double sums), in float and in float64 (finite-difference checks).
void linear_backward_ref(float* dinp, float* dw, float* db, const float* dout, const float* inp,
                         const float* w, int64_t T, int64_t IC, int64_t OC);
void linear_backward_ref(double* dinp, double* dw, double* db, const double* dout,
                         const double* inp, const double* w, int64_t T, int64_t IC, int64_t OC);
void lm_head_backward_ref(float* dx, float* dwte, const float* dlogits, const float* x,
                          const float* wte, int64_t T, int64_t C, int64_t V);
void lm_head_backward_ref(double* dx, double* dwte, const double* dlogits, const double* x,
                          const double* wte, int64_t T, int64_t C, int64_t V);

}  // namespace gw
