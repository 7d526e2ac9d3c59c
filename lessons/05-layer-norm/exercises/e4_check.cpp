// e4_check.cpp — lesson 05, exercise 4: the check's own test of include/kernels/rmsnorm.h.
//   out[t,c] = w[c] * x[t,c] / sqrt(mean_c x[t,c]^2 + eps)
// rmsnorm_ref against that formula in double; rmsnorm(Isa::Avx2) against rmsnorm_ref for every
// width 1..33, 64, 768, 1024, 3072; and on a row of mean 0, rmsnorm equals layernorm with b = 0.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "core/cpu.h"
#include "kernels/layernorm.h"
#include "kernels/rmsnorm.h"

int main() {
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(-2, 2);
    const float eps = 1e-5f;
    std::vector<int64_t> widths;
    for (int64_t c = 1; c <= 33; c++) widths.push_back(c);
    for (int64_t c : {64, 768, 1024, 3072}) widths.push_back(c);
    const double kU = 0x1p-24;  // float32's unit roundoff
    for (int64_t C : widths) {
        const int64_t T = 3;
        std::vector<float> x(size_t(T * C)), w(static_cast<size_t>(C)), ref(x.size()), fast(x.size());
        for (float& v : x) v = u(rng);
        for (float& v : w) v = u(rng);
        gw::rmsnorm_ref(ref.data(), x.data(), w.data(), T, C, eps);
        for (int64_t t = 0; t < T; t++) {
            double ss = 0;
            for (int64_t c = 0; c < C; c++) ss += double(x[size_t(t * C + c)]) * x[size_t(t * C + c)];
            const double r = 1 / std::sqrt(ss / double(C) + eps);
            for (int64_t c = 0; c < C; c++) {
                const double want = double(w[size_t(c)]) * x[size_t(t * C + c)] * r;
                // The reference may work in double or float: a float sum of C squares is within
                // C u of the true one (Higham), so out within (C/2 + 3) u |out|.
                if (std::fabs(ref[size_t(t * C + c)] - want) > (double(C) / 2 + 3) * kU * std::fabs(want) + 1e-30) {
                    std::printf("rmsnorm_ref is not w * x / sqrt(mean(x^2) + eps) (C = %lld, t = %lld, c = %lld: %g, want %g)\n",
                                (long long)C, (long long)t, (long long)c, ref[size_t(t * C + c)], want);
                    return 1;
                }
            }
        }
        if (!gw::isa_supported(gw::Isa::Avx2)) continue;
        gw::rmsnorm(gw::Isa::Avx2, fast.data(), x.data(), w.data(), T, C, eps);
        for (size_t i = 0; i < x.size(); i++)
            // Both within (C/2 + 3) u |out| of the truth (as above), so within twice that of each other.
            if (std::fabs(fast[i] - ref[i]) > 2 * (double(C) / 2 + 3) * kU * std::fabs(ref[i]) + 1e-30) {
                std::printf("rmsnorm(Isa::Avx2) differs from rmsnorm_ref at width %lld, index %zu: %g vs %g\n",
                            (long long)C, i, fast[i], ref[i]);
                return 1;
            }
    }
    // A row of mean exactly 0 (pairs v, -v): its variance is mean(x^2), so with b = 0 the two agree.
    const int64_t C = 768;
    std::vector<float> x(static_cast<size_t>(C)), w(static_cast<size_t>(C)), zeros(static_cast<size_t>(C), 0.0f), a(x.size()), b(x.size());
    for (int64_t c = 0; c < C; c += 2) x[size_t(c)] = u(rng), x[size_t(c + 1)] = -x[size_t(c)];
    for (float& v : w) v = u(rng);
    gw::rmsnorm_ref(a.data(), x.data(), w.data(), 1, C, eps);
    gw::layernorm_ref(b.data(), nullptr, nullptr, x.data(), w.data(), zeros.data(), 1, C, eps);
    for (size_t i = 0; i < a.size(); i++)
        if (std::fabs(a[i] - b[i]) > 1e-6 * (1 + std::fabs(b[i]))) {
            std::printf("on a row of mean 0, rmsnorm and layernorm with b = 0 differ at %zu: %g vs %g\n", i, a[i], b[i]);
            return 1;
        }
    std::printf("rmsnorm_ref and rmsnorm%s: %zu widths from 1 to 3072, and layernorm on a row of mean 0\n",
                gw::isa_supported(gw::Isa::Avx2) ? " (avx2)" : "", widths.size());
    return 0;
}
