// walks/decoding_walk.h — generation as a walk over token vectors (Singh 2023).
//
// At every step the model folds the whole sequence into one context vector
//   c_t = ln_f(h_L,t) = γ ⊙ x̂_t + β        x̂_t: the final residual h_L,t normalised (mean 0, var 1)
// and scores each token v by proximity to its vector e_v (row v of the tied wte):
//   logit_v = c_t · e_v,   p_t = softmax(logits).
// A sampler picks one token; its vector enters the sequence and the next c_{t+1} is
// computed. The generated text is a walk through embedding space whose probability is the
// product of the step probabilities: log P(path) = sum_t log p_t(chosen_t). The weights never
// change along the way (the checksums show it): only c_t moves.
//
// Our own formalisations (not the paper's), marked as such in every printout:
//   - the ln_f logit split  logit_v = e_v·(γ⊙x̂_t) [content] + e_v·β [prior, the same at every step];
//   - dot-product vs cosine rankings of the token vectors (neighbours.h).
// x̂_t is computed from the traced final residual h_L,t (a second, traced forward pass over
// the generated sequence), NOT recovered as (c_t − β)/γ: that inversion would make
// content + prior = logit an identity, while the traced route makes it a real check that
// the trace, ln_f and the logits agree (max_split_error, max_context_error). The traced pass
// holds every trace point of the sequence at once: ~100 MB for GPT-2 small and 100 tokens.
//
// Walk code never recomputes the model: tokens, logits and c_t come from generate(),
// x̂_t from a forward() trace. This module only measures; decoding_walk_io.h prints and draws.
// Units: probabilities in [0, 1]; log-probabilities and entropies in nats; logits, dot
// products and vector lengths in the model's embedding units. Legend: C n_embd, V vocab, S steps.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/cpu.h"
#include "model/generate.h"
#include "model/sampler.h"
#include "walks/neighbours.h"

namespace gw {

struct Checkpoint;

// One of the step's most probable tokens.
struct WalkCandidate {
    int id = 0;
    double prob = 0;     // softmax(logits)[id]: the model's own distribution (temperature 1, unfiltered)
    float logit = 0;     // the model's logit = c_t · e_id (as forward() computed it)
    double content = 0;  // e_id · (γ ⊙ x̂_t): the part of the logit that depends on the context
    double prior = 0;    // e_id · β: ln_f's context-independent part (same at every step)
    double cosine = 0;   // cos(c_t, e_id)
    double norm = 0;     // |e_id|
};

// Everything measured at one generated step t.
struct WalkStep {
    int64_t step = 0;              // t: 0 for the first generated token
    int64_t position = 0;          // absolute position of the token being predicted
    int token = 0;                 // the id the sampler chose
    double prob_model = 0;         // p_t(token) under softmax(logits)
    double prob_sampling = 0;      // p(token) under the sampling distribution actually drawn from
                                   // (repetition penalty, temperature, top-k/top-p/min-p, renormalised;
                                   // 1 under greedy)
    int64_t rank = 0;              // 1 + number of tokens with a larger logit (1 = the arg max)
    int64_t sampling_support = 0;  // tokens the sampler could have drawn (1 under greedy)
    double path_log_prob = 0;      // sum over steps 0..t of ln prob_sampling: log P(path) as sampled
    double path_log_prob_model = 0;  // sum over steps 0..t of ln prob_model: the model's view of the text
    double entropy_model = 0;      // -sum p ln p of softmax(logits), nats
    double entropy_sampling = 0;   // the same for the sampling distribution, nats (0 under greedy)
    double context_norm = 0;       // |c_t|
    double cos_context_chosen = 0; // cos(c_t, e_token)
    double cos_context_prev = 0;   // cos(c_t, c_{t-1}); NaN at step 0 (no previous context)
    std::vector<WalkCandidate> top;   // (K) the most probable tokens, most probable first
    Neighbours near;               // (K each) token vectors nearest c_t by dot and by cosine,
                                   // recomputed in double from c_t and wte (not read from the logits)
};

struct DecodingWalk {
    std::vector<int> prompt;             // prompt ids
    std::vector<WalkStep> steps;         // (S)
    std::vector<float> contexts;         // (S, C) c_t of each step, for the 2-D picture
    int64_t C = 0, V = 0, top_k = 0;     // sizes; top_k = K
    SamplerConfig sampler;               // the sampler the walk ran with
    bool replayed = false;               // the path was given (DecodingWalkOptions::replay), not drawn
    StopReason stop = StopReason::MaxTokens;
    std::vector<Neighbour> prior_top;    // (K) tokens with the largest e_v · β: what ln_f's bias alone favours
    uint64_t wte_checksum_before = 0, wte_checksum_after = 0;  // equal: the walk changes no weight
    double max_split_error = 0;          // max |content + prior − logit| over every candidate shown
    double max_context_error = 0;        // max |c_t (generate) − ln_f (traced re-run)| over all steps and dims
    // The walk in 2-D: a PCA fitted on the walk's own 2S points (the S context vectors and
    // the S chosen token vectors), each point then projected on the first two axes.
    std::vector<double> context_xy;      // (S, 2) c_t, embedding units along each axis
    std::vector<double> token_xy;        // (S, 2) e_{token_t}
    double pca_explained[2] = {0, 0};    // fraction of the 2S points' variance along each axis

    std::vector<int> generated() const;  // (S) the chosen ids in order
};

struct DecodingWalkOptions {
    int64_t max_new_tokens = 12;
    int64_t top_k = 5;       // K candidates and neighbours kept per step (1..V)
    int eot_id = -1;         // stop at this id (-1: never)
    Isa isa = Isa::Ref;
    // A path to walk instead of sampling one (empty: sample). The walk then has one step per
    // token of the path (max_new_tokens is not used), measured exactly as a sampled step;
    // p sampled is the chance the given sampler would have drawn that token (0 when it would
    // not, e.g. a token greedy did not pick: log P(path) is then -inf).
    std::vector<int> replay;
};

// Generates from prompt with the given sampler (or walks opts.replay) and measures every step.
// Throws gw::Error for an empty prompt, a prompt that fills the context, or top_k < 1.
DecodingWalk run_decoding_walk(const Checkpoint& model, const std::vector<int>& prompt,
                               const SamplerConfig& sampler, const DecodingWalkOptions& opts);

// ---- --compare: one prompt under several decoding strategies --------------------------

// Repetition and diversity of a token sequence (the generated ids only):
//   repeated_ngram_rate(ids, n) = 1 − (distinct n-grams) / (n-grams)   (0 when fewer than n ids)
//   distinct_n(ids, n)          =     (distinct n-grams) / (n-grams)   (0 when fewer than n ids)
// where the n-grams are the len−n+1 contiguous windows of ids. Both lie in [0, 1].
double repeated_ngram_rate(const std::vector<int>& ids, int64_t n);
double distinct_n(const std::vector<int>& ids, int64_t n);

struct StrategyRun {
    std::string name;            // "greedy", "temperature 0.7", "top-k 40", ...
    DecodingWalk walk;
    double log_prob_model = 0;   // sum of ln p_t(chosen) under softmax(logits), nats
    double log_prob_sampling = 0;  // the same under each strategy's sampling distribution
    double mean_entropy = 0;     // mean over steps of entropy_model, nats
    double repeated_4gram = 0;   // repeated_ngram_rate(generated, 4)
    double distinct_2 = 0;       // distinct_n(generated, 2)
};

// The six strategies of --compare, all with the given seed: greedy; temperature 0.7, 1.0,
// 1.3; top-k 40 (temperature 1); top-p 0.9 (temperature 1).
std::vector<std::pair<std::string, SamplerConfig>> compare_strategies(uint64_t seed);
std::vector<StrategyRun> compare_decoding(const Checkpoint& model, const std::vector<int>& prompt,
                                          uint64_t seed, const DecodingWalkOptions& opts);

// ---- --tree B,D: the most probable branches ---------------------------------------------

constexpr int64_t kMaxTreeBranches = 5, kMaxTreeDepth = 4;  // at most 5^4 = 625 leaves

struct TreeNode {
    int token = -1;           // -1 at the root (the prompt)
    double prob = 1;          // p(token | prefix) under the model's softmax(logits), temperature 1
    double path_prob = 1;     // product of prob from the root to here
    std::vector<TreeNode> children;  // (B) most probable first; empty at depth D
};

struct WalkTree {
    std::vector<int> prompt;
    int64_t branches = 0, depth = 0;  // B, D
    TreeNode root;
    int64_t forward_calls = 0;        // model runs made: one per expanded node (1 + B + ... + B^(D-1))
};

// Expands the B most probable next tokens of every prefix, D levels deep, running the
// model from each prefix. Throws gw::Error when B or D is outside [1, 5] / [1, 4] or the
// deepest prefix would not fit in the context.
WalkTree expand_tree(const Checkpoint& model, const std::vector<int>& prompt, int64_t branches,
                     int64_t depth, Isa isa);

}  // namespace gw
