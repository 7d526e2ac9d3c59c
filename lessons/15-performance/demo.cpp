// demo.cpp — lesson 15: where the time goes, and how far it could go.
//
// Stages: (1) count what one token costs — FLOPs of a prefill, bytes of a decode step —
// for the model given and for every GPT-2 size; (2) measure this machine's two ceilings
// (sgemm GFLOP/s, memory read GB/s); (3) turn counts and ceilings into speed limits;
// (4) run the model and compare; (5) switch three optimisations off, one at a time, and
// time the difference.
//
// usage: build/lessons/15-performance [--model DIR] [--threads N] [--tokens T] [--png FILE]
//                                     [--counts] [--step]
// --counts: stage 1 only (no timing: the same output on every machine).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/parallel.h"           // ThreadTeam
#include "lesson.h"                  // lesson::Demo: flags, --step, errors
#include "model/forward.h"           // forward, ForwardOptions, OpTimes
#include "perf/bench.h"              // bench_tokens: seeded random prompt ids
#include "perf/random_checkpoint.h"  // gpt2_config: the published GPT-2 shapes
#include "perf/roofline.h"           // prefill_flops, decode_bytes, measure_roofline
#include "report/picture.h"          // Chart, render_chart, write_png: the roofline picture

namespace {

using Clock = std::chrono::steady_clock;

struct Counts {
    double params, prefill_flops_per_token, decode_bytes, intensity_prefill, intensity_decode;
};

// What one token costs a model of this shape with a T-token prompt.
Counts count(const gw::Config& c, int64_t T) {
    Counts k;
    k.params = double(c.parameter_count());
    k.prefill_flops_per_token = gw::prefill_flops(c, T) / double(T);
    k.decode_bytes = gw::decode_bytes(c, T);  // the first step after the prompt
    // FLOPs per byte of weights read: a prefill reads each weight once for T rows.
    k.intensity_prefill = gw::prefill_flops(c, T) / (4.0 * k.params);
    k.intensity_decode = gw::prefill_flops(c, 1) / k.decode_bytes;
    return k;
}

struct Shape {
    std::string name;
    gw::Config config;
};

void stage_counts(const std::vector<Shape>& shapes, int64_t T) {
    std::printf("1. What one token costs (prompt of %lld tokens; F32 weights)\n\n", (long long)T);
    std::printf("%-12s %8s %16s %15s %18s %17s\n", "model", "params", "prefill MFLOP/t", "decode MB/step",
                "prefill FLOP/byte", "decode FLOP/byte");
    for (const Shape& s : shapes) {
        Counts k = count(s.config, T);
        std::printf("%-12s %7.1fM %16.1f %15.1f %18.1f %17.2f\n", s.name.c_str(), k.params / 1e6,
                    k.prefill_flops_per_token / 1e6, k.decode_bytes / 1e6, k.intensity_prefill,
                    k.intensity_decode);
    }
    std::printf("\nA decode step does about half a FLOP per byte it reads: it waits for memory.\n"
                "A prefill reuses each weight for every prompt row: it waits for arithmetic.\n");
}

void stage_bounds(const std::vector<Shape>& shapes, const gw::Roofline& roof, int64_t T) {
    std::printf("\n3. Speed limits here: prefill <= GFLOP/s / FLOPs per token, decode <= GB/s / bytes per step\n\n");
    std::printf("%-12s %22s %22s\n", "model", "prefill bound tok/s", "decode bound tok/s");
    for (const Shape& s : shapes) {
        Counts k = count(s.config, T);
        std::printf("%-12s %22.0f %22.1f\n", s.name.c_str(), roof.gemm_gflop_s * 1e9 / k.prefill_flops_per_token,
                    roof.read_gb_s * 1e9 / k.decode_bytes);
    }
}

struct Timed {
    gw::TimedRun run;  // seconds of the prefill and of the decode steps
    gw::OpTimes prefill_ops, decode_ops;
};

// The fastest of `repeats` runs of gw::time_run (bench.h, what `gptwalk bench` times):
// a prefill of the prompt on a fresh cache, then `steps` greedy one-token steps.
Timed run_model(const gw::Checkpoint& m, const std::vector<int>& prompt, int64_t steps,
                const gw::ForwardOptions& options, int repeats = 3) {
    gw::RunState s = gw::make_run_state(m.config, int64_t(prompt.size()), options.team ? options.team->size() : 1);
    Timed best;
    for (int r = 0; r < repeats; r++) {
        Timed t;
        t.run = gw::time_run(m, s, prompt, steps, options, &t.prefill_ops, &t.decode_ops);
        if (r == 0 || t.run.prefill_s + t.run.decode_s < best.run.prefill_s + best.run.decode_s) best = t;
    }
    return best;
}

void print_shares(const char* phase, const gw::OpTimes& t) {
    const double total = t.total();
    std::printf("   %-8s matmul %4.1f%%  lm_head %4.1f%%  attention %4.1f%%  layernorm %4.1f%%  gelu %4.1f%%  other %4.1f%%\n",
                phase, 100 * t.matmul / total, 100 * t.lm_head / total, 100 * t.attention / total,
                100 * t.layernorm / total, 100 * t.gelu / total, 100 * (t.embed + t.residual) / total);
}


// The roofline as a picture (log-log, as it is always drawn): x = FLOPs per byte read,
// y = GFLOP/s. The slanted roof is the memory (GB/s x FLOP/byte), the flat one the
// arithmetic; a phase sits under the lower of the two at its intensity.
void draw_roofline(const std::string& path, const gw::Roofline& roof, double prefill_intensity,
                   double prefill_gflop_s, double decode_intensity, double decode_gflop_s) {
    gw::Chart chart;
    chart.title = "Roofline of this machine (1 point per phase of the model)";
    chart.x_label = "log10 FLOPs per byte read from memory";
    chart.y_label = "log10 GFLOP/s";
    gw::Series memory{"memory (GB/s)", {}, {}, true, false, {}};
    gw::Series compute{"compute (sgemm)", {}, {}, true, false, {}};
    const double ridge = roof.gemm_gflop_s / roof.read_gb_s;  // where the two roofs meet
    const double lr = std::log10(ridge), top = std::log10(roof.gemm_gflop_s);
    memory.x = {-1.0, lr};  // straight lines on log-log axes: two points each
    memory.y = {std::log10(roof.read_gb_s * 0.1), top};
    compute.x = {lr, 3.0};
    compute.y = {top, top};
    gw::Series phases{"measured", {std::log10(decode_intensity), std::log10(prefill_intensity)},
                      {std::log10(decode_gflop_s), std::log10(prefill_gflop_s)}, false, true,
                      {"decode", "prefill"}};
    chart.series = {memory, compute, phases};
    gw::write_png(path, gw::render_chart(chart, 900, 600));
}
}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("15-performance", "where the time goes: FLOPs, bytes, this machine's ceilings, the roofline");
    int threads = 1;
    int64_t tokens = 128;
    bool counts_only = false;
    std::string png;  // --png FILE: also draw the roofline with this run's points
    demo.integer("--threads", &threads, 1, 64, "N", "threads of the forward pass")
        .integer("--tokens", &tokens, 2, 1 << 20, "T", "prompt length of the counts and the timed prefill")
        .text("--png", &png, "FILE", "also draw the roofline with this run's points (write it under build/)")
        .flag("--counts", &counts_only, "stage 1 only: the counts, the same on every machine");
    return demo.run(argc, argv, [&](gw::Stepper& step) {
        auto m = gw::load_checkpoint(demo.model);
        const gw::Config& c = m->config;
        if (tokens + 32 > c.n_positions)
            throw gw::Error("--tokens " + std::to_string(tokens) + " + 32 decode steps do not fit the model's " +
                            std::to_string(c.n_positions) + " positions");
        std::vector<Shape> shapes = {{"this model", c}};
        for (const char* name : {"124M", "355M", "774M", "1558M"}) shapes.push_back({"gpt2-" + std::string(name), gw::gpt2_config(name)});
        stage_counts(shapes, tokens);
        if (counts_only) return;

        step.pause("the ceilings of this machine");
        gw::ThreadTeam team(threads);
        gw::Roofline roof = gw::measure_roofline(team);
        std::printf("\n2. This machine's ceilings, %d thread%s (best of 5; rerun and they move)\n\n", threads,
                    threads == 1 ? "" : "s");
        std::printf("   sgemm (1024 x 1024 x 1024, OpenBLAS)   %7.1f GFLOP/s\n", roof.gemm_gflop_s);
        std::printf("   streaming read of 128 MiB              %7.1f GB/s\n", roof.read_gb_s);

        step.pause("speed limits");
        stage_bounds(shapes, roof, tokens);

        step.pause("run the model");
        std::vector<int> prompt = gw::bench_tokens(tokens, c.vocab_size, 1);
        gw::ForwardOptions o;
        o.isa = gw::best_isa();
        o.team = &team;
        const int64_t steps = 32;
        run_model(*m, prompt, 1, o, 1);  // warm-up: first touch of the mapped weights
        Timed t = run_model(*m, prompt, steps, o);
        const Counts k = count(c, tokens);
        const double pre = double(tokens) / t.run.prefill_s, dec = double(steps) / t.run.decode_s;
        std::printf("\n4. This model, measured (kernels %s, best of 3)\n\n", gw::isa_name(o.isa));
        std::printf("   prefill %8.1f tok/s = %5.1f GFLOP/s  (%3.0f%% of the bound)\n", pre,
                    pre * k.prefill_flops_per_token / 1e9, 100 * pre * k.prefill_flops_per_token / 1e9 / roof.gemm_gflop_s);
        std::printf("   decode  %8.1f tok/s = %5.1f GB/s     (%3.0f%% of the bound)\n", dec, dec * k.decode_bytes / 1e9,
                    100 * dec * k.decode_bytes / 1e9 / roof.read_gb_s);
        print_shares("prefill", t.prefill_ops);
        print_shares("decode", t.decode_ops);
        if (!png.empty()) {
            const double decode_flops = gw::prefill_flops(c, 1);  // one row: a decode step's FLOPs
            draw_roofline(png, roof, k.intensity_prefill, pre * k.prefill_flops_per_token / 1e9,
                          decode_flops / k.decode_bytes, dec * decode_flops / 1e9);
            std::printf("   wrote %s\n", png.c_str());
        }

        step.pause("three optimisations, switched off one at a time");
        std::printf("\n5. Switched off one at a time (prefill of %lld tokens; the fastest of 3)\n\n", (long long)tokens);
        auto prefill_ms = [&](gw::ForwardOptions v) { return 1e3 * run_model(*m, prompt, 0, v).run.prefill_s; };
        const double on = prefill_ms(o);
        gw::ForwardOptions every = o;
        every.all_logits = true;  // logits for every row: the LM head and the last layer run all rows
        gw::ForwardOptions scalar = o;
        scalar.isa = gw::Isa::Ref;  // the scalar twins of layer norm, softmax and GELU
        std::printf("   %-52s %8.2f ms\n", "all on", on);
        std::printf("   %-52s %8.2f ms\n", "logits for every row (LM head + last layer x T)", prefill_ms(every));
        std::printf("   %-52s %8.2f ms\n", "scalar kernels (--kernels ref)", prefill_ms(scalar));
        // The KV cache (lesson 08): 64 tokens from nothing, each seeing all before it.
        const int64_t nk = std::min<int64_t>(tokens, 64);
        std::vector<float> one(static_cast<size_t>(c.vocab_size));
        gw::RunState s = gw::make_run_state(c, nk, threads);
        auto t0 = Clock::now();  // without: the whole prefix again for every new token
        for (int64_t n = 1; n <= nk; n++) {
            s.n_past = 0;
            gw::forward(one.data(), *m, s, prompt.data(), n, o);
        }
        const double without = std::chrono::duration<double>(Clock::now() - t0).count();
        t0 = Clock::now();  // with: each token once, reading the cached keys and values
        s.n_past = 0;
        for (int64_t n = 0; n < nk; n++) gw::forward(one.data(), *m, s, &prompt[size_t(n)], 1, o);
        const double with = std::chrono::duration<double>(Clock::now() - t0).count();
        std::printf("   %-52s %8.2f ms\n", "64 tokens one by one, no KV cache (prefix rerun)", 1e3 * without);
        std::printf("   %-52s %8.2f ms\n", "64 tokens one by one, with the KV cache", 1e3 * with);
    });
}
