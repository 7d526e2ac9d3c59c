// kernels/linear.cpp — matrix products through OpenBLAS (and their plain-loop references).
#include "kernels/linear.h"

#include <cblas.h>  // cblas_sgemm, cblas_sgemv, openblas_set_num_threads

#include <cstring>  // memcpy

namespace gw {

void matmul(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb,
            int64_t M, int64_t N, int64_t K, bool b_transposed, float alpha, float beta) {
    if (M == 1) {
        // One row of a times op(b) is a matrix-vector product with the matrix b:
        //  - b (K, N) not transposed: c = b^T a  -> sgemv(Trans) over the K x N matrix;
        //  - b (N, K) transposed:     c = b a    -> sgemv(NoTrans) over the N x K matrix.
        cblas_sgemv(CblasRowMajor, b_transposed ? CblasNoTrans : CblasTrans,
                    b_transposed ? int(N) : int(K), b_transposed ? int(K) : int(N), alpha, b,
                    int(ldb), a, 1, beta, c, 1);
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, b_transposed ? CblasTrans : CblasNoTrans, int(M),
                int(N), int(K), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

void matmul_ref(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb,
                int64_t M, int64_t N, int64_t K, bool b_transposed, float alpha, float beta) {
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            double sum = 0.0;
            for (int64_t k = 0; k < K; k++) {
                float bkj = b_transposed ? b[j * ldb + k] : b[k * ldb + j];
                sum += double(a[i * lda + k]) * double(bkj);
            }
            float old = beta == 0.0f ? 0.0f : c[i * ldc + j];  // beta 0 ignores c, even NaN
            c[i * ldc + j] = float(alpha * sum) + beta * old;
        }
    }
}

// Start every row of out (n columns, rows ld apart) with the bias, then accumulate the
// product onto it (beta = 1).
static void fill_bias(float* out, int64_t ld, const float* b, int64_t T, int64_t n) {
    for (int64_t t = 0; t < T; t++) {
        if (b) std::memcpy(out + t * ld, b, size_t(n) * sizeof(float));
        else std::memset(out + t * ld, 0, size_t(n) * sizeof(float));
    }
}

void linear(float* out, const float* inp, const float* w, const float* b, int64_t T, int64_t IC,
            int64_t OC) {
    linear_columns(out, inp, w, b, T, IC, OC, 0, OC);
}

void linear_columns(float* out, const float* inp, const float* w, const float* b, int64_t T,
                    int64_t IC, int64_t OC, int64_t c0, int64_t c1) {
    if (c1 <= c0) return;
    // The column block of w (IC, c1 - c0) is a strided view: rows still OC floats apart.
    fill_bias(out + c0, OC, b ? b + c0 : nullptr, T, c1 - c0);
    matmul(out + c0, OC, inp, IC, w + c0, OC, T, c1 - c0, IC, /*b_transposed=*/false, 1.0f, 1.0f);
}

void linear_rows_partial(float* partial, const float* inp, const float* w, int64_t OC,
                         int64_t k0, int64_t k1) {
    if (k1 <= k0) {
        std::memset(partial, 0, size_t(OC) * sizeof(float));
        return;
    }
    matmul(partial, OC, inp + k0, k1 - k0, w + k0 * OC, OC, 1, OC, k1 - k0,
           /*b_transposed=*/false, 1.0f, 0.0f);
}

void linear_ref(float* out, const float* inp, const float* w, const float* b, int64_t T,
                int64_t IC, int64_t OC) {
    fill_bias(out, OC, b, T, OC);
    matmul_ref(out, OC, inp, IC, w, OC, T, OC, IC, false, 1.0f, 1.0f);
}

void lm_head(float* logits, const float* x, const float* wte, int64_t T, int64_t C, int64_t V) {
    lm_head_columns(logits, x, wte, T, C, V, 0, V);
}

void lm_head_columns(float* logits, const float* x, const float* wte, int64_t T, int64_t C,
                     int64_t V, int64_t v0, int64_t v1) {
    if (v1 <= v0) return;
    // Rows v0..v1-1 of wte are a contiguous (v1 - v0, C) matrix.
    matmul(logits + v0, V, x, C, wte + v0 * C, C, T, v1 - v0, C, /*b_transposed=*/true, 1.0f, 0.0f);
}

void set_blas_threads(int n) { openblas_set_num_threads(n); }

int blas_threads() { return openblas_get_num_threads(); }

}  // namespace gw
