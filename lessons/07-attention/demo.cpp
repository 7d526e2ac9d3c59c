// demo.cpp — lesson 07: causal multi-head self-attention, one stage at a time.
//
// Stages, for one layer of the shipped model on a short prompt: q, k and v cut out
// of c_attn's output; the scores of one head (q · k / sqrt(HS)) and the causal mask;
// softmax turning scores into an attention pattern; the whole pattern of that head;
// what every head looks at from the last position; and aggregation, the weighted sum
// of value vectors, checked against the model's own trace and the library's attention().
//
// usage: build/lessons/07-attention [--model DIR] [--prompt STR] [--layer L] [--head H]
//                                   [--kernels ref|avx2|avx512|auto] [--png FILE] [--step]
// --kernels: the vector kernels (default ref, the scalar ones, on every CPU; OpenBLAS's
// products still differ from CPU to CPU in their last bits, which the lesson's tol= allows).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"         // gw::fail
#include "core/stepper.h"       // --step
#include "core/vecmath.h"       // dot, top_k_indices, max_abs_diff
#include "kernels/attention.h"  // attention(): the library's own computation
#include "kernels/linear.h"     // linear(): c_attn and c_proj
#include "kernels/softmax.h"    // softmax(): the kernel the model uses
#include "lesson.h"             // lesson::Demo: flags, --step, errors
#include "model/forward.h"      // forward, Trace
#include "model/tokenizer.h"    // Tokenizer
#include "report/picture.h"     // Heatmap, compose_grid, write_png (--png)
#include "report/text.h"        // fit (columns), token_ascii (picture labels)

namespace {

struct Options {
    std::string prompt = "Elizabeth looked at Mr. Darcy, and he smiled at her";
    int64_t layer = 5, head = 3;
    std::string kernels = "ref";  // the scalar kernels on every CPU (OpenBLAS's last bits vary)
    std::string png;
};

void run(const std::string& dir, const Options& o, gw::Stepper& step) {
    auto ck = gw::load_checkpoint(dir, {gw::WType::F32});
    const gw::Tokenizer tok(dir);
    const gw::Config& cfg = ck->config;
    const int64_t C = cfg.n_embd, NH = cfg.n_head, HS = cfg.head_size();
    if (o.layer < 0 || o.layer >= cfg.n_layer) gw::fail("--layer must be in [0, ", cfg.n_layer, ")");
    if (o.head < 0 || o.head >= NH) gw::fail("--head must be in [0, ", NH, ")");
    const std::vector<int> ids = tok.encode(o.prompt);
    const int64_t T = int64_t(ids.size());
    if (T < 2) gw::fail("the prompt needs at least 2 tokens to show attention");
    const std::string L = "h." + std::to_string(o.layer) + ".";
    const int64_t h = o.head, last = T - 1;
    std::vector<std::string> shown(ids.size());
    for (size_t i = 0; i < ids.size(); i++) shown[i] = tok.token_display(ids[i]);

    std::printf("== 1. one forward pass with a trace; layer %lld's attention reads ln_1 ==\n",
                (long long)o.layer);
    gw::RunState state = gw::make_run_state(cfg, T);
    gw::Trace trace;
    gw::ForwardOptions fo;
    fo.isa = gw::parse_isa(o.kernels);
    fo.trace = &trace;
    std::vector<float> logits(size_t(cfg.vocab_size));
    gw::forward(logits.data(), *ck, state, ids.data(), T, fo);
    std::printf("%lld tokens:", (long long)T);
    for (int64_t t = 0; t < T; t++) std::printf(" %lld:%s", (long long)t, shown[size_t(t)].c_str());
    const std::vector<float>& xn = trace.at(L + "ln_1").data;
    const std::vector<float>& q = trace.at(L + "q").data;
    const std::vector<float>& k = trace.at(L + "k").data;
    const std::vector<float>& v = trace.at(L + "v").data;
    const gw::LayerWeights& lw = ck->w.h[size_t(o.layer)];
    std::vector<float> qkv(size_t(T * 3 * C));
    gw::linear(qkv.data(), xn.data(), lw.c_attn_w.f32(), lw.c_attn_b, T, C, 3 * C);
    double dq = 0, dk = 0, dv = 0;
    for (int64_t t = 0; t < T; t++) {
        dq = std::fmax(dq, gw::max_abs_diff(&qkv[size_t(t * 3 * C)], &q[size_t(t * C)], C));
        dk = std::fmax(dk, gw::max_abs_diff(&qkv[size_t(t * 3 * C + C)], &k[size_t(t * C)], C));
        dv = std::fmax(dv, gw::max_abs_diff(&qkv[size_t(t * 3 * C + 2 * C)], &v[size_t(t * C)], C));
    }
    std::printf("\nc_attn: ln_1 (%lld, %lld) . W (%lld, %lld) + b = qkv (%lld, %lld) = [ q | k | v ]\n",
                (long long)T, (long long)C, (long long)C, (long long)(3 * C), (long long)T,
                (long long)(3 * C));
    std::printf("recomputed with linear(), against the trace's q, k, v: max |diff| %.1e %.1e %.1e\n",
                dq, dk, dv);
    std::printf("%lld heads of size HS = %lld: head %lld uses columns [%lld, %lld) of q, k and v\n",
                (long long)NH, (long long)HS, (long long)h, (long long)(h * HS),
                (long long)((h + 1) * HS));
    const float* q_last = &q[size_t(last * C + h * HS)];
    std::printf("q of head %lld at position %lld (%s), first 6 of %lld:", (long long)h,
                (long long)last, shown[size_t(last)].c_str(), (long long)HS);
    for (int i = 0; i < 6; i++) std::printf(" %.3f", q_last[i]);
    std::printf("\n");
    step.pause("scores and the causal mask");

    std::printf("\n== 2. scores s_j = q_%lld . k_j / sqrt(%lld), head %lld ==\n", (long long)last,
                (long long)HS, (long long)h);
    const double scale = 1.0 / std::sqrt(double(HS));
    std::vector<float> s(static_cast<size_t>(T));
    for (int64_t j = 0; j < T; j++) s[size_t(j)] = float(gw::dot(q_last, &k[size_t(j * C + h * HS)], HS) * scale);
    std::printf("from the last position every key is visible (j <= %lld):\n", (long long)last);
    for (int64_t j = 0; j < T; j++)
        std::printf("  j=%2lld %s s = %7.3f\n", (long long)j, gw::text::fit(shown[size_t(j)], 10).c_str(), s[size_t(j)]);
    const int64_t row = std::min<int64_t>(2, last);  // an early row, where the mask shows
    std::printf("row %lld (%s) may only look at j <= %lld; later keys are masked with -INFINITY:\n ",
                (long long)row, shown[size_t(row)].c_str(), (long long)row);
    std::vector<float> s_row(static_cast<size_t>(T));
    for (int64_t j = 0; j < T; j++) {
        s_row[size_t(j)] = j <= row ? float(gw::dot(&q[size_t(row * C + h * HS)], &k[size_t(j * C + h * HS)], HS) * scale)
                                    : -INFINITY;
        std::printf(" %.3f", s_row[size_t(j)]);
    }
    std::printf("\n");
    step.pause("softmax: scores become the attention pattern");

    std::printf("\n== 3. softmax: the pattern a = softmax(s); masked keys get exactly 0 ==\n");
    const gw::TracePoint& pat = trace.at(L + "attn_pattern");  // (NH, T, T)
    auto pattern_row = [&](int64_t hh, int64_t i) { return &pat.data[size_t((hh * T + i) * T)]; };
    std::vector<float> a(static_cast<size_t>(T)), a_row(static_cast<size_t>(T));
    gw::softmax(fo.isa, a.data(), s.data(), T);
    gw::softmax(fo.isa, a_row.data(), s_row.data(), T);
    double sum = 0;
    for (float x : a) sum += x;
    std::printf("last row :");
    for (float x : a) std::printf(" %.3f", x);
    std::printf("   sum %.4f\nrow %lld    :", sum, (long long)row);
    for (float x : a_row) std::printf(" %.3f", x);
    std::printf("\nagainst the trace's %sattn_pattern: max |diff| %.1e (last row), %.1e (row %lld)\n",
                L.c_str(), gw::max_abs_diff(a.data(), pattern_row(h, last), T),
                gw::max_abs_diff(a_row.data(), pattern_row(h, row), T), (long long)row);
    step.pause("the whole pattern of this head");

    std::printf("\n== 4. head %lld's whole pattern: row = the query's position, column = the key's ==\n",
                (long long)h);
    std::printf("%s", gw::text::fit("", 12).c_str());
    for (int64_t j = 0; j < T; j++) std::printf(" %5lld", (long long)j);
    std::printf("\n");
    for (int64_t i = 0; i < T; i++) {
        std::printf("%2lld %s", (long long)i, gw::text::fit(shown[size_t(i)], 9).c_str());
        for (int64_t j = 0; j < T; j++) {
            if (j > i) std::printf("     .");
            else std::printf(" %5.2f", pattern_row(h, i)[j]);
        }
        std::printf("\n");
    }
    step.pause("all heads, from the last position");

    std::printf("\n== 5. the %lld heads of layer %lld, from position %lld (%s): top 3 keys ==\n",
                (long long)NH, (long long)o.layer, (long long)last, shown[size_t(last)].c_str());
    for (int64_t hh = 0; hh < NH; hh++) {
        const float* r = pattern_row(hh, last);
        std::printf("head %lld:", (long long)hh);
        for (int j : gw::top_k_indices(r, T, 3)) std::printf("  %s %.2f", gw::text::fit(shown[size_t(j)], 9).c_str(), r[j]);
        double ent = 0;
        for (int64_t j = 0; j < T; j++) ent -= r[j] > 0 ? double(r[j]) * std::log(double(r[j])) : 0.0;
        std::printf("  entropy %.2f of at most %.2f nats\n", ent, std::log(double(T)));
    }
    step.pause("aggregation: a weighted sum of value vectors");

    std::printf("\n== 6. aggregation: out = sum_j a_j v_j (head %lld, last position) ==\n", (long long)h);
    const std::vector<float>& heads = trace.at(L + "attn_heads").data;  // (T, C)
    std::vector<double> out(size_t(HS), 0.0);
    for (int64_t j = 0; j < T; j++)
        for (int64_t d = 0; d < HS; d++) out[size_t(d)] += double(a[size_t(j)]) * v[size_t(j * C + h * HS + d)];
    std::vector<float> out_f(out.begin(), out.end());
    std::printf("by hand, first 6 of %lld:", (long long)HS);
    for (int d = 0; d < 6; d++) std::printf(" %.3f", out_f[size_t(d)]);
    std::printf("\nthe trace's attn_heads    :");
    for (int d = 0; d < 6; d++) std::printf(" %.3f", heads[size_t(last * C + h * HS + d)]);
    std::printf("\nmax |diff| over the %lld numbers: %.1e\n", (long long)HS,
                gw::max_abs_diff(out_f.data(), &heads[size_t(last * C + h * HS)], HS));
    // The library's attention() on the same q, k, v, into an empty cache of T rows.
    std::vector<float> kc(size_t(T * C)), vc(size_t(T * C)), lib(size_t(T * C)),
        lib_pat(size_t(NH * T * T)), scratch(size_t(T * T));
    gw::attention(fo.isa, lib.data(), lib_pat.data(), qkv.data(), kc.data(), vc.data(), 0, T, C, NH,
                  scratch.data());
    std::printf("attention() on qkv, all %lld heads and positions: max |diff| %.1e (out), %.1e (pattern)\n",
                (long long)NH, gw::max_abs_diff(lib.data(), heads.data(), T * C),
                gw::max_abs_diff(lib_pat.data(), pat.data.data(), NH * T * T));
    std::vector<float> proj(size_t(T * C));
    gw::linear(proj.data(), heads.data(), lw.attn_proj_w.f32(), lw.attn_proj_b, T, C, C);
    std::printf("heads side by side (%lld, %lld) . c_proj (%lld, %lld) + b = attn_out: max |diff| %.1e\n",
                (long long)T, (long long)C, (long long)C, (long long)C,
                gw::max_abs_diff(proj.data(), trace.at(L + "attn_out").data.data(), T * C));

    if (!o.png.empty()) {
        std::vector<gw::Image> panels;
        std::vector<std::string> labels;
        for (int id : ids) labels.push_back(gw::text::token_ascii(&tok, id, '?'));
        for (int64_t hh = 0; hh < NH; hh++) {
            gw::Heatmap hm;
            hm.title = "head " + std::to_string(hh);
            hm.x_label = "key position j";
            hm.y_label = "query position i";
            hm.rows = T, hm.cols = T;
            hm.row_labels = labels, hm.col_labels = labels;
            hm.vmin = 0, hm.vmax = 1;
            hm.colorbar_label = "a_ij";
            for (int64_t i = 0; i < T; i++)
                for (int64_t j = 0; j < T; j++) hm.values.push_back(j > i ? NAN : pattern_row(hh, i)[j]);
            panels.push_back(gw::render_heatmap(hm, 420, 400));
        }
        gw::write_png(o.png, gw::compose_grid(panels, 3, "attention patterns, layer " +
                                                             std::to_string(o.layer) + " (grey: masked)"));
        std::printf("\nwrote %s\n", o.png.c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("07-attention", "one layer's attention taken apart: q, k, v, scores, mask, softmax, heads");
    Options o;
    demo.text("--prompt", &o.prompt, "STR", "the text to run")
        .integer("--layer", &o.layer, 0, 99, "L", "the layer taken apart")
        .integer("--head", &o.head, 0, 99, "H", "the head followed in stages 1-4 and 6")
        .kernels(&o.kernels)
        .text("--png", &o.png, "FILE", "also draw every head's pattern (write it under build/)");
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, o, step); });
}
