// e2_check.cpp — lesson 08, exercise 2: the full-context KV cache of GPT-2 124M's shape with one
// key/value head (multi-query attention): 2 L P HS floats of 4 bytes, from its published config.
#include <cstdio>

#include "perf/random_checkpoint.h"  // gpt2_config

int main() {
    const gw::Config c = gw::gpt2_config("124M");
    std::printf("%lld\n", (long long)(2 * c.n_layer * c.n_positions * c.head_size() * 4));
    return 0;
}
