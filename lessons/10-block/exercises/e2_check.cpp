// e2_check.cpp — lesson 10, exercise 2: cos(x - term, x) for x = the final state h.7.resid_post
// of the last position of the default prompt and term = h.0.mlp_out, then h.5.mlp_out.
#include <cstdio>
#include <vector>

#include "exercise_check.h"  // exercise::run_prompt
#include "core/vecmath.h"

int main() {
    const exercise::PromptRun r = exercise::run_prompt("It is a truth universally acknowledged", true);
    const gw::Checkpoint* m = r.model.get();
    const gw::Trace& trace = r.trace;
    const int64_t T = int64_t(r.ids.size()), C = m->config.n_embd;
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
