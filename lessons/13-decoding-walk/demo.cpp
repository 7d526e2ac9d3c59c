// demo.cpp — lesson 13: generation as a walk through embedding space (Singh 2023).
//
// Stages: the walk written out by hand (forward one token, sample, measure c_t); the same
// walk recorded by run_decoding_walk(), compared number for number; one step's logits
// split into a context part and ln_f's fixed prior, recomputed here from the traced final
// residual; the token vectors nearest c_t by dot product and by cosine; six decoding
// strategies as six walks; and few-shot prompts, where only c_t moves and no weight does.
//
// usage: build/lessons/13-decoding-walk [--model DIR] [--prompt STR] [-n N] [--temperature T]
//            [--top-k K] [--seed S] [--at STEP] [--kernels ref|avx2|avx512|auto] [--step]
// --at: the step examined in stages 3 and 4. --kernels: default ref, the scalar kernels on
// every CPU (OpenBLAS's products still differ from CPU to CPU in their last bits).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"               // gw::Error, gw::fail
#include "core/vecmath.h"             // dot, norm, cosine, softmax_probs, entropy_nats, rank_of
#include "lesson.h"                   // lesson::Demo: flags, --step, errors
#include "model/forward.h"            // forward, last_context, Trace
#include "model/sampler.h"            // SamplerConfig, Sampler, sample, sampling_distribution
#include "model/tokenizer.h"          // Tokenizer
#include "report/decoding_walk_io.h"  // sampler_text
#include "report/text.h"              // pad, one_line, or_dash, hex64
#include "walks/decoding_walk.h"      // run_decoding_walk, compare_decoding
#include "walks/fewshot.h"            // default_fewshot_task, run_fewshot
#include "walks/neighbours.h"         // Neighbour: the nearest-token lists of a step

namespace {

using gw::text::one_line;
using gw::text::pad;

// x with 4 decimals, or "-" where it is undefined (NaN: no previous context yet).
std::string fixed4(double x) { return gw::text::or_dash("%.4f", x); }

struct Options {
    std::string dir = "weights/tiny-gpt2";
    std::string prompt = "In the beginning God created the";
    int64_t n = 12;             // new tokens
    double temperature = 1.0;
    int top_k = 40;
    uint64_t seed = 1;
    int64_t at = 1;             // the step looked at closely in stages 3 and 4
    std::string kernels = "ref";  // the scalar kernels on every CPU (OpenBLAS's last bits vary)
};

void run(const Options& o, gw::Stepper& step) {
    auto ck = gw::load_checkpoint(o.dir, {gw::WType::F32});
    const gw::Tokenizer tok(o.dir);
    const gw::Config& cfg = ck->config;
    const int64_t C = cfg.n_embd, V = cfg.vocab_size, L = cfg.n_layer;
    const gw::Isa isa = gw::parse_isa(o.kernels);
    const std::vector<int> prompt = tok.encode(o.prompt);
    const int64_t T = int64_t(prompt.size());
    if (T < 1) gw::fail("the prompt is empty: give at least one token");
    if (T + o.n > cfg.n_positions) gw::fail("the prompt and -n must fit in ", cfg.n_positions, " positions");
    if (o.at >= o.n) gw::fail("--at must be a generated step, 0 to ", o.n - 1, ", got ", o.at);
    gw::SamplerConfig sc;
    sc.temperature = float(o.temperature), sc.top_k = o.top_k, sc.seed = o.seed;
    gw::validate(sc);
    auto name = [&](int id) { return pad(tok.token_display(id), 12); };

    std::printf("== 1. the walk by hand: c_t = ln_f at the last position, sample, run that token ==\n");
    std::printf("prompt \"%s\", sampler %s\n", o.prompt.c_str(), gw::sampler_text(sc).c_str());
    std::printf("step token        p model  p sampled  rank  H (nats)  log P(path)  |c_t|  cos(c_t,c_t-1)\n");
    gw::RunState state = gw::make_run_state(cfg, T + o.n);
    gw::ForwardOptions fo;
    fo.isa = isa;
    std::vector<float> logits(static_cast<size_t>(V));
    gw::forward(logits.data(), *ck, state, prompt.data(), T, fo);  // prefill: c_0 and its logits
    gw::Sampler sampler(sc);
    std::vector<int> history = prompt;  // what the sampler's repetition penalty would see
    std::vector<float> contexts;        // (S, C) every c_t, kept for the cosine to the next one
    std::vector<double> mine;           // (S, 4) p sampled, log P(path), |c_t|, cos(c_t, c_t-1)
    double log_path = 0;
    for (int64_t t = 0; t < o.n; t++) {
        const float* c = gw::last_context(state);  // (C) the context vector that will choose
        const std::vector<double> p = gw::softmax_probs(logits.data(), V);
        const int id = gw::sample(sampler, logits.data(), V, history);
        double q = 0;  // the chosen token's probability in the distribution sample() drew from
        for (const gw::Candidate& k : gw::sampling_distribution(sc, logits.data(), V, history))
            if (k.id == id) q = k.prob;
        log_path += std::log(q);
        const double cos_prev = t == 0 ? NAN : gw::cosine(c, contexts.data() + (t - 1) * C, C);
        std::printf("%4lld %s %7.4f  %9.4f  %4lld  %8.4f  %11.4f  %5.2f  %14s\n", (long long)t,
                    name(id).c_str(), p[size_t(id)], q, (long long)gw::rank_of(logits.data(), V, id),
                    gw::entropy_nats(p), log_path, gw::norm(c, C), fixed4(cos_prev).c_str());
        mine.insert(mine.end(), {q, log_path, gw::norm(c, C), cos_prev});
        contexts.insert(contexts.end(), c, c + C);
        history.push_back(id);
        if (t + 1 < o.n) gw::forward(logits.data(), *ck, state, &id, 1, fo);  // one token, KV cache reused
    }
    const std::vector<int> gen(history.begin() + T, history.end());
    std::printf("text: \"%s\" + \"%s\"\n", o.prompt.c_str(), one_line(tok.decode(gen)).c_str());
    step.pause("the same walk, as a record");

    std::printf("\n== 2. run_decoding_walk(): the same walk as a record, and what it adds ==\n");
    gw::DecodingWalkOptions wo;
    wo.max_new_tokens = o.n;
    wo.top_k = 5;
    wo.isa = isa;
    const gw::DecodingWalk walk = gw::run_decoding_walk(*ck, prompt, sc, wo);
    double diff = 0;
    for (size_t t = 0; t < walk.steps.size(); t++) {
        const gw::WalkStep& s = walk.steps[t];
        const double theirs[4] = {s.prob_sampling, s.path_log_prob, s.context_norm, s.cos_context_prev};
        for (size_t j = 0; j < (t == 0 ? 3 : 4); j++)  // step 0 has no previous context (NaN)
            diff = std::max(diff, std::fabs(theirs[j] - mine[4 * t + j]));
    }
    std::printf("the record chose the same %zu tokens: %s; largest difference from stage 1: %.1e\n",
                walk.steps.size(), walk.generated() == gen ? "yes" : "NO", diff);
    const gw::WalkStep& last = walk.steps.back();
    std::printf("log P(path) = %.4f nats under the sampler: P = %.2e, one run in %.2e writes this text\n",
                last.path_log_prob, std::exp(last.path_log_prob), std::exp(-last.path_log_prob));
    std::printf("log P(path) = %.4f nats under the model's own softmax (temperature 1, nothing cut)\n",
                last.path_log_prob_model);
    double lo = 1e30, hi = 0;
    for (const gw::WalkStep& s : walk.steps) lo = std::min(lo, s.context_norm), hi = std::max(hi, s.context_norm);
    std::printf("|c_t| stays between %.2f and %.2f: ln_f normalises the length, the walk turns the direction\n", lo, hi);
    std::printf("wte checksum before %s, after %s\n", gw::text::hex64(walk.wte_checksum_before).c_str(),
                gw::text::hex64(walk.wte_checksum_after).c_str());
    step.pause("one step's logits, split");

    const gw::WalkStep& ws = walk.steps[size_t(o.at)];
    std::printf("\n== 3. step %lld (chose %s): logit = content e.(gamma*x^) + prior e.beta "
                "(our own split, not Singh's) ==\n", (long long)o.at, tok.token_display(ws.token).c_str());
    // x^ from the final residual of a traced run over the prompt and the first `at` tokens.
    std::vector<int> seq = prompt;
    seq.insert(seq.end(), gen.begin(), gen.begin() + o.at);
    gw::RunState traced = gw::make_run_state(cfg, int64_t(seq.size()));
    gw::Trace tr;
    gw::ForwardOptions tfo = fo;
    tfo.trace = &tr;
    gw::forward(logits.data(), *ck, traced, seq.data(), int64_t(seq.size()), tfo);
    const float* x = tr.at("h." + std::to_string(L - 1) + ".resid_post").data.data() + (int64_t(seq.size()) - 1) * C;
    double mean = 0, var = 0;
    for (int64_t i = 0; i < C; i++) mean += x[i] / double(C);
    for (int64_t i = 0; i < C; i++) var += (x[i] - mean) * (x[i] - mean) / double(C);
    std::vector<float> scaled(static_cast<size_t>(C));  // (C) gamma * x^: all that the context decides
    for (int64_t i = 0; i < C; i++)
        scaled[size_t(i)] = float(ck->w.ln_f_w[i] * (x[i] - mean) / std::sqrt(var + cfg.layer_norm_epsilon));
    std::printf("final residual: mean %.4f, std %.4f -> x^ has mean 0, std 1\n", mean, std::sqrt(var));
    std::printf("  token         content    prior      sum      logit\n");
    double vs_record = 0, vs_logit = 0;
    for (const gw::WalkCandidate& k : ws.top) {
        const float* e = ck->w.wte.f32() + int64_t(k.id) * C;
        const double content = gw::dot(e, scaled.data(), C), prior = gw::dot(e, ck->w.ln_f_b, C);
        vs_record = std::max({vs_record, std::fabs(content - k.content), std::fabs(prior - k.prior)});
        vs_logit = std::max(vs_logit, std::fabs(content + prior - double(k.logit)));
        std::printf("  %s %7.4f  %7.4f  %7.4f  %9.4f%s\n", name(k.id).c_str(), content, prior, content + prior,
                    double(k.logit), k.id == ws.token ? "   <- chosen" : "");
    }
    std::printf("largest |sum - logit| %.1e; the record's content and prior agree with these to %.1e\n", vs_logit,
                vs_record);
    std::printf("the prior is the same at every step; alone it would favour:");
    for (const gw::Neighbour& b : walk.prior_top) std::printf(" %s %.4f", tok.token_display(b.id).c_str(), b.dot);
    std::printf("\n");
    step.pause("nearest token vectors by dot product and by cosine");

    std::printf("\n== 4. step %lld: the token vectors nearest c_t (|c_t| = %.2f), by dot and by cosine "
                "(our comparison) ==\n", (long long)o.at, ws.context_norm);
    std::printf("  by dot product = the logits          by cosine = direction only\n");
    for (size_t i = 0; i < ws.near.by_dot.size(); i++) {
        const gw::Neighbour &d = ws.near.by_dot[i], &a = ws.near.by_cosine[i];
        std::printf("  %s dot %6.3f |e| %5.3f    %s cos %5.3f |e| %5.3f\n", name(d.id).c_str(), d.dot, d.norm,
                    name(a.id).c_str(), a.cosine, a.norm);
    }
    std::printf("%lld of %zu shared; dot = |c_t| |e| cos, so a long |e| can win on the dot product alone\n",
                (long long)ws.near.overlap, ws.near.by_dot.size());
    step.pause("six strategies, six walks");

    std::printf("\n== 5. compare_decoding(): six samplers, seed %llu, %lld tokens each ==\n",
                (unsigned long long)o.seed, (long long)o.n);
    std::printf("strategy         log P model  log P sampled  mean H  text\n");
    for (const gw::StrategyRun& r : gw::compare_decoding(*ck, prompt, o.seed, wo))
        std::printf("%-16s %11.4f  %13.4f  %6.3f  \"%s\"\n", r.name.c_str(), r.log_prob_model, r.log_prob_sampling,
                    r.mean_entropy, one_line(tok.decode(r.walk.generated())).c_str());
    step.pause("few-shot prompts: the weights stay, c_t moves");

    std::printf("\n== 6. run_fewshot(): k examples of a pattern, then \"seven,\" -- where does c_t go? ==\n");
    const gw::FewshotWalk fw = gw::run_fewshot(*ck, tok, gw::default_fewshot_task(), 6, isa);
    std::printf("the answer is %s; each k runs from a fresh cache\n", tok.token_display(fw.shots[0].answer).c_str());
    std::printf("  k  rank  p(answer)  cos(c_t,e_answer)  cos(c_t, c_t at k-1)\n");
    for (const gw::FewshotShot& s : fw.shots)
        std::printf("%3lld  %4lld  %9.6f  %17.4f  %20s\n", (long long)s.k, (long long)s.rank, s.prob, s.cos_answer,
                    fixed4(s.cos_prev).c_str());
    std::printf("every weight's checksum: %s before, %s after\n", gw::text::hex64(fw.checksum_before).c_str(),
                gw::text::hex64(fw.checksum_after).c_str());
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("13-decoding-walk", "generation as a walk of context vectors through the token vectors' space");
    Options o;
    demo.text("--prompt", &o.prompt, "STR", "the text to continue")
        .integer("-n", &o.n, 1, 200, "N", "steps of the walk")
        .real("--temperature", &o.temperature, 0, 100, "T", "the sampler's temperature (0: greedy)")
        .integer("--top-k", &o.top_k, 0, 1000000, "K", "keep the K most likely tokens (0: all)")
        .integer("--seed", &o.seed, 0, INT64_MAX, "S", "the sampler's seed")
        .integer("--at", &o.at, 0, 199, "STEP", "the step stages 3 and 4 take apart")
        .kernels(&o.kernels);
    return demo.run(argc, argv, [&](gw::Stepper& step) {
        o.dir = demo.model;
        run(o, step);
    });
}
