// model/sampler.h — turning logits into the next token (lesson 12).
//
// From the logits z (V) of the last position:
//   1. repetition penalty r on tokens already seen: z > 0 ? z / r : z * r
//   2. greedy (or temperature 0): the arg max, lowest id on ties
//   3. p = softmax(z / temperature)
//   4. keep the top_k most probable (0: all); then the smallest most-probable set
//      whose mass reaches top_p (1: all); then those with p >= min_p * max p (0: all)
//   5. renormalise and draw with the sampler's own seeded generator
// The same seed gives the same tokens on every run and machine (with the same kernels).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gw {

struct SamplerConfig {
    bool greedy = false;
    float temperature = 1.0f;
    int top_k = 0;                   // 0 = no limit
    float top_p = 1.0f;              // 1 = no limit
    float min_p = 0.0f;              // 0 = no limit
    float repetition_penalty = 1.0f;  // 1 = none
    uint64_t seed = 0;
};

// Checks ranges (temperature >= 0, top_k >= 0, 0 < top_p <= 1, 0 <= min_p <= 1,
// repetition_penalty > 0); throws gw::UsageError naming the bad setting.
void validate(const SamplerConfig& config);

// A small, explicit random generator (xorshift64*), so no hidden global state.
struct Rng {
    uint64_t state;
    explicit Rng(uint64_t seed);
    uint64_t next_u64();
    double next_double();  // uniform in [0, 1), 53 random bits
};

// One candidate of the step distribution after filtering.
struct Candidate {
    int id;
    float prob;  // renormalised probability among the kept candidates
};

struct Sampler {
    SamplerConfig config;
    Rng rng;
    // A path to replay (empty: draw). When set, sample() returns replay[0], replay[1], ... in
    // turn instead of drawing, and uses no randomness; config still says what distribution
    // the path is measured against (lesson 13: a path found by beam search, walked again).
    std::vector<int> replay;
    size_t replayed = 0;  // tokens of replay returned so far
    explicit Sampler(const SamplerConfig& c) : config(c), rng(c.seed) { validate(c); }
};

// Refuses logits that hold NaN or infinity, saying where they came from (`where`, e.g.
// "position 7, generation step 3"). A NaN has no order and one infinity turns softmax into
// NaN, so any token chosen from them would be a silently wrong answer. They come from weights
// that are not finite, or from finite weights whose products overflow float32. gw::Error.
void require_finite_logits(const float* logits, int64_t V, const std::string& where);

// The distribution the sampler draws from (steps 1-4), most probable first.
// history: the ids seen so far (prompt and generated), for the repetition penalty.
std::vector<Candidate> sampling_distribution(const SamplerConfig& config, const float* logits,
                                             int64_t V, const std::vector<int>& history);

// Picks the next token (steps 1-5), or the next token of sampler.replay (throws gw::Error
// when the replayed path is used up).
int sample(Sampler& sampler, const float* logits, int64_t V, const std::vector<int>& history);

// Index of the largest value (lowest index among equal ones).
int argmax(const float* x, int64_t n);

}  // namespace gw
