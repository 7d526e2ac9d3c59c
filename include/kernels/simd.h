// kernels/simd.h — small vector helpers shared by the kernels (layernorm, softmax, gelu,
// matvec, convert).
//
// Internal to the kernel files: tail masks, horizontal sum/max, a vector exp, and the
// loads that widen stored weights (BF16, F16, Q8: core/weight_formats.h) to F32.
// Every function carries the same per-function target attribute as the kernels
// that call it (AVX2+FMA: 8 floats a register; AVX-512F: 16 floats), so the rest
// of the program stays plain x86-64. Only defined on x86-64; the kernel files
// fall back to their scalar _ref twins elsewhere.
//
// exp(x), both widths, the same algorithm:
//   k = round(x / ln 2),  r = x - k ln 2   (|r| <= ln2/2 ~ 0.347)
//   exp(x) = 2^k * e^r,   e^r ~ sum_{j=0..7} r^j / j!  (Taylor, Horner with FMA)
// ln 2 is split in a high part with 9 significant bits (0.693359375, so k*ln2_hi
// is exact for |k| < 2^15) and a low part (Cody & Waite), so r loses no bits.
// The Taylor tail is < r^8/8! < 5.2e-9 relative, below float's 6e-8 rounding;
// measured max error 0.9 ulp over 2^20 points of [-87.3, 88.7] (tests/test_simd.cpp
// checks <= 2 ulp against the C library's double exp).
// 2^k is built from exponent bits in two halves, 2^(k - floor(k/2)) * 2^floor(k/2),
// so that k in [-150, 128] never leaves the normal exponent range: results
// overflow to +inf and underflow through subnormals to 0 as the true exp does.
// Inputs are clamped to [-104, 89] first (exp(-104) rounds to 0, exp(89) to +inf),
// so exp(-inf) = 0, exp(+inf) = +inf, and NaN stays NaN (the clamps are written
// max(lo, x), min(hi, x): those instructions return their second operand on NaN).
#pragma once
#if defined(__x86_64__)
// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized and -Wuninitialized
// (_mm512_undefined_ps in extracts and shuffles, GCC bug 105593, fixed in GCC 13):
// silence them for the header's lines only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>  // AVX2, FMA and AVX-512 intrinsics
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <algorithm>  // std::min
#include <cstdint>
#include <cstring>  // memcpy

#include "core/weight_formats.h"

namespace gw::simd {

// Constants of the exp above.
constexpr float kExpLo = -104.0f;               // exp(-104) ~ 6.8e-46 rounds to 0
constexpr float kExpHi = 89.0f;                 // exp(89) ~ 4.5e38 > FLT_MAX: +inf
constexpr float kLog2e = 1.44269504088896341f;  // 1 / ln 2
constexpr float kLn2Hi = 0.693359375f;          // ln 2 rounded to 9 bits
constexpr float kLn2Lo = -2.12194440e-4f;       // ln 2 - kLn2Hi
constexpr float kInvFact[8] = {1.0f,      1.0f,       1.0f / 2,   1.0f / 6,
                               1.0f / 24, 1.0f / 120, 1.0f / 720, 1.0f / 5040};

// ---------------------------------------------------------------- AVX2 + FMA (8 floats)

// Lanes 0 .. rem-1 all ones, the rest zero (rem in [0, 8]): for maskload/maskstore.
__attribute__((target("avx2,fma"))) inline __m256i tail_mask_avx2(int64_t rem) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(rem)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Sum of the 8 lanes (added in double: it runs once a row, accuracy is free).
__attribute__((target("avx2,fma"))) inline double hsum_avx2(__m256 v) {
    alignas(32) float lane[8];
    _mm256_store_ps(lane, v);
    double s = 0;
    for (float f : lane) s += f;
    return s;
}

// Sum of the 8 lanes in float, by a fixed tree: halves, then quarters, then pairs. For
// kernels that sum thousands of short rows (a dot product per token vector), where
// hsum_avx2's store and eight serial double adds would cost as much as the row itself.
__attribute__((target("avx2,fma"))) inline float hsum_tree_avx2(__m256 v) {
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));  // 4 lanes
    a = _mm_add_ps(a, _mm_movehl_ps(a, a));                                           // 2
    return _mm_cvtss_f32(_mm_add_ss(a, _mm_movehdup_ps(a)));
}

// Max of the 8 lanes.
__attribute__((target("avx2,fma"))) inline float hmax_avx2(__m256 v) {
    alignas(32) float lane[8];
    _mm256_store_ps(lane, v);
    float m = lane[0];
    for (float f : lane) m = f > m ? f : m;
    return m;
}

// exp of each lane; see the top of this file for the method and its error.
__attribute__((target("avx2,fma"))) inline __m256 exp_avx2(__m256 x) {
    x = _mm256_max_ps(_mm256_set1_ps(kExpLo), x);  // NaN passes through (second operand)
    x = _mm256_min_ps(_mm256_set1_ps(kExpHi), x);
    __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(kLn2Hi), x);  // x - k ln2_hi, exact
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(kLn2Lo), r);
    __m256 p = _mm256_set1_ps(kInvFact[7]);
    for (int j = 6; j >= 0; j--) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kInvFact[j]));
    // 2^k = 2^k1 * 2^k2 with k1 = floor(k/2), k2 = k - k1; 2^j has exponent bits j + 127.
    __m256i ki = _mm256_cvtps_epi32(k);
    __m256i k1 = _mm256_srai_epi32(ki, 1);
    __m256i k2 = _mm256_sub_epi32(ki, k1);
    __m256i bias = _mm256_set1_epi32(127);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, bias), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

// ---------------------------------------------------------------- AVX-512F (16 floats)

// Bits 0 .. rem-1 set (rem in [0, 16]): the mask of a partial last vector.
__attribute__((target("avx512f"))) inline __mmask16 tail_mask_avx512(int64_t rem) {
    return __mmask16((1u << rem) - 1u);
}

__attribute__((target("avx512f"))) inline double hsum_avx512(__m512 v) {
    alignas(64) float lane[16];
    _mm512_store_ps(lane, v);
    double s = 0;
    for (float f : lane) s += f;
    return s;
}

// The same tree for 16 lanes: halves first, then hsum_tree_avx2's steps.
__attribute__((target("avx512f"))) inline float hsum_tree_avx512(__m512 v) {
    const __m256 h = _mm512_castps512_ps256(_mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E)));
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    a = _mm_add_ps(a, _mm_movehl_ps(a, a));
    return _mm_cvtss_f32(_mm_add_ss(a, _mm_movehdup_ps(a)));
}

__attribute__((target("avx512f"))) inline float hmax_avx512(__m512 v) {
    alignas(64) float lane[16];
    _mm512_store_ps(lane, v);
    float m = lane[0];
    for (float f : lane) m = f > m ? f : m;
    return m;
}

// The same exp as exp_avx2, 16 lanes at a time.
__attribute__((target("avx512f"))) inline __m512 exp_avx512(__m512 x) {
    x = _mm512_max_ps(_mm512_set1_ps(kExpLo), x);
    x = _mm512_min_ps(_mm512_set1_ps(kExpHi), x);
    __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(kLn2Hi), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(kLn2Lo), r);
    __m512 p = _mm512_set1_ps(kInvFact[7]);
    for (int j = 6; j >= 0; j--) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kInvFact[j]));
    __m512i ki = _mm512_cvtps_epi32(k);
    __m512i k1 = _mm512_srai_epi32(ki, 1);
    __m512i k2 = _mm512_sub_epi32(ki, k1);
    __m512i bias = _mm512_set1_epi32(127);
    __m512 s1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k1, bias), 23));
    __m512 s2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k2, bias), 23));
    return _mm512_mul_ps(_mm512_mul_ps(p, s1), s2);
}

// ---------------------------------------------------------------- stored weights as F32
// Every widening is exact (core/weight_formats.h). F16 by the hardware conversion (F16C
// with AVX2, AVX-512F's own), BF16 by putting its 16 bits on top of a zero F32 mantissa
// tail, Q8 values by sign extension; a Q8 scale is F16.

template <WType T>  // T: BF16 or F16
inline float widen1(uint16_t h) { return T == WType::F16 ? f16_to_f32(h) : bf16_to_f32(h); }

template <WType T>
__attribute__((target("avx2,fma,f16c"))) inline __m256 widen8_avx2(const uint16_t* p) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if (T == WType::F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

__attribute__((target("avx2,fma,f16c"))) inline __m256 q8x8_avx2(const int8_t* q) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q))));
}

template <WType T>
__attribute__((target("avx512f"))) inline __m512 widen16_avx512(const uint16_t* p) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    if (T == WType::F16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

__attribute__((target("avx512f"))) inline __m512 q8x16_avx512(const int8_t* q) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q))));
}

// The Q8 scales of blocks [b0, b0 + 8) (or 16) of a row of nb blocks, as F32, zero past
// the row's last block: converted 8 or 16 at a time, since the software conversion of
// one scale costs more than its block's 32 products.
__attribute__((target("avx2,fma,f16c"))) inline void scales8_avx2(float* out, const uint16_t* d, int64_t b0,
                                                                  int64_t nb) {
    alignas(16) uint16_t h[8] = {};
    std::memcpy(h, d + b0, size_t(std::min<int64_t>(8, nb - b0)) * 2);
    _mm256_storeu_ps(out, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(h))));
}

__attribute__((target("avx512f"))) inline void scales16_avx512(float* out, const uint16_t* d, int64_t b0,
                                                               int64_t nb) {
    alignas(32) uint16_t h[16] = {};
    std::memcpy(h, d + b0, size_t(std::min<int64_t>(16, nb - b0)) * 2);
    _mm512_storeu_ps(out, _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(h))));
}

}  // namespace gw::simd
#endif  // __x86_64__
