// perf/random_checkpoint.h — checkpoint folders with random weights, in GPT-2's exact layout.
//
// Tests and tools/make_random_gpt2 use these to get a model of any shape without a
// download: config.json (Hugging Face field names) plus model.safetensors with the
// tensors GPT2LMHeadModel saves, in its order. The numbers are random, so the model
// talks nonsense, but every size, name and code path is the real one.
#pragma once
#include <cstdint>
#include <string>

#include "model/config.h"
#include "model/safetensors.h"

namespace gw {

struct RandomCheckpointOptions {
    DType dtype = DType::F32;        // how the parameters are stored (buffers are always F32)
    bool transformer_prefix = false; // "transformer.wte.weight" (GPT2LMHeadModel) vs "wte.weight"
    bool lm_head = false;            // also store lm_head.weight (a copy of wte.weight)
    bool attn_bias_buffers = false;  // also store h.{l}.attn.bias (1, 1, P, P) and attn.masked_bias
    uint64_t seed = 1;
    float std = 0.02f;               // spread of weights and biases (GPT-2's init uses 0.02)
};

// The published hyperparameters of the released GPT-2 models, by name:
// "124M"/"gpt2", "355M"/"gpt2-medium", "774M"/"gpt2-large", "1558M"/"gpt2-xl",
// "distilgpt2" (6 layers of the 124M shape). Throws gw::UsageError for other names.
Config gpt2_config(const std::string& name);

// Writes dir/config.json and dir/model.safetensors (dir is created if missing).
// Tensors are generated and written one chunk at a time, so a 1.5B-parameter file
// needs no more memory than a few megabytes. Deterministic for a given seed.
void write_random_checkpoint(const std::string& dir, const Config& cfg,
                             const RandomCheckpointOptions& options);

}  // namespace gw
