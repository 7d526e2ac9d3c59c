// model/generate.h — the generation loop: prefill the prompt, then one token at a time.
//
//   prefill: forward(prompt) fills the KV cache for every prompt position at once
//            (matrix-matrix products) and gives the logits of the last position;
//   decode:  sample a token, forward(that one token) reusing the cache (matrix-vector
//            products), repeat until max_new_tokens, <|endoftext|>, or a full context.
// With use_cache = false every step recomputes the whole sequence from scratch:
// slower, and (the KV-cache lesson's point) the same tokens.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "core/cpu.h"
#include "model/sampler.h"
#include "model/weights.h"

namespace gw {

struct GenerateOptions {
    int64_t max_new_tokens = 50;
    int eot_id = -1;          // stop when this id is sampled (-1: never)
    bool use_cache = true;
    Isa isa = Isa::Ref;
    int threads = 1;          // the forward pass's team (ForwardOptions::threads)
};

enum class StopReason { MaxTokens, EndOfText, ContextFull };
const char* stop_reason_text(StopReason r);

// What one decoding step saw and chose; the decoding walk records these.
struct StepInfo {
    int64_t step;            // 0 for the first generated token
    int64_t position;        // absolute position of the token being predicted
    int token;               // the id chosen
    const float* logits;     // (V) the model's logits that produced it
    const float* context;    // (C) the context vector: ln_f output of the last position
    const std::vector<int>* history;  // prompt + tokens generated before this one
};

struct GenerateResult {
    std::vector<int> ids;    // generated ids only (the prompt not included)
    StopReason stop = StopReason::MaxTokens;
    double prefill_seconds = 0, decode_seconds = 0;
    int64_t prompt_tokens = 0;
};

// Throws gw::Error for an empty prompt or one that fills the whole context.
GenerateResult generate(const Checkpoint& model, Sampler& sampler, const std::vector<int>& prompt,
                        const GenerateOptions& opts,
                        const std::function<void(const StepInfo&)>& on_step = nullptr);

}  // namespace gw
