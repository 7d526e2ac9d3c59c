// model/sampler.cpp — greedy, temperature, top-k, top-p, min-p and repetition penalty.
#include "model/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "core/error.h"

namespace gw {

void validate(const SamplerConfig& c) {
    if (!(c.temperature >= 0.0f) || !std::isfinite(c.temperature))
        throw UsageError(cat("--temperature must be >= 0, got ", c.temperature));
    if (c.top_k < 0) throw UsageError(cat("--top-k must be >= 0, got ", c.top_k));
    if (!(c.top_p > 0.0f && c.top_p <= 1.0f))
        throw UsageError(cat("--top-p must be in (0, 1], got ", c.top_p));
    if (!(c.min_p >= 0.0f && c.min_p <= 1.0f))
        throw UsageError(cat("--min-p must be in [0, 1], got ", c.min_p));
    if (!(c.repetition_penalty > 0.0f) || !std::isfinite(c.repetition_penalty))
        throw UsageError(cat("--repetition-penalty must be > 0, got ", c.repetition_penalty));
}

Rng::Rng(uint64_t seed) : state(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {
    if (state == 0) state = 0x2545F4914F6CDD1Dull;  // xorshift must not start at 0
}

uint64_t Rng::next_u64() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
}

double Rng::next_double() { return double(next_u64() >> 11) / double(1ull << 53); }

int argmax(const float* x, int64_t n) {
    int best = 0;
    for (int64_t i = 1; i < n; i++)
        if (x[i] > x[best]) best = int(i);
    return best;
}

void require_finite_logits(const float* logits, int64_t V, const std::string& where) {
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < V; i++)
        if (!std::isfinite(logits[i])) bad++, first = first < 0 ? i : first;
    if (bad == 0) return;
    const float x = logits[first];
    fail("the logits at ", where, " are not numbers: ", bad, " of ", V, " are NaN or infinite, the first ",
         std::isnan(x) ? "NaN" : x > 0 ? "+infinity" : "-infinity", " at id ", first,
         " (weights that are NaN or infinite, or products that overflow float32; "
         "`gptwalk inspect --check` scans the weights)");
}

// Step 1: the repetition penalty makes every seen token less likely, whatever its sign.
static std::vector<float> penalised(const SamplerConfig& c, const float* logits, int64_t V,
                                    const std::vector<int>& history) {
    std::vector<float> z(logits, logits + V);
    if (c.repetition_penalty == 1.0f) return z;
    std::unordered_set<int> seen(history.begin(), history.end());
    for (int id : seen) {
        if (id < 0 || id >= V) continue;
        z[size_t(id)] = z[size_t(id)] > 0 ? z[size_t(id)] / c.repetition_penalty
                                          : z[size_t(id)] * c.repetition_penalty;
    }
    return z;
}

std::vector<Candidate> sampling_distribution(const SamplerConfig& c, const float* logits,
                                             int64_t V, const std::vector<int>& history) {
    require_finite_logits(logits, V, "the sampler's input");  // generate() has named the step already
    std::vector<float> z = penalised(c, logits, V, history);
    if (c.greedy || c.temperature == 0.0f) return {Candidate{argmax(z.data(), V), 1.0f}};

    // Step 3: softmax(z / T) in double precision, stable by subtracting the max.
    double zmax = z[size_t(argmax(z.data(), V))];
    std::vector<Candidate> cand(static_cast<size_t>(V));
    std::vector<double> p(static_cast<size_t>(V));
    double sum = 0;
    for (int64_t i = 0; i < V; i++) {
        p[size_t(i)] = std::exp((double(z[size_t(i)]) - zmax) / c.temperature);
        sum += p[size_t(i)];
    }
    for (int64_t i = 0; i < V; i++) cand[size_t(i)] = Candidate{int(i), float(p[size_t(i)] / sum)};

    // Step 4: most probable first (ties: lower id first, so the order is deterministic).
    auto more_probable = [](const Candidate& a, const Candidate& b) {
        return a.prob > b.prob || (a.prob == b.prob && a.id < b.id);
    };
    size_t keep = cand.size();
    if (c.top_k > 0 && size_t(c.top_k) < keep) {
        keep = size_t(c.top_k);
        std::partial_sort(cand.begin(), cand.begin() + long(keep), cand.end(), more_probable);
        cand.resize(keep);
    } else {
        std::sort(cand.begin(), cand.end(), more_probable);
    }
    if (c.top_p < 1.0f) {
        double mass = 0;
        size_t n = 0;
        while (n < cand.size() && mass < c.top_p) mass += cand[n++].prob;
        cand.resize(std::max<size_t>(n, 1));
    }
    if (c.min_p > 0.0f) {
        float floor = c.min_p * cand[0].prob;
        size_t n = 1;
        while (n < cand.size() && cand[n].prob >= floor) n++;
        cand.resize(n);
    }
    double kept = 0;
    for (const auto& k : cand) kept += k.prob;
    for (auto& k : cand) k.prob = float(k.prob / kept);
    return cand;
}

int sample(Sampler& s, const float* logits, int64_t V, const std::vector<int>& history) {
    if (!s.replay.empty()) {
        if (s.replayed >= s.replay.size())
            fail("the sampler replays a path of ", s.replay.size(), " tokens, and all were used");
        const int id = s.replay[s.replayed++];
        if (id < 0 || id >= V) fail("the replayed path holds token id ", id, ", outside [0, ", V, ")");
        return id;
    }
    std::vector<Candidate> cand = sampling_distribution(s.config, logits, V, history);
    if (cand.size() == 1) return cand[0].id;  // greedy draws nothing: the seed's stream is untouched
    double u = s.rng.next_double(), acc = 0;
    for (const auto& k : cand) {
        acc += k.prob;
        if (u < acc) return k.id;
    }
    return cand.back().id;  // u fell in the rounding gap at the very end
}

}  // namespace gw
