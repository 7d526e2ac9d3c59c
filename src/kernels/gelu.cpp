// kernels/gelu.cpp — GPT-2's activation, the tanh approximation of GELU (lesson 09).
//
//   gelu(x) = 0.5 x (1 + tanh u),   u = sqrt(2/pi) (x + 0.044715 x^3)
// Shapes: out, x (n); out may alias x. (Hendrycks & Gimpel 2016; GPT-2's "gelu_new".)
//
// The vector kernels use an identity that needs only exp:
//   1 + tanh u = 2 / (1 + e^{-2u})      so      gelu(x) = x / (1 + e^{-2u})
// (x times the logistic sigmoid of 2u). Unlike tanh u = 1 - 2/(e^{2u} + 1), it has
// no cancellation near u = 0, and it is relatively accurate for very negative x,
// where gelu(x) ~ x e^{2u} is tiny. Large |x|: x^3 overflows to +-inf, e^{-2u}
// becomes 0 (x > 0: gelu = x) or +inf (x < 0: gelu = x / inf = -0). At x = -inf the
// quotient would be -inf/inf = NaN, so x is clamped to -FLT_MAX in the numerator;
// that gives -0, the limit, as the reference does. NaN stays NaN.
// Error vs the double reference: a few float ulps (see tests/test_gelu.cpp).
#include "kernels/gelu.h"

#include <cfloat>  // FLT_MAX
#include <cmath>

#include "kernels/simd.h"  // exp, tail masks

namespace gw {

constexpr double kSqrt2OverPi = 0.7978845608028654;  // sqrt(2/pi)
constexpr double kGeluCubic = 0.044715;              // the cubic coefficient of the approximation

// ---------------------------------------------------------------- scalar references

// The formula in double. At x = -inf it would give -inf * 0 = NaN; gelu -> 0 there.
// A template so that the float64 overload (finite-difference checks) is the same loop.
template <typename S>
static void gelu_rows(S* out, const S* x, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double v = x[i];
        if (v == -INFINITY) {
            out[i] = S(-0.0);
            continue;
        }
        double u = kSqrt2OverPi * (v + kGeluCubic * v * v * v);
        out[i] = S(0.5 * v * (1.0 + std::tanh(u)));
    }
}

void gelu_ref(float* out, const float* x, int64_t n) { gelu_rows(out, x, n); }
void gelu_ref(double* out, const double* x, int64_t n) { gelu_rows(out, x, n); }

// The exact GELU, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), for lesson 09's comparison.
void gelu_exact_ref(float* out, const float* x, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double v = x[i];
        if (v == -INFINITY) {
            out[i] = -0.0f;
            continue;
        }
        out[i] = float(0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))));
    }
}

#if defined(__x86_64__)

// ---------------------------------------------------------------- AVX2 + FMA (8 floats)

// gelu of 8 lanes: x / (1 + exp(-2 sqrt(2/pi) (x + 0.044715 x^3)))
__attribute__((target("avx2,fma"))) static inline __m256 gelu8(__m256 x) {
    __m256 inner = _mm256_mul_ps(x, _mm256_fmadd_ps(_mm256_set1_ps(float(kGeluCubic)),
                                                    _mm256_mul_ps(x, x), _mm256_set1_ps(1.0f)));
    __m256 z = simd::exp_avx2(_mm256_mul_ps(_mm256_set1_ps(float(-2 * kSqrt2OverPi)), inner));
    __m256 num = _mm256_max_ps(_mm256_set1_ps(-FLT_MAX), x);  // -inf -> -FLT_MAX; NaN kept
    return _mm256_div_ps(num, _mm256_add_ps(_mm256_set1_ps(1.0f), z));
}

__attribute__((target("avx2,fma"))) void gelu_avx2(float* out, const float* x, int64_t n) {
    const int64_t body = n - n % 8;
    for (int64_t i = 0; i < body; i += 8) _mm256_storeu_ps(out + i, gelu8(_mm256_loadu_ps(x + i)));
    if (body < n) {
        const __m256i tail = simd::tail_mask_avx2(n % 8);
        _mm256_maskstore_ps(out + body, tail, gelu8(_mm256_maskload_ps(x + body, tail)));
    }
}

// ---------------------------------------------------------------- AVX-512F (16 floats)

// gelu of 16 lanes, the same formula as gelu8.
__attribute__((target("avx512f"))) static inline __m512 gelu16(__m512 x) {
    __m512 inner = _mm512_mul_ps(x, _mm512_fmadd_ps(_mm512_set1_ps(float(kGeluCubic)),
                                                    _mm512_mul_ps(x, x), _mm512_set1_ps(1.0f)));
    __m512 z = simd::exp_avx512(_mm512_mul_ps(_mm512_set1_ps(float(-2 * kSqrt2OverPi)), inner));
    __m512 num = _mm512_max_ps(_mm512_set1_ps(-FLT_MAX), x);
    return _mm512_div_ps(num, _mm512_add_ps(_mm512_set1_ps(1.0f), z));
}

__attribute__((target("avx512f"))) void gelu_avx512(float* out, const float* x, int64_t n) {
    const int64_t body = n - n % 16;
    for (int64_t i = 0; i < body; i += 16)
        _mm512_storeu_ps(out + i, gelu16(_mm512_loadu_ps(x + i)));
    if (body < n) {
        const __mmask16 tail = simd::tail_mask_avx512(n % 16);
        _mm512_mask_storeu_ps(out + body, tail, gelu16(_mm512_maskz_loadu_ps(tail, x + body)));
    }
}

#else  // not x86-64: no vector kernels, the names run the reference

void gelu_avx2(float* out, const float* x, int64_t n) { gelu_ref(out, x, n); }
void gelu_avx512(float* out, const float* x, int64_t n) { gelu_ref(out, x, n); }

#endif

// ---------------------------------------------------------------- dispatcher

void gelu(Isa isa, float* out, const float* x, int64_t n) {
    switch (isa) {
        case Isa::Ref: gelu_ref(out, x, n); return;
        case Isa::Avx2: gelu_avx2(out, x, n); return;
        case Isa::Avx512: gelu_avx512(out, x, n); return;
    }
}

// ---------------------------------------------------------------- backward (training, lesson 17)
//
// With t = tanh u, u = sqrt(2/pi) (x + 0.044715 x^3), u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2):
//   gelu'(x) = 0.5 (1 + t) + 0.5 x (1 - t^2) u'
// The vector kernels use the forward's sigmoid form: with e = exp(-2u) and s = 1 / (1 + e),
// 0.5 (1 + t) = s and 0.5 (1 - t^2) = 2 s (1 - s), so
//   gelu'(x) = s + 2 x s (1 - s) u'
// where 1 - s is computed as e s when e < 1 (s near 1: 1 - s would cancel) and as 1 - s
// otherwise (s <= 1/2: no cancellation, and e s would be inf * 0 when e overflows).
// For finite x only: at x = +-inf the formulas give NaN (an activation that overflowed
// has already made the loss inf or NaN, which training stops on).

template <typename S>
static void gelu_backward_rows(S* dx, const S* x, const S* dout, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const double v = x[i];
        const double t = std::tanh(kSqrt2OverPi * (v + kGeluCubic * v * v * v));
        const double du = kSqrt2OverPi * (1.0 + 3.0 * kGeluCubic * v * v);
        dx[i] = S(dx[i] + double(dout[i]) * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du));
    }
}

void gelu_backward_ref(float* dx, const float* x, const float* dout, int64_t n) {
    gelu_backward_rows(dx, x, dout, n);
}
void gelu_backward_ref(double* dx, const double* x, const double* dout, int64_t n) {
    gelu_backward_rows(dx, x, dout, n);
}

#if defined(__x86_64__)

// gelu'(x) of 8 lanes: s + 2 x s (1 - s) u'
__attribute__((target("avx2,fma"))) static inline __m256 gelu_grad8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 x2 = _mm256_mul_ps(x, x);
    const __m256 inner = _mm256_mul_ps(x, _mm256_fmadd_ps(_mm256_set1_ps(float(kGeluCubic)), x2, one));
    const __m256 e = simd::exp_avx2(_mm256_mul_ps(_mm256_set1_ps(float(-2 * kSqrt2OverPi)), inner));
    const __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, e));
    const __m256 one_minus_s = _mm256_blendv_ps(_mm256_sub_ps(one, s), _mm256_mul_ps(e, s),
                                                _mm256_cmp_ps(e, one, _CMP_LT_OQ));
    const __m256 du = _mm256_mul_ps(_mm256_set1_ps(float(kSqrt2OverPi)),
                                    _mm256_fmadd_ps(_mm256_set1_ps(float(3 * kGeluCubic)), x2, one));
    const __m256 two_x_du = _mm256_mul_ps(_mm256_add_ps(x, x), du);
    return _mm256_fmadd_ps(_mm256_mul_ps(s, one_minus_s), two_x_du, s);
}

__attribute__((target("avx2,fma"))) void gelu_backward_avx2(float* dx, const float* x,
                                                            const float* dout, int64_t n) {
    const int64_t body = n - n % 8;
    for (int64_t i = 0; i < body; i += 8) {
        const __m256 g = _mm256_mul_ps(_mm256_loadu_ps(dout + i), gelu_grad8(_mm256_loadu_ps(x + i)));
        _mm256_storeu_ps(dx + i, _mm256_add_ps(_mm256_loadu_ps(dx + i), g));
    }
    if (body < n) {
        const __m256i tail = simd::tail_mask_avx2(n % 8);
        const __m256 g = _mm256_mul_ps(_mm256_maskload_ps(dout + body, tail),
                                       gelu_grad8(_mm256_maskload_ps(x + body, tail)));
        _mm256_maskstore_ps(dx + body, tail, _mm256_add_ps(_mm256_maskload_ps(dx + body, tail), g));
    }
}

// gelu'(x) of 16 lanes, the same formula as gelu_grad8.
__attribute__((target("avx512f"))) static inline __m512 gelu_grad16(__m512 x) {
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 x2 = _mm512_mul_ps(x, x);
    const __m512 inner = _mm512_mul_ps(x, _mm512_fmadd_ps(_mm512_set1_ps(float(kGeluCubic)), x2, one));
    const __m512 e = simd::exp_avx512(_mm512_mul_ps(_mm512_set1_ps(float(-2 * kSqrt2OverPi)), inner));
    const __m512 s = _mm512_div_ps(one, _mm512_add_ps(one, e));
    const __mmask16 small_e = _mm512_cmp_ps_mask(e, one, _CMP_LT_OQ);
    const __m512 one_minus_s = _mm512_mask_mul_ps(_mm512_sub_ps(one, s), small_e, e, s);
    const __m512 du = _mm512_mul_ps(_mm512_set1_ps(float(kSqrt2OverPi)),
                                    _mm512_fmadd_ps(_mm512_set1_ps(float(3 * kGeluCubic)), x2, one));
    const __m512 two_x_du = _mm512_mul_ps(_mm512_add_ps(x, x), du);
    return _mm512_fmadd_ps(_mm512_mul_ps(s, one_minus_s), two_x_du, s);
}

__attribute__((target("avx512f"))) void gelu_backward_avx512(float* dx, const float* x,
                                                             const float* dout, int64_t n) {
    const int64_t body = n - n % 16;
    for (int64_t i = 0; i < body; i += 16) {
        const __m512 g = _mm512_mul_ps(_mm512_loadu_ps(dout + i), gelu_grad16(_mm512_loadu_ps(x + i)));
        _mm512_storeu_ps(dx + i, _mm512_add_ps(_mm512_loadu_ps(dx + i), g));
    }
    if (body < n) {
        const __mmask16 tail = simd::tail_mask_avx512(n % 16);
        const __m512 g = _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, dout + body),
                                       gelu_grad16(_mm512_maskz_loadu_ps(tail, x + body)));
        _mm512_mask_storeu_ps(dx + body, tail, _mm512_add_ps(_mm512_maskz_loadu_ps(tail, dx + body), g));
    }
}

#else  // not x86-64: the names run the reference

void gelu_backward_avx2(float* dx, const float* x, const float* dout, int64_t n) {
    gelu_backward_ref(dx, x, dout, n);
}
void gelu_backward_avx512(float* dx, const float* x, const float* dout, int64_t n) {
    gelu_backward_ref(dx, x, dout, n);
}

#endif

void gelu_backward(Isa isa, float* dx, const float* x, const float* dout, int64_t n) {
    switch (isa) {
        case Isa::Ref: gelu_backward_ref(dx, x, dout, n); return;
        case Isa::Avx2: gelu_backward_avx2(dx, x, dout, n); return;
        case Isa::Avx512: gelu_backward_avx512(dx, x, dout, n); return;
    }
}

}  // namespace gw
