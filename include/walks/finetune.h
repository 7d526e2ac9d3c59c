// walks/finetune.h — fine-tuning reshapes the paths; in-context examples only choose among them.
//
// Singh (2023) reads in-context ("few-shot") learning as movement through a fixed embedding
// space: the weights never change, the examples only steer the context vector c_t
// (walks/fewshot.h shows it, checksum identical). Fine-tuning is the other half: gradient
// descent CHANGES the weights, so the same prompt walks a different path. This walk measures
// both on one pattern the shipped model does badly at 0 shots:
//   before   the answer's rank, probability and cos(c_t, e_answer) after k = 0..K examples
//            in the prompt, weights fixed (run_fewshot);
//   train    AdamW on lines "x, y" of TRAINING pairs only (train/trainer.h, in memory),
//            never the query's pair nor the held-out pairs;
//   after    the same query with k = 0..K examples on the tuned weights; the held-out pairs (never
//            seen in training: does it generalise?) and the training pairs (did it memorise?),
//            each before and after: rank, probability, log-probability of the answer's tokens;
//            per layer, how far the weights moved (|W_after - W_before| / |W_before|) and the
//            answer's logit-lens rank at every half-layer point of the query's encoding walk
//            (walks/encoding_walk.h), before and after: where along the path the answer now appears.
// The walk computes a record and prints nothing (report/finetune_io.h shows it).
// Legend: C n_embd, L layers, K the largest k.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "train/trainer.h"   // TrainLog
#include "walks/fewshot.h"

namespace gw {

struct Checkpoint;
class Tokenizer;

struct FinetuneTask {
    FewshotTask fewshot;                 // its examples are the in-context ones; its query is the test
    std::vector<FewshotPair> train;      // what fine-tuning sees (never the query or a held-out pair)
    std::vector<FewshotPair> held_out;   // never seen: measured to tell learning from memorising
};
// Number words and their successors, one..twenty: the query seven -> eight (as walk fewshot),
// three held-out pairs, fifteen training pairs.
FinetuneTask default_finetune_task();

struct FinetuneOptions {
    int64_t steps = 40;      // optimizer updates
    int64_t batch = 8;       // windows an update
    int64_t seq = 32;        // tokens a window
    double lr = 3e-4;        // AdamW's peak (warm-up 10% of steps, cosine to lr / 10)
    int64_t lines = 400;     // training text: this many "x, y" lines of shuffled training pairs
    uint64_t seed = 1;       // of the shuffle and of the windows
    int64_t max_k = 6;       // in-context examples measured before
    int threads = 1;
    Isa isa = Isa::Ref;
};

// One pair asked with 0 examples ("x," -> " y"), before and after fine-tuning.
struct FinetuneProbe {
    FewshotPair pair;
    std::string role;                   // "query", "held out", "trained"
    int answer = 0;                     // the first token of " y"
    int64_t rank_before = 0, rank_after = 0;
    double prob_before = 0, prob_after = 0;
    double cos_before = 0, cos_after = 0;  // cos(c_t, e_answer)
    double logp_before = 0, logp_after = 0;  // log p of all of " y"'s tokens after "x,", nats
};

// A half-layer point of the query's encoding walk: the answer's rank under the logit lens.
struct FinetunePoint {
    std::string name;  // "embed", "h.0.resid_mid", ..., "h.{L-1}.resid_post"
    int64_t rank_before = 0, rank_after = 0;
};

// How far one group of weights moved: |W_after - W_before| / |W_before| (L2 over the group).
struct FinetuneLayer {
    std::string name;  // "wte + wpe", "h.0" ... "h.{L-1}", "ln_f"
    double change = 0;
};

struct FinetuneWalk {
    FinetuneTask task;
    FinetuneOptions options;
    FewshotWalk before;                 // k = 0..K, weights as given (its checksums are equal)
    FewshotWalk after;                  // k = 0..K on the tuned weights; shots[0]: the query alone
    std::vector<FinetuneProbe> probes;  // the query, then the held-out pairs, then the trained ones
    std::vector<FinetunePoint> points;  // (2L + 1) the query's walk
    std::vector<FinetuneLayer> layers;  // wte + wpe, h.0 .. h.{L-1}, ln_f
    uint64_t checksum_before = 0, checksum_after = 0;  // all_weights_checksum
    TrainLog log;                       // the fine-tuning's updates
    int64_t train_tokens = 0;           // the training text's length
    double seconds = 0;                 // wall time of the fine-tuning
};

// Throws gw::Error when a pair's answer does not start at a token boundary (as run_fewshot),
// or when the training text is too short for one window.
FinetuneWalk finetune_walk(const Checkpoint& model, const Tokenizer& tok, const FinetuneTask& task,
                           const FinetuneOptions& options);

}  // namespace gw
