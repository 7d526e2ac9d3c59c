// e2_check.cpp — lesson 12, exercise 2: the check's own test of typical_filter (model/typical.h)
// on the demo's distribution: the set it keeps for tau = 0.5 must be the one found here, by
// sorting the tokens on |-ln p - H| and adding them until their mass reaches tau.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "exercise_check.h"  // exercise::run_prompt
#include "model/model_dir.h"
#include "model/sampler.h"
#include "model/tokenizer.h"
#include "model/typical.h"

int main() {
    const exercise::PromptRun r = exercise::run_prompt("Elizabeth looked at her sister, and", false);
    const gw::Tokenizer tok(gw::default_model_dir());
    const std::vector<float>& z = r.logits;
    const int64_t V = int64_t(z.size());
    const std::vector<gw::Candidate> dist = gw::sampling_distribution(gw::SamplerConfig{}, z.data(), V, {});
    double H = 0;
    for (const gw::Candidate& c : dist) H -= c.prob > 0 ? double(c.prob) * std::log(double(c.prob)) : 0;
    std::vector<gw::Candidate> order = dist;  // by distance of the surprise from H; ties: more probable first
    std::stable_sort(order.begin(), order.end(), [&](const gw::Candidate& a, const gw::Candidate& b) {
        return std::fabs(-std::log(double(a.prob)) - H) < std::fabs(-std::log(double(b.prob)) - H);
    });
    double mass = 0;
    size_t n = 0;
    while (n < order.size() && mass < 0.5) mass += order[n++].prob;
    const std::vector<gw::Candidate> got = gw::typical_filter(dist, 0.5);
    if (got.size() != n) {
        std::printf("typical_filter(tau = 0.5) keeps %zu tokens; sorting by |-ln p - H| and adding to 0.5 keeps %zu\n",
                    got.size(), n);
        return 1;
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += got[i].prob;
        const bool kept = std::any_of(order.begin(), order.begin() + long(n), [&](const gw::Candidate& c) { return c.id == got[i].id; });
        if (!kept) {
            std::printf("typical_filter keeps token %d, which is not among the %zu closest to the entropy\n", got[i].id, n);
            return 1;
        }
    }
    if (std::fabs(sum - 1) > 1e-4) {  // n float probabilities, each renormalised
        std::printf("typical_filter's probabilities sum to %.6f, not 1: renormalise what it keeps\n", sum);
        return 1;
    }
    if (gw::typical_filter(dist, 1.0).size() != dist.size()) {
        std::printf("typical_filter with tau = 1 must keep every token\n");
        return 1;
    }
    std::printf("typical_filter(tau = 0.5) keeps the %zu tokens nearest H = %.2f nats, the first %s\n", n, H,
                tok.token_display(order[0].id).c_str());
    return 0;
}
