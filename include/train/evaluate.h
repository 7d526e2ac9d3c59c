// train/evaluate.h — how well a model predicts a text: mean next-token loss and perplexity.
//
// The text's N tokens are read in windows [k S, k S + S] (S + 1 tokens, S predictions; the
// last window shorter), each from an empty context, so every token after the first is
// predicted exactly once, from at most S tokens before it:
//   loss = (1 / (N - 1)) sum_i -log p(t_i | the window's tokens before t_i)       nats
//   perplexity = exp(loss): the model is as unsure as a uniform choice among that many tokens
// It runs the inference forward pass (model/forward.h, the one `generate` uses) and the
// loss kernel (kernels/crossentropy.h).
#pragma once
#include <cstdint>
#include <vector>

#include "core/cpu.h"
#include "model/weights.h"

namespace gw {

struct TextEval {
    double loss = 0;        // mean nats a prediction
    int64_t tokens = 0;     // predictions: N - 1
    double perplexity = 0;  // exp(loss)
};

// Throws gw::Error when ids has fewer than 2 tokens or S is outside [1, n_positions].
TextEval evaluate_tokens(const Checkpoint& model, const std::vector<int>& ids, int64_t S, Isa isa, int threads);

}  // namespace gw
