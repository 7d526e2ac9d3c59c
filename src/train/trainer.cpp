// train/trainer.cpp — a training run's steps and validation (lesson 18).
#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "core/error.h"

namespace gw {

std::unique_ptr<TrainRun> make_train_run(const Config& config, const TrainSettings& s, const float* initial) {
    if (s.batch < 1 || s.accum < 1 || s.optimizer.steps < 1) fail("training needs batch, accum and steps >= 1");
    if (s.seq < 1 || s.seq > config.n_positions)
        fail("a window of --seq ", s.seq, " tokens does not fit the model's context of n_positions ",
             config.n_positions);
    auto run = std::make_unique<TrainRun>();
    run->settings = s;
    run->layout = param_layout(config);
    run->params = FloatBuffer(run->layout.total);  // zeros
    if (initial) std::memcpy(run->params.data(), initial, run->layout.total * sizeof(float));
    run->grads = FloatBuffer(run->layout.total);
    run->opt = make_optimizer_state(run->layout, s.optimizer);
    run->sampler.state = s.seed;
    run->team = std::make_unique<ThreadTeam>(s.threads);
    run->ops = std::make_unique<TrainOps>(*run->team, s.isa, &run->times);
    run->acts = make_train_activations(config, s.batch, s.seq, s.threads);
    run->inputs.resize(size_t(s.batch * s.seq));
    run->targets.resize(size_t(s.batch * s.seq));
    return run;
}

StepRecord train_step(TrainRun& run, const std::vector<int>& train_ids) {
    const auto start = std::chrono::steady_clock::now();
    const TrainSettings& s = run.settings;
    const int64_t B = s.batch, T = s.seq;
    const float dloss = float(1.0 / double(B * T * s.accum));
    std::memset(run.grads.data(), 0, run.grads.size() * sizeof(float));
    StepRecord r;
    for (int64_t k = 0; k < s.accum; k++) {
        sample_windows(run.inputs.data(), run.targets.data(), run.sampler, train_ids, B, T);
        r.loss += train_forward(run.acts, run.layout, run.params.data(), run.inputs.data(), run.targets.data(), B,
                                T, dloss, *run.ops) / double(s.accum);
        train_backward(run.grads.data(), run.acts, run.layout, run.params.data(), run.inputs.data(), B, T, *run.ops);
    }
    r.tokens = s.accum * B * T;
    if (std::isfinite(r.loss)) {
        const UpdateStats u = optimizer_update(run.params.data(), run.grads.data(), run.opt, run.layout, s.optimizer,
                                               *run.team, s.isa, &run.times);
        r.applied = std::isfinite(u.grad_norm);
        r.lr = u.lr;
        r.grad_norm = u.grad_norm;
        r.clip_scale = u.clip_scale;
    }
    r.step = run.opt.step;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

EvalRecord validate(TrainRun& run, const std::vector<int>& val_ids) {
    const int64_t B = run.settings.batch, T = run.settings.seq;
    const int64_t windows = std::min(run.settings.val_windows, (int64_t(val_ids.size()) - 1) / T);
    std::vector<int> in(size_t(B * T)), tg(size_t(B * T));
    double sum = 0;
    for (int64_t w0 = 0; w0 < windows; w0 += B) {  // B windows at a time, the last batch maybe fewer
        const int64_t n = std::min(B, windows - w0);
        for (int64_t b = 0; b < n; b++)
            for (int64_t t = 0; t < T; t++) {
                in[size_t(b * T + t)] = val_ids[size_t((w0 + b) * T + t)];
                tg[size_t(b * T + t)] = val_ids[size_t((w0 + b) * T + t + 1)];
            }
        sum += train_forward(run.acts, run.layout, run.params.data(), in.data(), tg.data(), n, T, 0.0f, *run.ops) *
               double(n * T);
    }
    EvalRecord e;
    e.step = run.opt.step;
    e.tokens = windows * T;
    e.val_loss = windows > 0 ? sum / double(e.tokens) : NAN;
    return e;
}

size_t train_run_bytes(const TrainRun& run) {
    return (run.params.size() + run.grads.size() + run.opt.m.size() + run.opt.v.size()) * sizeof(float) +
           train_activation_bytes(run.acts);
}

}  // namespace gw
