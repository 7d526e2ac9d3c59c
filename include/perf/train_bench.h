// perf/train_bench.h — how fast training runs here, where its time goes, and its memory.
//
// run_train_bench takes a model's shape from its config.json (the weights are GPT-2's random
// init: speed does not depend on them), then runs `warmup` untimed and `steps` timed training
// updates (train/trainer.h: forward, backward and AdamW with clipping) on random windows of
// `seq` tokens, `batch` windows an update:
//   tok/s = batch * seq / (seconds of one update)       median over the timed updates
// The per-op times are summed over the timed updates; the memory is the process's peak
// against what the run must hold: weights, gradients, AdamW's two moments (4 bytes a
// parameter each) and the activations of one micro-batch (train/backward.h).
// Returns a plain record; report/bench_io.h formats it (`gptwalk bench --train`), and
// tools/bench.sh sets it beside PyTorch training the same shape (tools/reference/train_bench_torch.py).
#pragma once
#include <cstdint>
#include <string>

#include "core/cpu.h"
#include "perf/bench.h"      // Stat, MemoryUse
#include "train/ops.h"       // TrainTimes

namespace gw {

struct TrainBenchOptions {
    int64_t batch = 8, seq = 64;
    int threads = 1;
    Isa isa = Isa::Ref;
    int steps = 5;        // timed updates (>= 1)
    int warmup = 1;       // untimed updates first: the first touch of every buffer
    uint64_t seed = 1;    // of the init and the windows
};

struct TrainBenchResult {
    std::string model_dir;
    Config config;
    TrainBenchOptions options;
    Stat tok_s;                   // median, min, max over the timed updates
    double cpu_tok_s = 0;         // tokens per CPU-second of the whole process (every thread)
    TrainTimes times;             // summed over the timed updates
    double step_s = 0;            // their wall time summed (times.total() is the part inside the ops)
    double last_loss = 0;
    size_t params_bytes = 0, grads_bytes = 0, moments_bytes = 0, activation_bytes = 0;
    MemoryUse memory;             // after the run
    size_t expected_bytes() const { return params_bytes + grads_bytes + moments_bytes + activation_bytes; }
};

// Throws gw::UsageError for options that cannot run (seq beyond n_positions, steps < 1).
TrainBenchResult run_train_bench(const std::string& model_dir, const TrainBenchOptions& options);

}  // namespace gw
