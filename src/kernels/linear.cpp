// kernels/linear.cpp — matrix products through OpenBLAS (and their plain-loop references).
#include "kernels/linear.h"

#include <cblas.h>  // cblas_sgemm, cblas_sgemv, openblas_set_num_threads

#include <algorithm>  // std::min
#include <cstring>    // memcpy

#include "kernels/convert.h"  // widen_rows
#include "kernels/matvec.h"   // matvec_rows, matvec_dot

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

// out[:, c0:c1] += inp (T, K) · W[:, c0:c1] for W of any reduced type, a panel at a time.
// A panel covers inputs [k0, k0 + kc) and outputs [c, c + nc). Where W's stored rows are
// inputs ([in, out]: BF16/F16 Conv1D) the panel is (kc, nc) and multiplies as is; where
// they are outputs (Q8 Conv1D, stored transposed, and wte) it is (nc, kc) and multiplies
// transposed, as the F32 LM head does.
static void panel_product(Isa isa, float* out, int64_t ldo, const float* inp, int64_t K, const WeightView& w,
                          bool rows_are_outputs, int64_t T, int64_t c0, int64_t c1, float* panel) {
    for (int64_t c = c0; c < c1; c += kPanelCols) {
        const int64_t nc = std::min(kPanelCols, c1 - c);
        for (int64_t k0 = 0; k0 < K; k0 += kPanelRows) {
            const int64_t kc = std::min(kPanelRows, K - k0);
            if (rows_are_outputs) widen_rows(isa, panel, w, c, c + nc, k0, kc);  // (nc, kc)
            else widen_rows(isa, panel, w, k0, k0 + kc, c, nc);                  // (kc, nc)
            matmul(out + c, ldo, inp + k0, K, panel, rows_are_outputs ? kc : nc, T, nc, kc, rows_are_outputs,
                   1.0f, 1.0f);
        }
    }
}

void linear_columns(Isa isa, float* out, const float* inp, const WeightView& w, const float* b, int64_t T,
                    int64_t c0, int64_t c1, float* panel) {
    const int64_t IC = w.shape.dim[0], OC = w.shape.dim[1];
    if (w.type == WType::F32 && !w.transposed) return linear_columns(out, inp, w.f32(), b, T, IC, OC, c0, c1);
    if (c1 <= c0) return;
    fill_bias(out + c0, OC, b ? b + c0 : nullptr, T, c1 - c0);
    panel_product(isa, out, OC, inp, IC, w, w.transposed, T, c0, c1, panel);
}

void lm_head_columns(Isa isa, float* logits, const float* x, const WeightView& wte, int64_t T, int64_t v0,
                     int64_t v1, float* panel) {
    const int64_t V = wte.shape.dim[0], C = wte.shape.dim[1];
    if (wte.type == WType::F32) return lm_head_columns(logits, x, wte.f32(), T, C, V, v0, v1);
    if (v1 <= v0) return;
    fill_bias(logits + v0, V, nullptr, T, v1 - v0);  // zeros, then the panels add on
    panel_product(isa, logits, V, x, C, wte, /*rows_are_outputs=*/true, T, v0, v1, panel);
}

void linear(Isa isa, float* out, const float* inp, const WeightView& w, const float* b, int64_t T) {
    const int64_t IC = w.shape.dim[0], OC = w.shape.dim[1];
    if (w.type == WType::F32 && !w.transposed) return linear(out, inp, w.f32(), b, T, IC, OC);
    if (T == 1) {
        if (w.transposed) matvec_dot(isa, out, inp, w, 0, OC);
        else matvec_rows(isa, out, inp, w, 0, IC);
        for (int64_t j = 0; j < OC; j++) out[j] += b ? b[j] : 0.0f;
        return;
    }
    FloatBuffer panel(kPanelFloats);
    linear_columns(isa, out, inp, w, b, T, 0, OC, panel.data());
}

void lm_head(Isa isa, float* logits, const float* x, const WeightView& wte, int64_t T) {
    const int64_t V = wte.shape.dim[0], C = wte.shape.dim[1];
    if (wte.type == WType::F32) return lm_head(logits, x, wte.f32(), T, C, V);
    if (T == 1) return matvec_dot(isa, logits, x, wte, 0, V);
    FloatBuffer panel(kPanelFloats);
    lm_head_columns(isa, logits, x, wte, T, 0, V, panel.data());
}

void set_blas_threads(int n) { openblas_set_num_threads(n); }

int blas_threads() { return openblas_get_num_threads(); }

// ---------------------------------------------------------------- backward (training, lesson 17)

void matmul_at(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb,
               int64_t M, int64_t N, int64_t K, float alpha, float beta) {
    // a is stored (K, M) row-major: CblasTrans reads it as the (M, K) matrix a^T.
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(M), int(N), int(K), alpha, a, int(lda),
                b, int(ldb), beta, c, int(ldc));
}

template <typename S>
static void matmul_at_loops(S* c, int64_t ldc, const S* a, int64_t lda, const S* b, int64_t ldb,
                            int64_t M, int64_t N, int64_t K, double alpha, double beta) {
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double sum = 0.0;
            for (int64_t k = 0; k < K; k++) sum += double(a[k * lda + i]) * double(b[k * ldb + j]);
            const double old = beta == 0.0 ? 0.0 : double(c[i * ldc + j]);  // beta 0 ignores c
            c[i * ldc + j] = S(alpha * sum + beta * old);
        }
}

void matmul_at_ref(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb,
                   int64_t M, int64_t N, int64_t K, float alpha, float beta) {
    matmul_at_loops(c, ldc, a, lda, b, ldb, M, N, K, alpha, beta);
}

void linear_backward_input(float* dinp, const float* dout, const float* w, int64_t T, int64_t IC,
                           int64_t OC) {
    // dinp (T, IC) += dout (T, OC) · w^T, with w stored (IC, OC): op(b) = w^T, "b transposed".
    matmul(dinp, IC, dout, OC, w, OC, T, IC, OC, /*b_transposed=*/true, 1.0f, 1.0f);
}

void linear_backward_weight(float* dw, float* db, const float* dout, const float* inp, int64_t T,
                            int64_t IC, int64_t OC, int64_t c0, int64_t c1) {
    if (c1 <= c0) return;
    // dw[:, c0:c1] (IC, c1 - c0) += inp^T (IC, T) · dout[:, c0:c1] (T, c1 - c0)
    matmul_at(dw + c0, OC, inp, IC, dout + c0, OC, IC, c1 - c0, T, 1.0f, 1.0f);
    if (!db) return;
    for (int64_t t = 0; t < T; t++)  // row after row: the same order however columns are shared
        for (int64_t c = c0; c < c1; c++) db[c] += dout[t * OC + c];
}

void linear_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp,
                     const float* w, int64_t T, int64_t IC, int64_t OC) {
    linear_backward_input(dinp, dout, w, T, IC, OC);
    linear_backward_weight(dw, db, dout, inp, T, IC, OC, 0, OC);
}

void lm_head_backward_input(float* dx, const float* dlogits, const float* wte, int64_t T, int64_t C,
                            int64_t V) {
    // dx (T, C) += dlogits (T, V) · wte (V, C): a plain product, no transpose.
    matmul(dx, C, dlogits, V, wte, C, T, C, V, /*b_transposed=*/false, 1.0f, 1.0f);
}

void lm_head_backward_weight(float* dwte, const float* dlogits, const float* x, int64_t T, int64_t C,
                             int64_t V, int64_t v0, int64_t v1) {
    if (v1 <= v0) return;
    // dwte[v0:v1] (v1 - v0, C) += dlogits[:, v0:v1]^T (v1 - v0, T) · x (T, C)
    matmul_at(dwte + v0 * C, C, dlogits + v0, V, x, C, v1 - v0, C, T, 1.0f, 1.0f);
}

// The plain loops of a product's backward, in double sums; S = float or double. The weight
// is read as w(i, o) = w[i * wi + o * wo] (and its gradient written the same way): a linear
// layer's (IC, OC) row-major matrix has wi = OC, wo = 1; the tied head reads wte (V, C) as its
// transpose, (C, V), with wi = 1, wo = C.
template <typename S>
static void product_backward_loops(S* dinp, S* dw, S* db, const S* dout, const S* inp, const S* w, int64_t T,
                                   int64_t IC, int64_t OC, int64_t wi, int64_t wo) {
    for (int64_t t = 0; t < T; t++)  // dinp[t, i] += sum_o dout[t, o] w(i, o)
        for (int64_t i = 0; i < IC; i++) {
            double sum = 0;
            for (int64_t o = 0; o < OC; o++) sum += double(dout[t * OC + o]) * w[i * wi + o * wo];
            dinp[t * IC + i] = S(dinp[t * IC + i] + sum);
        }
    for (int64_t i = 0; i < IC; i++)  // dw(i, o) += sum_t inp[t, i] dout[t, o]
        for (int64_t o = 0; o < OC; o++) {
            double sum = 0;
            for (int64_t t = 0; t < T; t++) sum += double(inp[t * IC + i]) * dout[t * OC + o];
            dw[i * wi + o * wo] = S(dw[i * wi + o * wo] + sum);
        }
    if (db)
        for (int64_t o = 0; o < OC; o++) {  // db[o] += sum_t dout[t, o]
            double sum = 0;
            for (int64_t t = 0; t < T; t++) sum += dout[t * OC + o];
            db[o] = S(db[o] + sum);
        }
}

void linear_backward_ref(float* dinp, float* dw, float* db, const float* dout, const float* inp,
                         const float* w, int64_t T, int64_t IC, int64_t OC) {
    product_backward_loops(dinp, dw, db, dout, inp, w, T, IC, OC, OC, 1);
}
void linear_backward_ref(double* dinp, double* dw, double* db, const double* dout,
                         const double* inp, const double* w, int64_t T, int64_t IC, int64_t OC) {
    product_backward_loops(dinp, dw, db, dout, inp, w, T, IC, OC, OC, 1);
}

void lm_head_backward_ref(float* dx, float* dwte, const float* dlogits, const float* x,
                          const float* wte, int64_t T, int64_t C, int64_t V) {
    product_backward_loops<float>(dx, dwte, nullptr, dlogits, x, wte, T, C, V, 1, C);
}
void lm_head_backward_ref(double* dx, double* dwte, const double* dlogits, const double* x,
                          const double* wte, int64_t T, int64_t C, int64_t V) {
    product_backward_loops<double>(dx, dwte, nullptr, dlogits, x, wte, T, C, V, 1, C);
}

}  // namespace gw
