// demo.cpp — lesson 17: the backward pass, op by op, checked by central differences.
//
// Stages: (1) one derivative by central differences, in float64 and in float32, for a range
// of steps h: why the checks run in float64; (2) every op's backward (kernels/, its float64
// overload) against central differences of its forward; (3) the whole shipped model on one
// sentence: the loss, where the gradient goes (per layer), every token vector touched by the
// tied head, and three single weights checked by float32 central differences of the loss.
//
// usage: build/lessons/17-backward [--model DIR] [--text STR] [--step]
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"          // ThreadTeam
#include "kernels/attention.h"      // attention_ref, attention_backward_ref (float64)
#include "kernels/crossentropy.h"
#include "kernels/embedding.h"
#include "kernels/gelu.h"
#include "kernels/layernorm.h"
#include "kernels/linear.h"
#include "kernels/softmax.h"
#include "lesson.h"                 // lesson::Demo: flags, --step, errors
#include "model/tokenizer.h"
#include "model/weights.h"          // load_checkpoint, copy_weights_flat
#include "train/backward.h"         // train_forward, train_backward
#include "train/gradcheck.h"        // central_differences, compare_gradients

namespace {

using Vec = std::vector<double>;

// Deterministic inputs in [lo, hi) (splitmix64), so the output is the same on every run.
Vec inputs(size_t n, uint64_t seed, double lo = -1, double hi = 1) {
    Vec v(n);
    for (double& x : v) {
        uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        x = lo + (hi - lo) * double((z ^ (z >> 31)) >> 11) / double(1ull << 53);
    }
    return v;
}

double dot(const Vec& a, const Vec& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); i++) s += a[i] * b[i];
    return s;
}

// One row of stage 2: the worst relative error over the op's inputs.
void report(const char* op, const char* shape, const std::function<double()>& loss,
            std::vector<std::pair<Vec*, Vec>> checked) {
    double worst = 0;
    for (auto& [x, g] : checked) worst = std::max(worst, gw::compare_gradients(g, gw::central_differences(loss, *x, 1e-5)).relative());
    std::printf("%-13s %-22s %.0e\n", op, shape, worst);
}

void stage_one_derivative() {
    std::printf("== 1. one derivative by central differences: gelu'(0.7) ==\n");
    double x = 0.7, one = 1, exact = 0;
    gw::gelu_backward_ref(&exact, &x, &one, 1);  // the analytic derivative, in float64
    std::printf("gelu_backward_ref: gelu'(0.7) = %.12f\n", exact);
    std::printf("h         float64: |fd - gelu'|   float32: |fd - gelu'|\n");
    for (double h : {1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7}) {
        double up = x + h, down = x - h, fu, fdn;
        gw::gelu_ref(&fu, &up, 1);
        gw::gelu_ref(&fdn, &down, 1);
        const float xu = float(x + h), xd = float(x - h);  // the float32 inputs, as a float32 model holds them
        float gu, gd;
        gw::gelu_ref(&gu, &xu, 1);
        gw::gelu_ref(&gd, &xd, 1);
        const double fd64 = (fu - fdn) / (2 * h), fd32 = double(gu - gd) / double(xu - xd);
        std::printf("%-9.0e %-24.1e %.1e\n", h, std::fabs(fd64 - exact), std::fabs(fd32 - exact));
    }
}

void stage_every_op() {
    std::printf("\n== 2. every op's backward against central differences, float64 (h = 1e-5) ==\n");
    std::printf("relative error = max |g - fd| / max |fd| for each input of the op; the worst of them\n");
    std::printf("%-13s %-22s %s\n", "op", "shape", "error");
    {
        const int64_t T = 3, C = 8;
        Vec x = inputs(T * C, 1, -2, 2), w = inputs(C, 2, 0.5, 1.5), b = inputs(C, 3), r = inputs(T * C, 4);
        Vec out(T * C), mean(T), rstd(T), dx(T * C), dw(C), db(C);
        auto loss = [&] { gw::layernorm_ref(out.data(), nullptr, nullptr, x.data(), w.data(), b.data(), T, C, 1e-5); return dot(out, r); };
        gw::layernorm_ref(out.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), T, C, 1e-5);
        gw::layernorm_backward(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), mean.data(), rstd.data(), T, C);
        report("layernorm", "x (3, 8), w, b (8)", loss, {{&x, dx}, {&w, dw}, {&b, db}});
    }
    {
        const int64_t n = 16;
        Vec x = inputs(n, 5, -4, 4), r = inputs(n, 6), out(n), dx(n);
        auto loss = [&] { gw::gelu_ref(out.data(), x.data(), n); return dot(out, r); };
        gw::gelu_backward_ref(dx.data(), x.data(), r.data(), n);
        report("gelu", "x (16)", loss, {{&x, dx}});
    }
    {
        const int64_t n = 9;
        Vec x = inputs(n, 7, -3, 3), r = inputs(n, 8), y(n), dx(n);
        auto loss = [&] { gw::softmax_ref(y.data(), x.data(), n); return dot(y, r); };
        gw::softmax_ref(y.data(), x.data(), n);
        gw::softmax_backward(dx.data(), y.data(), r.data(), n);
        report("softmax", "x (9)", loss, {{&x, dx}});
    }
    {
        const int64_t T = 3, IC = 4, OC = 5;
        Vec x = inputs(T * IC, 9), w = inputs(IC * OC, 10), b = inputs(OC, 11), r = inputs(T * OC, 12), out(T * OC);
        Vec dx(T * IC), dw(IC * OC), db(OC);
        auto loss = [&] {
            for (int64_t t = 0; t < T; t++)
                for (int64_t o = 0; o < OC; o++) {
                    double s = b[o];
                    for (int64_t i = 0; i < IC; i++) s += x[t * IC + i] * w[i * OC + o];
                    out[t * OC + o] = s;
                }
            return dot(out, r);
        };
        gw::linear_backward_ref(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), T, IC, OC);
        report("linear", "x (3, 4), w (4, 5), b", loss, {{&x, dx}, {&w, dw}, {&b, db}});
    }
    {
        const int64_t T = 5, C = 12, NH = 3;
        Vec qkv = inputs(T * 3 * C, 13, -1.5, 1.5), r = inputs(T * C, 14), out(T * C), d(T * 3 * C);
        auto loss = [&] { gw::attention_ref(out.data(), nullptr, qkv.data(), T, C, NH); return dot(out, r); };
        gw::attention_backward_ref(d.data(), r.data(), qkv.data(), T, C, NH);
        report("attention", "qkv (5, 36), 3 heads", loss, {{&qkv, d}});
    }
    {
        const int64_t T = 3, V = 7;
        const int targets[T] = {2, 0, 6};
        Vec z = inputs(T * V, 15, -3, 3), losses(T), d(T * V);
        auto loss = [&] { gw::crossentropy_ref(nullptr, losses.data(), z.data(), targets, T, V, 0); return (losses[0] + losses[1] + losses[2]) / 3; };
        gw::crossentropy_ref(d.data(), losses.data(), z.data(), targets, T, V, 1.0 / 3);
        report("cross-entropy", "logits (3, 7)", loss, {{&z, d}});
    }
    {
        const int64_t T = 5, C = 3, V = 6, P = 7;
        const int tokens[T] = {4, 1, 4, 0, 4};
        Vec wte = inputs(V * C, 16), wpe = inputs(P * C, 17), r = inputs(T * C, 18), x(T * C), dwte(V * C), dwpe(P * C);
        auto loss = [&] { gw::embedding(x.data(), tokens, wte.data(), wpe.data(), T, C); return dot(x, r); };
        gw::embedding_backward(dwte.data(), dwpe.data(), r.data(), tokens, T, C, 0, C);
        report("embedding", "wte (6, 3), wpe (7, 3)", loss, {{&wte, dwte}, {&wpe, dwpe}});
    }
    std::printf("(a missing term or a wrong factor shows as 1e-2 or more; tests/ check every op at 1e-6)\n");
}

void stage_whole_model(const std::string& dir, const std::string& text) {
    auto ck = gw::load_checkpoint(dir);
    const gw::Tokenizer tok(dir);
    const std::vector<int> ids = tok.encode(text);
    const int64_t T = int64_t(ids.size()) - 1;
    if (T < 1 || T > ck->config.n_positions) gw::fail("--text needs 2 to n_positions + 1 tokens, it has ", ids.size());
    const gw::ParamLayout layout = gw::param_layout(ck->config);
    std::vector<float> params(layout.total), grads(layout.total, 0.0f);
    gw::copy_weights_flat(params.data(), *ck);
    gw::TrainActivations acts = gw::make_train_activations(ck->config, 1, T, 1);
    gw::ThreadTeam team(1);
    gw::TrainOps ops(team, gw::Isa::Ref, nullptr);
    const int* in = ids.data();
    const int* tg = ids.data() + 1;  // each token's target is the one after it
    const double loss = gw::train_forward(acts, layout, params.data(), in, tg, 1, T, float(1.0 / double(T)), ops);
    gw::train_backward(grads.data(), acts, layout, params.data(), in, 1, T, ops);
    std::printf("\n== 3. the whole model on one sentence: %lld predictions, float32 ==\n", (long long)T);
    std::printf("loss %.4f nats (mean over the positions); the gradient's norm per group of weights:\n", loss);
    auto norm_of = [&](const std::string& prefix) {
        double s = 0;
        for (const gw::ParamTensor& t : layout.tensors)
            if (t.name.compare(0, prefix.size(), prefix) == 0)
                for (size_t i = t.offset; i < t.offset + t.size; i++) s += double(grads[i]) * grads[i];
        return std::sqrt(s);
    };
    std::printf("wte %.4f  wpe %.4f", norm_of("wte."), norm_of("wpe."));
    for (int64_t l = 0; l < ck->config.n_layer; l++) std::printf("  h.%lld %.4f", (long long)l, norm_of("h." + std::to_string(l) + "."));
    std::printf("  ln_f %.4f\n", norm_of("ln_f."));
    const gw::ParamTensor& wte = layout.find("wte.weight");
    int64_t rows = 0;
    for (int64_t v = 0; v < ck->config.vocab_size; v++) {
        bool any = false;
        for (int64_t c = 0; c < ck->config.n_embd && !any; c++) any = grads[wte.offset + size_t(v * ck->config.n_embd + c)] != 0;
        rows += any;
    }
    std::printf("rows of wte with a gradient: %lld of %lld (the tied head pushes on every token vector;\n"
                "the embedding adds to the rows of the sentence's own tokens only)\n",
                (long long)rows, (long long)ck->config.vocab_size);
    std::printf("three weights by central differences of the float32 loss (h = 1e-2):\n");
    std::printf("%-26s %-12s %-12s %s\n", "weight", "backward", "central diff", "relative difference");
    for (auto [name, index] : {std::pair<const char*, size_t>{"ln_f.bias", 0}, {"h.3.mlp.c_fc.weight", 100}, {"wpe.weight", 5}}) {
        const size_t at = layout.find(name).offset + index;
        const float keep = params[at], h = 1e-2f;
        params[at] = keep + h;
        const double up = gw::train_forward(acts, layout, params.data(), in, tg, 1, T, 0.0f, ops);
        params[at] = keep - h;
        const double down = gw::train_forward(acts, layout, params.data(), in, tg, 1, T, 0.0f, ops);
        params[at] = keep;
        const double fd = (up - down) / (2 * double(h)), g = grads[at];
        std::printf("%-26s %-12.6f %-12.6f %.1e\n", (std::string(name) + "[" + std::to_string(index) + "]").c_str(), g,
                    fd, std::fabs(g - fd) / std::fabs(fd));
    }
    std::printf("float32 central differences agree to 2-3 digits at best (stage 1): the whole model is\n"
                "checked instead against PyTorch's float64 autograd (tests/test_backward.cpp)\n");
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("17-backward");
    std::string text = "It is a truth universally acknowledged, that a single man in possession of a good fortune";
    demo.text("--text", &text, "STR",
              "the sentence whose whole-model gradient stage 3 computes (2 to n_positions + 1 tokens)");
    return demo.run(argc, argv, [&](gw::Stepper& step) {
        stage_one_derivative();
        step.pause("every op's backward");
        stage_every_op();
        step.pause("the whole model");
        stage_whole_model(demo.model, text);
    });
}
