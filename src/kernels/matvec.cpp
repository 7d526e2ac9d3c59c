// kernels/matvec.cpp — one-row products with BF16, F16 and Q8 weights (lesson 16); see matvec.h.
#include "kernels/matvec.h"

#include <algorithm>  // std::min
#include <cmath>      // std::fma
#include <cstring>    // memset, memcpy
#include <type_traits>  // std::integral_constant

#include "core/error.h"
#include "kernels/simd.h"  // immintrin.h, hsum_*, widen*_, q8x*_, scales*_

// The kernels below keep R accumulators (R rows at a time) in arrays indexed by loops of
// R steps. GCC at -O2 does not unroll such loops by itself and then keeps the arrays in
// memory, a load and a store around every multiply-add: measured ~10x slower than the
// same code with the accumulators in registers, which `#pragma GCC unroll` gives.

namespace gw {

namespace {
const uint16_t* bits16(const WeightView& w) { return static_cast<const uint16_t*>(w.data); }
const int8_t* values8(const WeightView& w) { return static_cast<const int8_t*>(w.data); }

void need_rows_form(const WeightView& w) {
    if ((w.type != WType::BF16 && w.type != WType::F16) || w.transposed)
        fail("matvec_rows: weight '", w.name, "' is ", wtype_name(w.type), w.transposed ? " (transposed)" : "",
             "; the rows form takes bf16 or f16 stored [in, out]");
}
void need_dot_form(const WeightView& w) {
    if (w.type == WType::F32) fail("matvec_dot: weight '", w.name, "' is f32: that product is sgemv's (linear.h)");
}
}  // namespace

// ---------------------------------------------------------------- scalar references

void matvec_rows_ref(float* partial, const float* x, const WeightView& w, int64_t k0, int64_t k1) {
    need_rows_form(w);
    for (int64_t n = 0; n < w.shape.dim[1]; n++) {
        double s = 0;
        for (int64_t k = k0; k < k1; k++) s += double(x[k]) * double(stored_weight(w, k, n));
        partial[n] = float(s);
    }
}

void matvec_dot_ref(float* y, const float* x, const WeightView& w, int64_t n0, int64_t n1) {
    need_dot_form(w);
    for (int64_t n = n0; n < n1; n++) {
        double s = 0;
        for (int64_t k = 0; k < w.stored_cols(); k++) s += double(x[k]) * double(stored_weight(w, n, k));
        y[n - n0] = float(s);
    }
}

#if defined(__x86_64__)
namespace {

// ---------------------------------------------------------------- AVX-512F (16 lanes)

// partial (N) += x[k..k+R) · W[k..k+R), :): R rows a pass, so each 16 outputs are loaded
// and stored once per R rows. The last N % 16 outputs one by one.
template <WType T, int R>
__attribute__((target("avx512f"))) void rows_pass_avx512(float* y, const float* x, const uint16_t* w, int64_t N) {
    __m512 xs[R];
    #pragma GCC unroll 8
    for (int r = 0; r < R; r++) xs[r] = _mm512_set1_ps(x[r]);
    int64_t j = 0;
    for (; j + 16 <= N; j += 16) {
        __m512 acc = _mm512_loadu_ps(y + j);
        #pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
            if (j % 32 == 0) _mm_prefetch(reinterpret_cast<const char*>(w + (r + R) * N + j), _MM_HINT_T0);
            acc = _mm512_fmadd_ps(xs[r], simd::widen16_avx512<T>(w + r * N + j), acc);
        }
        _mm512_storeu_ps(y + j, acc);
    }
    for (; j < N; j++)
        #pragma GCC unroll 8
        for (int r = 0; r < R; r++) y[j] = std::fma(x[r], simd::widen1<T>(w[r * N + j]), y[j]);
}

template <WType T>
__attribute__((target("avx512f"))) void rows_avx512(float* y, const float* x, const uint16_t* w, int64_t N,
                                                    int64_t k0, int64_t k1) {
    std::memset(y, 0, size_t(N) * sizeof(float));
    int64_t k = k0;
    for (; k + 8 <= k1; k += 8) rows_pass_avx512<T, 8>(y, x + k, w + k * N, N);
    for (; k < k1; k++) rows_pass_avx512<T, 1>(y, x + k, w + k * N, N);
}

// y[r] = w row r · x for R rows (stride K). Each row's sum is formed the same way for any
// R, so an output does not depend on how the rows were grouped (or shared over threads).
// While it reads these rows it asks for the next R (a prefetch a cache line): rows this
// short end before the hardware's own prefetcher has caught on (measured: ~1.4x faster
// over GPT-2's LM head, (50257, 768) F16). A prefetch past the matrix is harmless.
// The last K % 16 inputs come from zero-padded copies: the same arithmetic, no masks.
template <WType T, int R>
__attribute__((target("avx512f"))) void dot_avx512(float* y, const float* x, const uint16_t* w, int64_t K) {
    __m512 acc[R];
    #pragma GCC unroll 8
    for (int r = 0; r < R; r++) acc[r] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= K; k += 16) {
        const __m512 xv = _mm512_loadu_ps(x + k);
        #pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
            if (k % 32 == 0) _mm_prefetch(reinterpret_cast<const char*>(w + (r + R) * K + k), _MM_HINT_T0);
            acc[r] = _mm512_fmadd_ps(simd::widen16_avx512<T>(w + r * K + k), xv, acc[r]);
        }
    }
    if (k < K) {
        alignas(64) float xt[16] = {};
        std::memcpy(xt, x + k, size_t(K - k) * sizeof(float));
        const __m512 xv = _mm512_load_ps(xt);
        #pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
            uint16_t wt[16] = {};
            std::memcpy(wt, w + r * K + k, size_t(K - k) * 2);
            acc[r] = _mm512_fmadd_ps(simd::widen16_avx512<T>(wt), xv, acc[r]);
        }
    }
    #pragma GCC unroll 8
    for (int r = 0; r < R; r++) y[r] = simd::hsum_tree_avx512(acc[r]);
}

// The same for Q8 rows: per block of 32, s = q · x (two halves of 16), then acc += d * s.
template <int R>
__attribute__((target("avx512f"))) void dot_q8_avx512(float* y, const float* x, const int8_t* q,
                                                      const uint16_t* d, int64_t K) {
    const int64_t nb = q8_blocks(K), full = K / kQ8Block;
    __m512 acc[R];
    #pragma GCC unroll 8
    for (int r = 0; r < R; r++) acc[r] = _mm512_setzero_ps();
    alignas(64) float ds[R][16];
    alignas(64) float xt[kQ8Block] = {};
    int8_t qt[kQ8Block] = {};
    for (int64_t b = 0; b < nb; b++) {
        if (b % 16 == 0)
            #pragma GCC unroll 8
            for (int r = 0; r < R; r++) simd::scales16_avx512(ds[r], d + r * nb, b, nb);
        const float* xb = x + b * kQ8Block;
        if (b == full) {  // a short last block: zero-padded copies
            std::memcpy(xt, xb, size_t(K - b * kQ8Block) * sizeof(float));
            xb = xt;
        }
        const __m512 x0 = _mm512_loadu_ps(xb), x1 = _mm512_loadu_ps(xb + 16);
        #pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
            const int8_t* qb = q + r * K + b * kQ8Block;
            if (b % 2 == 0) _mm_prefetch(reinterpret_cast<const char*>(qb + R * K), _MM_HINT_T0);
            if (b == full) {
                std::memcpy(qt, qb, size_t(K - b * kQ8Block));
                qb = qt;
            }
            const __m512 s = _mm512_fmadd_ps(simd::q8x16_avx512(qb + 16), x1, _mm512_mul_ps(simd::q8x16_avx512(qb), x0));
            acc[r] = _mm512_fmadd_ps(s, _mm512_set1_ps(ds[r][b % 16]), acc[r]);
        }
    }
    #pragma GCC unroll 8
    for (int r = 0; r < R; r++) y[r] = simd::hsum_tree_avx512(acc[r]);
}

__attribute__((target("avx512f"))) void dot_rows_avx512(float* y, const float* x, const WeightView& w, int64_t n0,
                                                        int64_t n1) {
    const int64_t K = w.stored_cols(), nb = q8_blocks(K);
    int64_t n = n0;
    auto group = [&](auto rows_tag) {  // rows_tag: std::integral_constant<int, R>
        constexpr int R = decltype(rows_tag)::value;
        if (w.type == WType::Q8) dot_q8_avx512<R>(y + (n - n0), x, values8(w) + n * K, w.scales + n * nb, K);
        else if (w.type == WType::F16) dot_avx512<WType::F16, R>(y + (n - n0), x, bits16(w) + n * K, K);
        else dot_avx512<WType::BF16, R>(y + (n - n0), x, bits16(w) + n * K, K);
        n += R;
    };
    while (n + 4 <= n1) group(std::integral_constant<int, 4>());
    while (n < n1) group(std::integral_constant<int, 1>());
}

// ---------------------------------------------------------------- AVX2 + FMA + F16C (8 lanes)

template <WType T, int R>
__attribute__((target("avx2,fma,f16c"))) void rows_pass_avx2(float* y, const float* x, const uint16_t* w, int64_t N) {
    __m256 xs[R];
    #pragma GCC unroll 8
    for (int r = 0; r < R; r++) xs[r] = _mm256_set1_ps(x[r]);
    int64_t j = 0;
    for (; j + 8 <= N; j += 8) {
        __m256 acc = _mm256_loadu_ps(y + j);
        #pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
            if (j % 32 == 0) _mm_prefetch(reinterpret_cast<const char*>(w + (r + R) * N + j), _MM_HINT_T0);
            acc = _mm256_fmadd_ps(xs[r], simd::widen8_avx2<T>(w + r * N + j), acc);
        }
        _mm256_storeu_ps(y + j, acc);
    }
    for (; j < N; j++)
        #pragma GCC unroll 8
        for (int r = 0; r < R; r++) y[j] = std::fma(x[r], simd::widen1<T>(w[r * N + j]), y[j]);
}

template <WType T>
__attribute__((target("avx2,fma,f16c"))) void rows_avx2(float* y, const float* x, const uint16_t* w, int64_t N,
                                                        int64_t k0, int64_t k1) {
    std::memset(y, 0, size_t(N) * sizeof(float));
    int64_t k = k0;
    for (; k + 8 <= k1; k += 8) rows_pass_avx2<T, 8>(y, x + k, w + k * N, N);
    for (; k < k1; k++) rows_pass_avx2<T, 1>(y, x + k, w + k * N, N);
}

template <WType T, int R>
__attribute__((target("avx2,fma,f16c"))) void dot_avx2(float* y, const float* x, const uint16_t* w, int64_t K) {
    __m256 acc[R];
    #pragma GCC unroll 8
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 <= K; k += 8) {
        const __m256 xv = _mm256_loadu_ps(x + k);
        #pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
            if (k % 32 == 0) _mm_prefetch(reinterpret_cast<const char*>(w + (r + R) * K + k), _MM_HINT_T0);
            acc[r] = _mm256_fmadd_ps(simd::widen8_avx2<T>(w + r * K + k), xv, acc[r]);
        }
    }
    if (k < K) {
        alignas(32) float xt[8] = {};
        std::memcpy(xt, x + k, size_t(K - k) * sizeof(float));
        const __m256 xv = _mm256_load_ps(xt);
        #pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
            uint16_t wt[8] = {};
            std::memcpy(wt, w + r * K + k, size_t(K - k) * 2);
            acc[r] = _mm256_fmadd_ps(simd::widen8_avx2<T>(wt), xv, acc[r]);
        }
    }
    #pragma GCC unroll 8
    for (int r = 0; r < R; r++) y[r] = simd::hsum_tree_avx2(acc[r]);
}

template <int R>
__attribute__((target("avx2,fma,f16c"))) void dot_q8_avx2(float* y, const float* x, const int8_t* q,
                                                          const uint16_t* d, int64_t K) {
    const int64_t nb = q8_blocks(K), full = K / kQ8Block;
    __m256 acc[R];
    #pragma GCC unroll 8
    for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    alignas(32) float ds[R][8];
    alignas(32) float xt[kQ8Block] = {};
    int8_t qt[kQ8Block] = {};
    for (int64_t b = 0; b < nb; b++) {
        if (b % 8 == 0)
            #pragma GCC unroll 8
            for (int r = 0; r < R; r++) simd::scales8_avx2(ds[r], d + r * nb, b, nb);
        const float* xb = x + b * kQ8Block;
        if (b == full) {
            std::memcpy(xt, xb, size_t(K - b * kQ8Block) * sizeof(float));
            xb = xt;
        }
        const __m256 x0 = _mm256_loadu_ps(xb), x1 = _mm256_loadu_ps(xb + 8), x2 = _mm256_loadu_ps(xb + 16),
                     x3 = _mm256_loadu_ps(xb + 24);
        #pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
            const int8_t* qb = q + r * K + b * kQ8Block;
            if (b % 2 == 0) _mm_prefetch(reinterpret_cast<const char*>(qb + R * K), _MM_HINT_T0);
            if (b == full) {
                std::memcpy(qt, qb, size_t(K - b * kQ8Block));
                qb = qt;
            }
            __m256 s = _mm256_mul_ps(simd::q8x8_avx2(qb), x0);
            s = _mm256_fmadd_ps(simd::q8x8_avx2(qb + 8), x1, s);
            s = _mm256_fmadd_ps(simd::q8x8_avx2(qb + 16), x2, s);
            s = _mm256_fmadd_ps(simd::q8x8_avx2(qb + 24), x3, s);
            acc[r] = _mm256_fmadd_ps(s, _mm256_set1_ps(ds[r][b % 8]), acc[r]);
        }
    }
    #pragma GCC unroll 8
    for (int r = 0; r < R; r++) y[r] = simd::hsum_tree_avx2(acc[r]);
}

__attribute__((target("avx2,fma,f16c"))) void dot_rows_avx2(float* y, const float* x, const WeightView& w, int64_t n0,
                                                            int64_t n1) {
    const int64_t K = w.stored_cols(), nb = q8_blocks(K);
    int64_t n = n0;
    auto group = [&](auto rows_tag) {
        constexpr int R = decltype(rows_tag)::value;
        if (w.type == WType::Q8) dot_q8_avx2<R>(y + (n - n0), x, values8(w) + n * K, w.scales + n * nb, K);
        else if (w.type == WType::F16) dot_avx2<WType::F16, R>(y + (n - n0), x, bits16(w) + n * K, K);
        else dot_avx2<WType::BF16, R>(y + (n - n0), x, bits16(w) + n * K, K);
        n += R;
    };
    while (n + 4 <= n1) group(std::integral_constant<int, 4>());
    while (n < n1) group(std::integral_constant<int, 1>());
}

}  // namespace
#endif  // __x86_64__

// ---------------------------------------------------------------- entry points

void matvec_rows(Isa isa, float* partial, const float* x, const WeightView& w, int64_t k0, int64_t k1) {
    need_rows_form(w);
    const int64_t N = w.shape.dim[1];
#if defined(__x86_64__)
    const bool f16 = w.type == WType::F16;
    if (isa == Isa::Avx512)
        return f16 ? rows_avx512<WType::F16>(partial, x, bits16(w), N, k0, k1)
                   : rows_avx512<WType::BF16>(partial, x, bits16(w), N, k0, k1);
    if (isa == Isa::Avx2)
        return f16 ? rows_avx2<WType::F16>(partial, x, bits16(w), N, k0, k1)
                   : rows_avx2<WType::BF16>(partial, x, bits16(w), N, k0, k1);
#endif
    (void)isa, (void)N;
    matvec_rows_ref(partial, x, w, k0, k1);
}

void matvec_dot(Isa isa, float* y, const float* x, const WeightView& w, int64_t n0, int64_t n1) {
    need_dot_form(w);
#if defined(__x86_64__)
    if (isa == Isa::Avx512) return dot_rows_avx512(y, x, w, n0, n1);
    if (isa == Isa::Avx2) return dot_rows_avx2(y, x, w, n0, n1);
#endif
    (void)isa;
    matvec_dot_ref(y, x, w, n0, n1);
}

}  // namespace gw
