// train/trainer.h — one training run: its settings, everything it owns, and its steps (lesson 18).
//
// A step is one optimizer update:
//   grads = 0
//   for each of `accum` micro-batches: B random windows (data.h), train_forward (dloss = 1 / (B T accum)),
//                                      train_backward (adds its share of the mean's gradient)
//   if the loss and the gradient norm are finite: optimizer_update (optimizer.h)
// so `accum` micro-batches of B windows are one batch of accum * B windows, in memory for B.
// Validation runs the held-out split's first windows [k T, k T + T] through the same forward,
// loss only. Everything a run does is a function of its settings, its starting parameters and
// its data: the same inputs give the same bits, and a checkpoint (checkpoint.h) holds the
// whole state, so a resumed run continues exactly where the first one stopped.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "core/parallel.h"
#include "core/tensor.h"
#include "model/safetensors.h"  // DType
#include "train/backward.h"
#include "train/data.h"
#include "train/optimizer.h"
#include "train/params.h"

namespace gw {

struct TrainSettings {
    int64_t batch = 8;            // B windows a micro-batch
    int64_t seq = 64;             // T tokens a window
    int64_t accum = 1;            // micro-batches per update
    OptimizerConfig optimizer;    // its `steps` is the run's number of updates
    double val_fraction = 0.1;    // the tail of the text held out
    int64_t val_windows = 32;     // validation reads at most this many windows of the split
    int64_t eval_every = 50;      // updates between validations (and at the end)
    int64_t save_every = 0;       // updates between checkpoints (0: only at the end)
    uint64_t seed = 1;            // the window sampler's (and, from scratch, the init's)
    DType dtype = DType::F32;     // how model.safetensors stores the weights (F32 or F16)
    // How the run computes, not what: may change between a run and its resume (threads: the
    // last bits may then differ, see ops.h).
    int threads = 1;
    Isa isa = Isa::Ref;
};

struct StepRecord {
    int64_t step = 0;        // updates done after this one (1-based)
    double loss = 0;         // mean training loss of the step's windows, before the update
    double lr = 0, grad_norm = 0, clip_scale = 1;
    bool applied = false;    // false: the loss or the gradient norm was NaN or infinite
    int64_t tokens = 0;      // positions trained on (accum * B * T)
    double seconds = 0;      // wall time of the step
};
struct EvalRecord {
    int64_t step = 0;        // after this many updates
    double val_loss = 0;     // mean over the validation windows' positions, nats
    int64_t tokens = 0;      // positions evaluated
};
struct TrainLog {
    std::vector<StepRecord> steps;
    std::vector<EvalRecord> evals;
};

// Everything a run owns: parameters, gradients, the optimizer's moments, the activations,
// the sampler, the thread team and the per-op times.
struct TrainRun {
    TrainSettings settings;
    ParamLayout layout;
    FloatBuffer params, grads;          // flat, layout order
    OptimizerState opt;                 // moments and the update count
    WindowSampler sampler;
    TrainTimes times;
    std::unique_ptr<ThreadTeam> team;
    std::unique_ptr<TrainOps> ops;
    TrainActivations acts;
    std::vector<int> inputs, targets;   // (B, T) one micro-batch's windows
};

// A run from `initial` (config.parameter_count() floats, layout order; nullptr: zeros, for
// the caller to fill run.params in place): a fresh optimizer
// state and a sampler seeded with settings.seed. Throws gw::Error for settings that cannot run.
std::unique_ptr<TrainRun> make_train_run(const Config& config, const TrainSettings& settings, const float* initial);
StepRecord train_step(TrainRun& run, const std::vector<int>& train_ids);
EvalRecord validate(TrainRun& run, const std::vector<int>& val_ids);
// The bytes the run holds: parameters, gradients, the moments, the activations.
size_t train_run_bytes(const TrainRun& run);

}  // namespace gw
