// train/optimizer.cpp — AdamW, SGD, clipping and the learning-rate schedule (lesson 18).
#include "train/optimizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace gw {

const char* optimizer_name(OptimizerKind kind) { return kind == OptimizerKind::AdamW ? "adamw" : "sgd"; }

double learning_rate(const OptimizerConfig& c, int64_t step) {
    if (step < c.warmup) return c.lr * double(step + 1) / double(c.warmup);
    const double ratio = double(step - c.warmup) / double(std::max<int64_t>(1, c.steps - c.warmup));
    const double kPi = 3.14159265358979323846;
    return c.min_lr + 0.5 * (1.0 + std::cos(kPi * std::min(1.0, ratio))) * (c.lr - c.min_lr);
}

OptimizerState make_optimizer_state(const ParamLayout& layout, const OptimizerConfig& config) {
    OptimizerState s;
    if (config.kind == OptimizerKind::AdamW) {
        s.m = FloatBuffer(layout.total);
        s.v = FloatBuffer(layout.total);
    }
    return s;
}

namespace {
// The flat buffer is cut into this many chunks, whatever the team's size, so that sums over it
// add the same partial sums in the same order on any number of threads.
constexpr int64_t kChunks = 64;
}  // namespace

double gradient_norm(const float* g, size_t n, ThreadTeam& team) {
    std::vector<double> part(size_t(kChunks), 0.0);
    team.run(kChunks, [&](int, int64_t i) {
        const Range r = share(int64_t(n), int(kChunks), int(i));
        double s = 0;
        for (int64_t j = r.begin; j < r.end; j++) s += double(g[j]) * double(g[j]);
        part[size_t(i)] = s;
    });
    double sum = 0;
    for (double s : part) sum += s;
    return std::sqrt(sum);
}

UpdateStats optimizer_update(float* params, const float* grads, OptimizerState& state, const ParamLayout& layout,
                             const OptimizerConfig& c, ThreadTeam& team, TrainTimes* times) {
    const auto start = std::chrono::steady_clock::now();
    UpdateStats st;
    st.grad_norm = gradient_norm(grads, layout.total, team);
    if (!std::isfinite(st.grad_norm)) return st;
    if (c.clip > 0 && c.clip / (st.grad_norm + 1e-6) < 1) st.clip_scale = c.clip / (st.grad_norm + 1e-6);
    st.lr = learning_rate(c, state.step);
    state.step += 1;
    // Per-step constants, in float for the element loop (the bias corrections in double first).
    const float lr = float(st.lr), scale = float(st.clip_scale);
    const float b1 = float(c.beta1), b2 = float(c.beta2), eps = float(c.eps);
    const float correct1 = float(1.0 / (1.0 - std::pow(c.beta1, double(state.step))));
    const float correct2 = float(1.0 / (1.0 - std::pow(c.beta2, double(state.step))));
    const bool adamw = c.kind == OptimizerKind::AdamW;
    float* m = state.m.data();
    float* v = state.v.data();
    team.run(kChunks, [&](int, int64_t i) {
        const Range r = share(int64_t(layout.total), int(kChunks), int(i));
        for (const ParamTensor& t : layout.tensors) {  // the tensors this chunk overlaps
            const size_t lo = std::max(size_t(r.begin), t.offset), hi = std::min(size_t(r.end), t.offset + t.size);
            if (lo >= hi) continue;
            const float wd = adamw && t.decay ? float(c.weight_decay) : 0.0f;
            for (size_t j = lo; j < hi; j++) {
                const float g = grads[j] * scale;
                if (!adamw) {
                    params[j] -= lr * g;
                    continue;
                }
                m[j] = b1 * m[j] + (1.0f - b1) * g;
                v[j] = b2 * v[j] + (1.0f - b2) * g * g;
                const float step = (m[j] * correct1) / (std::sqrt(v[j] * correct2) + eps);
                params[j] -= lr * (step + wd * params[j]);
            }
        }
    });
    if (times) times->optimizer += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return st;
}

}  // namespace gw
