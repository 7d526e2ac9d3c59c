// linear.h — matrix products, all through OpenBLAS. The ONLY caller of cblas.
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

// How many threads OpenBLAS may use (process-wide; set once by the CLI's --threads).
void set_blas_threads(int n);

}  // namespace gw
