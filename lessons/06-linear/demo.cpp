// demo.cpp — lesson 06: dense layers as matrix products, and the tied LM head.
//
// Stages: a Conv1D weight stored [in, out] and y = x W + b on the model's own
// activations (checked against the trace); one output worked by hand; plain loops
// (matmul_ref) against OpenBLAS (matmul); the tied head, logits = c · wte^T; and one
// row through GEMV. With --bench, times the loops against OpenBLAS (not deterministic).
//
// usage: build/lessons/06-linear [--model DIR] [--prompt STR] [--bench] [--step]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"       // gw::fail
#include "core/stepper.h"     // --step
#include "core/vecmath.h"     // dot, top_k_indices
#include "kernels/linear.h"   // linear, linear_ref, matmul, matmul_ref, lm_head
#include "lesson.h"           // lesson::Demo: flags, --step, errors
#include "model/forward.h"    // forward, Trace
#include "model/tokenizer.h"
#include "model/weights.h"

namespace {

double max_abs_diff(const float* a, const float* b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = std::max(m, double(std::fabs(a[i] - b[i])));
    return m;
}

// Seconds per call of f: the median of 3 samples, each at least 50 ms and 2 calls long.
template <typename F>
double seconds_per_call(F f) {
    std::vector<double> samples;
    for (int s = 0; s < 3; s++) {
        int calls = 0;
        const auto start = std::chrono::steady_clock::now();
        double elapsed = 0;
        while (elapsed < 0.05 || calls < 2) {
            f();
            calls++;
            elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
        samples.push_back(elapsed / calls);
    }
    std::sort(samples.begin(), samples.end());
    return samples[1];
}

// Times plain loops against OpenBLAS at GPT-2 small's MLP size: (T, 768) x (768, 3072).
void bench() {
    const int64_t C = 768, OC = 3072;
    std::printf("\n== timing: x (T, %lld) . W (%lld, %lld), your numbers will differ ==\n",
                (long long)C, (long long)C, (long long)OC);
    std::vector<float> w(size_t(C * OC)), b(static_cast<size_t>(OC));
    for (size_t i = 0; i < w.size(); i++) w[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
    std::printf("%5s %14s %14s %10s %12s\n", "T", "matmul_ref ms", "matmul ms", "speedup", "BLAS GFLOP/s");
    for (int64_t T : {1, 8, 64}) {
        std::vector<float> x(size_t(T * C), 0.25f), y(size_t(T * OC));
        const double ref = seconds_per_call([&] { gw::linear_ref(y.data(), x.data(), w.data(), b.data(), T, C, OC); });
        const double blas = seconds_per_call([&] { gw::linear(y.data(), x.data(), w.data(), b.data(), T, C, OC); });
        std::printf("%5lld %14.3f %14.3f %9.1fx %12.1f\n", (long long)T, ref * 1e3, blas * 1e3,
                    ref / blas, 2.0 * double(T * C * OC) / blas * 1e-9);
    }
}

void run(const std::string& dir, const std::string& prompt, gw::Stepper& step) {
    auto ck = gw::load_checkpoint(dir, {gw::WType::F32});
    const gw::Tokenizer tok(dir);
    const gw::Config& cfg = ck->config;
    const int64_t C = cfg.n_embd, V = cfg.vocab_size, OC = 4 * C;

    const std::vector<int> ids = tok.encode(prompt);
    const int64_t T = int64_t(ids.size());
    gw::RunState state = gw::make_run_state(cfg, T);
    gw::Trace trace;
    gw::ForwardOptions opts;  // Isa::Ref
    opts.trace = &trace;
    opts.all_logits = true;
    std::vector<float> logits(size_t(T * V));  // (T, V)
    gw::forward(logits.data(), *ck, state, ids.data(), T, opts);

    std::printf("== 1. a Conv1D weight is stored [in, out]: y (T, OC) = x (T, IC) . W (IC, OC) + b ==\n");
    const gw::TensorInfo* info = ck->file->find("h.0.mlp.c_fc.weight");
    if (!info) gw::fail(dir, ": no h.0.mlp.c_fc.weight");
    std::printf("h.0.mlp.c_fc.weight in the file: %s = (in C, out 4C)\n", info->shape.str().c_str());
    const std::vector<float>& x = trace.at("h.0.ln_2").data;  // (T, C) the MLP's input
    const float* W = ck->w.h[0].c_fc_w.f32();                  // (C, 4C)
    const float* b = ck->w.h[0].c_fc_b;                        // (4C)
    std::vector<float> y(size_t(T * OC)), y_ref(size_t(T * OC));
    gw::linear(y.data(), x.data(), W, b, T, C, OC);
    std::printf("x = h.0.ln_2 (T, C) = (%lld, %lld)  ->  y (T, 4C) = (%lld, %lld)\n", (long long)T,
                (long long)C, (long long)T, (long long)OC);
    std::printf("y equals the model's own h.0.mlp_pre trace point: %s\n",
                y == trace.at("h.0.mlp_pre").data ? "yes (bit for bit)" : "NO");
    step.pause("one output by hand");

    std::printf("\n== 2. one output by hand: y[t][j] = b[j] + sum_i x[t][i] * W[i][j] ==\n");
    const int64_t t = T - 1, j = 5;
    double sum = b[j];
    for (int64_t i = 0; i < C; i++) sum += double(x[size_t(t * C + i)]) * double(W[i * OC + j]);
    std::printf("t = %lld, j = %lld: W[i][j] is W[i*%lld + %lld], a column read with stride %lld\n",
                (long long)t, (long long)j, (long long)OC, (long long)j, (long long)OC);
    std::printf("by hand (double) %.5f   linear() %.5f\n", sum, y[size_t(t * OC + j)]);
    step.pause("plain loops against OpenBLAS");

    std::printf("\n== 3. three plain loops (matmul_ref) against OpenBLAS (matmul) ==\n");
    gw::linear_ref(y_ref.data(), x.data(), W, b, T, C, OC);
    // Float sums of 193 terms (sum |terms| <= 8.8 here) against double ones: float_sum_error
    // allows 1.0e-4 in the worst order, typical orders give ~1e-6 (1.4e-6 seen): 1e-4 holds.
    const double d = max_abs_diff(y.data(), y_ref.data(), y.size());
    std::printf("%lld outputs, each a sum of %lld products; largest |difference| below 1e-4: %s\n",
                (long long)(T * OC), (long long)C, d < 1e-4 ? "yes" : "NO");
    step.pause("the tied head");

    std::printf("\n== 4. the tied head: logits (T, V) = c (T, C) . wte^T, wte stored (V, C) ==\n");
    const float* c = trace.at("ln_f").data.data() + (T - 1) * C;  // the last context vector
    const float* last = logits.data() + (T - 1) * V;
    std::printf("after \"%s\", the 5 largest logits; each is the dot product <c, wte[v]>:\n", prompt.c_str());
    std::printf("%8s %9s %12s  %s\n", "id", "logit", "<c, wte[v]>", "token");
    for (int v : gw::top_k_indices(last, V, 5)) {
        std::printf("%8d %9.3f %12.3f  %s\n", v, last[v], gw::dot(c, ck->w.wte.f32() + int64_t(v) * C, C),
                    tok.token_display(v).c_str());
    }
    step.pause("one row: GEMV");

    std::printf("\n== 5. one row is a matrix-vector product (GEMV) ==\n");
    std::vector<float> one(static_cast<size_t>(V));
    gw::lm_head(one.data(), c, ck->w.wte.f32(), 1, C, V);  // M = 1: matmul sends it to sgemv
    // Two float orders of 192-term sums (sum |c_i e_i| <= 91): ~1e-5 apart in typical orders
    // (8.6e-6 seen, 1/12 of 1e-4); the worst-case bound, 2e-3, is never approached.
    std::printf("lm_head on the last row alone (M = 1: sgemv) against the same row of the\n"
                "(T, V) product (sgemm): largest |difference| below 1e-4: %s\n",
                max_abs_diff(one.data(), last, size_t(V)) < 1e-4 ? "yes" : "NO");
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("06-linear", "linear layers: y = x W + b as one BLAS product, Conv1D layout, the tied head");
    std::string prompt = "It is a truth universally";
    bool timing = false;
    demo.text("--prompt", &prompt, "STR", "the text to run")
        .flag("--bench", &timing, "also time three plain loops against OpenBLAS (GPT-2 small's MLP size)");
    return demo.run(argc, argv, [&](gw::Stepper& step) {
        run(demo.model, prompt, step);
        if (timing) bench();
    });
}
