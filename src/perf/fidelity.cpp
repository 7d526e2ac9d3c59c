// perf/fidelity.cpp — logit error and greedy agreement of each weight type against F32 (lesson 16).
#include "perf/fidelity.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "model/forward.h"
#include "model/generate.h"
#include "perf/bench.h"  // bench_tokens

namespace gw {

namespace {

// Logits (T, V) of every position of ids, one prefill.
std::vector<float> all_logits(const Checkpoint& m, const std::vector<int>& ids, Isa isa) {
    const int64_t T = int64_t(ids.size());
    RunState s = make_run_state(m.config, T);
    std::vector<float> logits(static_cast<size_t>(T * m.config.vocab_size));
    ForwardOptions o;
    o.isa = isa;
    o.all_logits = true;
    forward(logits.data(), m, s, ids.data(), T, o);
    return logits;
}

std::vector<int> greedy_tokens(const Checkpoint& m, const std::vector<int>& prompt, int64_t n, Isa isa) {
    SamplerConfig sc;
    sc.greedy = true;
    Sampler sampler(sc);
    GenerateOptions g;
    g.max_new_tokens = n;
    g.isa = isa;
    return generate(m, sampler, prompt, g).ids;
}

}  // namespace

FidelityResult weight_fidelity(const std::string& model_dir, const FidelityOptions& o) {
    if (o.gen_tokens < 1) throw UsageError("fidelity: --gen-tokens must be at least 1");
    LoadOptions f32;
    f32.weights = WType::F32;
    auto ref = load_checkpoint(model_dir, f32);
    const int64_t V = ref->config.vocab_size;
    FidelityResult r;
    r.model_dir = model_dir;
    r.prompt = o.prompt.empty() ? bench_tokens(o.prompt_tokens, V, o.seed) : o.prompt;
    if (r.prompt.empty()) throw UsageError("fidelity: the prompt is empty");
    if (int64_t(r.prompt.size()) + o.gen_tokens > ref->config.n_positions)
        throw UsageError(cat("fidelity: ", r.prompt.size(), " prompt + ", o.gen_tokens,
                             " generated tokens do not fit the model's context of ", ref->config.n_positions));
    r.continuation = greedy_tokens(*ref, r.prompt, o.gen_tokens, o.isa);
    std::vector<int> seq = r.prompt;
    seq.insert(seq.end(), r.continuation.begin(), r.continuation.end());
    const std::vector<float> want = all_logits(*ref, seq, o.isa);
    const int64_t T = int64_t(seq.size());
    const auto [lo, hi] = std::minmax_element(want.begin(), want.end());
    ref.reset();  // one model in memory at a time

    std::vector<WType> types = {WType::F32};
    for (WType t : o.types)
        if (t != WType::F32) types.push_back(t);
    for (WType t : types) {
        LoadOptions lo_t;
        lo_t.weights = t;
        auto m = load_checkpoint(model_dir, lo_t);
        const std::vector<float> got = all_logits(*m, seq, o.isa);
        TypeFidelity f;
        f.type = t;
        f.bytes_per_weight = wtype_bytes_per_weight(t);
        f.weights_bytes = m->weights_bytes();
        f.logit_range = double(*hi) - double(*lo);
        f.positions = T;
        double sum2 = 0;
        for (size_t i = 0; i < got.size(); i++) {
            const double d = std::fabs(double(got[i]) - double(want[i]));
            f.max_abs = std::max(f.max_abs, d);
            sum2 += d * d;
        }
        f.rms = std::sqrt(sum2 / double(got.size()));
        for (int64_t t_ = 0; t_ < T; t_++) {
            const float* g = got.data() + t_ * V;
            const float* w = want.data() + t_ * V;
            f.top1_agree += std::max_element(g, g + V) - g == std::max_element(w, w + V) - w;
        }
        const std::vector<int> own = t == WType::F32 ? r.continuation : greedy_tokens(*m, r.prompt, o.gen_tokens, o.isa);
        while (f.greedy_match < int64_t(own.size()) && own[size_t(f.greedy_match)] == r.continuation[size_t(f.greedy_match)])
            f.greedy_match++;
        r.types.push_back(f);
    }
    return r;
}

}  // namespace gw
