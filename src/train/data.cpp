// train/data.cpp — splitting a text's tokens and drawing training windows (lesson 18).
#include "train/data.h"

#include "core/error.h"

namespace gw {

TokenSplit split_tokens(const std::vector<int>& ids, double val_fraction, int64_t T, const std::string& source) {
    const int64_t N = int64_t(ids.size());
    const int64_t n_val = int64_t(double(N) * val_fraction);
    if (N - n_val < T + 1)
        fail(source, ": ", N - n_val, " training tokens", val_fraction > 0 ? " (after the validation split)" : "",
             ", fewer than one window of --seq ", T, " + 1; give a longer text or a smaller --seq");
    if (val_fraction > 0 && n_val < T + 1)
        fail(source, ": the validation split (--val-fraction ", val_fraction, ") has ", n_val,
             " tokens, fewer than one window of --seq ", T, " + 1; give a longer text, a larger --val-fraction,"
             " or --val-fraction 0");
    TokenSplit s;
    s.train.assign(ids.begin(), ids.end() - n_val);
    s.val.assign(ids.end() - n_val, ids.end());
    return s;
}

uint64_t WindowSampler::next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void sample_windows(int* inputs, int* targets, WindowSampler& sampler, const std::vector<int>& ids, int64_t B,
                    int64_t T) {
    const uint64_t starts = uint64_t(int64_t(ids.size()) - T);  // >= 1: split_tokens made sure
    for (int64_t b = 0; b < B; b++) {
        const int64_t s = int64_t(sampler.next() % starts);
        for (int64_t t = 0; t < T; t++) {
            inputs[b * T + t] = ids[size_t(s + t)];
            targets[b * T + t] = ids[size_t(s + t + 1)];
        }
    }
}

uint64_t tokens_fingerprint(const std::vector<int>& ids) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64-bit offset basis
    for (int id : ids)
        for (int byte = 0; byte < 4; byte++) {
            h ^= (uint32_t(id) >> (8 * byte)) & 0xff;
            h *= 0x100000001b3ull;  // FNV-1a 64-bit prime
        }
    return h;
}

}  // namespace gw
