// model/config.h — the hyperparameters of a GPT-2 model, read from config.json.
//
// Names are Hugging Face's. Required: n_embd, n_head, n_layer, vocab_size, and
// n_positions (or its older alias n_ctx). Defaults only where Hugging Face's
// GPT2Config has them: layer_norm_epsilon 1e-5, activation_function "gelu_new".
#pragma once
#include <cstdint>
#include <string>

#include "core/json.h"

namespace gw {

struct Config {
    int64_t n_embd = 0;       // C, the width of the residual stream
    int64_t n_head = 0;       // NH
    int64_t n_layer = 0;      // L
    int64_t n_positions = 0;  // P, the longest context
    int64_t vocab_size = 0;   // V
    float layer_norm_epsilon = 1e-5f;
    std::string activation_function = "gelu_new";

    int64_t head_size() const { return n_embd / n_head; }  // HS
    // Parameters in the checkpoint's tensors (tied head counted once).
    int64_t parameter_count() const;
};

// Checks types, presence and consistency (n_embd % n_head == 0, sizes > 0, sizes
// that fit in memory, a supported activation). Errors name `source`.
Config parse_config(const JsonValue& root, const std::string& source);
// The checks parse_config makes after reading the fields, for configs built in code
// (tools/make_random_gpt2). Throws gw::Error "<source>: <problem>".
void validate_config(const Config& config, const std::string& source);
// Memory we refuse to plan for: the weights as F32, or the KV cache at full context.
constexpr int64_t kMaxModelBytes = int64_t(64) << 30;  // 64 GiB
Config load_config(const std::string& path);  // reads and parses config.json

// config.json for a checkpoint we write (tools/make_random_gpt2, `gptwalk train`): Hugging
// Face's field names and layout; torch_dtype "float32", "float16" or "bfloat16".
std::string config_json(const Config& config, const std::string& torch_dtype);

}  // namespace gw
