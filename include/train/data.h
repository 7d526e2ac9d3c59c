// train/data.h — a text's tokens as training windows (lesson 18).
//
// A window is T + 1 consecutive tokens: its first T are the inputs and its last T the
// targets, so every input position is asked for the token that really came next:
//   tokens   t_s  t_s+1 ... t_s+T-1  t_s+T
//   inputs   t_s  t_s+1 ... t_s+T-1
//   targets       t_s+1 ... t_s+T-1  t_s+T
// Training draws each window's start s uniformly from [0, N - T - 1] (every full window of
// the N training tokens) with a seeded generator whose whole state is one number, saved in
// every checkpoint so that --resume draws the same windows an uninterrupted run would. So a
// text of exactly T + 1 tokens has one window, the whole text.
// The validation split is the LAST val_fraction of the tokens (a held-out stretch of text,
// not random windows of the training text), read in consecutive windows [k T, k T + T].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gw {

struct TokenSplit {
    std::vector<int> train, val;
};
// val gets the last floor(N * val_fraction) tokens. Throws gw::Error when either part is
// too short for one window of T + 1 tokens (naming `source`, the text file).
TokenSplit split_tokens(const std::vector<int>& ids, double val_fraction, int64_t T,
                        const std::string& source);

// splitmix64: a 64-bit state, advanced by a constant, mixed into each output.
struct WindowSampler {
    uint64_t state = 0;
    uint64_t next();
};

// B windows from ids: inputs, targets (B, T). Starts are next() % (N - T): the bias of the
// modulo is below (N - T) / 2^64, nothing for any text that fits in memory.
void sample_windows(int* inputs, int* targets, WindowSampler& sampler, const std::vector<int>& ids,
                    int64_t B, int64_t T);

// The FNV-1a hash of a token sequence: a checkpoint remembers its data's, and --resume
// refuses a text that tokenizes differently.
uint64_t tokens_fingerprint(const std::vector<int>& ids);

}  // namespace gw
