// e3_check.cpp — lesson 08, exercise 3: the check's own test of truncate() (model/rollback.h).
// Run a prompt and 5 tokens, take them back, run 5 others: every step's logits must be those
// of a state that only ever saw the prompt and the 5 others, fed the same way. The same code
// then adds the same floats in the same order, so they must be equal bit for bit.
#include <cstdio>
#include <vector>

#include "core/error.h"
#include "model/forward.h"
#include "model/model_dir.h"
#include "model/rollback.h"
#include "model/weights.h"

int main() {
    auto m = gw::load_checkpoint(gw::default_model_dir());
    const int64_t V = m->config.vocab_size;
    const std::vector<int> prompt = {464, 5822, 531, 262}, tried = {11, 290, 262, 6183, 13}, kept = {339, 1965, 11, 366, 40};
    gw::ForwardOptions o;
    std::vector<float> logits(static_cast<size_t>(V)), want(static_cast<size_t>(V));
    gw::RunState s = gw::make_run_state(m->config, 4), fresh = gw::make_run_state(m->config, 4);
    gw::forward(logits.data(), *m, s, prompt.data(), 4, o);
    gw::forward(want.data(), *m, fresh, prompt.data(), 4, o);
    for (int id : tried) gw::forward(logits.data(), *m, s, &id, 1, o);
    gw::truncate(s, 4);
    if (s.n_past != 4) {
        std::printf("after truncate(s, 4), n_past is %lld, not 4\n", (long long)s.n_past);
        return 1;
    }
    for (size_t i = 0; i < kept.size(); i++) {
        gw::forward(logits.data(), *m, s, &kept[i], 1, o);
        gw::forward(want.data(), *m, fresh, &kept[i], 1, o);
        if (logits != want) {
            std::printf("after rolling back, step %zu's logits differ from a run that never saw the tried tokens\n", i);
            return 1;
        }
    }
    for (int64_t bad : {int64_t(-1), int64_t(10)}) {  // n_past is 9: nothing past it to keep
        bool refused = false;
        try {
            gw::truncate(s, bad);
        } catch (const gw::Error&) {
            refused = true;
        }
        if (!refused) {
            std::printf("truncate(s, %lld) with n_past = 9 must throw gw::Error\n", (long long)bad);
            return 1;
        }
    }
    std::printf("truncate: 5 tokens tried and taken back, 5 others run: every logit as if never tried\n");
    return 0;
}
