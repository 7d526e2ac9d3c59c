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
#include "kernels/linear.h"  // set_blas_threads
#include "model/sampler.h"   // Rng, argmax

namespace gw {

using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

double process_cpu_seconds() {
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
        model = load_checkpoint(model_dir, o.load);
        load_s.push_back(seconds_since(t0));
    }
    r.load_s = summarize(load_s);
    r.config = model->config;
    const Config& cfg = r.config;
    if (o.prompt_tokens + o.gen_tokens > cfg.n_positions)
        throw UsageError(cat("bench: ", o.prompt_tokens, " prompt + ", o.gen_tokens,
                             " generated tokens do not fit the model's context of ",
                             cfg.n_positions, " positions"));
    r.weights_type = model->weights_type();
    r.weights_mapped = model->matrices_in_place == 1 + 4 * cfg.n_layer;  // wte + 4 a layer
    r.weights_bytes = model->weights_bytes();
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
    for (int64_t k = 0; k < o.gen_tokens; k++) bytes += decode_bytes(cfg, o.prompt_tokens + k, r.weights_type);
    bytes = o.gen_tokens > 0 ? bytes / double(o.gen_tokens) : 0.0;
    r.decode_step_bytes = bytes;
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

}  // namespace gw
