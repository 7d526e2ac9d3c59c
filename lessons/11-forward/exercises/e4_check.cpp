// e4_check.cpp — lesson 11, exercise 4: the mean -ln p(next) of a text, scored in windows of at
// most P positions, each window starting at the previous one's last token (so every next-token
// prediction is made once, with as much context as fits), independently of the student's tool.
// usage: e4_check TEXT   prints the mean in nats with 6 decimals
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/vecmath.h"
#include "model/forward.h"
#include "model/model_dir.h"
#include "model/tokenizer.h"
#include "model/weights.h"

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    const std::string dir = gw::default_model_dir();
    auto m = gw::load_checkpoint(dir);
    const gw::Tokenizer tok(dir);
    const std::vector<int> ids = tok.encode(argv[1]);
    const int64_t N = int64_t(ids.size()), P = m->config.n_positions, V = m->config.vocab_size;
    double loss = 0;
    int64_t scored = 0;
    for (int64_t start = 0; start + 1 < N; start += P - 1) {
        const int64_t n = std::min(P, N - start);
        gw::RunState s = gw::make_run_state(m->config, n);
        gw::ForwardOptions o;
        o.all_logits = true;
        std::vector<float> logits(size_t(n * V));
        gw::forward(logits.data(), *m, s, ids.data() + start, n, o);
        for (int64_t t = 0; t + 1 < n; t++, scored++)
            loss -= std::log(gw::softmax_probs(logits.data() + t * V, V)[size_t(ids[size_t(start + t + 1)])]);
    }
    std::printf("%.6f\n", loss / double(scored));
    return 0;
}
