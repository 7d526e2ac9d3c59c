// train/params.h — the model's parameters as one flat buffer, and named views into it.
//
// Parameters, their gradients and the optimizer's two moments each live in ONE flat F32
// buffer of config.parameter_count() floats, the tensors one after another in the order of
// the weight table (model/weights.h). So one loop updates every parameter (optimizer.h),
// a checkpoint is one pass over the table, and model/weights.h's checkpoint_over() runs
// the live parameters through every command. ParamLayout says where each tensor starts;
// Tensors<F> names them, mirroring the checkpoint's keys (the same pointer set for the
// parameters, F = const float, and for the gradients, F = float).
// Legend: C n_embd, V vocab, P n_positions, L layers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/config.h"

namespace gw {

struct ParamTensor {
    std::string name;   // the checkpoint key: "h.3.attn.c_attn.weight"
    Shape shape;
    size_t offset = 0;  // first float in the flat buffer
    size_t size = 0;    // shape.numel()
    bool decay = false; // a matrix (wte, wpe, the four Conv1D weights): AdamW decays it
};

struct ParamLayout {
    Config config;
    std::vector<ParamTensor> tensors;  // weight_table order
    size_t total = 0;                  // floats in all of them: config.parameter_count()
    const ParamTensor& find(const std::string& name) const;  // throws gw::Error if absent
};
ParamLayout param_layout(const Config& config);

template <typename F>
struct BlockTensors {              // h.{l}.*, as in model/weights.h's LayerWeights
    F* ln_1_w;                     // (C)
    F* ln_1_b;                     // (C)
    F* c_attn_w;                   // (C, 3C)   [in, out]: q | k | v
    F* c_attn_b;                   // (3C)
    F* attn_proj_w;                // (C, C)
    F* attn_proj_b;                // (C)
    F* ln_2_w;                     // (C)
    F* ln_2_b;                     // (C)
    F* c_fc_w;                     // (C, 4C)
    F* c_fc_b;                     // (4C)
    F* mlp_proj_w;                 // (4C, C)
    F* mlp_proj_b;                 // (C)
};

template <typename F>
struct Tensors {
    F* wte;                        // (V, C) token vectors, also the tied head
    F* wpe;                        // (P, C)
    std::vector<BlockTensors<F>> h;  // L blocks
    F* ln_f_w;                     // (C)
    F* ln_f_b;                     // (C)
};

// Named pointers into a flat buffer laid out by `layout`.
Tensors<float> tensors_of(const ParamLayout& layout, float* flat);
Tensors<const float> tensors_of(const ParamLayout& layout, const float* flat);

// GPT-2's initialisation, for training from scratch (tools/train_tiny.py's recipe): N(0, 0.02)
// for wte, c_attn and c_fc; N(0, 0.01) for wpe; N(0, 0.02 / sqrt(2 L)) for the two output
// projections of each block (they add into the residual stream L times twice); biases 0;
// layer-norm weights 1. Deterministic for a seed.
void init_gpt2(float* flat, const ParamLayout& layout, uint64_t seed);

}  // namespace gw
