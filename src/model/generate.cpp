// model/generate.cpp — prefill, then sample and decode one token at a time (lessons 08, 12).
#include "model/generate.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "model/forward.h"

namespace gw {

const char* stop_reason_text(StopReason r) {
    switch (r) {
        case StopReason::MaxTokens: return "reached the requested number of tokens";
        case StopReason::EndOfText: return "the model produced <|endoftext|>";
        case StopReason::ContextFull: return "the context is full";
    }
    return "?";
}

GenerateResult generate(const Checkpoint& model, Sampler& sampler, const std::vector<int>& prompt,
                        const GenerateOptions& opts,
                        const std::function<void(const StepInfo&)>& on_step) {
    using clock = std::chrono::steady_clock;
    const Config& cfg = model.config;
    if (prompt.empty()) fail("the prompt is empty: give at least one token");
    if (int64_t(prompt.size()) >= cfg.n_positions)
        fail("the prompt has ", prompt.size(), " tokens, but the model's context holds ",
             cfg.n_positions, " positions and one must stay free for a new token");
    GenerateResult result;
    result.prompt_tokens = int64_t(prompt.size());
    // The cache holds what this run can reach, not the whole context (a config may ask for
    // far more positions than a run needs, or than the machine has).
    const int64_t positions = std::min(cfg.n_positions, int64_t(prompt.size()) + std::max<int64_t>(opts.max_new_tokens, 0));
    RunState state = make_run_state(cfg, int64_t(prompt.size()), opts.threads, positions);
    std::vector<float> logits(static_cast<size_t>(cfg.vocab_size));
    std::vector<int> history = prompt;
    ThreadTeam team(opts.threads);  // one team for the whole generation, not one per step
    ForwardOptions fwd;
    fwd.isa = opts.isa;
    fwd.team = &team;

    auto t0 = clock::now();
    forward(logits.data(), model, state, prompt.data(), int64_t(prompt.size()), fwd);
    result.prefill_seconds = std::chrono::duration<double>(clock::now() - t0).count();

    auto t1 = clock::now();
    for (int64_t step = 0; step < opts.max_new_tokens; step++) {
        require_finite_logits(logits.data(), cfg.vocab_size,
                              cat("position ", history.size() - 1, ", generation step ", step));
        int next = sample(sampler, logits.data(), cfg.vocab_size, history);
        if (on_step)
            on_step(StepInfo{step, int64_t(history.size()), next, logits.data(),
                             last_context(state), &history});
        history.push_back(next);
        result.ids.push_back(next);
        if (next == opts.eot_id) {
            result.stop = StopReason::EndOfText;
            break;
        }
        if (step + 1 == opts.max_new_tokens) break;  // no need to run the last token
        if (int64_t(history.size()) >= cfg.n_positions) {
            result.stop = StopReason::ContextFull;
            break;
        }
        if (opts.use_cache) {
            forward(logits.data(), model, state, &next, 1, fwd);
        } else {  // recompute everything: forget the cache and run the whole sequence again
            state.n_past = 0;
            forward(logits.data(), model, state, history.data(), int64_t(history.size()), fwd);
        }
    }
    result.decode_seconds = std::chrono::duration<double>(clock::now() - t1).count();
    return result;
}

}  // namespace gw
