// perf/fidelity.h — what each weight type costs in accuracy, against the model's own F32
// weights (lesson 16, docs/performance.md).
//
// The F32 model (the stored numbers, widened exactly) generates n greedy tokens after the
// prompt; that sequence S = prompt + continuation is then run through the model with each
// weight type, in one prefill, and every logit compared with the F32 run's:
//   max |dlogit|, rms dlogit       over every position of S and every token
//   top-1 agreement               the positions where the type's most likely next token is
//                                  F32's (teacher-forced: each sees the same history)
//   greedy run                    the type generating on its own: how many of F32's n
//                                  greedy tokens it reproduces before the first difference
// Differences of a few 1e-6 are float32's own (two orders of summation); a type's
// rounding shows as differences far larger.
// Returns plain records; report/fidelity_io.h prints them (`gptwalk fidelity`).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "core/weight_formats.h"

namespace gw {

struct FidelityOptions {
    std::vector<WType> types = {WType::BF16, WType::F16, WType::Q8};
    int64_t prompt_tokens = 32;  // seeded random ids (bench_tokens), unless `prompt` is given
    std::vector<int> prompt;
    int64_t gen_tokens = 32;     // the F32 greedy continuation
    uint64_t seed = 1;
    Isa isa = Isa::Ref;
};

struct TypeFidelity {
    WType type = WType::F32;
    double bytes_per_weight = 0;    // of the big matrices
    size_t weights_bytes = 0;       // the whole model as loaded
    double max_abs = 0, rms = 0;    // logit differences from F32 over all of S
    double logit_range = 0;         // max - min of F32's logits over S, for scale
    int64_t top1_agree = 0;         // positions of S whose argmax equals F32's
    int64_t positions = 0;          // of S
    int64_t greedy_match = 0;       // leading tokens of the type's own greedy run equal to F32's
};

struct FidelityResult {
    std::string model_dir;
    std::vector<int> prompt, continuation;  // F32's greedy tokens
    std::vector<TypeFidelity> types;        // F32 itself first (its max_abs: 0)
};

// Throws gw::Error when the model cannot be loaded in a type, UsageError for bad options.
FidelityResult weight_fidelity(const std::string& model_dir, const FidelityOptions& options);

}  // namespace gw
