// demo.cpp — lesson 09: the MLP sub-block and its activation, GELU.
//
// Stages: GELU's tanh form (what GPT-2 uses) against the exact erf form, value by value and
// as a maximum difference over a range; one position's trip through the MLP of one layer
// (c_fc widens C to 4C, GELU, c_proj narrows back), checked against the model's trace;
// what swapping in the exact GELU would change; and where the parameters are, counted from
// the Config and cross-checked against the weight table, for this model and GPT-2.
//
// usage: build/lessons/09-mlp-gelu [--model DIR] [--prompt STR] [--layer L]
//                                  [--kernels ref|avx2|avx512|auto] [--step]
// --kernels: the vector kernels (default ref, the scalar ones, on every CPU; OpenBLAS's
// products still differ from CPU to CPU in their last bits, which the lesson's tol= allows).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"              // gw::fail
#include "core/stepper.h"            // --step
#include "core/vecmath.h"            // norm, top_k_indices, max_abs_diff
#include "kernels/gelu.h"            // gelu_ref (tanh form), gelu_exact_ref (erf form), gelu (the model's)
#include "kernels/linear.h"          // linear(): c_fc and c_proj
#include "lesson.h"                  // lesson::Demo: flags, --step, errors
#include "model/forward.h"           // forward, Trace
#include "model/tokenizer.h"         // Tokenizer
#include "model/weights.h"           // weight_table
#include "perf/random_checkpoint.h"  // gpt2_config: the published GPT-2 shapes

namespace {

struct Options {
    std::string prompt = "It is a truth universally acknowledged";
    int64_t layer = 3;
    std::string kernels = "ref";  // the scalar kernels on every CPU (OpenBLAS's last bits vary)
};

void gelu_stage(gw::Isa isa) {
    std::printf("== 1. GELU: tanh form (GPT-2's \"gelu_new\") against the exact erf form ==\n");
    std::printf("tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))    erf: 0.5 x (1 + erf(x / sqrt 2))\n");
    const std::vector<float> xs = {-4, -3, -2, -1.5f, -1, -0.5f, 0, 0.5f, 1, 1.5f, 2, 3, 4};
    const int64_t n = int64_t(xs.size());
    std::vector<float> t(xs.size()), e(xs.size());
    gw::gelu_ref(t.data(), xs.data(), n);
    gw::gelu_exact_ref(e.data(), xs.data(), n);
    std::printf("%6s %12s %12s %11s\n", "x", "tanh form", "erf form", "difference");
    for (int64_t i = 0; i < n; i++)
        std::printf("%6.1f %12.6f %12.6f %11.1e\n", xs[size_t(i)], t[size_t(i)], e[size_t(i)],
                    double(t[size_t(i)]) - double(e[size_t(i)]));
    // A fine grid: step 1/1024 over [-8, 8] (exact in binary, so every x is the same everywhere).
    const int64_t N = 16 * 1024 + 1;
    std::vector<float> x(static_cast<size_t>(N)), gt(static_cast<size_t>(N)), ge(static_cast<size_t>(N)),
        gk(static_cast<size_t>(N));
    for (int64_t i = 0; i < N; i++) x[size_t(i)] = -8.0f + float(i) / 1024.0f;
    gw::gelu_ref(gt.data(), x.data(), N);
    gw::gelu_exact_ref(ge.data(), x.data(), N);
    gw::gelu(isa, gk.data(), x.data(), N);
    int64_t worst = 0, lowest = 0;
    for (int64_t i = 0; i < N; i++) {
        if (std::fabs(gt[size_t(i)] - ge[size_t(i)]) > std::fabs(gt[size_t(worst)] - ge[size_t(worst)])) worst = i;
        if (ge[size_t(i)] < ge[size_t(lowest)]) lowest = i;
    }
    std::printf("over [-8, 8] in steps of 1/1024 (%lld points):\n", (long long)N);
    std::printf("  max |tanh - erf| = %.2e at x = %.4f\n", std::fabs(double(gt[size_t(worst)]) - ge[size_t(worst)]),
                x[size_t(worst)]);
    std::printf("  lowest value: %.5f at x = %.4f (GELU dips below 0, unlike ReLU)\n", ge[size_t(lowest)],
                x[size_t(lowest)]);
    std::printf("  gelu(--kernels %s) against gelu_ref: max |diff| %.1e\n", gw::isa_name(isa),
                gw::max_abs_diff(gk.data(), gt.data(), N));
}

void mlp_stage(const gw::Checkpoint& ck, const gw::Tokenizer& tok, const Options& o, gw::Isa isa) {
    const gw::Config& cfg = ck.config;
    const int64_t C = cfg.n_embd, H = 4 * C;
    const std::vector<int> ids = tok.encode(o.prompt);
    const int64_t T = int64_t(ids.size()), last = T - 1;
    if (T < 1) gw::fail("the prompt is empty: give at least one token");
    gw::RunState state = gw::make_run_state(cfg, T);
    gw::Trace trace;
    gw::ForwardOptions fo;
    fo.isa = isa;
    fo.trace = &trace;
    std::vector<float> logits(static_cast<size_t>(cfg.vocab_size));
    gw::forward(logits.data(), ck, state, ids.data(), T, fo);
    const std::string L = "h." + std::to_string(o.layer) + ".";
    const float* in = trace.at(L + "ln_2").data.data() + last * C;
    const float* pre = trace.at(L + "mlp_pre").data.data() + last * H;
    const float* act = trace.at(L + "mlp_act").data.data() + last * H;
    const float* out = trace.at(L + "mlp_out").data.data() + last * C;
    const gw::LayerWeights& lw = ck.w.h[size_t(o.layer)];

    std::printf("\n== 2. the MLP of layer %lld at position %lld (%s) ==\n", (long long)o.layer,
                (long long)last, tok.token_display(ids[size_t(last)]).c_str());
    std::printf("ln_2 out (%lld) -> c_fc -> (%lld) -> GELU -> (%lld) -> c_proj -> mlp_out (%lld)\n",
                (long long)C, (long long)H, (long long)H, (long long)C);
    std::vector<float> fc(static_cast<size_t>(H)), g(static_cast<size_t>(H)), proj(static_cast<size_t>(C));
    gw::linear(fc.data(), in, lw.c_fc_w.f32(), lw.c_fc_b, 1, C, H);
    gw::gelu(isa, g.data(), fc.data(), H);
    gw::linear(proj.data(), g.data(), lw.mlp_proj_w.f32(), lw.mlp_proj_b, 1, H, C);
    std::printf("recomputed with linear() and gelu(), against the trace: max |diff| %.1e (mlp_pre), "
                "%.1e (mlp_act), %.1e (mlp_out)\n",
                gw::max_abs_diff(fc.data(), pre, H), gw::max_abs_diff(g.data(), act, H), gw::max_abs_diff(proj.data(), out, C));
    int64_t positive = 0, negative = 0, tiny = 0;
    for (int64_t i = 0; i < H; i++) positive += pre[i] > 0, negative += pre[i] < 0, tiny += std::fabs(act[i]) < 0.01f;
    std::printf("hidden units: %lld of %lld get a positive input, %lld a negative one; "
                "outputs within 0.01 of 0: %lld\n",
                (long long)positive, (long long)H, (long long)negative, (long long)tiny);
    std::printf("the 5 largest outputs (unit: input -> output):");
    for (int i : gw::top_k_indices(act, H, 5)) std::printf("  %d: %.2f -> %.2f", i, pre[i], act[i]);
    std::printf("\n|ln_2 out| = %.2f, |mlp_out| = %.2f, |residual stream before the MLP| = %.2f\n",
                gw::norm(in, C), gw::norm(out, C),
                gw::norm(trace.at(L + "resid_mid").data.data() + last * C, C));

    // The same MLP with the erf form: how much the choice of formula matters here.
    std::vector<float> g_exact(static_cast<size_t>(H)), proj_exact(static_cast<size_t>(C));
    gw::gelu_exact_ref(g_exact.data(), fc.data(), H);
    gw::linear(proj_exact.data(), g_exact.data(), lw.mlp_proj_w.f32(), lw.mlp_proj_b, 1, H, C);
    std::vector<float> delta(static_cast<size_t>(C));
    for (int64_t c = 0; c < C; c++) delta[size_t(c)] = proj_exact[size_t(c)] - proj[size_t(c)];
    std::printf("with the erf form instead: hidden max |diff| %.1e; |mlp_out change| / |mlp_out| = %.1e\n",
                gw::max_abs_diff(g_exact.data(), g.data(), H), gw::norm(delta.data(), C) / gw::norm(proj.data(), C));
}

// Parameters by component, from the formulas of the Config.
void count_row(const char* name, const gw::Config& c) {
    const int64_t C = c.n_embd, L = c.n_layer;
    const int64_t emb = c.vocab_size * C + c.n_positions * C;
    const int64_t attn = 3 * C * C + 3 * C + C * C + C;  // c_attn + attn.c_proj
    const int64_t mlp = 4 * C * C + 4 * C + 4 * C * C + C;  // c_fc + mlp.c_proj
    const int64_t norms = 4 * C;                         // ln_1 and ln_2, weight + bias
    const int64_t total = emb + L * (attn + mlp + norms) + 2 * C;
    std::printf("%-11s %11lld %11lld %11lld %7lld %12lld %6.1f%% %6.1f%%\n", name, (long long)emb,
                (long long)(L * attn), (long long)(L * mlp), (long long)(L * norms + 2 * C),
                (long long)total, 100.0 * double(mlp) / double(attn + mlp + norms),
                100.0 * double(L * mlp) / double(total));
}

void params_stage(const gw::Checkpoint& ck) {
    const gw::Config& cfg = ck.config;
    std::printf("\n== 3. where the parameters are ==\n");
    std::printf("per layer: attention 3C^2+3C (c_attn) + C^2+C (c_proj) = 4C^2 + 4C\n");
    std::printf("           MLP       4C^2+4C (c_fc)   + 4C^2+C (c_proj) = 8C^2 + 5C\n");
    std::printf("           two layer norms 4C: so 8C^2 of the layer's 12C^2 matrix entries are the MLP's\n");
    std::printf("%-11s %11s %11s %11s %7s %12s %7s %7s\n", "model", "wte+wpe", "attention", "MLP",
                "norms", "total", "MLP/blk", "MLP/all");
    count_row("this model", cfg);
    count_row("gpt2 124M", gw::gpt2_config("124M"));
    count_row("gpt2 355M", gw::gpt2_config("355M"));
    count_row("gpt2 774M", gw::gpt2_config("774M"));
    count_row("gpt2 1.5B", gw::gpt2_config("1558M"));
    // Cross-check this model's row against the one weight table (shapes as loaded).
    gw::Weights scratch;
    int64_t table_mlp = 0, table_all = 0;
    for (const gw::WeightEntry& e : gw::weight_table(cfg, scratch)) {
        table_all += e.shape.numel();
        if (e.name.find(".mlp.") != std::string::npos) table_mlp += e.shape.numel();
    }
    std::printf("this model from weight_table: MLP %lld, total %lld; Config::parameter_count() %lld\n",
                (long long)table_mlp, (long long)table_all, (long long)cfg.parameter_count());
}

void run(const std::string& dir, const Options& o, gw::Stepper& step) {
    const gw::Isa isa = gw::parse_isa(o.kernels);
    auto ck = gw::load_checkpoint(dir, {gw::WType::F32});
    const gw::Tokenizer tok(dir);
    if (o.layer < 0 || o.layer >= ck->config.n_layer)
        gw::fail("--layer must be in [0, ", ck->config.n_layer, ")");
    gelu_stage(isa);
    step.pause("one position through the MLP");
    mlp_stage(*ck, tok, o, isa);
    step.pause("where the parameters are");
    params_stage(*ck);
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("09-mlp-gelu", "the MLP: widen to 4C, GELU, narrow back; where the parameters are");
    Options o;
    demo.text("--prompt", &o.prompt, "STR", "the text to run")
        .integer("--layer", &o.layer, 0, 99, "L", "the layer whose MLP stage 2 recomputes")
        .kernels(&o.kernels);
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, o, step); });
}
