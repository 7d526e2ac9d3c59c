// e3_check.cpp — lesson 11, exercise 3: the three largest probabilities of softmax(2 z), z the
// logits after the default prompt, in double (what doubling the context vector would give).
#include <algorithm>
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
    const std::vector<int> ids = tok.encode("In the beginning God created the");
    const int64_t V = m->config.vocab_size;
    gw::RunState s = gw::make_run_state(m->config, int64_t(ids.size()));
    std::vector<float> z(static_cast<size_t>(V));
    gw::forward(z.data(), *m, s, ids.data(), int64_t(ids.size()), gw::ForwardOptions{});
    const double zmax = *std::max_element(z.begin(), z.end());
    std::vector<double> p(z.size());
    double sum = 0;
    for (size_t v = 0; v < z.size(); v++) sum += (p[v] = std::exp(2 * (z[v] - zmax)));
    std::sort(p.begin(), p.end(), std::greater<double>());
    std::printf("%.4f %.4f %.4f\n", p[0] / sum, p[1] / sum, p[2] / sum);
    return 0;
}
