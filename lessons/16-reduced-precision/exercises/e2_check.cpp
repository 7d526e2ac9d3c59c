// e2_check.cpp — lesson 16, exercise 2: the check's own line for --truncate.
// Stage 2's weight is wte[" the"][0] of the shipped model; over its block of 32 (the first 32
// numbers of that row) this computes the mean relative error (w' - w) / w of BF16 made by
// rounding (f32_to_bf16, round to nearest even) and by truncation (the top 16 bits of the
// float, written out here), and prints them in the exercise's format. It also prints, on a
// second line, which of the two is nearer zero and the sign of truncation's mean.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/tensor.h"          // read_row_f32
#include "core/weight_formats.h"  // f32_to_bf16, bf16_to_f32
#include "model/model_dir.h"
#include "model/tokenizer.h"
#include "model/weights.h"

int main() {
    const std::string dir = gw::default_model_dir();
    auto m = gw::load_checkpoint(dir);
    const int id = gw::Tokenizer(dir).token_id(" the");
    if (id < 0) {
        std::printf("the shipped tokenizer has no ' the'\n");
        return 1;
    }
    std::vector<float> row(size_t(m->config.n_embd));
    gw::read_row_f32(row.data(), m->w.wte, id);
    double rounded = 0, truncated = 0;
    for (int i = 0; i < 32; i++) {
        const float x = row[size_t(i)];
        uint32_t bits;
        std::memcpy(&bits, &x, 4);
        bits &= 0xffff0000u;  // truncation: drop the low 16 bits
        float t;
        std::memcpy(&t, &bits, 4);
        rounded += (double(gw::bf16_to_f32(gw::f32_to_bf16(x))) - x) / x;
        truncated += (double(t) - x) / x;
    }
    rounded /= 32, truncated /= 32;
    std::printf("BF16 over the block of 32: mean relative error rounded %+.2e, truncated %+.2e\n", rounded, truncated);
    std::printf("%s %s\n", std::fabs(rounded) < std::fabs(truncated) ? "rounded" : "truncated",
                truncated < 0 ? "negative" : "positive");
    return 0;
}
