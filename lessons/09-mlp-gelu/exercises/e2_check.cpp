// e2_check.cpp — lesson 09, exercise 2: |mlp_out change| / |mlp_out| when layer 3's MLP at the
// last position of the default prompt uses ReLU instead of GELU, from the traced input, in double.
#include <cmath>
#include <cstdio>
#include <vector>

#include "model/forward.h"
#include "model/model_dir.h"
#include "model/tokenizer.h"
#include "model/weights.h"

int main() {
    const std::string dir = gw::default_model_dir();
    auto m = gw::load_checkpoint(dir);
    const gw::Tokenizer tok(dir);
    const std::vector<int> ids = tok.encode("It is a truth universally acknowledged");
    const int64_t T = int64_t(ids.size()), C = m->config.n_embd, H = 4 * C;
    gw::RunState s = gw::make_run_state(m->config, T);
    gw::Trace trace;
    gw::ForwardOptions o;
    o.trace = &trace;
    std::vector<float> logits(static_cast<size_t>(m->config.vocab_size));
    gw::forward(logits.data(), *m, s, ids.data(), T, o);
    const float* pre = trace.at("h.3.mlp_pre").data.data() + (T - 1) * H;  // (4C) c_fc's output
    const float* act = trace.at("h.3.mlp_act").data.data() + (T - 1) * H;  // (4C) GELU of it
    const float* W = m->w.h[3].mlp_proj_w;                                  // (4C, C)
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
