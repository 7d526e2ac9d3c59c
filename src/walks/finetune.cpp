// walks/finetune.cpp — measure a pattern in context, fine-tune on it, measure again (lesson 19).
#include "walks/finetune.h"

#include <algorithm>  // std::equal
#include <chrono>
#include <cmath>

#include "core/error.h"
#include "core/json.h"             // quoted
#include "core/vecmath.h"         // rank_of, softmax_probs, cosine
#include "model/forward.h"
#include "model/sampler.h"       // require_finite_logits
#include "model/tokenizer.h"
#include "model/weights.h"        // copy_weights_flat, checkpoint_over
#include "walks/encoding_walk.h"  // traced_forward, logit_lens, half_layer_point
#include "walks/neighbours.h"     // all_weights_checksum

namespace gw {

namespace {

const char* const kNumbers[] = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                                "eighteen", "nineteen", "twenty"};

// The training text: `lines` lines "x, y" of training pairs in a seeded random order (the
// layout of the few-shot prompt, so that the query's line looks like what was trained on).
std::string training_text(const std::vector<FewshotPair>& pairs, const std::string& sep, int64_t lines,
                          uint64_t seed) {
    WindowSampler rng{seed};
    std::string text;
    for (int64_t i = 0; i < lines; i++) {
        const FewshotPair& p = pairs[size_t(rng.next() % pairs.size())];
        text += p.input + sep + " " + p.output + "\n";
    }
    return text;
}

// The answer's rank under the logit lens at every half-layer point of the prompt's last position.
std::vector<int64_t> lens_ranks(const Checkpoint& m, const std::vector<int>& ids, int answer, Isa isa) {
    const Trace trace = traced_forward(m, ids, isa);
    const int64_t C = m.config.n_embd, V = m.config.vocab_size, T = int64_t(ids.size());
    std::vector<float> logits(static_cast<size_t>(V));
    std::vector<int64_t> ranks;
    for (int64_t k = 0; k <= 2 * m.config.n_layer; k++) {
        const TracePoint& p = trace.at(half_layer_point(k));
        logit_lens(logits.data(), m, p.data.data() + (T - 1) * C, 1);
        ranks.push_back(rank_of(logits.data(), V, answer));
    }
    return ranks;
}

// One pair with 0 examples, from one forward over "x," + " y": the answer's rank, probability
// and cos(c_t, e_answer) at the prompt's last position (as run_fewshot measures them), and
// log p of all of the answer's tokens.
void measure(FinetuneProbe& pr, const Checkpoint& m, const Tokenizer& tok, const std::string& sep, Isa isa,
             bool after) {
    const std::string prompt = pr.pair.input + sep;
    const std::vector<int> p = tok.encode(prompt), full = tok.encode(prompt + " " + pr.pair.output);
    const int64_t P = int64_t(p.size()), T = int64_t(full.size()), V = m.config.vocab_size, C = m.config.n_embd;
    if (T <= P || !std::equal(p.begin(), p.end(), full.begin()))
        fail("walk finetune: the answer '", pr.pair.output, "' does not start at a token boundary after '", prompt, "'");
    RunState state = make_run_state(m.config, T);
    std::vector<float> logits(size_t(T * V));
    ForwardOptions fwd;
    fwd.isa = isa;
    fwd.all_logits = true;  // every row's logits, and every row's context vector in state.context
    forward(logits.data(), m, state, full.data(), T, fwd);
    for (int64_t t = P; t < T; t++)
        require_finite_logits(logits.data() + (t - 1) * V, V,
                              cat("position ", t - 1, " of the prompt ", quoted(prompt)));
    pr.answer = full[size_t(P)];
    const float* z = logits.data() + (P - 1) * V;  // the prediction after the prompt
    double lp = 0;
    for (int64_t t = P; t < T; t++) lp += std::log(softmax_probs(logits.data() + (t - 1) * V, V)[size_t(full[size_t(t)])]);
    (after ? pr.rank_after : pr.rank_before) = rank_of(z, V, pr.answer);
    (after ? pr.prob_after : pr.prob_before) = softmax_probs(z, V)[size_t(pr.answer)];
    std::vector<float> e_answer(static_cast<size_t>(C));  // the answer's token vector, as F32 whatever wte's type
    read_row_f32(e_answer.data(), m.w.wte, pr.answer);
    (after ? pr.cos_after : pr.cos_before) = cosine(state.context.data() + (P - 1) * C, e_answer.data(), C);
    (after ? pr.logp_after : pr.logp_before) = lp;
}

// |after - before| / |before| over every tensor whose name starts with one of the prefixes.
double relative_change(const ParamLayout& layout, const float* before, const float* after,
                       const std::vector<std::string>& prefixes) {
    double d2 = 0, w2 = 0;
    for (const ParamTensor& t : layout.tensors) {
        bool in = false;
        for (const std::string& p : prefixes) in = in || t.name.compare(0, p.size(), p) == 0;
        if (!in) continue;
        for (size_t i = t.offset; i < t.offset + t.size; i++) {
            const double d = double(after[i]) - double(before[i]);
            d2 += d * d;
            w2 += double(before[i]) * double(before[i]);
        }
    }
    return w2 > 0 ? std::sqrt(d2 / w2) : 0.0;
}

}  // namespace

FinetuneTask default_finetune_task() {
    FinetuneTask t;
    t.fewshot = default_fewshot_task();  // seven -> eight, and its six in-context examples
    for (int n = 1; n < 20; n++) {       // the pair (n, n + 1), 1-based
        const FewshotPair p{kNumbers[n - 1], kNumbers[n]};
        if (n == 7) continue;                              // the query: never trained on
        if (n == 4 || n == 11 || n == 15) t.held_out.push_back(p);  // four, eleven, fifteen: held out
        else t.train.push_back(p);
    }
    return t;
}

FinetuneWalk finetune_walk(const Checkpoint& model, const Tokenizer& tok, const FinetuneTask& task,
                           const FinetuneOptions& o) {
    if (task.train.empty()) fail("walk finetune: no training pairs");
    FinetuneWalk w;
    w.task = task;
    w.options = o;
    w.before = run_fewshot(model, tok, task.fewshot, o.max_k, o.isa);
    w.checksum_before = all_weights_checksum(model);

    std::vector<FinetuneProbe> probes = {{task.fewshot.query, "query"}};
    for (const FewshotPair& p : task.held_out) probes.push_back({p, "held out"});
    for (const FewshotPair& p : task.train) probes.push_back({p, "trained"});
    for (FinetuneProbe& p : probes) measure(p, model, tok, task.fewshot.separator, o.isa, false);
    const std::vector<int> query_ids = tok.encode(fewshot_prompt(task.fewshot, 0));  // "seven,"
    const std::vector<int64_t> ranks_before = lens_ranks(model, query_ids, probes[0].answer, o.isa);

    // Fine-tune: the model's weights, copied into a training run's flat buffer.
    const std::vector<int> ids = tok.encode(training_text(task.train, task.fewshot.separator, o.lines, o.seed));
    w.train_tokens = int64_t(ids.size());
    TrainSettings s;
    s.batch = o.batch;
    s.seq = o.seq;
    s.optimizer.steps = o.steps;
    s.optimizer.lr = o.lr;
    s.optimizer.min_lr = o.lr / 10;
    s.optimizer.warmup = o.steps / 10;
    s.val_fraction = 0;
    s.seed = o.seed;
    s.threads = o.threads;
    s.isa = o.isa;
    const TokenSplit split = split_tokens(ids, 0.0, o.seq, "walk finetune's training text");
    auto run = make_train_run(model.config, s, nullptr);
    copy_weights_flat(run->params.data(), model);
    const std::vector<float> before(run->params.data(), run->params.data() + run->layout.total);
    const auto start = std::chrono::steady_clock::now();
    while (run->opt.step < o.steps) {
        const StepRecord r = train_step(*run, split.train);
        if (!r.applied) fail("walk finetune: update ", r.step + 1, " gave a loss of ", r.loss, "; try a smaller --lr");
        w.log.steps.push_back(r);
    }
    w.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // The same measurements on the tuned weights.
    const auto tuned = checkpoint_over(model.config, run->params.data(), model.dir + " (fine-tuned)");
    w.checksum_after = all_weights_checksum(*tuned);
    w.after = run_fewshot(*tuned, tok, task.fewshot, o.max_k, o.isa);
    for (FinetuneProbe& p : probes) measure(p, *tuned, tok, task.fewshot.separator, o.isa, true);
    w.probes = probes;
    const std::vector<int64_t> ranks_after = lens_ranks(*tuned, query_ids, probes[0].answer, o.isa);
    for (size_t k = 0; k < ranks_before.size(); k++)
        w.points.push_back({half_layer_point(int64_t(k)), ranks_before[k], ranks_after[k]});
    const float* after = run->params.data();
    w.layers.push_back({"wte + wpe", relative_change(run->layout, before.data(), after, {"wte.", "wpe."})});
    for (int64_t l = 0; l < model.config.n_layer; l++) {
        const std::string h = "h." + std::to_string(l) + ".";
        w.layers.push_back({h.substr(0, h.size() - 1), relative_change(run->layout, before.data(), after, {h})});
    }
    w.layers.push_back({"ln_f", relative_change(run->layout, before.data(), after, {"ln_f."})});
    return w;
}

}  // namespace gw
