// kernels/layernorm.cpp — layer normalisation over the last dimension (lesson 05).
//
//   mean_t = (1/C) sum_c x[t,c]          var_t = (1/C) sum_c (x[t,c] - mean_t)^2
//   out[t,c] = (x[t,c] - mean_t) / sqrt(var_t + eps) * w[c] + b[c]
// Shapes: out, x (T, C); w, b (C); mean, rstd (T) optional (nullptr to skip).
// out may alias x: every element is read before it is written.
//
// The vector kernels work in float, relative to a shift K = x[t,0]:
//   d_c = x[t,c] - K,   mean_d = (1/C) sum_c d_c,   var = (1/C) sum_c (d_c - mean_d)^2
//   out[t,c] = (d_c - mean_d) * rstd * w[c] + b[c],   mean_t = K + mean_d
// Why the shift: a row like 1e4 + small noise has a mean that a float cannot hold
// finely enough (float's spacing near 1e4 is 1e-3), so x - mean would be mostly
// rounding. x - K is exact for nearby values (Sterbenz lemma), so the common offset
// cancels before any rounding happens; a constant row gives exactly b, as the
// double-precision reference does. Each pass: full vectors, then one masked tail.
#include "kernels/layernorm.h"

#include <cmath>
#include <vector>

#include "kernels/simd.h"  // tail masks, horizontal sums

namespace gw {

// ---------------------------------------------------------------- scalar reference

// Two passes in double: the plain definition, accurate to float rounding of out. A template
// so that the float64 overload (finite-difference checks of the backward) is the same loops.
template <typename S>
static void layernorm_rows(S* out, S* mean, S* rstd, const S* x, const S* w, const S* b, int64_t T,
                           int64_t C, double eps) {
    for (int64_t t = 0; t < T; t++) {
        const S* xt = x + t * C;  // (C)
        S* ot = out + t * C;      // (C)
        double m = 0;
        for (int64_t c = 0; c < C; c++) m += xt[c];
        m /= double(C);
        double var = 0;
        for (int64_t c = 0; c < C; c++) var += (xt[c] - m) * (xt[c] - m);
        var /= double(C);
        double s = 1.0 / std::sqrt(var + eps);
        for (int64_t c = 0; c < C; c++) ot[c] = S((xt[c] - m) * s * w[c] + b[c]);
        if (mean) mean[t] = S(m);
        if (rstd) rstd[t] = S(s);
    }
}

void layernorm_ref(float* out, float* mean, float* rstd, const float* x, const float* w,
                   const float* b, int64_t T, int64_t C, float eps) {
    layernorm_rows(out, mean, rstd, x, w, b, T, C, eps);
}

void layernorm_ref(double* out, double* mean, double* rstd, const double* x, const double* w,
                   const double* b, int64_t T, int64_t C, double eps) {
    layernorm_rows(out, mean, rstd, x, w, b, T, C, eps);
}

#if defined(__x86_64__)

// ---------------------------------------------------------------- AVX2 + FMA (8 floats)

__attribute__((target("avx2,fma"))) void layernorm_avx2(float* out, float* mean, float* rstd,
                                                        const float* x, const float* w,
                                                        const float* b, int64_t T, int64_t C,
                                                        float eps) {
    const int64_t body = C - C % 8;  // full vectors cover [0, body)
    const __m256i tail = simd::tail_mask_avx2(C % 8);
    const __m256 tail_f = _mm256_castsi256_ps(tail);  // the same mask, to zero lanes
    for (int64_t t = 0; t < T; t++) {
        const float* xt = x + t * C;  // (C)
        float* ot = out + t * C;      // (C)
        const float k = xt[0];
        const __m256 K = _mm256_set1_ps(k);

        // pass 1: mean_d = (1/C) sum (x - K)
        __m256 acc = _mm256_setzero_ps();
        for (int64_t c = 0; c < body; c += 8)
            acc = _mm256_add_ps(acc, _mm256_sub_ps(_mm256_loadu_ps(xt + c), K));
        if (body < C)  // lanes past the row are zeroed so they add nothing
            acc = _mm256_add_ps(
                acc, _mm256_and_ps(tail_f, _mm256_sub_ps(_mm256_maskload_ps(xt + body, tail), K)));
        const float mean_d = float(simd::hsum_avx2(acc) / double(C));
        const __m256 M = _mm256_set1_ps(mean_d);

        // pass 2: var = (1/C) sum (x - K - mean_d)^2
        acc = _mm256_setzero_ps();
        for (int64_t c = 0; c < body; c += 8) {
            __m256 e = _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(xt + c), K), M);
            acc = _mm256_fmadd_ps(e, e, acc);
        }
        if (body < C) {
            __m256 e = _mm256_sub_ps(_mm256_sub_ps(_mm256_maskload_ps(xt + body, tail), K), M);
            e = _mm256_and_ps(tail_f, e);
            acc = _mm256_fmadd_ps(e, e, acc);
        }
        const double var = simd::hsum_avx2(acc) / double(C);
        const float s = float(1.0 / std::sqrt(var + eps));
        const __m256 S = _mm256_set1_ps(s);

        // pass 3: out = (x - K - mean_d) * rstd * w + b
        for (int64_t c = 0; c < body; c += 8) {
            __m256 e = _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(xt + c), K), M);
            e = _mm256_mul_ps(e, S);
            _mm256_storeu_ps(ot + c,
                             _mm256_fmadd_ps(e, _mm256_loadu_ps(w + c), _mm256_loadu_ps(b + c)));
        }
        if (body < C) {
            __m256 e = _mm256_sub_ps(_mm256_sub_ps(_mm256_maskload_ps(xt + body, tail), K), M);
            e = _mm256_mul_ps(e, S);
            __m256 y = _mm256_fmadd_ps(e, _mm256_maskload_ps(w + body, tail),
                                       _mm256_maskload_ps(b + body, tail));
            _mm256_maskstore_ps(ot + body, tail, y);
        }
        if (mean) mean[t] = float(double(k) + double(mean_d));
        if (rstd) rstd[t] = s;
    }
}

// ---------------------------------------------------------------- AVX-512F (16 floats)

__attribute__((target("avx512f"))) void layernorm_avx512(float* out, float* mean, float* rstd,
                                                         const float* x, const float* w,
                                                         const float* b, int64_t T, int64_t C,
                                                         float eps) {
    const int64_t body = C - C % 16;
    const __mmask16 tail = simd::tail_mask_avx512(C % 16);
    for (int64_t t = 0; t < T; t++) {
        const float* xt = x + t * C;  // (C)
        float* ot = out + t * C;      // (C)
        const float k = xt[0];
        const __m512 K = _mm512_set1_ps(k);

        // pass 1: mean_d = (1/C) sum (x - K); maskz_ ops give 0 in lanes past the row
        __m512 acc = _mm512_setzero_ps();
        for (int64_t c = 0; c < body; c += 16)
            acc = _mm512_add_ps(acc, _mm512_sub_ps(_mm512_loadu_ps(xt + c), K));
        if (body < C)
            acc = _mm512_add_ps(
                acc, _mm512_maskz_sub_ps(tail, _mm512_maskz_loadu_ps(tail, xt + body), K));
        const float mean_d = float(simd::hsum_avx512(acc) / double(C));
        const __m512 M = _mm512_set1_ps(mean_d);

        // pass 2: var = (1/C) sum (x - K - mean_d)^2
        acc = _mm512_setzero_ps();
        for (int64_t c = 0; c < body; c += 16) {
            __m512 e = _mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(xt + c), K), M);
            acc = _mm512_fmadd_ps(e, e, acc);
        }
        if (body < C) {
            __m512 e = _mm512_sub_ps(_mm512_maskz_loadu_ps(tail, xt + body), K);
            e = _mm512_maskz_sub_ps(tail, e, M);
            acc = _mm512_fmadd_ps(e, e, acc);
        }
        const double var = simd::hsum_avx512(acc) / double(C);
        const float s = float(1.0 / std::sqrt(var + eps));
        const __m512 S = _mm512_set1_ps(s);

        // pass 3: out = (x - K - mean_d) * rstd * w + b
        for (int64_t c = 0; c < body; c += 16) {
            __m512 e = _mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(xt + c), K), M);
            e = _mm512_mul_ps(e, S);
            _mm512_storeu_ps(ot + c,
                             _mm512_fmadd_ps(e, _mm512_loadu_ps(w + c), _mm512_loadu_ps(b + c)));
        }
        if (body < C) {
            __m512 e = _mm512_sub_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, xt + body), K), M);
            e = _mm512_mul_ps(e, S);
            __m512 y = _mm512_fmadd_ps(e, _mm512_maskz_loadu_ps(tail, w + body),
                                       _mm512_maskz_loadu_ps(tail, b + body));
            _mm512_mask_storeu_ps(ot + body, tail, y);
        }
        if (mean) mean[t] = float(double(k) + double(mean_d));
        if (rstd) rstd[t] = s;
    }
}

#else  // not x86-64: no vector kernels, the names run the reference

void layernorm_avx2(float* out, float* mean, float* rstd, const float* x, const float* w,
                    const float* b, int64_t T, int64_t C, float eps) {
    layernorm_ref(out, mean, rstd, x, w, b, T, C, eps);
}
void layernorm_avx512(float* out, float* mean, float* rstd, const float* x, const float* w,
                      const float* b, int64_t T, int64_t C, float eps) {
    layernorm_ref(out, mean, rstd, x, w, b, T, C, eps);
}

#endif

// ---------------------------------------------------------------- dispatcher

void layernorm(Isa isa, float* out, float* mean, float* rstd, const float* x, const float* w,
               const float* b, int64_t T, int64_t C, float eps) {
    switch (isa) {
        case Isa::Ref: layernorm_ref(out, mean, rstd, x, w, b, T, C, eps); return;
        case Isa::Avx2: layernorm_avx2(out, mean, rstd, x, w, b, T, C, eps); return;
        case Isa::Avx512: layernorm_avx512(out, mean, rstd, x, w, b, T, C, eps); return;
    }
}

// ---------------------------------------------------------------- backward (training, lesson 17)
//
// One row, g = dL/dout, xhat = (x - mean) * rstd, out = xhat * w + b:
//   db[c] += g[c]             dw[c] += g[c] * xhat[c]
//   dx[c] += rstd * (gw[c] - mean(gw) - xhat[c] * mean(gw * xhat)),   gw = g * w
// Why the two means: adding a constant to every x[c], or scaling x's deviations from their
// mean, leaves xhat unchanged, so dx has no part along those two directions: they are
// projected out of gw. Sums are in double (C terms a row; T terms a column), as in the forward.

template <typename S>
static void backward_rows(S* dx, const S* dout, const S* x, const S* w, const S* mean,
                          const S* rstd, int64_t T, int64_t C) {
    for (int64_t t = 0; t < T; t++) {
        const S* xt = x + t * C;     // (C)
        const S* gt = dout + t * C;  // (C)
        S* dt = dx + t * C;          // (C)
        const double m = mean[t], r = rstd[t];
        double sum_gw = 0, sum_gwx = 0;
        for (int64_t c = 0; c < C; c++) {
            const double gw = double(gt[c]) * w[c];
            sum_gw += gw;
            sum_gwx += gw * ((xt[c] - m) * r);
        }
        const double mean_gw = sum_gw / double(C), mean_gwx = sum_gwx / double(C);
        for (int64_t c = 0; c < C; c++) {
            const double xhat = (xt[c] - m) * r;
            dt[c] = S(dt[c] + r * (double(gt[c]) * w[c] - mean_gw - xhat * mean_gwx));
        }
    }
}

// Columns [c0, c1) of dw and db: sums over the T rows, accumulated row after row.
template <typename S>
static void backward_params(S* dw, S* db, const S* dout, const S* x, const S* mean, const S* rstd,
                            int64_t T, int64_t C, int64_t c0, int64_t c1) {
    if (c1 <= c0) return;
    std::vector<double> sw(size_t(c1 - c0), 0.0), sb(size_t(c1 - c0), 0.0);
    for (int64_t t = 0; t < T; t++) {
        const double m = mean[t], r = rstd[t];
        for (int64_t c = c0; c < c1; c++) {
            const double g = dout[t * C + c];
            sb[size_t(c - c0)] += g;
            sw[size_t(c - c0)] += g * ((x[t * C + c] - m) * r);
        }
    }
    for (int64_t c = c0; c < c1; c++) {
        dw[c] = S(dw[c] + sw[size_t(c - c0)]);
        db[c] = S(db[c] + sb[size_t(c - c0)]);
    }
}

void layernorm_backward_rows(float* dx, const float* dout, const float* x, const float* w,
                             const float* mean, const float* rstd, int64_t T, int64_t C) {
    backward_rows(dx, dout, x, w, mean, rstd, T, C);
}

void layernorm_backward_params(float* dw, float* db, const float* dout, const float* x,
                               const float* mean, const float* rstd, int64_t T, int64_t C,
                               int64_t c0, int64_t c1) {
    backward_params(dw, db, dout, x, mean, rstd, T, C, c0, c1);
}

void layernorm_backward(float* dx, float* dw, float* db, const float* dout, const float* x,
                        const float* w, const float* mean, const float* rstd, int64_t T, int64_t C) {
    backward_rows(dx, dout, x, w, mean, rstd, T, C);
    backward_params(dw, db, dout, x, mean, rstd, T, C, 0, C);
}

void layernorm_backward(double* dx, double* dw, double* db, const double* dout, const double* x,
                        const double* w, const double* mean, const double* rstd, int64_t T,
                        int64_t C) {
    backward_rows(dx, dout, x, w, mean, rstd, T, C);
    backward_params(dw, db, dout, x, mean, rstd, T, C, 0, C);
}

}  // namespace gw
