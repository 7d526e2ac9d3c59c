// Lesson 18, exercise 2: the check's own program (lessons/18-training/exercises/e2.sh).
// Two momentum updates on known gradients against w0 - lr1 g1 - lr2 (0.9 g1 + g2); it prints
// one line (exit 1 on failure).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "train/optimizer.h"

int main() {
    gw::Config cfg;
    cfg.n_embd = 8, cfg.n_head = 2, cfg.n_layer = 1, cfg.n_positions = 4, cfg.vocab_size = 11;
    const gw::ParamLayout layout = gw::param_layout(cfg);
    std::vector<float> w0(layout.total), g1(layout.total), g2(layout.total);
    for (size_t i = 0; i < layout.total; i++) {
        w0[i] = std::sin(0.1f * float(i));
        g1[i] = std::cos(0.3f * float(i));
        g2[i] = std::sin(0.7f * float(i) + 1.0f);
    }
    gw::OptimizerConfig c;
    c.kind = gw::OptimizerKind::Momentum;
    c.lr = 0.1;
    c.min_lr = 0.01;
    c.steps = 2;
    c.warmup = 0;
    c.clip = 0;
    if (std::strcmp(gw::optimizer_name(c.kind), "momentum") != 0) {
        std::printf("optimizer_name(Momentum) is '%s', want 'momentum'\n", gw::optimizer_name(c.kind));
        return 1;
    }
    gw::ThreadTeam team(1);
    gw::OptimizerState s = gw::make_optimizer_state(layout, c);
    std::vector<float> w = w0;
    gw::optimizer_update(w.data(), g1.data(), s, layout, c, team, gw::Isa::Ref);
    gw::optimizer_update(w.data(), g2.data(), s, layout, c, team, gw::Isa::Ref);
    const double lr1 = gw::learning_rate(c, 0), lr2 = gw::learning_rate(c, 1);
    for (size_t i = 0; i < layout.total; i++) {
        const double want = double(w0[i]) - lr1 * g1[i] - lr2 * (0.9 * g1[i] + g2[i]);
        if (std::fabs(w[i] - want) > 1e-6) {  // a few float roundings of O(1) values
            std::printf("weight %zu is %.7f after two updates, want %.7f\n", i, w[i], want);
            return 1;
        }
    }
    std::printf("two momentum updates match w0 - lr1 g1 - lr2 (0.9 g1 + g2)\n");
    return 0;
}
