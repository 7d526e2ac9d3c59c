// test_simd.cpp — the vector helpers of include/kernels/simd.h: exp's accuracy and special
// values, tail masks, horizontal sum and max. Expected values come from the C
// library's double-precision exp and from hand-worked lane arithmetic.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "core/error.h"    // cat
#include "kernels/simd.h"
#include "testing.h"

using namespace gw;

#if defined(__x86_64__)

// Array wrappers, compiled for the set they use (n a multiple of the width).
__attribute__((target("avx2,fma"))) static void exp_array_avx2(float* out, const float* x,
                                                               int64_t n) {
    for (int64_t i = 0; i < n; i += 8)
        _mm256_storeu_ps(out + i, simd::exp_avx2(_mm256_loadu_ps(x + i)));
}
__attribute__((target("avx512f"))) static void exp_array_avx512(float* out, const float* x,
                                                                int64_t n) {
    for (int64_t i = 0; i < n; i += 16)
        _mm512_storeu_ps(out + i, simd::exp_avx512(_mm512_loadu_ps(x + i)));
}

struct ExpKernel {
    Isa isa;
    void (*fn)(float*, const float*, int64_t);
};
static const ExpKernel kExpKernels[] = {{Isa::Avx2, exp_array_avx2},
                                        {Isa::Avx512, exp_array_avx512}};

// Distance from got to the exact value want, in units of the float spacing at want. The vector
// exp is made of correctly rounded IEEE operations only, so it gives the same bits on every
// CPU with the set; the 2-ulp bound (0.9 measured) is against the C library's double exp.
static double ulps(float got, double want) {
    float w = float(want);
    double spacing = double(std::nextafter(std::fabs(w), INFINITY)) - std::fabs(w);
    return std::fabs(double(got) - want) / spacing;
}

TEST_CASE("exp: within 2 ulp of the C library over the normal range; subnormals within one step") {
    // 2^20 evenly spaced points on [-87.3, 88.7] (where exp is a normal float), plus the
    // subnormal range [-103.9, -87.4].
    const int64_t n = 1 << 20;
    std::vector<float> x(n), xs(n), got(n);
    for (int64_t i = 0; i < n; i++) x[i] = float(-87.3 + (88.7 + 87.3) * double(i) / double(n - 1));
    for (int64_t i = 0; i < n; i++)
        xs[i] = float(-103.9 + (103.9 - 87.4) * double(i) / double(n - 1));
    for (const ExpKernel& k : kExpKernels) {
        if (!isa_supported(k.isa)) {
            MESSAGE(cat("skipping exp_", isa_name(k.isa), ": this CPU lacks it"));
            continue;
        }
        k.fn(got.data(), x.data(), n);
        double worst = 0;
        for (int64_t i = 0; i < n; i++)
            worst = std::max(worst, ulps(got[i], std::exp(double(x[i]))));
        MESSAGE(cat("exp_", isa_name(k.isa), ": max error ", worst, " ulp on [-87.3, 88.7]"));
        CHECK(worst <= 2.0);

        k.fn(got.data(), xs.data(), n);
        const double step = std::ldexp(1.0, -149);  // the smallest subnormal float
        double worst_abs = 0;
        for (int64_t i = 0; i < n; i++)
            worst_abs = std::max(worst_abs, std::fabs(double(got[i]) - std::exp(double(xs[i]))));
        CHECK(worst_abs <= step);
    }
}

TEST_CASE("exp: special values") {
    // 16 inputs (one AVX-512 vector, two AVX2 vectors) with their exact results.
    const float x[16] = {0.0f,  -0.0f,  -INFINITY, INFINITY, NAN,   -104.0f, -200.0f, -FLT_MAX,
                         89.0f, 100.0f, FLT_MAX,   1.0f,     -1.0f, 88.72f,  -87.0f,  0.5f};
    for (const ExpKernel& k : kExpKernels) {
        if (!isa_supported(k.isa)) {
            MESSAGE(cat("skipping exp_", isa_name(k.isa), ": this CPU lacks it"));
            continue;
        }
        float y[16];
        k.fn(y, x, 16);
        CHECK(y[0] == 1.0f);  // 2^0 * (Taylor series at r = 0) = 1 exactly
        CHECK(y[1] == 1.0f);
        CHECK(y[2] == 0.0f);  // the softmax mask relies on this
        CHECK(y[3] == INFINITY);
        CHECK(std::isnan(y[4]));
        CHECK(y[5] == 0.0f);  // exp(-104) ~ 6.8e-46 is below half the smallest subnormal
        CHECK(y[6] == 0.0f);
        CHECK(y[7] == 0.0f);
        CHECK(y[8] == INFINITY);  // exp(89) ~ 4.49e38 > FLT_MAX ~ 3.40e38
        CHECK(y[9] == INFINITY);
        CHECK(y[10] == INFINITY);
        CHECK(ulps(y[11], 2.718281828459045) <= 2.0);    // e
        CHECK(ulps(y[12], 0.36787944117144233) <= 2.0);  // 1/e
        CHECK(std::isfinite(y[13]));  // 88.72 < ln(FLT_MAX) = 88.7228...: finite, near 3.39e38
        CHECK(ulps(y[13], std::exp(double(x[13]))) <= 2.0);
        CHECK(ulps(y[14], std::exp(-87.0)) <= 2.0);
        CHECK(ulps(y[15], 1.6487212707001282) <= 2.0);  // sqrt(e)
    }
}

__attribute__((target("avx2,fma"))) static std::vector<int> tail_lanes_avx2(int64_t rem) {
    alignas(32) int lane[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lane), simd::tail_mask_avx2(rem));
    return std::vector<int>(lane, lane + 8);
}

TEST_CASE("tail masks: the first rem lanes are on") {
    if (isa_supported(Isa::Avx2)) {
        for (int64_t rem = 0; rem <= 8; rem++) {
            std::vector<int> lanes = tail_lanes_avx2(rem);
            for (int64_t i = 0; i < 8; i++) CHECK(lanes[i] == (i < rem ? -1 : 0));
        }
    } else {
        MESSAGE("skipping tail_mask_avx2: this CPU lacks avx2");
    }
    if (isa_supported(Isa::Avx512)) {
        CHECK(simd::tail_mask_avx512(0) == 0x0000);
        CHECK(simd::tail_mask_avx512(1) == 0x0001);
        CHECK(simd::tail_mask_avx512(5) == 0x001F);
        CHECK(simd::tail_mask_avx512(15) == 0x7FFF);
        CHECK(simd::tail_mask_avx512(16) == 0xFFFF);
    } else {
        MESSAGE("skipping tail_mask_avx512: this CPU lacks avx512f");
    }
}

__attribute__((target("avx2,fma"))) static void hsum_hmax_avx2(const float* x, double* sum,
                                                               float* max) {
    *sum = simd::hsum_avx2(_mm256_loadu_ps(x));
    *max = simd::hmax_avx2(_mm256_loadu_ps(x));
}
__attribute__((target("avx512f"))) static void hsum_hmax_avx512(const float* x, double* sum,
                                                                float* max) {
    *sum = simd::hsum_avx512(_mm512_loadu_ps(x));
    *max = simd::hmax_avx512(_mm512_loadu_ps(x));
}

TEST_CASE("horizontal sum and max") {
    // lanes 1, 2, ..., 16 with lane 6 set to 100 and lane 2 to -inf (a masked entry)
    float x[16];
    for (int i = 0; i < 16; i++) x[i] = float(i + 1);
    x[6] = 100.0f;
    x[2] = -INFINITY;
    if (isa_supported(Isa::Avx2)) {
        double s;
        float m;
        x[2] = 3.0f;
        hsum_hmax_avx2(x, &s, &m);
        CHECK(s == 1 + 2 + 3 + 4 + 5 + 6 + 100 + 8);
        CHECK(m == 100.0f);
        x[2] = -INFINITY;
        hsum_hmax_avx2(x, &s, &m);
        CHECK(s == -INFINITY);
        CHECK(m == 100.0f);
    }
    if (isa_supported(Isa::Avx512)) {
        double s;
        float m;
        x[2] = 3.0f;
        hsum_hmax_avx512(x, &s, &m);
        CHECK(s == 136 - 7 + 100);  // 1 + ... + 16 = 136, with 7 replaced by 100
        CHECK(m == 100.0f);
    }
}

#else

TEST_CASE("simd helpers") { MESSAGE("skipping: include/kernels/simd.h is x86-64 only"); }

#endif
