// train/evaluate.cpp — mean next-token loss of a text, window by window.
#include "train/evaluate.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/crossentropy.h"
#include "model/forward.h"
#include "model/sampler.h"  // require_finite_logits

namespace gw {

TextEval evaluate_tokens(const Checkpoint& model, const std::vector<int>& ids, int64_t S, Isa isa, int threads) {
    const Config& cfg = model.config;
    const int64_t N = int64_t(ids.size()), V = cfg.vocab_size;
    if (N < 2) fail("the text has ", N, " token", N == 1 ? "" : "s", ": at least 2 are needed for one prediction");
    if (S < 1 || S > cfg.n_positions)
        fail("--seq ", S, " must be between 1 and the model's n_positions ", cfg.n_positions);
    for (int id : ids)
        if (id < 0 || id >= V) fail("token id ", id, " is out of range for vocab_size ", V);
    RunState state = make_run_state(cfg, std::min(S, N - 1), threads);
    ThreadTeam team(threads);
    ForwardOptions fwd;
    fwd.isa = isa;
    fwd.all_logits = true;
    fwd.team = &team;
    std::vector<float> logits(size_t(std::min(S, N - 1) * V)), losses(static_cast<size_t>(S));
    double sum = 0;
    for (int64_t start = 0; start + 1 < N; start += S) {  // window [start, start + S]
        const int64_t n = std::min(S, N - 1 - start);       // its predictions
        state.n_past = 0;                                   // an empty context for every window
        forward(logits.data(), model, state, ids.data() + start, n, fwd);
        // A NaN loss would be a silently wrong answer: say where the logits stopped being numbers.
        for (int64_t i = 0; i < n; i++)
            require_finite_logits(logits.data() + i * V, V, cat("position ", i, " of the window at token ", start, " of the text"));
        crossentropy(isa, nullptr, losses.data(), logits.data(), ids.data() + start + 1, n, V, 0.0f);
        for (int64_t i = 0; i < n; i++) sum += losses[size_t(i)];
    }
    TextEval e;
    e.tokens = N - 1;
    e.loss = sum / double(e.tokens);
    e.perplexity = std::exp(e.loss);
    return e;
}

}  // namespace gw
