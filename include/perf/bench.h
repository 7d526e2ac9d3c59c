// perf/bench.h — how fast the model runs here: load, prefill, decode, memory, per-op shares.
//
// One benchmark run (run_bench) loads the checkpoint `repeats` times, then `repeats`
// times: a fresh KV cache, a prefill of `prompt_tokens` fixed token ids (random but
// seeded, so no tokenizer is needed), and `gen_tokens` decode steps, each one greedy
// pick (the sampling share) plus a one-token forward pass over the cache.
//   prefill tok/s = prompt_tokens / (seconds of the prefill forward call)
//   decode tok/s  = gen_tokens / (seconds of the gen_tokens one-token steps, sampling included)
// A warm-up prefill runs first and is not counted: it pays for the first touch of every
// page of the mapped weights, which belongs to loading rather than to steady speed
// (its time is reported as first_prefill_s).
// Numbers are medians over the repeats, with min and max to show the spread.
// Returns plain records; report/bench_io.h formats them (`gptwalk bench`).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "model/forward.h"
#include "perf/roofline.h"

namespace gw {

struct BenchOptions {
    int64_t prompt_tokens = 128;
    int64_t gen_tokens = 128;
    int threads = 1;        // all parallelism: the forward pass's team (OpenBLAS at 1 thread)
    bool openblas_threads = false;  // instead: OpenBLAS's own threads, no team (to compare)
    Isa isa = Isa::Ref;
    int repeats = 3;        // timed runs (>= 1)
    uint64_t seed = 1;      // of the prompt's token ids
    bool roofline = false;  // also measure this machine's ceilings (roofline.h), ~1 s
    LoadOptions load;       // the weights' type (--weights); default: as stored
};

// Median and spread of repeated measurements.
struct Stat {
    double median = 0, min = 0, max = 0;
};
Stat summarize(std::vector<double> samples);  // samples non-empty; median of an even count
                                              // is the mean of the middle two

// Memory of the process: peak resident set (VmHWM, or getrusage's ru_maxrss where
// /proc is missing) and the current one, in bytes.
struct MemoryUse {
    size_t peak_rss = 0;
    size_t rss = 0;
};
MemoryUse memory_use();
// CPU seconds used so far by every thread of this process (user + system).
double process_cpu_seconds();

struct BenchResult {
    std::string model_dir;
    Config config;
    BenchOptions options;
    std::vector<int> prompt;          // the token ids used
    Stat load_s;                      // load_checkpoint (warm: the file is in the page cache)
    double first_prefill_s = 0;       // the warm-up prefill (first touch of the mapped weights)
    Stat prefill_tok_s, decode_tok_s;
    // Tokens per CPU-second of the whole process (every thread). On a machine shared with
    // other work this stays close to the unloaded speed at 1 thread, where wall time does not.
    Stat prefill_cpu_tok_s, decode_cpu_tok_s;
    OpTimes prefill_ops, decode_ops;  // summed over the timed repeats
    double sampling_s = 0;            // summed over the timed repeats (decode only)
    WType weights_type = WType::F32;  // of the big matrices, as loaded (model/weights.h)
    bool weights_mapped = false;      // every big matrix used in place from the mapping
    size_t weights_bytes = 0;         // all parameter tensors, as the model holds them
    double decode_step_bytes = 0;     // mean bytes a decode step reads (roofline.h decode_bytes)
    size_t kv_cache_bytes = 0;        // (2, L, P, C) floats
    size_t activation_bytes = 0;      // scratch of one forward call of prompt_tokens, + logits
    MemoryUse memory;                 // after the last run (before the roofline probe)
    // What the medians mean against the machine (roofline.h). The counts are always there;
    // the ceilings and bounds only with options.roofline (0 otherwise).
    double prefill_gflop_s = 0;       // prefill_flops / median prefill time
    double decode_gb_s = 0;           // mean decode_bytes over the steps x median decode tok/s
    Roofline roof;                    // measured after the timed runs, same threads
    double prefill_bound_tok_s = 0;   // prompt tokens a second if every FLOP ran at roof.gemm
    double decode_bound_tok_s = 0;    // steps a second if every byte came at roof.read
    size_t expected_bytes() const { return weights_bytes + kv_cache_bytes + activation_bytes; }
};

// One timed run, as run_bench times each repeat: `state` goes back to position 0 (its
// memory is reused: fresh pages cost a fault per 4 KiB at first touch, slow and erratic
// on virtual machines, and that is allocation, not the speed of the model), a prefill of
// `prompt`, then `gen_tokens` decode steps, each a greedy pick (argmax, the cheapest
// sampler) and a one-token forward. `fwd` gives the kernels, the team and all_logits (for
// the prefill; a step has one row). Per-op times are added to *prefill_ops and
// *decode_ops, the picks' time to *sampling_s (each may be nullptr).
struct TimedRun {
    double prefill_s = 0, decode_s = 0;          // wall clock
    double prefill_cpu_s = 0, decode_cpu_s = 0;  // CPU time of every thread of the process
};
TimedRun time_run(const Checkpoint& model, RunState& state, const std::vector<int>& prompt,
                  int64_t gen_tokens, const ForwardOptions& fwd, OpTimes* prefill_ops = nullptr,
                  OpTimes* decode_ops = nullptr, double* sampling_s = nullptr);

// The benchmark's prompt: n ids drawn uniformly from [0, vocab_size) with a seeded generator.
std::vector<int> bench_tokens(int64_t n, int64_t vocab_size, uint64_t seed);

// Throws gw::UsageError for bad options (repeats < 1, no tokens, prompt + generated tokens
// beyond the model's n_positions) and gw::Error when the checkpoint cannot be loaded.
BenchResult run_bench(const std::string& model_dir, const BenchOptions& options);

}  // namespace gw
