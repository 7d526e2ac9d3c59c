// demo.cpp — lesson 11: the whole forward pass, and the tied LM head.
//
// Stages: every named point of one forward call with its shape; the context vector
// (ln_f of the last position); a logit computed by hand as dot(context, wte row) and
// compared with the model's; the top tokens with the geometry behind their logits
// (|c| |e_v| cos); the prompt scored by the model itself (loss and perplexity); and the
// generation loop written out: forward one token, take the arg max, repeat.
//
// usage: build/lessons/11-forward [--model DIR] [--prompt STR] [-n N]
//                                 [--kernels ref|avx2|avx512|auto] [--step]
// --kernels: the vector kernels (default ref, the scalar ones, on every CPU; OpenBLAS's
// products still differ from CPU to CPU in their last bits, which the lesson's tol= allows).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"       // gw::fail
#include "core/stepper.h"     // --step
#include "core/vecmath.h"     // dot, norm, cosine, softmax_probs, top_k_indices, rank_of
#include "lesson.h"           // lesson::Demo: flags, --step, errors
#include "model/forward.h"    // forward, Trace, last_context
#include "model/sampler.h"    // argmax
#include "model/tokenizer.h"  // Tokenizer
#include "report/text.h"      // pad: columns of tokens

namespace {

struct Options {
    std::string prompt = "In the beginning God created the";
    int64_t n = 8;
    std::string kernels = "ref";  // the scalar kernels on every CPU (OpenBLAS's last bits vary)
};

void run(const std::string& dir, const Options& o, gw::Stepper& step) {
    auto ck = gw::load_checkpoint(dir, {gw::WType::F32});
    const gw::Tokenizer tok(dir);
    const gw::Config& cfg = ck->config;
    const int64_t C = cfg.n_embd, V = cfg.vocab_size, L = cfg.n_layer;
    std::vector<int> ids = tok.encode(o.prompt);
    const int64_t T = int64_t(ids.size()), last = T - 1;
    if (T < 1) gw::fail("the prompt is empty: give at least one token");
    if (T + o.n > cfg.n_positions) gw::fail("the prompt and -n must fit in ", cfg.n_positions, " positions");
    gw::RunState state = gw::make_run_state(cfg, T);
    gw::Trace tr;
    gw::ForwardOptions fo;
    fo.isa = gw::parse_isa(o.kernels);
    fo.trace = &tr;
    fo.all_logits = true;
    std::vector<float> all(static_cast<size_t>(T * V));
    gw::forward(all.data(), *ck, state, ids.data(), T, fo);
    const float* logits = all.data() + last * V;

    std::printf("== 1. one forward call on %lld tokens: every traced point ==\n", (long long)T);
    std::printf("prompt:");
    for (int id : ids) std::printf(" [%s]", tok.token_display(id).c_str());
    std::printf("\n");
    int per_block = 0;
    for (const gw::TracePoint& p : tr.points) per_block += p.name.rfind("h.0.", 0) == 0;
    for (const gw::TracePoint& p : tr.points) {
        const bool block = p.name.rfind("h.", 0) == 0;
        if (block && p.name.rfind("h.0.", 0) != 0) continue;  // the other blocks look the same
        std::printf("  %-18s %s\n", p.name.c_str(), p.shape.str().c_str());
        if (p.name == "h.0.resid_post")
            std::printf("  %-18s the same %d points for each of h.1 .. h.%lld\n", "...", per_block,
                        (long long)L - 1);
    }
    std::printf("%zu points in all\n", tr.points.size());
    step.pause("the context vector");

    std::printf("\n== 2. the context vector: c = ln_f(x) at the last position (%s) ==\n",
                tok.token_display(ids[size_t(last)]).c_str());
    const float* x = tr.at("h." + std::to_string(L - 1) + ".resid_post").data.data() + last * C;
    const float* c = tr.at("ln_f").data.data() + last * C;
    std::printf("|x| = %.2f before ln_f, |c| = %.2f after; c[0..5] =", gw::norm(x, C), gw::norm(c, C));
    for (int i = 0; i < 6; i++) std::printf(" %.3f", c[i]);
    std::printf("\n");
    step.pause("a logit by hand");

    std::printf("\n== 3. the tied head: logit[v] = dot(c, wte[v]), the same table that embedded the input ==\n");
    const int top = gw::argmax(logits, V);
    const int the = tok.token_id(" the");
    for (int v : {top, the, 0}) {
        if (v < 0) continue;
        const double by_hand = gw::dot(c, ck->w.wte.f32() + int64_t(v) * C, C);
        std::printf("  %s id %5d: by hand %9.4f   the model's logit %9.4f\n",
                    gw::text::pad("[" + tok.token_display(v) + "]", 12).c_str(), v, by_hand, logits[v]);
    }
    double worst = 0;
    for (int64_t v = 0; v < V; v++)
        worst = std::fmax(worst, std::fabs(gw::dot(c, ck->w.wte.f32() + v * C, C) - logits[v]));
    std::printf("all %lld logits by hand: max |diff| %.1e   (no bias: the head is wte alone)\n",
                (long long)V, worst);
    step.pause("the top tokens and why they win");

    std::printf("\n== 4. the top 10 next tokens: logit = |c| |e_v| cos(c, e_v), |c| = %.2f ==\n",
                gw::norm(c, C));
    const std::vector<double> p = gw::softmax_probs(logits, V);
    std::printf("%4s %-16s %8s %8s %7s %7s\n", "rank", "token", "logit", "prob", "|e_v|", "cos");
    int r = 1;
    for (int v : gw::top_k_indices(logits, V, 10)) {
        const float* e = ck->w.wte.f32() + int64_t(v) * C;
        std::printf("%4d %s %8.3f %8.4f %7.2f %7.3f\n", r++, gw::text::pad("[" + tok.token_display(v) + "]", 16).c_str(),
                    logits[v], p[size_t(v)], gw::norm(e, C), gw::cosine(c, e, C));
    }
    std::vector<float> cos(static_cast<size_t>(V));
    for (int64_t v = 0; v < V; v++) cos[size_t(v)] = float(gw::cosine(c, ck->w.wte.f32() + v * C, C));
    const int best_cos = gw::argmax(cos.data(), V);
    std::printf("the token most aligned with c (largest cos): [%s], cos %.3f, logit rank %lld\n",
                tok.token_display(best_cos).c_str(), cos[size_t(best_cos)],
                (long long)gw::rank_of(logits, V, best_cos));
    step.pause("the prompt, scored by the model");

    std::printf("\n== 5. every position predicts the next: the prompt's own loss ==\n");
    double loss = 0;
    for (int64_t t = 0; t + 1 < T; t++) {
        const float* lt = all.data() + t * V;
        const int next = ids[size_t(t + 1)];
        const double pn = gw::softmax_probs(lt, V)[size_t(next)];
        loss -= std::log(pn);
        std::printf("  after %s next %s p %.4f  rank %5lld\n",
                    gw::text::pad("[" + tok.token_display(ids[size_t(t)]) + "]", 12).c_str(),
                    gw::text::pad("[" + tok.token_display(next) + "]", 12).c_str(), pn,
                    (long long)gw::rank_of(lt, V, next));
    }
    loss /= double(T - 1);
    std::printf("mean -ln p = %.3f nats (perplexity %.1f); a uniform guess: ln %lld = %.3f\n", loss,
                std::exp(loss), (long long)V, std::log(double(V)));
    step.pause("the generation loop, by hand");

    std::printf("\n== 6. the loop: take the arg max, run that one token, repeat (greedy) ==\n");
    std::vector<float> next_logits(logits, logits + V);
    gw::ForwardOptions one;
    one.isa = fo.isa;
    std::string text = o.prompt;
    for (int64_t s = 0; s < o.n; s++) {
        const int id = gw::argmax(next_logits.data(), V);
        const double pid = gw::softmax_probs(next_logits.data(), V)[size_t(id)];
        text += tok.token_bytes(id);
        std::printf("  step %lld: position %3lld -> %s p %.3f\n", (long long)s, (long long)state.n_past,
                    gw::text::pad("[" + tok.token_display(id) + "]", 12).c_str(), pid);
        gw::forward(next_logits.data(), *ck, state, &id, 1, one);  // reuses the KV cache
    }
    std::printf("text: %s\n", text.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("11-forward", "the whole forward pass, the context vector and the tied LM head");
    Options o;
    demo.text("--prompt", &o.prompt, "STR", "the text to run")
        .integer("-n", &o.n, 0, 1 << 20, "N", "greedy steps in stage 6")
        .kernels(&o.kernels);
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, o, step); });
}
