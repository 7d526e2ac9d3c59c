// walks/fewshot.h — "in-context learning" as movement of the context vector, not learning.
//
// A few-shot prompt shows k examples of a pattern and then asks for one more:
//   "x_1 SEP y_1\n x_2 SEP y_2\n ... x_k SEP y_k\n x_q SEP"      answer: the first token of y_q
// As k grows the model often ranks the answer higher. Singh 2023's reading: nothing is
// learned — the weights are fixed (the checksum before and after is identical); the
// examples only move the context vector c_t towards the answer's token vector e_answer,
// which we measure as the answer's rank, probability and cos(c_t, e_answer).
// Legend: C n_embd, V vocab, K the largest k.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu.h"

namespace gw {

struct Checkpoint;
class Tokenizer;

struct FewshotPair {
    std::string input, output;  // "two", "three"
};

struct FewshotTask {
    std::string name;                   // shown in titles: "number words: the next number"
    std::vector<FewshotPair> examples;  // the first k are shown for k shots
    FewshotPair query;                  // asked last; the answer is the first token of " " + output
    std::string separator = ",";        // between input and output; the output follows after a space
};

// The built-in task, chosen because the shipped tiny model (Austen, KJV, Shakespeare)
// shows movement on it: see the comment in fewshot.cpp.
FewshotTask default_fewshot_task();

// Parses --pattern "in=out,in=out,...,query=answer" (the last pair is the query; at least
// two pairs; no empty side). Throws gw::UsageError naming the bad item.
FewshotTask parse_fewshot_pattern(const std::string& spec);

// The prompt text with the first k examples: every example on its own line as
// "input SEP output", then "query SEP" (no trailing space: the answer token carries it).
std::string fewshot_prompt(const FewshotTask& task, int64_t k);

// What the model's next-token distribution says about the answer after k examples.
struct FewshotShot {
    int64_t k = 0;              // examples shown
    std::vector<int> prompt;    // the prompt's token ids
    int answer = 0;             // id of the answer's first token
    int64_t rank = 0;           // 1 + tokens with a larger logit (1 = the model's top choice)
    double prob = 0;            // softmax(logits)[answer], in [0, 1]
    float logit = 0;            // c_t · e_answer
    double cos_answer = 0;      // cos(c_t, e_answer)
    int top_token = 0;          // the arg max token
    double top_prob = 0;        // its probability
    double entropy = 0;         // of softmax(logits), nats
    double context_norm = 0;    // |c_t|
    double cos_prev = 0;        // cos(c_t at k, c_t at k − 1); NaN for the first shot
};

struct FewshotWalk {
    FewshotTask task;
    std::vector<FewshotShot> shots;       // k = 0 .. K
    std::vector<float> contexts;          // (K + 1, C) c_t of each shot
    int64_t C = 0;
    uint64_t checksum_before = 0;         // all_weights_checksum before the first shot
    uint64_t checksum_after = 0;          // ... and after the last: identical
};

// Runs the prompt for k = 0 .. max_k (clamped to the number of examples). Throws
// gw::Error when the answer does not begin at a token boundary of the prompt, or a
// prompt does not fit the context.
FewshotWalk run_fewshot(const Checkpoint& model, const Tokenizer& tok, const FewshotTask& task,
                        int64_t max_k, Isa isa);

}  // namespace gw
