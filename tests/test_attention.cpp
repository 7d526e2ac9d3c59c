// test_attention.cpp — attention over the KV cache vs the plain-loop reference.
#include <doctest/doctest.h>

#include <cmath>
#include <tuple>
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

// ---------------------------------------------------------------- backward (lesson 17)

using gw::testing::check_gradients;
using gw::testing::float_sum_error;
using gw::testing::kFloatU;
using gw::testing::weighted_sum;
using gw::testing::widen;

TEST_CASE("attention backward: float64 against central differences (3 heads, odd)") {
    const int64_t T = 5, C = 12, NH = 3;
    std::vector<double> qkv = widen(random_floats(size_t(T * 3 * C), 91, -1.5f, 1.5f));
    const std::vector<double> r = widen(random_floats(size_t(T * C), 92));
    std::vector<double> out(size_t(T * C)), dqkv(qkv.size(), 0.0);
    auto loss = [&] {
        attention_ref(out.data(), nullptr, qkv.data(), T, C, NH);
        return weighted_sum(out, r);
    };
    attention_backward_ref(dqkv.data(), r.data(), qkv.data(), T, C, NH);
    check_gradients(loss, {{"qkv", &qkv, dqkv}});
    // Causality in the gradient: the last position's key and value are seen by no one but
    // itself, so with dL/dout nonzero only at position 0 they get exactly 0.
    std::vector<double> r0(size_t(T * C), 0.0), d0(qkv.size(), 0.0);
    for (int64_t c = 0; c < C; c++) r0[size_t(c)] = 1.0;
    attention_backward_ref(d0.data(), r0.data(), qkv.data(), T, C, NH);
    for (int64_t c = C; c < 3 * C; c++) CHECK(d0[size_t((T - 1) * 3 * C + c)] == 0.0);
}

// The fast backward (OpenBLAS products of whole (T, T) blocks, the forward's float pattern)
// against the float64 reference. A bound from the chain of float sums, with G, Q, K, Vm the
// largest |dout|, |q|, |k|, |v| and sc = 1/sqrt(HS) (each line: size of the terms x error):
//   the forward's scores are off by E = gamma_HS HS Q K sc, so each A_ij by rho = 2E + 4u relative;
//   dA = g V^T: |dA| <= D = HS G Vm, off by gamma_HS D;
//   dS = A (dA - sum A dA): sum_j |dS_ij| <= 2D, off by (gamma_HS + gamma_{T+1} + rho) of that;
//   dQ = sc dS K:   off by sc K 2D eps;   dK = sc dS^T Q: off by sc Q T 2D eps;
//   dV = A^T g:     off by T G eps,       with eps = gamma_HS + 2 gamma_{T+1} + rho + 2u
// (the last 2u: adding into the old dqkv, and the reference's own rounding to compare).
TEST_CASE("attention backward through OpenBLAS equals the float64 loops; heads share out") {
    for (auto [T, C, NH] : {std::tuple<int64_t, int64_t, int64_t>{1, 8, 2}, {7, 12, 3}, {70, 64, 4}}) {
        CAPTURE(T); CAPTURE(C); CAPTURE(NH);
        const int64_t HS = C / NH;
        const auto qkv = random_floats(size_t(T * 3 * C), 93 + uint64_t(T), -2, 2);
        const auto g = random_floats(size_t(T * C), 94 + uint64_t(T));
        const auto d0 = random_floats(size_t(T * 3 * C), 95 + uint64_t(T));
        std::vector<float> k(size_t(T * C)), v(size_t(T * C)), out(size_t(T * C)),
            pattern(size_t(NH * T * T)), scratch(size_t(T * T));
        append_kv(k.data(), v.data(), qkv.data(), 0, T, C);
        attention_heads(best_isa(), out.data(), pattern.data(), qkv.data(), k.data(), v.data(), 0, T, C,
                        NH, scratch.data(), 0, NH);
        std::vector<float> got = d0;
        attention_backward(got.data(), g.data(), qkv.data(), pattern.data(), T, C, NH);
        std::vector<double> want = widen(d0);
        attention_backward_ref(want.data(), widen(g).data(), widen(qkv).data(), T, C, NH);

        const double G = testing::max_abs(g), Q = 2, K = 2, Vm = 2, sc = 1 / std::sqrt(double(HS));
        const auto gamma = [](int64_t n) { return float_sum_error(n, 1.0); };
        const double rho = 2 * gamma(HS) * double(HS) * Q * K * sc + 4 * kFloatU;
        const double D = double(HS) * G * Vm;
        const double eps = gamma(HS) + 2 * gamma(T + 1) + rho + 2 * kFloatU;
        const double tol[3] = {sc * K * 2 * D * eps, sc * Q * double(T) * 2 * D * eps, double(T) * G * eps};
        for (int part = 0; part < 3; part++) {  // q, k, v columns of every row
            std::vector<float> a, b;
            for (int64_t t = 0; t < T; t++)
                for (int64_t c = 0; c < C; c++) {
                    a.push_back(got[size_t(t * 3 * C + part * C + c)]);
                    b.push_back(float(want[size_t(t * 3 * C + part * C + c)]));
                }
            check_close(a, b, float(tol[part] + kFloatU * 4), 0, part == 0 ? "dq" : part == 1 ? "dk" : "dv");
        }
        // Heads one at a time give the same bits: each head is the same calls on its own columns.
        std::vector<float> by_head = d0;
        for (int64_t h = 0; h < NH; h++)
            attention_backward_heads(by_head.data(), scratch.data(), g.data(), qkv.data(), pattern.data(), T,
                                     C, NH, h, h + 1);
        CHECK(by_head == got);
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
