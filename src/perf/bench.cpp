// perf/bench.cpp — load / prefill / decode timings, memory, and per-op shares (gptwalk bench).
#include "perf/bench.h"

#include <sys/resource.h>  // getrusage (peak RSS where /proc is missing)
#include <time.h>          // clock_gettime(CLOCK_PROCESS_CPUTIME_ID)

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/json.h"       // json_quote, json_number
#include "kernels/linear.h"  // set_blas_threads
#include "model/sampler.h"   // Rng, argmax

namespace gw {

using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU seconds used so far by every thread of this process (user + system).
static double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

Stat summarize(std::vector<double> v) {
    if (v.empty()) fail("summarize: no samples");
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    double median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    return Stat{median, v.front(), v.back()};
}

// "VmHWM:    512340 kB" -> bytes; 0 when the line is missing.
static size_t status_kb(const std::string& status, const std::string& key) {
    size_t at = status.find(key + ":");
    if (at == std::string::npos) return 0;
    return size_t(std::strtoull(status.c_str() + at + key.size() + 1, nullptr, 10)) * 1024;
}

MemoryUse memory_use() {
    MemoryUse m;
    std::ifstream f("/proc/self/status");
    if (f) {
        std::stringstream ss;
        ss << f.rdbuf();
        m.peak_rss = status_kb(ss.str(), "VmHWM");
        m.rss = status_kb(ss.str(), "VmRSS");
    }
    if (m.peak_rss == 0) {
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        m.peak_rss = size_t(ru.ru_maxrss) * 1024;  // Linux reports kilobytes
    }
    return m;
}

std::vector<int> bench_tokens(int64_t n, int64_t vocab_size, uint64_t seed) {
    Rng rng(seed);
    std::vector<int> ids(static_cast<size_t>(n));
    for (int& id : ids) id = int(rng.next_u64() % uint64_t(vocab_size));
    return ids;
}

// Bytes of every parameter tensor as F32, from the one weight table.
static size_t parameter_bytes(const Config& cfg) {
    Weights scratch;
    size_t floats = 0;
    for (const WeightEntry& e : weight_table(cfg, scratch)) floats += size_t(e.shape.numel());
    return floats * sizeof(float);
}

TimedRun time_run(const Checkpoint& model, RunState& state, const std::vector<int>& prompt,
                  int64_t gen_tokens, const ForwardOptions& options, OpTimes* prefill_ops,
                  OpTimes* decode_ops, double* sampling_s) {
    const int64_t V = model.config.vocab_size, T = int64_t(prompt.size());
    state.n_past = 0;  // every cache row is written before it is read
    std::vector<float> logits(static_cast<size_t>((options.all_logits ? T : 1) * V));
    ForwardOptions fwd = options;
    TimedRun run;

    fwd.times = prefill_ops;
    auto t0 = Clock::now();
    double c0 = process_cpu_seconds();
    forward(logits.data(), model, state, prompt.data(), T, fwd);
    run.prefill_s = seconds_since(t0);
    run.prefill_cpu_s = process_cpu_seconds() - c0;

    fwd.times = decode_ops;
    fwd.all_logits = false;  // a step has one row
    const float* last = logits.data() + (options.all_logits ? (T - 1) * V : 0);
    auto t1 = Clock::now();
    double c1 = process_cpu_seconds();
    for (int64_t step = 0; step < gen_tokens; step++) {
        auto ts = Clock::now();
        int next = argmax(last, V);  // greedy: the cheapest sampler
        if (sampling_s) *sampling_s += seconds_since(ts);
        forward(logits.data(), model, state, &next, 1, fwd);
        last = logits.data();
    }
    run.decode_s = seconds_since(t1);
    run.decode_cpu_s = process_cpu_seconds() - c1;
    return run;
}

BenchResult run_bench(const std::string& model_dir, const BenchOptions& o) {
    if (o.repeats < 1) throw UsageError(cat("bench: --repeats must be at least 1, got ", o.repeats));
    if (o.prompt_tokens < 1) throw UsageError("bench: --prompt-tokens must be at least 1");
    if (o.gen_tokens < 0) throw UsageError("bench: --gen-tokens must not be negative");
    if (o.threads < 1) throw UsageError(cat("bench: --threads must be at least 1, got ", o.threads));
    // Either our team does all the parallel work and OpenBLAS runs single-threaded inside
    // it, or (to compare) OpenBLAS threads its own products and the rest runs on one thread.
    set_blas_threads(o.openblas_threads ? o.threads : 1);
    ThreadTeam team(o.openblas_threads ? 1 : o.threads);  // one team for every run

    BenchResult r;
    r.model_dir = model_dir;
    r.options = o;
    std::vector<double> load_s;
    std::unique_ptr<Checkpoint> model;
    for (int i = 0; i < o.repeats; i++) {
        model.reset();  // unmap the previous copy first, so only one is resident
        auto t0 = Clock::now();
        model = load_checkpoint(model_dir);
        load_s.push_back(seconds_since(t0));
    }
    r.load_s = summarize(load_s);
    r.config = model->config;
    const Config& cfg = r.config;
    if (o.prompt_tokens + o.gen_tokens > cfg.n_positions)
        throw UsageError(cat("bench: ", o.prompt_tokens, " prompt + ", o.gen_tokens,
                             " generated tokens do not fit the model's context of ",
                             cfg.n_positions, " positions"));
    r.weights_mapped = model->widened.empty() && model->stored_dtype == DType::F32;
    r.weights_bytes = parameter_bytes(cfg);
    r.prompt = bench_tokens(o.prompt_tokens, cfg.vocab_size, o.seed);
    // Warm-up: the first touch of every mapped weight page, not counted. Its run state,
    // sized by the forward call itself, gives the KV cache and activation bytes.
    RunState state = make_run_state(cfg, o.prompt_tokens, team.size());
    ForwardOptions fwd;
    fwd.isa = o.isa;
    fwd.team = &team;
    {
        std::vector<float> logits(static_cast<size_t>(cfg.vocab_size));
        auto t0 = Clock::now();
        forward(logits.data(), *model, state, r.prompt.data(), o.prompt_tokens, fwd);
        r.first_prefill_s = seconds_since(t0);
        r.kv_cache_bytes = (state.k_cache.size() + state.v_cache.size()) * sizeof(float);
        r.activation_bytes = run_state_bytes(state) - r.kv_cache_bytes +
                             logits.size() * sizeof(float);  // + the logits
    }

    std::vector<double> prefill, decode, prefill_cpu, decode_cpu;
    auto rate = [](int64_t tokens, double s) { return tokens > 0 && s > 0 ? double(tokens) / s : 0.0; };
    for (int i = 0; i < o.repeats; i++) {
        TimedRun run = time_run(*model, state, r.prompt, o.gen_tokens, fwd, &r.prefill_ops, &r.decode_ops,
                                &r.sampling_s);
        prefill.push_back(rate(o.prompt_tokens, run.prefill_s));
        decode.push_back(rate(o.gen_tokens, run.decode_s));
        prefill_cpu.push_back(rate(o.prompt_tokens, run.prefill_cpu_s));
        decode_cpu.push_back(rate(o.gen_tokens, run.decode_cpu_s));
    }
    r.prefill_tok_s = summarize(prefill);
    r.decode_tok_s = summarize(decode);
    r.prefill_cpu_tok_s = summarize(prefill_cpu);
    r.decode_cpu_tok_s = summarize(decode_cpu);
    r.memory = memory_use();

    // Against the machine's ceilings: the work one prefill / one decode step does ...
    const double flops = prefill_flops(cfg, o.prompt_tokens);
    double bytes = 0;  // mean over the decode steps, positions prompt .. prompt + gen - 1
    for (int64_t k = 0; k < o.gen_tokens; k++) bytes += decode_bytes(cfg, o.prompt_tokens + k);
    bytes = o.gen_tokens > 0 ? bytes / double(o.gen_tokens) : 0.0;
    r.prefill_gflop_s = flops * r.prefill_tok_s.median / double(o.prompt_tokens) / 1e9;
    r.decode_gb_s = bytes * r.decode_tok_s.median / 1e9;
    // ... and how fast it could go if it ran at the ceilings measured now, on the same threads.
    if (o.roofline) {
        r.roof = measure_roofline(team);
        r.prefill_bound_tok_s = double(o.prompt_tokens) * r.roof.gemm_gflop_s * 1e9 / flops;
        r.decode_bound_tok_s = bytes > 0 ? r.roof.read_gb_s * 1e9 / bytes : 0.0;
    }
    return r;
}

// ---------------------------------------------------------------- output

// The fields of OpTimes, by name, in print order.
struct OpField {
    const char* name;
    double OpTimes::*field;
};
static const OpField kOpFields[] = {
    {"embed", &OpTimes::embed},         {"layernorm", &OpTimes::layernorm},
    {"matmul", &OpTimes::matmul},       {"attention", &OpTimes::attention},
    {"gelu", &OpTimes::gelu},           {"residual", &OpTimes::residual},
    {"lm_head", &OpTimes::lm_head},
};

static double mb(size_t bytes) { return double(bytes) / (1024.0 * 1024.0); }

// {"layernorm": 0.031, ...}: each op's share of the phase's time (sampling included for decode).
static std::string shares_json(const OpTimes& t, double sampling) {
    double total = t.total() + sampling;
    auto share = [&](double x) { return json_number(total > 0 ? x / total : 0.0); };
    std::string s = "{";
    for (const OpField& f : kOpFields) s += cat(json_quote(f.name), ": ", share(t.*f.field), ", ");
    return s + cat("\"sampling\": ", share(sampling), "}");
}

// "name": median, "name_min": min, "name_max": max
static std::string stat_json(const std::string& name, const Stat& s) {
    return cat(json_quote(name), ": ", json_number(s.median), ", ", json_quote(name + "_min"), ": ",
               json_number(s.min), ", ", json_quote(name + "_max"), ": ", json_number(s.max));
}

std::string bench_json(const BenchResult& r) {
    const BenchOptions& o = r.options;
    const Config& c = r.config;
    auto num = [](double x) { return json_number(x); };
    std::string s = "{";
    s += cat("\"model\": ", json_quote(r.model_dir), ", ");
    s += cat("\"n_layer\": ", c.n_layer, ", \"n_embd\": ", c.n_embd, ", \"n_head\": ", c.n_head,
             ", \"vocab_size\": ", c.vocab_size, ", \"n_positions\": ", c.n_positions, ", ");
    s += cat("\"threads\": ", o.threads, ", \"threading\": \"",
             o.openblas_threads ? "openblas" : "team", "\", \"kernels\": \"", isa_name(o.isa), "\", ");
    s += cat("\"prompt_tokens\": ", o.prompt_tokens, ", \"gen_tokens\": ", o.gen_tokens,
             ", \"repeats\": ", o.repeats, ", ");
    s += stat_json("load_s", r.load_s) + ", ";
    s += cat("\"first_prefill_s\": ", num(r.first_prefill_s), ", ");
    s += stat_json("prefill_tok_s", r.prefill_tok_s) + ", ";
    s += stat_json("decode_tok_s", r.decode_tok_s) + ", ";
    s += cat("\"prefill_cpu_tok_s\": ", num(r.prefill_cpu_tok_s.median),
             ", \"decode_cpu_tok_s\": ", num(r.decode_cpu_tok_s.median), ", ");
    s += cat("\"peak_rss_mb\": ", num(mb(r.memory.peak_rss)), ", \"rss_mb\": ", num(mb(r.memory.rss)), ", ");
    s += cat("\"expected_mb\": ", num(mb(r.expected_bytes())), ", \"weights_mb\": ", num(mb(r.weights_bytes)),
             ", \"kv_cache_mb\": ", num(mb(r.kv_cache_bytes)),
             ", \"activations_mb\": ", num(mb(r.activation_bytes)), ", ");
    s += cat("\"weights_mapped\": ", r.weights_mapped ? "true" : "false", ", ");
    s += cat("\"prefill_gflop_s\": ", num(r.prefill_gflop_s), ", \"decode_gb_s\": ", num(r.decode_gb_s), ", ");
    if (o.roofline)
        s += cat("\"read_gb_s\": ", num(r.roof.read_gb_s), ", \"gemm_gflop_s\": ", num(r.roof.gemm_gflop_s),
                 ", \"prefill_bound_tok_s\": ", num(r.prefill_bound_tok_s),
                 ", \"decode_bound_tok_s\": ", num(r.decode_bound_tok_s), ", ");
    s += "\"prefill_shares\": " + shares_json(r.prefill_ops, 0.0) + ", ";
    s += "\"decode_shares\": " + shares_json(r.decode_ops, r.sampling_s);
    return s + "}";
}

static void print_shares(std::FILE* out, const char* phase, const OpTimes& t, double sampling,
                         double tokens) {
    double total = t.total() + sampling;
    std::fprintf(out, "%-8s", phase);
    for (const OpField& f : kOpFields)
        std::fprintf(out, " %s %.1f%%", f.name, total > 0 ? 100.0 * (t.*f.field) / total : 0.0);
    std::fprintf(out, " sampling %.1f%%  (%.3f ms/token)\n", total > 0 ? 100.0 * sampling / total : 0.0,
                 tokens > 0 ? 1e3 * total / tokens : 0.0);
}

void print_bench(std::FILE* out, const BenchResult& r) {
    const BenchOptions& o = r.options;
    const Config& c = r.config;
    std::fprintf(out, "model    %s (L %lld, C %lld, NH %lld, V %lld, P %lld)\n", r.model_dir.c_str(),
                 (long long)c.n_layer, (long long)c.n_embd, (long long)c.n_head,
                 (long long)c.vocab_size, (long long)c.n_positions);
    std::fprintf(out, "run      %lld-token prompt, %lld generated (greedy); kernels %s; %d thread%s (%s); %d repeats\n",
                 (long long)o.prompt_tokens, (long long)o.gen_tokens, isa_name(o.isa), o.threads,
                 o.threads == 1 ? "" : "s", o.openblas_threads ? "OpenBLAS's" : "team", o.repeats);
    auto line = [&](const char* what, const Stat& s, const char* unit, int digits) {
        std::fprintf(out, "%-8s %.*f %s  (min %.*f, max %.*f)\n", what, digits, s.median, unit,
                     digits, s.min, digits, s.max);
    };
    line("load", r.load_s, "s", 4);
    std::fprintf(out, "warm-up  %.3f s for the first prefill (first touch of the mapped weights)\n",
                 r.first_prefill_s);
    line("prefill", r.prefill_tok_s, "tok/s", 1);
    line("decode", r.decode_tok_s, "tok/s", 1);
    std::fprintf(out, "per CPU  prefill %.1f, decode %.1f tokens per CPU-second (all threads)\n",
                 r.prefill_cpu_tok_s.median, r.decode_cpu_tok_s.median);
    std::fprintf(out,
                 "memory   peak RSS %.1f MB; expected %.1f MB = weights %.1f (%s) + KV cache %.1f + "
                 "activations %.1f\n",
                 mb(r.memory.peak_rss), mb(r.expected_bytes()), mb(r.weights_bytes),
                 r.weights_mapped ? "mapped" : "copied", mb(r.kv_cache_bytes), mb(r.activation_bytes));
    std::fprintf(out, "work     prefill %.1f GFLOP/s; decode %.1f GB/s read (weights + KV cache)\n",
                 r.prefill_gflop_s, r.decode_gb_s);
    if (o.roofline)
        std::fprintf(out,
                     "ceilings sgemm %.1f GFLOP/s, memory read %.1f GB/s (measured now, %d thread%s): "
                     "prefill <= %.0f tok/s (at %.0f%%), decode <= %.1f tok/s (at %.0f%%)\n",
                     r.roof.gemm_gflop_s, r.roof.read_gb_s, o.threads, o.threads == 1 ? "" : "s",
                     r.prefill_bound_tok_s, 100.0 * r.prefill_tok_s.median / r.prefill_bound_tok_s,
                     r.decode_bound_tok_s,
                     r.decode_bound_tok_s > 0 ? 100.0 * r.decode_tok_s.median / r.decode_bound_tok_s : 0.0);
    double runs = double(o.repeats);
    print_shares(out, "prefill", r.prefill_ops, 0.0, runs * double(o.prompt_tokens));
    print_shares(out, "decode", r.decode_ops, r.sampling_s, runs * double(o.gen_tokens));
}

}  // namespace gw
