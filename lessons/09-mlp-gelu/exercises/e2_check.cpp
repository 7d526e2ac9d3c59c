// e2_check.cpp — lesson 09, exercise 2: |mlp_out change| / |mlp_out| when layer 3's MLP at the
// last position of the default prompt uses ReLU instead of GELU, from the traced input, in double.
#include <cmath>
#include <cstdio>
#include <vector>

#include "exercise_check.h"  // exercise::run_prompt
#include "model/weights.h"

int main() {
    const exercise::PromptRun r = exercise::run_prompt("It is a truth universally acknowledged", true);
    const gw::Checkpoint* m = r.model.get();
    const gw::Trace& trace = r.trace;
    const int64_t T = int64_t(r.ids.size()), C = m->config.n_embd, H = 4 * C;
    const float* pre = trace.at("h.3.mlp_pre").data.data() + (T - 1) * H;  // (4C) c_fc's output
    const float* act = trace.at("h.3.mlp_act").data.data() + (T - 1) * H;  // (4C) GELU of it
    const gw::AsF32 W_f32(m->w.h[3].mlp_proj_w);                            // (4C, C), as F32
    const float* W = W_f32.data();
    // mlp_out(relu) - mlp_out(gelu) = (relu(pre) - gelu(pre)) W: the bias cancels.
    double change = 0, out = 0;
    const float* mlp_out = trace.at("h.3.mlp_out").data.data() + (T - 1) * C;
    for (int64_t c = 0; c < C; c++) {
        double d = 0;
        for (int64_t i = 0; i < H; i++) d += (std::fmax(double(pre[i]), 0.0) - double(act[i])) * W[i * C + c];
        change += d * d;
        out += double(mlp_out[c]) * mlp_out[c];
    }
    std::printf("%.4e\n", std::sqrt(change / out));
    return 0;
}
