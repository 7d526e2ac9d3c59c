// demo.cpp — lesson 16: fewer bytes per weight. BF16, F16 and Q8 blocks, what each costs
// in accuracy, and what each buys in speed.
//
// Stages: (1) the bytes a decode step reads with each weight type, for the model given and
// every GPT-2 size: the speed limit moves with them; (2) one weight of the model written in
// each format, bit by bit; (3) the error each type makes: in the matrices, then in the
// logits and the greedy text (gptwalk fidelity); (4) speed: prefill and decode with each
// type, timed here, and (--png) the speed/error table as a picture.
//
// usage: build/lessons/16-reduced-precision [--model DIR] [--threads N] [--png FILE]
//                                           [--no-timing] [--step]
// --no-timing: stages 1-3 only (the same output on every machine, up to float rounding).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/parallel.h"           // ThreadTeam
#include "lesson.h"                  // lesson::Demo: flags, --step, errors
#include "model/forward.h"           // ForwardOptions
#include "model/tokenizer.h"         // the " the" of stage 2
#include "perf/bench.h"              // bench_tokens, time_run
#include "perf/fidelity.h"           // weight_fidelity
#include "perf/random_checkpoint.h"  // gpt2_config
#include "perf/roofline.h"           // decode_bytes, measure_roofline
#include "report/fidelity_io.h"      // print_fidelity
#include "report/picture.h"          // Chart, render_chart, compose_grid, write_png

namespace {

const gw::WType kTypes[] = {gw::WType::F32, gw::WType::BF16, gw::WType::F16, gw::WType::Q8};

void stage_bytes(const gw::Config& here) {
    std::printf("1. Bytes a decode step reads (at position 128), by the matrices' type\n\n");
    std::printf("%-12s %10s %10s %10s   %s\n", "model", "f32 MB", "16-bit MB", "q8 MB", "speed limit vs f32: 16-bit, q8");
    std::vector<std::pair<std::string, gw::Config>> shapes = {{"this model", here}};
    for (const char* n : {"124M", "355M", "774M", "1558M"}) shapes.push_back({"gpt2-" + std::string(n), gw::gpt2_config(n)});
    for (const auto& [name, c] : shapes) {
        const double f32 = gw::decode_bytes(c, 128, gw::WType::F32), h = gw::decode_bytes(c, 128, gw::WType::F16),
                     q8 = gw::decode_bytes(c, 128, gw::WType::Q8);
        std::printf("%-12s %10.1f %10.1f %10.1f   %.2fx, %.2fx\n", name.c_str(), f32 / 1e6, h / 1e6, q8 / 1e6, f32 / h,
                    f32 / q8);
    }
    std::printf("\nDecode reads every weight once a token: its limit is (read GB/s) / (bytes a step),\n"
                "so halving the bytes nearly doubles it. Biases, layer norms, wpe's row and the KV\n"
                "cache stay F32: they are why the ratios fall a little short of 2 and 3.76.\n");
}

// "0 01111100 0010001..." : the bits of a value, split into sign | exponent | mantissa.
std::string bits(uint32_t v, int width, int exp_bits) {
    std::string s;
    for (int i = width - 1; i >= 0; i--) {
        s += char('0' + ((v >> i) & 1));
        if (i == width - 1 || i == width - 1 - exp_bits) s += ' ';
    }
    return s;
}

void stage_bits(const gw::Checkpoint& m, const std::string& dir) {
    const int64_t C = m.config.n_embd;
    int id = 0;
    if (gw::Tokenizer::present(dir)) id = std::max(0, gw::Tokenizer(dir).token_id(" the"));
    std::vector<float> row(static_cast<size_t>(C));
    gw::read_row_f32(row.data(), m.w.wte, id);
    const float w = row[0];
    std::printf("\n2. One weight, four ways: wte[%d][0] = %.9g (the first of its block of 32)\n\n", id, w);
    uint32_t u;
    std::memcpy(&u, &w, 4);
    const uint16_t b = gw::f32_to_bf16(w), h = gw::f32_to_f16(w);
    const float bw = gw::bf16_to_f32(b), hw = gw::f16_to_f32(h);
    int8_t q[32];
    uint16_t d16 = 0;
    const int64_t n = std::min<int64_t>(32, C);
    gw::quantize_q8_row(q, &d16, row.data(), n);
    const float d = gw::f16_to_f32(d16), qw = d * float(q[0]);
    float amax = 0;
    for (int64_t i = 0; i < n; i++) amax = std::max(amax, std::fabs(row[size_t(i)]));
    std::printf("F32   %-36s = %.9g\n", bits(u, 32, 8).c_str(), w);
    std::printf("BF16  %-36s = %.9g   error %+.2e (%.3f%%)\n", bits(b, 16, 8).c_str(), bw, bw - w, 100 * (bw - w) / w);
    std::printf("F16   %-36s = %.9g   error %+.2e (%.3f%%)\n", bits(h, 16, 5).c_str(), hw, hw - w, 100 * (hw - w) / w);
    std::printf("Q8    block amax %.6g; scale d = F16(amax / 127) = %s = %.6g\n", amax, bits(d16, 16, 5).c_str(), d);
    std::printf("      q = round(w / d) = round(%.4f) = %d (int8 %s); d q = %.9g   error %+.2e (%.3f%%)\n", w / d,
                int(q[0]), bits(uint8_t(q[0]), 8, 0).c_str(), qw, qw - w, 100 * (qw - w) / w);
    std::printf("\nBF16 keeps F32's exponent and 8 significant bits; F16 has 11 but a range of +-65504;\n"
                "Q8 spends 8 bits a weight plus a 16-bit scale shared by 32: its error is relative to\n"
                "the block's largest weight (at most d/2 = %.2e here), not to the weight itself.\n", d / 2);
}

void stage_errors(const std::string& dir, gw::Isa isa) {
    std::printf("\n3. The error each type makes in this model\n\n");
    std::printf("matrices, against the numbers in the file (the worst matrix):\n");
    std::printf("%-6s %16s %16s\n", "type", "max|err|/max|w|", "rms err / rms w");
    for (gw::WType t : {gw::WType::BF16, gw::WType::F16, gw::WType::Q8}) {
        gw::LoadOptions o;
        o.weights = t;
        double max_rel = 0, rms_rel = 0;
        for (const gw::QuantError& e : gw::quantization_error(*gw::load_checkpoint(dir, o))) {
            max_rel = std::max(max_rel, e.max_rel);
            rms_rel = std::max(rms_rel, e.rms_rel);
        }
        std::printf("%-6s %16.3e %16.3e\n", gw::wtype_name(t), max_rel, rms_rel);
    }
    std::printf("\nlogits and greedy text, against the model with F32 weights (gptwalk fidelity):\n\n");
    gw::FidelityOptions f;
    f.prompt_tokens = 16;
    f.gen_tokens = 16;
    f.isa = isa;
    gw::print_fidelity(stdout, gw::weight_fidelity(dir, f));
}

struct Speed {
    gw::WType type;
    double load_s = 0, prefill = 0, decode = 0, mb_per_step = 0;
};

// The speed/error table as a picture: decode tok/s against bytes a weight, with the limit
// read GB/s / bytes a step drawn as a curve; and each type's logit error, on a log scale.
void draw(const std::string& path, const std::vector<Speed>& speeds, const gw::FidelityResult& fid,
          const gw::Config& c, double read_gb_s) {
    gw::Chart speed;
    speed.title = "Decode speed by bytes per weight";
    speed.x_label = "bytes per weight";
    speed.y_label = "decode tok/s";
    gw::Series limit{"memory limit", {}, {}, true, false, {}};
    // A step's bytes are M b + R for b bytes a weight: M weights in the matrices, R bytes of the rest.
    const double f32 = gw::decode_bytes(c, 128, gw::WType::F32), f16 = gw::decode_bytes(c, 128, gw::WType::F16);
    const double M = (f32 - f16) / 2, R = f32 - 4 * M;
    for (double b = 1.0; b <= 4.001; b += 0.125) {
        limit.x.push_back(b);
        limit.y.push_back(read_gb_s * 1e9 / (M * b + R));
    }
    gw::Series measured{"measured", {}, {}, false, true, {}};
    for (const Speed& s : speeds) {
        measured.x.push_back(gw::wtype_bytes_per_weight(s.type));
        measured.y.push_back(s.decode);
        measured.point_labels.push_back(gw::wtype_name(s.type));
    }
    speed.series = {limit, measured};
    gw::Chart error;
    error.title = "Logit error against F32 weights";
    error.x_label = "bytes per weight";
    error.y_label = "log10 max |logit - F32's logit|";
    gw::Series err{"max |dlogit|", {}, {}, false, true, {}};
    for (const gw::TypeFidelity& f : fid.types) {
        if (f.type == gw::WType::F32) continue;  // 0: no point on a log scale
        err.x.push_back(f.bytes_per_weight);
        err.y.push_back(std::log10(std::max(f.max_abs, 1e-7)));
        err.point_labels.push_back(gw::wtype_name(f.type));
    }
    error.series = {err};
    gw::write_png(path, gw::compose_grid({gw::render_chart(speed, 640, 460), gw::render_chart(error, 640, 460)}, 2,
                                         "Fewer bytes per weight: faster decode, some error"));
    std::printf("   wrote %s\n", path.c_str());
}

void stage_speed(const std::string& dir, int threads, const std::string& png) {
    gw::LoadOptions as_f32;
    as_f32.weights = gw::WType::F32;
    const gw::Config c = gw::load_checkpoint(dir, as_f32)->config;
    const int64_t T = std::min<int64_t>(128, c.n_positions / 2), steps = 32;
    const std::vector<int> prompt = gw::bench_tokens(T, c.vocab_size, 1);
    gw::ThreadTeam team(threads);
    std::printf("\n4. Speed here (%d thread%s; %lld-token prompt, then %lld tokens; the faster of 2 runs)\n\n",
                threads, threads == 1 ? "" : "s", (long long)T, (long long)steps);
    std::printf("%-6s %8s %14s %13s %12s %10s\n", "type", "load s", "prefill tok/s", "decode tok/s", "MB a step", "GB/s");
    std::vector<Speed> speeds;
    for (gw::WType t : kTypes) {
        gw::LoadOptions o;
        o.weights = t;
        Speed s{t};
        auto t0 = std::chrono::steady_clock::now();
        auto m = gw::load_checkpoint(dir, o);
        s.load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        gw::RunState state = gw::make_run_state(c, T, threads);
        gw::ForwardOptions f;
        f.isa = gw::best_isa();
        f.team = &team;
        gw::time_run(*m, state, prompt, 1, f);  // warm-up: first touch of every weight
        for (int r = 0; r < 2; r++) {
            const gw::TimedRun run = gw::time_run(*m, state, prompt, steps, f);
            s.prefill = std::max(s.prefill, double(T) / run.prefill_s);
            s.decode = std::max(s.decode, double(steps) / run.decode_s);
        }
        s.mb_per_step = gw::decode_bytes(c, T + steps / 2, t) / 1e6;
        std::printf("%-6s %8.2f %14.1f %13.1f %12.1f %10.1f\n", gw::wtype_name(t), s.load_s, s.prefill, s.decode,
                    s.mb_per_step, s.decode * s.mb_per_step / 1e3);
        speeds.push_back(s);
    }
    const double read = gw::measure_roofline(team).read_gb_s;
    std::printf("\nThis machine reads %.1f GB/s (the streaming-read ceiling, measured now): decode can go\n"
                "at most %.1f tok/s with f32, %.1f with 16-bit weights, %.1f with q8.\n", read,
                read * 1e3 / speeds[0].mb_per_step, read * 1e3 / speeds[2].mb_per_step,
                read * 1e3 / speeds[3].mb_per_step);
    if (!png.empty()) {
        gw::FidelityOptions fo;
        fo.prompt_tokens = 16;
        fo.gen_tokens = 16;
        fo.isa = gw::best_isa();
        draw(png, speeds, gw::weight_fidelity(dir, fo), c, read);
    }
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("16-reduced-precision");
    int threads = 1;
    bool no_timing = false;
    std::string png;  // --png FILE: the speed/error picture
    demo.integer("--threads", &threads, 1, 64).text("--png", &png, "FILE").flag("--no-timing", &no_timing);
    return demo.run(argc, argv, [&](gw::Stepper& step) {
        auto m = gw::load_checkpoint(demo.model);
        stage_bytes(m->config);
        step.pause("one weight, four ways");
        stage_bits(*m, demo.model);
        step.pause("the error each type makes");
        stage_errors(demo.model, gw::best_isa());
        if (no_timing) return;
        step.pause("speed");
        stage_speed(demo.model, threads, png);
    });
}
