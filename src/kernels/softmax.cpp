// kernels/softmax.cpp — softmax of one row, numerically stable (lesson 07).
//
//   m = max_i x[i];   e_i = exp(x[i] - m);   out[i] = e_i / sum_j e_j      for i < n
// Shapes: out, x (n); out may alias x. Subtracting the max keeps every e_i in
// [0, 1] (no overflow) with at least one e_i = 1 (the sum is >= 1, no 0/0).
// -INFINITY entries (the causal mask) give e_i = 0. If every entry is -INFINITY
// there is no valid entry and m - m would be NaN: the row becomes all zeros.
//
// Three passes in every version: max, then e_i (written to out) and their sum,
// then out *= 1/sum. The sum of up to 50257 positive terms is accumulated in
// double by all three, so the vector kernels differ from the reference only by
// their exp (<= 2 ulp, include/kernels/simd.h), x - m in float, and the final rounding.
#include "kernels/softmax.h"

#include <cmath>

#include "kernels/simd.h"  // exp, tail masks, horizontal max

namespace gw {

// ---------------------------------------------------------------- scalar reference

// Returns log sum_j exp x[j] (m + log of the sum), which the cross-entropy loss needs
// (crossentropy.h), or -INFINITY for a row with no valid entry. A template so that the
// float64 overload (finite-difference checks) is the same loops.
template <typename S>
static double softmax_row(S* out, const S* x, int64_t n) {
    S m = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (x[i] > m) m = x[i];
    if (m == -INFINITY) {  // n == 0 or every entry masked
        for (int64_t i = 0; i < n; i++) out[i] = 0;
        return -INFINITY;
    }
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        double e = std::exp(double(x[i]) - double(m));  // exp(-inf) = 0
        out[i] = S(e);
        sum += e;
    }
    for (int64_t i = 0; i < n; i++) out[i] = S(out[i] / sum);
    return double(m) + std::log(sum);
}

void softmax_ref(float* out, const float* x, int64_t n) { softmax_row(out, x, n); }
void softmax_ref(double* out, const double* x, int64_t n) { softmax_row(out, x, n); }

#if defined(__x86_64__)

// ---------------------------------------------------------------- AVX2 + FMA (8 floats)

// Adds the 8 floats of e, widened to double, into two accumulators of 4 doubles.
__attribute__((target("avx2,fma"))) static inline void add_as_doubles_avx2(__m256d& lo, __m256d& hi,
                                                                           __m256 e) {
    lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
    hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
}

__attribute__((target("avx2,fma"))) static double softmax_lse_avx2(float* out, const float* x,
                                                                   int64_t n) {
    const int64_t body = n - n % 8;
    const __m256i tail = simd::tail_mask_avx2(n % 8);
    const __m256 minus_inf = _mm256_set1_ps(-INFINITY);
    // The last partial vector, padded with -inf: neutral for the max, exp gives 0.
    const __m256 x_tail =
        _mm256_blendv_ps(minus_inf, _mm256_maskload_ps(x + body, tail), _mm256_castsi256_ps(tail));

    // pass 1: m = max x
    __m256 vmax = x_tail;
    for (int64_t i = 0; i < body; i += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + i));
    const float m = simd::hmax_avx2(vmax);
    if (m == -INFINITY) {
        for (int64_t i = 0; i < n; i++) out[i] = 0.0f;
        return -INFINITY;
    }
    const __m256 M = _mm256_set1_ps(m);

    // pass 2: out = e = exp(x - m), summed in double
    __m256d sum_lo = _mm256_setzero_pd(), sum_hi = _mm256_setzero_pd();
    for (int64_t i = 0; i < body; i += 8) {
        __m256 e = simd::exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + i), M));
        _mm256_storeu_ps(out + i, e);
        add_as_doubles_avx2(sum_lo, sum_hi, e);
    }
    if (body < n) {
        __m256 e = simd::exp_avx2(_mm256_sub_ps(x_tail, M));  // padding lanes: exp(-inf) = 0
        _mm256_maskstore_ps(out + body, tail, e);
        add_as_doubles_avx2(sum_lo, sum_hi, e);
    }
    alignas(32) double lane[4];
    _mm256_store_pd(lane, _mm256_add_pd(sum_lo, sum_hi));
    const double sum = lane[0] + lane[1] + lane[2] + lane[3];

    // pass 3: out *= 1/sum
    const __m256 inv = _mm256_set1_ps(float(1.0 / sum));
    for (int64_t i = 0; i < body; i += 8)
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(out + i), inv));
    if (body < n)
        _mm256_maskstore_ps(out + body, tail,
                            _mm256_mul_ps(_mm256_maskload_ps(out + body, tail), inv));
    return double(m) + std::log(sum);
}

void softmax_avx2(float* out, const float* x, int64_t n) { softmax_lse_avx2(out, x, n); }

// ---------------------------------------------------------------- AVX-512F (16 floats)

// Adds the 16 floats of e, widened to double, into two accumulators of 8 doubles.
__attribute__((target("avx512f"))) static inline void add_as_doubles_avx512(__m512d& lo,
                                                                            __m512d& hi, __m512 e) {
    lo = _mm512_add_pd(lo, _mm512_cvtps_pd(_mm512_castps512_ps256(e)));
    __m256 e_hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1));
    hi = _mm512_add_pd(hi, _mm512_cvtps_pd(e_hi));
}

__attribute__((target("avx512f"))) static double softmax_lse_avx512(float* out, const float* x,
                                                                    int64_t n) {
    const int64_t body = n - n % 16;
    const __mmask16 tail = simd::tail_mask_avx512(n % 16);
    // The last partial vector, padded with -inf (mask_loadu keeps the src lanes).
    const __m512 x_tail = _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), tail, x + body);

    // pass 1: m = max x
    __m512 vmax = x_tail;
    for (int64_t i = 0; i < body; i += 16) vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(x + i));
    const float m = simd::hmax_avx512(vmax);
    if (m == -INFINITY) {
        for (int64_t i = 0; i < n; i++) out[i] = 0.0f;
        return -INFINITY;
    }
    const __m512 M = _mm512_set1_ps(m);

    // pass 2: out = e = exp(x - m), summed in double
    __m512d sum_lo = _mm512_setzero_pd(), sum_hi = _mm512_setzero_pd();
    for (int64_t i = 0; i < body; i += 16) {
        __m512 e = simd::exp_avx512(_mm512_sub_ps(_mm512_loadu_ps(x + i), M));
        _mm512_storeu_ps(out + i, e);
        add_as_doubles_avx512(sum_lo, sum_hi, e);
    }
    if (body < n) {
        __m512 e = simd::exp_avx512(_mm512_sub_ps(x_tail, M));  // padding lanes: exp(-inf) = 0
        _mm512_mask_storeu_ps(out + body, tail, e);
        add_as_doubles_avx512(sum_lo, sum_hi, e);
    }
    alignas(64) double lane[8];
    _mm512_store_pd(lane, _mm512_add_pd(sum_lo, sum_hi));
    double sum = 0;
    for (double s : lane) sum += s;

    // pass 3: out *= 1/sum
    const __m512 inv = _mm512_set1_ps(float(1.0 / sum));
    for (int64_t i = 0; i < body; i += 16)
        _mm512_storeu_ps(out + i, _mm512_mul_ps(_mm512_loadu_ps(out + i), inv));
    if (body < n)
        _mm512_mask_storeu_ps(out + body, tail,
                              _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, out + body), inv));
    return double(m) + std::log(sum);
}

void softmax_avx512(float* out, const float* x, int64_t n) { softmax_lse_avx512(out, x, n); }

#else  // not x86-64: no vector kernels, the names run the reference

void softmax_avx2(float* out, const float* x, int64_t n) { softmax_ref(out, x, n); }
void softmax_avx512(float* out, const float* x, int64_t n) { softmax_ref(out, x, n); }
static double softmax_lse_avx2(float* out, const float* x, int64_t n) { return softmax_row(out, x, n); }
static double softmax_lse_avx512(float* out, const float* x, int64_t n) { return softmax_row(out, x, n); }

#endif

// ---------------------------------------------------------------- dispatcher

void softmax(Isa isa, float* out, const float* x, int64_t n) {
    switch (isa) {
        case Isa::Ref: softmax_ref(out, x, n); return;
        case Isa::Avx2: softmax_avx2(out, x, n); return;
        case Isa::Avx512: softmax_avx512(out, x, n); return;
    }
}

double softmax_lse(Isa isa, float* out, const float* x, int64_t n) {
    switch (isa) {
        case Isa::Ref: return softmax_row(out, x, n);
        case Isa::Avx2: return softmax_lse_avx2(out, x, n);
        case Isa::Avx512: return softmax_lse_avx512(out, x, n);
    }
    return 0;
}

// ---------------------------------------------------------------- backward (training, lesson 17)
//
// y = softmax(x): dy_i/dx_j = y_i (delta_ij - y_j), so for g = dL/dy
//   dL/dx_i = sum_j g_j y_j (delta_ji - y_i) = y_i (g_i - sum_j y_j g_j)
// (one dot product per row, no (n, n) Jacobian). Masked entries have y_i = 0, so they get 0.

template <typename S>
static void softmax_backward_row(S* dx, const S* y, const S* dy, int64_t n) {
    double dot = 0;
    for (int64_t j = 0; j < n; j++) dot += double(y[j]) * dy[j];
    for (int64_t i = 0; i < n; i++) dx[i] = S(dx[i] + double(y[i]) * (dy[i] - dot));
}

void softmax_backward(float* dx, const float* y, const float* dy, int64_t n) {
    softmax_backward_row(dx, y, dy, n);
}
void softmax_backward(double* dx, const double* y, const double* dy, int64_t n) {
    softmax_backward_row(dx, y, dy, n);
}

}  // namespace gw
