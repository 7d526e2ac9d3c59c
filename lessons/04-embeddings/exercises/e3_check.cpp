// e3_check.cpp — lesson 04, exercise 3: the mean cosine over all pairs of the 100 longest and of
// the 100 shortest token vectors of the shipped model, in double, printed as two numbers.
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

#include "core/vecmath.h"
#include "model/model_dir.h"
#include "model/weights.h"

int main() {
    auto ck = gw::load_checkpoint(gw::default_model_dir());
    const int64_t V = ck->config.vocab_size, C = ck->config.n_embd;
    const gw::AsF32 wte_f32(ck->w.wte);  // (V, C), widened from the stored type
    const float* wte = wte_f32.data();
    std::vector<double> len(static_cast<size_t>(V));
    for (int64_t v = 0; v < V; v++) len[size_t(v)] = gw::norm(wte + v * C, C);
    std::vector<int> order(static_cast<size_t>(V));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return len[size_t(a)] > len[size_t(b)]; });
    auto mean_cos = [&](const int* ids, int n) {
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, pairs++) sum += gw::cosine(wte + int64_t(ids[i]) * C, wte + int64_t(ids[j]) * C, C);
        return sum / pairs;
    };
    std::printf("%.4f %.4f\n", mean_cos(order.data(), 100), mean_cos(order.data() + V - 100, 100));
    return 0;
}
