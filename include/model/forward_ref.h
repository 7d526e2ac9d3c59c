// model/forward_ref.h — the GPT-2 forward pass written as plainly as the math (lesson 11).
//
// One thread, the scalar _ref twin of every kernel, no KV cache, no BLAS, and every
// activation kept in its own named buffer, so each line of the math below is one
// line of forward_ref.cpp and every intermediate can be looked at:
//   embed      = wte[token] + wpe[position]                       (T, C)
//   for each block l:
//     ln_1     = layernorm(x; ln_1)                               (T, C)
//     qkv      = ln_1 · c_attn + b                                (T, 3C)
//     heads    = causal attention of q over k, v, per head        (T, C)   pattern (NH, T, T)
//     attn_out = heads · attn.c_proj + b                          (T, C)
//     resid_mid = x + attn_out                                    (T, C)
//     ln_2     = layernorm(resid_mid; ln_2)                       (T, C)
//     mlp_act  = gelu(ln_2 · c_fc + b)                            (T, 4C)
//     mlp_out  = mlp_act · mlp.c_proj + b                         (T, C)
//     x = resid_post = resid_mid + mlp_out                        (T, C)
//   ln_f       = layernorm(x; ln_f): the context vectors          (T, C)
//   logits     = ln_f · wte^T (the tied head)                     (T, V)
// It is the C++ oracle that the fast forward() (model.h: threads, vector kernels, BLAS,
// KV cache) is tested against, besides the float64 Python fixtures. Slow on purpose.
// Legend: T tokens, C n_embd, NH heads, V vocab.
#pragma once
#include <vector>

#include "model/weights.h"

namespace gw {

struct RefLayer {                      // block l's activations
    std::vector<float> ln_1;           // (T, C)
    std::vector<float> qkv;            // (T, 3C): q | k | v
    std::vector<float> pattern;        // (NH, T, T): row t of head h is where t looks
    std::vector<float> heads;          // (T, C)
    std::vector<float> attn_out;       // (T, C)
    std::vector<float> resid_mid;      // (T, C)
    std::vector<float> ln_2;           // (T, C)
    std::vector<float> mlp_pre;        // (T, 4C)
    std::vector<float> mlp_act;        // (T, 4C)
    std::vector<float> mlp_out;        // (T, C)
    std::vector<float> resid_post;     // (T, C)
};

struct RefActivations {
    std::vector<float> embed;          // (T, C)
    std::vector<RefLayer> h;           // L blocks
    std::vector<float> ln_f;           // (T, C) the context vectors
    std::vector<float> logits;         // (T, V)
};

// Runs tokens at positions 0..T-1. Throws gw::Error for an id outside [0, V) or T
// outside [1, n_positions].
RefActivations forward_ref(const Checkpoint& model, const std::vector<int>& tokens);

}  // namespace gw
