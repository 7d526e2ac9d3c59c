// demo.cpp — lesson 14: the encoding walk, position kernels and self-bias.
//
// Stages: one position's walk through the half-layer points, read through the logit lens;
// the lens reads a direction (scaling h changes little); the layer-norm ball; where
// attention at that position reads from (weights and value-weighted contributions);
// the perturbation that separates filtering (position-wise) from aggregation (attention);
// and attention kernels from position vectors alone, with their self-bias, against
// parameter-free attention. Every number comes from the records of encoding_walk.h and
// position_kernels.h; this file only chooses what to print.
//
// usage: build/lessons/14-encoding-walk [--model DIR] [--prompt STR] [--position P] [--perturb J]
//                                       [--text STR] [--span N] [--kernels ref|avx2|avx512|auto] [--step]
// --kernels: the vector kernels (default ref, the scalar ones, on every CPU; OpenBLAS's
// products still differ from CPU to CPU in their last bits, which the lesson's tol= allows).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"               // gw::Error, gw::UsageError
#include "core/stepper.h"             // --step
#include "core/vecmath.h"             // softmax_probs, kl_divergence, top_k_indices
#include "lesson.h"                   // lesson::Demo: flags, --step, errors
#include "model/tokenizer.h"          // Tokenizer
#include "report/text.h"              // quoted_token, cell, zero_or
#include "walks/encoding_walk.h"      // encoding_walk, logit_lens, traced_forward, nearest_token, perturbation
#include "walks/position_kernels.h"   // position_kernels, measure_on_text

namespace {

using gw::text::cell;

struct Options {
    std::string dir = "weights/tiny-gpt2";
    std::string prompt = "It is a truth universally acknowledged";
    std::string text = "It is a truth universally acknowledged, that a single man in possession of a good "
                       "fortune, must be in want of a wife.";  // stage 6 measures self-bias on it
    std::string kernels = "ref";  // the scalar kernels on every CPU (OpenBLAS's last bits vary)
    int64_t position = -1;        // -1: the last position
    int64_t perturb = -1;         // -1: position / 2
    int64_t span = 32;            // stage 6: positions 0..span-1
};

// Row t of a traced (T, width) point.
const float* row(const gw::Trace& tr, const std::string& name, int64_t t) {
    const gw::TracePoint& p = tr.at(name);
    return p.data.data() + t * p.shape.dim[p.shape.ndim - 1];
}

void run(const Options& o, gw::Stepper& step) {
    // A flag's value can be wrong only for this prompt or model: a gw::UsageError, which
    // lesson.h reports like any other usage mistake (one line, exit 2).
    const gw::Isa isa = gw::parse_isa(o.kernels);
    auto ck = gw::load_checkpoint(o.dir);
    const gw::Tokenizer tok(o.dir);
    const gw::Config& cfg = ck->config;
    const int64_t C = cfg.n_embd, V = cfg.vocab_size, L = cfg.n_layer;
    const std::vector<int> ids = tok.encode(o.prompt);
    const int64_t T = int64_t(ids.size());
    if (T < 1) gw::fail("the prompt is empty: give at least one token");
    if (T > cfg.n_positions) gw::fail("the prompt has ", T, " tokens; the context holds ", cfg.n_positions);
    const int64_t t = o.position < 0 ? T - 1 : o.position;
    if (t >= T) throw gw::UsageError(gw::cat("--position ", t, " is outside the prompt (0..", T - 1, ")"));
    if (o.span > cfg.n_positions)
        throw gw::UsageError(gw::cat("--span ", o.span, " is longer than the context (", cfg.n_positions, ")"));
    const int64_t changed = o.perturb < 0 ? t / 2 : o.perturb;  // stage 5 replaces this token
    if (changed >= T) throw gw::UsageError(gw::cat("--perturb ", changed, " is outside the prompt (0..", T - 1, ")"));
    const std::vector<int> text = tok.encode(o.text);     // stage 6 measures self-bias on it
    if (text.size() < 2 || int64_t(text.size()) > cfg.n_positions)
        throw gw::UsageError(gw::cat("--text must have 2..", cfg.n_positions, " tokens, it has ", text.size()));
    auto q = [&](int id) { return gw::text::quoted_token(&tok, id); };

    // ---- 1. the walk: one record, computed from one traced forward
    const gw::EncodingWalk w = gw::encoding_walk(*ck, ids, t, isa);
    const gw::PositionRecord& r = w.at;
    std::printf("== 1. the encoding walk of position %lld (%s): %zu half-layer points ==\n", (long long)t,
                q(ids[size_t(t)]).c_str(), r.points.size());
    std::printf("the model predicts %s with p = %.4f; rank and p are that token's under the lens at h\n",
                q(r.predicted).c_str(), r.points.back().final_prob);
    std::printf("%s\n", (cell("point", 16) + cell("|h|", 8) + cell("step |Δ|", 12) + cell("cos(h,h_L)", 11) +
                         cell("rank", 7) + cell("p", 8) + cell("KL", 8) + "lens top-1").c_str());
    for (const gw::WalkPoint& p : r.points) {
        char step_txt[32] = "-";
        if (p.depth > 0)  // half-integer depth: an attention step; integer: an MLP step
            std::snprintf(step_txt, sizeof step_txt, "%s %.2f", std::fmod(p.depth, 1.0) ? "attn" : "mlp",
                          p.update_norm);
        std::printf("%-16s%-8.2f%-12s%-+11.3f%-7lld%-8.4f%-8.3f%s %.2f\n", p.name.c_str(), p.norm, step_txt,
                    p.cos_final, (long long)p.final_rank, p.final_prob, p.kl_to_final, q(p.lens_top[0]).c_str(),
                    p.lens_top_prob[0]);
    }
    step.pause("the lens reads a direction");

    // ---- 2. the lens at h_L is the model's own head; the lens ignores |h| (almost)
    const gw::Trace tr = gw::traced_forward(*ck, ids, isa);
    std::vector<float> lens(static_cast<size_t>(V)), scaled_lens(static_cast<size_t>(V));
    const std::string last = gw::half_layer_point(2 * L);
    gw::logit_lens(lens.data(), *ck, row(tr, last, t), 1);
    double diff = 0;
    for (int64_t v = 0; v < V; v++)
        diff = std::max(diff, std::fabs(double(lens[size_t(v)]) - row(tr, "logits", t)[v]));
    std::printf("\n== 2. the logit lens: wte · ln_f(h), ln_f's mean and std computed for each h ==\n");
    std::printf("lens at %s vs the model's logits: max |diff| %.1e (the lens at h_L is the real head)\n",
                last.c_str(), diff);
    std::printf("scale h by s, read it again: KL(lens(h) || lens(s·h)) in nats\n");
    std::printf("%-16s%-8s%-10s%-10s%-10s%s\n", "point", "|h|", "s = 0.01", "s = 0.1", "s = 10", "s = 100");
    for (const std::string& name : {std::string("embed"), std::string("h.0.resid_post"), last}) {
        gw::logit_lens(lens.data(), *ck, row(tr, name, t), 1);
        const std::vector<double> p_h = gw::softmax_probs(lens.data(), V);
        std::printf("%-16s%-8.2f", name.c_str(), gw::norm(row(tr, name, t), C));
        for (float s : {0.01f, 0.1f, 10.0f, 100.0f}) {
            std::vector<float> h(row(tr, name, t), row(tr, name, t) + C);
            for (float& x : h) x *= s;
            gw::logit_lens(scaled_lens.data(), *ck, h.data(), 1);
            const double kl = gw::kl_divergence(p_h, gw::softmax_probs(scaled_lens.data(), V));
            std::printf(s < 100 ? "%-10.1e" : "%.1e\n", kl);
        }
    }
    step.pause("the layer-norm ball");

    // ---- 3. every layer norm puts its input on a ball of radius sqrt(C) (a little less: ε)
    const double eps = cfg.layer_norm_epsilon;
    std::printf("\n== 3. the layer-norm ball: xhat = (x - mean) / sqrt(var + ε), |xhat| = sqrt(C·var / (var + ε)) ==\n");
    std::printf("sqrt(C) = %.4f, ε = %g\n", std::sqrt(double(C)), eps);
    std::printf("%-11s%-10s%-10s%-10s%-14s%s\n", "norm", "|x|", "std(x)", "|xhat|", "predicted", "|γ⊙xhat+β|");
    for (const gw::LayerNormBall& b : r.balls) {
        if (b.name.find("ln_2") != std::string::npos) continue;  // ln_1 of every layer and ln_f are enough
        const double var = b.input_std * b.input_std - eps;     // input_std = sqrt(var + ε)
        std::printf("%-11s%-10.3f%-10.4f%-10.4f%-14.4f%.3f\n", b.name.c_str(), b.input_norm, b.input_std,
                    b.xhat_norm, std::sqrt(double(C) * var / (var + eps)), b.out_norm);
    }
    step.pause("aggregation: where attention reads from");

    // ---- 4. aggregation: the attention rows of position t, and what each source writes
    std::printf("\n== 4. aggregation at position %lld: attention rows and value-weighted contributions ==\n",
                (long long)t);
    std::printf("sources j:");
    for (int64_t j = 0; j <= t; j++) std::printf(" %lld %s", (long long)j, q(ids[size_t(j)]).c_str());
    std::printf("\nlayer 0, every head: its row a_tj and the row's entropy H (ln %lld = %.2f: uniform)\n",
                (long long)(t + 1), std::log(double(t + 1)));
    std::printf("%-8s", "j =");
    for (int64_t j = 0; j <= t; j++) std::printf("%-7lld", (long long)j);
    std::printf("H\n");
    for (size_t h = 0; h < r.layers[0].heads.size(); h++) {
        std::printf("head %-3zu", h);
        for (float a : r.layers[0].heads[h].weights) std::printf("%-7.3f", a);
        std::printf("%.2f\n", r.layers[0].heads[h].entropy);
    }
    std::printf("every layer: mean over heads of a_tj | sum over heads of |a_tj v_jh W_proj[h]| (what j writes)\n");
    for (size_t l = 0; l < r.layers.size(); l++) {
        const gw::LayerAttention& la = r.layers[l];
        std::string weights, written;
        for (int64_t j = 0; j <= t; j++) {
            double a = 0, wr = 0;
            for (const gw::HeadRow& hr : la.heads) a += hr.weights[size_t(j)], wr += hr.written_norm[size_t(j)];
            char cell[32];
            std::snprintf(cell, sizeof cell, "%-6.2f", a / double(la.heads.size()));
            weights += cell;
            std::snprintf(cell, sizeof cell, "%-6.2f", wr);
            written += cell;
        }
        std::printf("layer %zu  %s| %s| recomposed: err %.0e\n", l, weights.c_str(), written.c_str(),
                    la.recompose_err);
    }
    step.pause("filtering vs aggregation");

    // ---- 5. perturbation: change one earlier token, watch position t stage by stage
    const int new_id = gw::nearest_token(*ck, ids[size_t(changed)]);
    const gw::PerturbationRecord p = gw::perturbation(*ck, ids, changed, new_id, t, isa);
    std::printf("\n== 5. filtering vs aggregation: position %lld %s -> %s (nearest token vector), watch position %lld ==\n",
                (long long)changed, q(p.old_id).c_str(), q(p.new_id).c_str(), (long long)t);
    if (changed > 0)
        std::printf("positions 0..%lld bit-identical in both runs: %s\n", (long long)changed - 1,
                    p.earlier_identical ? "yes" : "NO");
    const std::vector<std::string> shown = {"resid_pre", "ln_1", "attn_row", "attn_out", "mlp_out", "resid_post"};
    std::printf("%-7s", "layer");
    for (const std::string& s : shown) std::printf(s == shown.back() ? "%s\n" : "%-12s", s.c_str());
    std::string first;  // the first stage, in data-flow order, that changed at t
    for (int64_t l = 0; l < L; l++) {
        std::printf("%-7lld", (long long)l);
        for (size_t s = 0; s < p.stages.size(); s++) {
            const double c = p.change[size_t(l) * p.stages.size() + s];
            if (c != 0 && first.empty()) first = "h." + std::to_string(l) + "." + p.stages[s];
            if (std::find(shown.begin(), shown.end(), p.stages[s]) != shown.end())
                std::printf(p.stages[s] == shown.back() ? "%s\n" : "%-12s", gw::text::zero_or("%.1e", c).c_str());
        }
    }
    std::printf("first change at position %lld: %s\n", (long long)t, first.empty() ? "none" : first.c_str());
    std::printf("filter check, max err: ln_1 %.1e, mlp %.1e (recomputed from position %lld's own vector)\n",
                *std::max_element(p.ln_1_filter_err.begin(), p.ln_1_filter_err.end()),
                *std::max_element(p.mlp_filter_err.begin(), p.mlp_filter_err.end()), (long long)t);
    std::vector<int> ids2 = ids;
    ids2[size_t(changed)] = new_id;
    const float* logits2 = row(gw::traced_forward(*ck, ids2, isa), "logits", t);
    const int pred2 = gw::top_k_indices(logits2, V, 1)[0];
    std::printf("prediction at %lld: %s (p %.4f) -> %s (p %.4f)\n", (long long)t, q(r.predicted).c_str(),
                r.points.back().final_prob, q(pred2).c_str(), gw::softmax_probs(logits2, V)[size_t(pred2)]);
    step.pause("position kernels and self-bias");

    // ---- 6. position kernels: attention from position vectors alone (our own formalisation)
    const gw::Trace text_tr = gw::traced_forward(*ck, text, isa);
    std::printf("\n== 6. self-bias b(i) = a(i,i) - 1/(i+1), mean over i >= 1 (0 = uniform rows) ==\n");
    std::printf("kernel: x_i = wpe[i] + mean(wte), i < %lld, through layer l's ln_1, q, k; text: the traced "
                "pattern of %zu tokens\n", (long long)o.span, text.size());
    std::vector<gw::PositionKernels> kernels;  // (L) every head of every layer
    for (int64_t l = 0; l < L; l++) {
        kernels.push_back(gw::position_kernels(*ck, l, o.span));
        gw::measure_on_text(kernels.back(), *ck, text_tr);
    }
    for (bool on_text : {false, true}) {
        std::printf("%s\n%-7s", on_text ? "on the text (traced patterns):" : "positions alone (the kernels):", "layer");
        for (int64_t h = 0; h < cfg.n_head; h++) std::printf("head %-4lld", (long long)h);
        std::printf("free attention\n");
        int negative = 0;
        for (const gw::PositionKernels& pk : kernels) {
            std::printf("%-7lld", (long long)pk.layer);
            for (const gw::HeadKernel& hk : pk.heads) {
                const double b = on_text ? hk.text_mean_self_bias : hk.mean_self_bias;
                std::printf("%+-9.3f", b);
                negative += b < 0;
            }
            std::printf("%+.3f\n", on_text ? pk.free_text_mean_self_bias : pk.free_mean_self_bias);
        }
        std::printf("heads with b < 0: %d of %lld\n", negative, (long long)(L * cfg.n_head));
    }
    std::printf("parameter-free attention never goes below 0: its diagonal is each row's largest score\n");
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("14-encoding-walk", "how one position's vector becomes the context vector, layer by layer");
    Options o;
    demo.text("--prompt", &o.prompt, "STR", "the text whose walk stages 1-5 follow")
        .integer("--position", &o.position, -1, 1 << 20, "P", "the position followed (-1: the last)")
        .integer("--perturb", &o.perturb, -1, 1 << 20, "J", "the position stage 5 changes (-1: half the followed one)")
        .text("--text", &o.text, "STR", "the text stage 6 measures self-bias on")
        .integer("--span", &o.span, 1, 1 << 20, "N", "positions of the kernels in stage 6")
        .text("--kernels", &o.kernels, "ref|avx2|avx512|auto", "vector kernels: ref (the scalar twins, the lesson's digits on every CPU), avx2, avx512 or auto");
    return demo.run(argc, argv, [&](gw::Stepper& step) {
        o.dir = demo.model;
        run(o, step);
    });
}
