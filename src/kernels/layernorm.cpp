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

#include "kernels/simd.h"  // tail masks, horizontal sums

namespace gw {

// ---------------------------------------------------------------- scalar reference

// Two passes in double: the plain definition, accurate to float rounding of out.
void layernorm_ref(float* out, float* mean, float* rstd, const float* x, const float* w,
                   const float* b, int64_t T, int64_t C, float eps) {
    for (int64_t t = 0; t < T; t++) {
        const float* xt = x + t * C;  // (C)
        float* ot = out + t * C;      // (C)
        double m = 0;
        for (int64_t c = 0; c < C; c++) m += xt[c];
        m /= double(C);
        double var = 0;
        for (int64_t c = 0; c < C; c++) var += (xt[c] - m) * (xt[c] - m);
        var /= double(C);
        double s = 1.0 / std::sqrt(var + eps);
        for (int64_t c = 0; c < C; c++) ot[c] = float((xt[c] - m) * s * w[c] + b[c]);
        if (mean) mean[t] = float(m);
        if (rstd) rstd[t] = float(s);
    }
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

}  // namespace gw
