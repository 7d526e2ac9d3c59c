// train/optimizer.h — how gradients change the weights: AdamW or plain SGD, gradient-norm
// clipping, and a learning rate that warms up then decays along a cosine (lesson 18).
//
// One update, with g the gradient (the mean over the step's micro-batches), t = 1, 2, ...:
//   clip:   n = |g| over every parameter; if clip > 0 and clip / (n + 1e-6) < 1, g *= that
//           (as torch.nn.utils.clip_grad_norm_ does: a bad batch cannot throw the weights far)
//   lr_t:   warm-up then cosine (learning_rate below)
//   SGD:    w -= lr_t * g
//   AdamW:  m = b1 m + (1 - b1) g           v = b2 v + (1 - b2) g^2      (running moments)
//           w -= lr_t * ( (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)  +  wd * w )
//           the two divisions undo the moments' bias towards their zero start; the weight
//           decay is "decoupled" (Loshchilov & Hutter): it shrinks w directly, not through g,
//           and only matrices get it (wte, wpe, the Conv1D weights), never biases or layer norms.
// Every parameter lives in one flat buffer (params.h), so one loop over it updates them all.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/cpu.h"
#include "core/parallel.h"
#include "core/tensor.h"
#include "train/ops.h"     // TrainTimes
#include "train/params.h"

namespace gw {

enum class OptimizerKind { AdamW, Sgd };
const char* optimizer_name(OptimizerKind kind);  // "adamw", "sgd"

struct OptimizerConfig {
    OptimizerKind kind = OptimizerKind::AdamW;
    double lr = 3e-4;            // the peak learning rate
    double min_lr = 3e-5;        // where the cosine ends
    int64_t warmup = 0;          // updates of linear warm-up
    int64_t steps = 1;           // the run's updates: the cosine's length
    double weight_decay = 0.1;   // AdamW only, matrices only
    double beta1 = 0.9, beta2 = 0.95, eps = 1e-8;  // AdamW's moments (GPT-2's recipe)
    double clip = 1.0;           // max gradient norm; 0: no clipping
};

// The learning rate of update `step` (0-based):
//   step < warmup:  lr * (step + 1) / warmup
//   otherwise:      min_lr + (lr - min_lr) * (1 + cos(pi * (step - warmup) / (steps - warmup))) / 2
double learning_rate(const OptimizerConfig& config, int64_t step);

// AdamW's two moments, flat like the parameters (empty for SGD), and the updates so far.
struct OptimizerState {
    FloatBuffer m, v;
    int64_t step = 0;
};
OptimizerState make_optimizer_state(const ParamLayout& layout, const OptimizerConfig& config);

struct UpdateStats {
    double lr = 0;          // the learning rate used
    double grad_norm = 0;   // |g| before clipping
    double clip_scale = 1;  // what g was multiplied by (1: not clipped)
};

// The global gradient norm, summed in double over fixed chunks in a fixed order (the same
// bits for any team size).
double gradient_norm(const float* grads, size_t n, ThreadTeam& team);
// One update of params from grads (read only: clipping scales them on the way); state.step += 1.
// A non-finite gradient norm is not applied: the caller checks stats.grad_norm first (the
// training loop stops there, keeping the last good checkpoint).
// isa picks the element loop's vector version (all agree to a few float ulps).
UpdateStats optimizer_update(float* params, const float* grads, OptimizerState& state, const ParamLayout& layout,
                             const OptimizerConfig& config, ThreadTeam& team, Isa isa, TrainTimes* times = nullptr);

}  // namespace gw
