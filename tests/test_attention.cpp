// test_attention.cpp — attention over the KV cache vs the plain-loop reference.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "kernels/attention.h"
#include "testing.h"

using namespace gw;
using gw::testing::check_close;
using gw::testing::random_floats;

TEST_CASE("one head, two positions, worked by hand") {
    // C = 2, NH = 1 (HS = 2). q0 = (1,0) k0 = (1,0) v0 = (1,2); q1 = (0,1) k1 = (0,2) v1 = (3,4).
    float qkv[12] = {1, 0, 1, 0, 1, 2,  /* position 1 */ 0, 1, 0, 2, 3, 4};
    float kc[4], vc[4], out[4], pattern[4];
    attention_ref(out, pattern, qkv, kc, vc, 0, 2, 2, 1);
    // position 0 sees only itself: a one-entry softmax is exactly 1, and 1 * v0 is exact
    // (== below); position 1's are float roundings (~6e-8) of the doubles, within Approx's 1e-5
    CHECK(pattern[0] == 1.0f);
    CHECK(pattern[1] == 0.0f);  // masked
    CHECK(out[0] == 1.0f);
    CHECK(out[1] == 2.0f);
    // position 1: scores q1.k0/sqrt2 = 0, q1.k1/sqrt2 = 2/sqrt2 = sqrt2
    double a1 = std::exp(std::sqrt(2.0)) / (1 + std::exp(std::sqrt(2.0))), a0 = 1 - a1;
    CHECK(pattern[2] == doctest::Approx(a0));
    CHECK(pattern[3] == doctest::Approx(a1));
    CHECK(out[2] == doctest::Approx(a0 * 1 + a1 * 3));
    CHECK(out[3] == doctest::Approx(a0 * 2 + a1 * 4));
}

// Tolerances against attention_ref, which computes scores and sums in double and rounds once.
// attention() sums each score q . k / sqrt(HS) in float (OpenBLAS, an order that depends on the
// CPU and on the shape: sgemv for one row), off by at most float_sum_error(HS, sum_d |q_d k_d| /
// sqrt(HS)) -- about 1e-6 here (HS = 8, |q|, |k| < 2) -- which softmax turns into a relative
// error of at most twice that in the pattern; out = sum_j a_j v_j adds a float sum over the keys
// (~keys u max|v|). rtol 1e-5, with atol 1e-5 for out and 1e-6 for the pattern (whose entries
// can be tiny), holds these with ~25x to spare: the worst seen, over the ref and avx2 kernel
// sets and five OpenBLAS cores, is 4% of the tolerance. A wrong mask, head slice or cache row is
// off by ~0.1. The cache itself is copied (memcpy): == there.
TEST_CASE("attention equals attention_ref, in one chunk and appended over the cache") {
    for (int64_t NH : {1, 3, 4}) {
        const int64_t HS = 8, C = NH * HS, P = 20, T = 13;
        auto qkv = random_floats(size_t(T * 3 * C), 100 + uint64_t(NH), -2.0f, 2.0f);
        std::vector<float> kc_ref(size_t(P * C)), vc_ref(size_t(P * C)), out_ref(size_t(T * C)),
            pat_ref(size_t(NH * T * T));
        attention_ref(out_ref.data(), pat_ref.data(), qkv.data(), kc_ref.data(), vc_ref.data(), 0, T, C, NH);
        for (Isa isa : {Isa::Ref, Isa::Avx2, Isa::Avx512}) {
            if (!isa_supported(isa)) continue;
            CAPTURE(NH);
            CAPTURE(isa_name(isa));
            std::vector<float> kc(size_t(P * C)), vc(size_t(P * C)), out(size_t(T * C)),
                pat(size_t(NH * T * T)), scratch(size_t(T * P));
            attention(isa, out.data(), pat.data(), qkv.data(), kc.data(), vc.data(), 0, T, C, NH, scratch.data());
            check_close(out, out_ref, 1e-5f, 1e-5f, "one chunk");
            check_close(pat, pat_ref, 1e-6f, 1e-5f, "pattern");
            // again, 4 positions then the remaining 9 one at a time, over the cache
            std::vector<float> kc2(size_t(P * C)), vc2(size_t(P * C)), out2(size_t(T * C));
            attention(isa, out2.data(), nullptr, qkv.data(), kc2.data(), vc2.data(), 0, 4, C, NH, scratch.data());
            for (int64_t t = 4; t < T; t++)
                attention(isa, out2.data() + t * C, nullptr, qkv.data() + t * 3 * C, kc2.data(),
                          vc2.data(), t, 1, C, NH, scratch.data());
            check_close(out2, out_ref, 1e-5f, 1e-5f, "incremental");
            check_close(kc2.data(), kc_ref.data(), T * C, 0.0f, 0.0f, "k cache");
        }
    }
}

TEST_CASE("a long prompt needs one block of scores, not (T, keys): attention_scratch_floats is enough") {
    // 150 new rows over a cache of 40: three blocks of rows. The scratch is exactly what
    // attention_scratch_floats asks for (64 rows of 190 keys), not T * (pos0 + T); under the
    // sanitizers a kernel that used more would be reported. The result equals a run with the
    // old (T, P) scratch bit for bit: the same kernel in the same order, only the buffer differs.
    const int64_t NH = 2, HS = 8, C = NH * HS, pos0 = 40, T = 150, P = pos0 + T;
    const auto qkv = random_floats(size_t(P * 3 * C), 7, -2.0f, 2.0f);
    std::vector<float> out[2];
    for (int big = 0; big < 2; big++) {
        std::vector<float> kc(size_t(P * C)), vc(size_t(P * C)), first(size_t(pos0 * C));
        std::vector<float> scratch(size_t(big ? T * P : attention_scratch_floats(T, P)));
        attention(best_isa(), first.data(), nullptr, qkv.data(), kc.data(), vc.data(), 0, pos0, C, NH, scratch.data());
        out[big].resize(size_t(T * C));
        attention(best_isa(), out[big].data(), nullptr, qkv.data() + pos0 * 3 * C, kc.data(), vc.data(), pos0, T, C,
                  NH, scratch.data());
    }
    CHECK(attention_scratch_floats(T, P) == 64 * P);
    CHECK(attention_scratch_floats(3, P) == 3 * P);
    CHECK(out[0] == out[1]);
}
