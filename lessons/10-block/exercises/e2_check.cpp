// e2_check.cpp — lesson 10, exercise 2: cos(x - term, x) for x = the final state h.7.resid_post
// of the last position of the default prompt and term = h.0.mlp_out, then h.5.mlp_out.
#include <cstdio>
#include <vector>

#include "core/vecmath.h"
#include "model/forward.h"
#include "model/model_dir.h"
#include "model/tokenizer.h"
#include "model/weights.h"

int main() {
    const std::string dir = gw::default_model_dir();
    auto m = gw::load_checkpoint(dir);
    const gw::Tokenizer tok(dir);
    const std::vector<int> ids = tok.encode("It is a truth universally acknowledged");
    const int64_t T = int64_t(ids.size()), C = m->config.n_embd;
    gw::RunState s = gw::make_run_state(m->config, T);
    gw::Trace trace;
    gw::ForwardOptions o;
    o.trace = &trace;
    std::vector<float> logits(static_cast<size_t>(m->config.vocab_size));
    gw::forward(logits.data(), *m, s, ids.data(), T, o);
    const float* x = trace.at("h." + std::to_string(m->config.n_layer - 1) + ".resid_post").data.data() + (T - 1) * C;
    for (const char* term : {"h.0.mlp_out", "h.5.mlp_out"}) {
        const float* t = trace.at(term).data.data() + (T - 1) * C;
        std::vector<float> rest(static_cast<size_t>(C));
        for (int64_t c = 0; c < C; c++) rest[size_t(c)] = x[c] - t[c];
        std::printf("%.3f ", gw::cosine(rest.data(), x, C));
    }
    std::printf("\n");
    return 0;
}
