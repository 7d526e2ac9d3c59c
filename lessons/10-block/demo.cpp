// demo.cpp — lesson 10: the transformer block and the residual stream.
//
// Stages: one position's residual stream layer by layer (the norms of what each
// sub-block reads and adds); the stream as a plain sum of everything ever added to it;
// cosines between successive states and with the final one; the same over every
// position of the prompt; and layer norm's part (every sub-block reads a normalised
// copy, but writes back at its own scale). --png draws the norms layer by layer.
//
// usage: build/lessons/10-block [--model DIR] [--prompt STR]
//                               [--kernels ref|avx2|avx512|auto] [--png FILE] [--step]
// --kernels: the vector kernels (default ref, the scalar ones, on every CPU; OpenBLAS's
// products still differ from CPU to CPU in their last bits, which the lesson's tol= allows).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"       // gw::fail
#include "core/stepper.h"     // --step
#include "core/vecmath.h"     // norm, cosine
#include "lesson.h"           // lesson::Demo: flags, --step, errors
#include "model/forward.h"    // forward, Trace
#include "model/tokenizer.h"  // Tokenizer
#include "report/picture.h"   // Chart, render_chart, write_png (--png)
#include "report/text.h"      // pad: columns of tokens

namespace {

struct Options {
    std::string prompt = "It is a truth universally acknowledged";
    std::string kernels = "ref";  // the scalar kernels on every CPU (OpenBLAS's last bits vary)
    std::string png;
};

// Row t of a traced (T, C) point.
const float* row(const gw::Trace& tr, const std::string& name, int64_t t, int64_t C) {
    return tr.at(name).data.data() + t * C;
}

std::string layer_name(int64_t l, const char* point) { return "h." + std::to_string(l) + "." + point; }

void run(const std::string& dir, const Options& o, gw::Stepper& step) {
    auto ck = gw::load_checkpoint(dir);
    const gw::Tokenizer tok(dir);
    const gw::Config& cfg = ck->config;
    const int64_t C = cfg.n_embd, L = cfg.n_layer;
    const std::vector<int> ids = tok.encode(o.prompt);
    const int64_t T = int64_t(ids.size()), last = T - 1;
    if (T < 1) gw::fail("the prompt is empty: give at least one token");
    gw::RunState state = gw::make_run_state(cfg, T);
    gw::Trace tr;
    gw::ForwardOptions fo;
    fo.isa = gw::parse_isa(o.kernels);
    fo.trace = &tr;
    std::vector<float> logits(static_cast<size_t>(cfg.vocab_size));
    gw::forward(logits.data(), *ck, state, ids.data(), T, fo);

    std::printf("== 1. the residual stream at position %lld (%s), layer by layer ==\n", (long long)last,
                tok.token_display(ids[size_t(last)]).c_str());
    std::printf("x = resid_pre;  x += attn(ln_1(x)) -> resid_mid;  x += mlp(ln_2(x)) -> resid_post\n");
    std::printf("%5s %10s %10s %10s %11s %12s %13s\n", "layer", "|pre|", "|attn|", "|mlp|", "|post|",
                "cos(pre,post)", "|added|/|pre|");
    for (int64_t l = 0; l < L; l++) {
        const float* pre = row(tr, layer_name(l, "resid_pre"), last, C);
        const float* post = row(tr, layer_name(l, "resid_post"), last, C);
        std::vector<float> added(static_cast<size_t>(C));
        for (int64_t c = 0; c < C; c++) added[size_t(c)] = post[c] - pre[c];
        std::printf("%5lld %10.2f %10.2f %10.2f %11.2f %12.3f %13.2f\n", (long long)l, gw::norm(pre, C),
                    gw::norm(row(tr, layer_name(l, "attn_out"), last, C), C),
                    gw::norm(row(tr, layer_name(l, "mlp_out"), last, C), C), gw::norm(post, C),
                    gw::cosine(pre, post, C), gw::norm(added.data(), C) / gw::norm(pre, C));
    }
    step.pause("the stream is a sum");

    std::printf("\n== 2. one shared space: the last state is the sum of everything added ==\n");
    std::vector<double> sum(row(tr, "embed", last, C), row(tr, "embed", last, C) + C);
    for (int64_t l = 0; l < L; l++)
        for (const char* part : {"attn_out", "mlp_out"}) {
            const float* add = row(tr, layer_name(l, part), last, C);
            for (int64_t c = 0; c < C; c++) sum[size_t(c)] += add[c];
        }
    const float* final_state = row(tr, layer_name(L - 1, "resid_post"), last, C);
    double worst = 0;
    for (int64_t c = 0; c < C; c++) worst = std::fmax(worst, std::fabs(sum[size_t(c)] - final_state[c]));
    std::printf("embed + sum over %lld layers of (attn_out + mlp_out) vs h.%lld.resid_post: max |diff| %.1e\n",
                (long long)L, (long long)L - 1, worst);
    std::printf("every sub-block reads the same %lld numbers and writes into them: no layer replaces\n"
                "the stream, each adds a vector to it\n", (long long)C);
    step.pause("cosines between states");

    std::printf("\n== 3. how far each step turns the stream (cosines, position %lld) ==\n", (long long)last);
    std::vector<std::string> names = {"embed"};
    for (int64_t l = 0; l < L; l++) {
        names.push_back(layer_name(l, "resid_mid"));
        names.push_back(layer_name(l, "resid_post"));
    }
    std::printf("%-16s %10s %14s %14s\n", "state", "|x|", "cos(previous)", "cos(final)");
    for (size_t i = 0; i < names.size(); i++) {
        const float* x = row(tr, names[i], last, C);
        std::printf("%-16s %10.2f ", names[i].c_str(), gw::norm(x, C));
        if (i == 0) std::printf("%14s", "-");
        else std::printf("%14.3f", gw::cosine(row(tr, names[i - 1], last, C), x, C));
        std::printf(" %14.3f\n", gw::cosine(x, final_state, C));
    }
    step.pause("every position");

    std::printf("\n== 4. every position: |resid_post| by layer (rows: tokens) ==\n");
    std::printf("%-16s %8s", "token", "embed");
    for (int64_t l = 0; l < L; l++) std::printf(" %7s%lld", "h.", (long long)l);
    std::printf("\n");
    for (int64_t t = 0; t < T; t++) {
        std::printf("%2lld %s %8.2f", (long long)t, gw::text::pad(tok.token_display(ids[size_t(t)]), 13).c_str(),
                    gw::norm(row(tr, "embed", t, C), C));
        for (int64_t l = 0; l < L; l++)
            std::printf(" %8.2f", gw::norm(row(tr, layer_name(l, "resid_post"), t, C), C));
        std::printf("\n");
    }
    step.pause("layer norm: reading a normalised copy");

    std::printf("\n== 5. sub-blocks read a normalised copy: |ln_1(x)| and |ln_2(x)| (position %lld) ==\n",
                (long long)last);
    std::printf("%5s %10s %10s %10s %10s\n", "layer", "|pre|", "|ln_1|", "|mid|", "|ln_2|");
    for (int64_t l = 0; l < L; l++)
        std::printf("%5lld %10.2f %10.2f %10.2f %10.2f\n", (long long)l,
                    gw::norm(row(tr, layer_name(l, "resid_pre"), last, C), C),
                    gw::norm(row(tr, layer_name(l, "ln_1"), last, C), C),
                    gw::norm(row(tr, layer_name(l, "resid_mid"), last, C), C),
                    gw::norm(row(tr, layer_name(l, "ln_2"), last, C), C));
    std::printf("(before its gain and bias, a normalised vector has norm sqrt(C) = %.2f)\n",
                std::sqrt(double(C)));

    if (!o.png.empty()) {
        gw::Chart chart;
        chart.title = "residual stream norm, layer by layer";
        chart.x_label = "blocks passed (0 = embedding)";
        chart.y_label = "|x|";
        for (int64_t t = 0; t < T; t++) {
            gw::Series s;
            s.label = std::to_string(t) + " " + tok.token_bytes(ids[size_t(t)]);
            s.markers = true;
            s.x.push_back(0);
            s.y.push_back(gw::norm(row(tr, "embed", t, C), C));
            for (int64_t l = 0; l < L; l++) {
                s.x.push_back(double(l + 1));
                s.y.push_back(gw::norm(row(tr, layer_name(l, "resid_post"), t, C), C));
            }
            chart.series.push_back(s);
        }
        gw::write_png(o.png, gw::render_chart(chart, 720, 440));
        std::printf("\nwrote %s\n", o.png.c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("10-block", "the block and the residual stream: every sub-block adds to one vector per position");
    Options o;
    demo.text("--prompt", &o.prompt, "STR", "the text to run")
        .text("--kernels", &o.kernels, "ref|avx2|avx512|auto", "vector kernels: ref (the scalar twins, the lesson's digits on every CPU), avx2, avx512 or auto")
        .text("--png", &o.png, "FILE", "also draw every position's |resid_post| by layer (write it under build/)");
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, o, step); });
}
