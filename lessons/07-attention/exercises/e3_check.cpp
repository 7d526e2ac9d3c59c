// e3_check.cpp — lesson 07, exercise 3: the check's own test of include/kernels/gqa.h.
// attention_gqa_ref with NKV kv heads must equal the library's attention_ref run on a qkv in
// which every query head's k and v columns are copies of the kv head it shares:
// head h reads kv head h / (NH / NKV). NKV = NH is ordinary attention, NKV = 1 multi-query.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/attention.h"
#include "kernels/gqa.h"

int main() {
    const int64_t T = 11, NH = 4, HS = 8, C = NH * HS;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1, 1);
    for (int64_t NKV : {int64_t(4), int64_t(2), int64_t(1)}) {
        const int64_t group = NH / NKV;
        std::vector<float> q(size_t(T * C)), k(size_t(T * NKV * HS)), v(k.size());
        for (float& x : q) x = u(rng);
        for (float& x : k) x = u(rng);
        for (float& x : v) x = u(rng);
        // The same thing written for attention_ref: qkv (T, 3C), each head's k and v copied
        // from the kv head it reads.
        std::vector<float> qkv(size_t(T * 3 * C)), kc(size_t(T * C)), vc(size_t(T * C));
        for (int64_t t = 0; t < T; t++)
            for (int64_t h = 0; h < NH; h++)
                for (int64_t i = 0; i < HS; i++) {
                    const size_t kv = size_t(t * NKV * HS + (h / group) * HS + i);
                    qkv[size_t(t * 3 * C + h * HS + i)] = q[size_t(t * C + h * HS + i)];
                    qkv[size_t(t * 3 * C + C + h * HS + i)] = k[kv];
                    qkv[size_t(t * 3 * C + 2 * C + h * HS + i)] = v[kv];
                }
        std::vector<float> want(size_t(T * C)), want_p(size_t(NH * T * T)), got(want.size()), got_p(want_p.size());
        gw::attention_ref(want.data(), want_p.data(), qkv.data(), kc.data(), vc.data(), 0, T, C, NH);
        gw::attention_gqa_ref(got.data(), got_p.data(), q.data(), k.data(), v.data(), T, NH, NKV, HS);
        // Two plain-loop float computations of the same sums in possibly other orders: the
        // scores are 8-term dot products of values in [-1, 1] (error <= 8 * 8 u ~ 4e-6 each),
        // the outputs T-term weighted averages of values in [-1, 1]. 1e-5 is a bound for
        // both; a wrong kv head, mask or scale is off by 0.01 or more.
        double worst = 0, worst_p = 0;
        for (size_t i = 0; i < want.size(); i++) worst = std::fmax(worst, std::fabs(got[i] - want[i]));
        for (size_t i = 0; i < want_p.size(); i++) worst_p = std::fmax(worst_p, std::fabs(got_p[i] - want_p[i]));
        if (!(worst <= 1e-5 && worst_p <= 1e-5)) {
            std::printf("attention_gqa_ref with NH = %lld, NKV = %lld differs from attention_ref on shared heads: "
                        "max |diff| %.1e (out), %.1e (pattern)\n", (long long)NH, (long long)NKV, worst, worst_p);
            return 1;
        }
    }
    std::printf("attention_gqa_ref equals attention_ref with shared kv heads for NKV = 4, 2, 1 of NH = 4\n");
    return 0;
}
