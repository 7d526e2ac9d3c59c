// kernels/convert.cpp — widening, narrowing and quantizing many weights at a time (lesson 16); see convert.h.
#include "kernels/convert.h"

#include <algorithm>  // std::min
#include <cstring>    // memcpy

#include "kernels/simd.h"  // immintrin.h, widen*_, q8x*_, scales*_, hmax_avx2

namespace gw {

// ---------------------------------------------------------------- scalar references

void widen_rows_ref(float* out, const WeightView& w, int64_t r0, int64_t r1, int64_t c0, int64_t cols) {
    for (int64_t r = r0; r < r1; r++)
        for (int64_t c = 0; c < cols; c++) out[(r - r0) * cols + c] = stored_weight(w, r, c0 + c);
}

void narrow_row_ref(uint16_t* out, WType type, const float* x, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = type == WType::F16 ? f32_to_f16(x[i]) : f32_to_bf16(x[i]);
}

#if defined(__x86_64__)
namespace {

// ---------------------------------------------------------------- widening (prefill)

// One stored row's columns [c0, c0 + cols) as F32. BF16/F16 16 (AVX-512) or 8 (AVX2)
// at a time; Q8 a block at a time when c0 starts a block (as the prefill's panels do),
// each value times its block's scale; anything left, and F32, by the scalar reading.
template <WType T>
__attribute__((target("avx512f"))) void widen_row_avx512(float* out, const uint16_t* p, int64_t cols) {
    int64_t c = 0;
    for (; c + 16 <= cols; c += 16) _mm512_storeu_ps(out + c, simd::widen16_avx512<T>(p + c));
    for (; c < cols; c++) out[c] = simd::widen1<T>(p[c]);
}

__attribute__((target("avx512f"))) int64_t widen_q8_avx512(float* out, const int8_t* q, const uint16_t* d,
                                                           int64_t b0, int64_t nb, int64_t blocks) {
    alignas(64) float ds[16];
    for (int64_t b = 0; b < blocks; b++) {
        if (b % 16 == 0) simd::scales16_avx512(ds, d, b0 + b, nb);
        const __m512 dv = _mm512_set1_ps(ds[b % 16]);
        _mm512_storeu_ps(out + b * kQ8Block, _mm512_mul_ps(simd::q8x16_avx512(q + b * kQ8Block), dv));
        _mm512_storeu_ps(out + b * kQ8Block + 16, _mm512_mul_ps(simd::q8x16_avx512(q + b * kQ8Block + 16), dv));
    }
    return blocks * kQ8Block;
}

template <WType T>
__attribute__((target("avx2,fma,f16c"))) void widen_row_avx2(float* out, const uint16_t* p, int64_t cols) {
    int64_t c = 0;
    for (; c + 8 <= cols; c += 8) _mm256_storeu_ps(out + c, simd::widen8_avx2<T>(p + c));
    for (; c < cols; c++) out[c] = simd::widen1<T>(p[c]);
}

__attribute__((target("avx2,fma,f16c"))) int64_t widen_q8_avx2(float* out, const int8_t* q, const uint16_t* d,
                                                               int64_t b0, int64_t nb, int64_t blocks) {
    alignas(32) float ds[8];
    for (int64_t b = 0; b < blocks; b++) {
        if (b % 8 == 0) simd::scales8_avx2(ds, d, b0 + b, nb);
        const __m256 dv = _mm256_set1_ps(ds[b % 8]);
        for (int i = 0; i < kQ8Block; i += 8)
            _mm256_storeu_ps(out + b * kQ8Block + i, _mm256_mul_ps(simd::q8x8_avx2(q + b * kQ8Block + i), dv));
    }
    return blocks * kQ8Block;
}

// ---------------------------------------------------------------- narrowing and quantizing (loading)

// 8 floats to BF16 bits, rounded to nearest even as f32_to_bf16 does: add 0x7FFF plus the
// lowest kept bit, keep the top half; a NaN keeps its top half with the quiet bit set.
__attribute__((target("avx2,fma,f16c"))) inline __m128i bf16x8_avx2(__m256 x) {
    const __m256i u = _mm256_castps_si256(x);
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
    __m256i r = _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7FFF)), lsb), 16);
    const __m256i nan = _mm256_or_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(0x40));
    r = _mm256_blendv_epi8(r, nan, _mm256_castps_si256(_mm256_cmp_ps(x, x, _CMP_UNORD_Q)));
    // 32-bit lanes (all below 2^16) to 16-bit: pack, then gather the two useful quarters.
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
    return _mm256_castsi256_si128(packed);
}

__attribute__((target("avx2,fma,f16c"))) void narrow_avx2(uint16_t* out, WType type, const float* x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m128i h = type == WType::F16 ? _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT) : bf16x8_avx2(v);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
    }
    narrow_row_ref(out + i, type, x + i, n - i);
}

// Whole blocks of 32 as quantize_q8_row does them: amax, the F16 scale d (scalar, once a
// block), then round-half-even(x / d) clamped to +-127, packed to bytes in order.
__attribute__((target("avx2,fma,f16c"))) int64_t quantize_avx2(int8_t* q, uint16_t* scales, const float* x,
                                                               int64_t n) {
    const __m256 sign = _mm256_set1_ps(-0.0f), lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    const int64_t blocks = n / kQ8Block;
    for (int64_t b = 0; b < blocks; b++) {
        const float* xb = x + b * kQ8Block;
        __m256 v[4];
        #pragma GCC unroll 8
        for (int k = 0; k < 4; k++) v[k] = _mm256_loadu_ps(xb + 8 * k);
        const __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v[0]), _mm256_andnot_ps(sign, v[1])),
                                       _mm256_max_ps(_mm256_andnot_ps(sign, v[2]), _mm256_andnot_ps(sign, v[3])));
        // The scale through F16C (round to nearest even, as f32_to_f16): no call, no
        // switch out of the vector unit.
        const __m128i h = _mm_cvtps_ph(_mm_set_ss(simd::hmax_avx2(m) / 127.0f), _MM_FROUND_TO_NEAREST_INT);
        const float d = _mm_cvtss_f32(_mm_cvtph_ps(h));
        scales[b] = uint16_t(_mm_extract_epi16(h, 0));
        __m256i qi[4];
        #pragma GCC unroll 8
        for (int k = 0; k < 4; k++) {
            const __m256 r = d > 0.0f ? _mm256_round_ps(_mm256_div_ps(v[k], _mm256_set1_ps(d)),
                                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
                                      : _mm256_setzero_ps();
            qi[k] = _mm256_cvtps_epi32(_mm256_max_ps(lo, _mm256_min_ps(hi, r)));
        }
        // 32-bit -> 16 -> 8 bits; the packs interleave 128-bit lanes, the permute undoes it.
        const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(qi[0], qi[1]), _mm256_packs_epi32(qi[2], qi[3]));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + b * kQ8Block), _mm256_permutevar8x32_epi32(bytes, order));
    }
    return blocks * kQ8Block;
}

}  // namespace
#endif  // __x86_64__

// ---------------------------------------------------------------- entry points

void widen_rows(Isa isa, float* out, const WeightView& w, int64_t r0, int64_t r1, int64_t c0, int64_t cols) {
    const int64_t K = w.stored_cols(), nb = q8_blocks(K);
    for (int64_t r = r0; r < r1; r++) {
        float* o = out + (r - r0) * cols;
        int64_t done = 0;  // columns converted by a vector loop (or copied)
        if (w.type == WType::F32) {
            std::memcpy(o, static_cast<const float*>(w.data) + r * K + c0, size_t(cols) * sizeof(float));
            continue;
        }
#if defined(__x86_64__)
        const bool f16 = w.type == WType::F16, wide = isa == Isa::Avx512;
        if ((w.type == WType::F16 || w.type == WType::BF16) && isa != Isa::Ref) {
            const uint16_t* p = static_cast<const uint16_t*>(w.data) + r * K + c0;
            if (wide) f16 ? widen_row_avx512<WType::F16>(o, p, cols) : widen_row_avx512<WType::BF16>(o, p, cols);
            else f16 ? widen_row_avx2<WType::F16>(o, p, cols) : widen_row_avx2<WType::BF16>(o, p, cols);
            done = cols;
        } else if (w.type == WType::Q8 && isa != Isa::Ref && c0 % kQ8Block == 0) {
            const int64_t b0 = c0 / kQ8Block, blocks = std::min(cols, K - c0) / kQ8Block;  // whole blocks only
            const int8_t* q = static_cast<const int8_t*>(w.data) + r * K + c0;
            const uint16_t* d = w.scales + r * nb;
            done = wide ? widen_q8_avx512(o, q, d, b0, nb, blocks) : widen_q8_avx2(o, q, d, b0, nb, blocks);
        }
#endif
        (void)isa;
        if (done < cols) widen_rows_ref(o + done, w, r, r + 1, c0 + done, cols - done);
    }
    (void)nb;
}

void narrow_row(Isa isa, uint16_t* out, WType type, const float* x, int64_t n) {
#if defined(__x86_64__)
    if (isa != Isa::Ref) return narrow_avx2(out, type, x, n);
#endif
    (void)isa;
    narrow_row_ref(out, type, x, n);
}

void quantize_q8(Isa isa, int8_t* q, uint16_t* scales, const float* x, int64_t n) {
    int64_t done = 0;
#if defined(__x86_64__)
    if (isa != Isa::Ref) done = quantize_avx2(q, scales, x, n);
#endif
    (void)isa;
    if (done < n) quantize_q8_row(q + done, scales + done / kQ8Block, x + done, n - done);
}

}  // namespace gw
