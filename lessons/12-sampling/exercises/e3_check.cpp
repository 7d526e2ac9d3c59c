// e3_check.cpp — lesson 12, exercise 3: the check's own test of apply_penalties (model/penalties.h):
//   z_v <- z_v - alpha * count_v - beta * [count_v > 0],  counts over the generated tokens.
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <vector>

#include "core/error.h"
#include "model/penalties.h"

int main() {
    const int64_t V = 40;
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(-5, 5);
    std::vector<float> z(static_cast<size_t>(V));
    for (float& x : z) x = u(rng);
    const std::vector<int> generated = {3, 7, 3, 3, 39, 0, 7};
    std::map<int, int> count;
    for (int id : generated) count[id]++;
    for (float alpha : {0.0f, 0.5f, 2.0f})
        for (float beta : {0.0f, 0.3f, 1.5f}) {
            std::vector<float> got = z;
            gw::apply_penalties(got.data(), V, generated, alpha, beta);
            for (int64_t v = 0; v < V; v++) {
                const int c = count.count(int(v)) ? count[int(v)] : 0;
                // The same float operations in either order are within 2 roundings of |z| + 10.
                const double want = double(z[size_t(v)]) - double(alpha) * c - (c > 0 ? double(beta) : 0.0);
                if (std::fabs(got[size_t(v)] - want) > 4e-6) {
                    std::printf("apply_penalties(alpha %g, beta %g): token %lld (seen %d times) has %g, want %g\n",
                                alpha, beta, (long long)v, c, got[size_t(v)], want);
                    return 1;
                }
            }
            if (alpha == 0 && beta == 0 && got != z) {
                std::printf("apply_penalties with alpha = beta = 0 must leave every logit as it was\n");
                return 1;
            }
        }
    bool refused = false;
    try {
        std::vector<float> w = z;
        gw::apply_penalties(w.data(), V, {int(V)}, 1, 1);
    } catch (const gw::Error&) {
        refused = true;
    }
    if (!refused) {
        std::printf("apply_penalties must throw gw::Error for a token id outside [0, V)\n");
        return 1;
    }
    std::printf("apply_penalties: 9 (alpha, beta) pairs over 40 logits, tokens seen 0 to 3 times, a bad id\n");
    return 0;
}
