// model/weights.h — the model's tensors, loaded from a checkpoint folder.
//
// ONE table (weight_table) maps each Hugging Face tensor name to its expected
// shape and to the pointer it fills below. The same table drives loading,
// validation, `gptwalk inspect` and the tests: no lists kept in sync by hand.
// Conv1D weights are stored [in, out] and used as stored (see linear.h).
// Shapes: C n_embd, V vocab, P n_positions, L layers.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/config.h"
#include "model/safetensors.h"

namespace gw {

struct LayerWeights {           // h.{l}.*
    const float* ln_1_w;        // (C)       ln_1.weight
    const float* ln_1_b;        // (C)       ln_1.bias
    const float* c_attn_w;      // (C, 3C)   attn.c_attn.weight   [in, out]: q | k | v
    const float* c_attn_b;      // (3C)      attn.c_attn.bias
    const float* attn_proj_w;   // (C, C)    attn.c_proj.weight
    const float* attn_proj_b;   // (C)       attn.c_proj.bias
    const float* ln_2_w;        // (C)       ln_2.weight
    const float* ln_2_b;        // (C)       ln_2.bias
    const float* c_fc_w;        // (C, 4C)   mlp.c_fc.weight
    const float* c_fc_b;        // (4C)      mlp.c_fc.bias
    const float* mlp_proj_w;    // (4C, C)   mlp.c_proj.weight
    const float* mlp_proj_b;    // (C)       mlp.c_proj.bias
};

struct Weights {
    const float* wte;                // (V, C)   wte.weight: token vectors; also the LM head (tied)
    const float* wpe;                // (P, C)   wpe.weight: position vectors
    std::vector<LayerWeights> h;     // L blocks
    const float* ln_f_w;             // (C)      ln_f.weight
    const float* ln_f_b;             // (C)      ln_f.bias
};

// One row of the table.
struct WeightEntry {
    std::string name;     // Hugging Face key without the "transformer." prefix
    Shape shape;          // expected, from the config
    const float** dest;   // which pointer in Weights it fills
    std::string dims;     // the shape in symbols, e.g. "(V, C)", for messages and `inspect`
};
std::vector<WeightEntry> weight_table(const Config& config, Weights& w);

// A loaded checkpoint folder: config.json + model.safetensors. Owns the mapping
// and any widened (F16/BF16 -> F32) copies; Weights points into them.
struct Checkpoint {
    std::string dir;
    Config config;
    std::unique_ptr<SafetensorsFile> file;
    Weights w;
    DType stored_dtype = DType::F32;      // dtype of wte.weight as stored
    std::vector<FloatBuffer> widened;     // owned F32 copies of F16/BF16 tensors
    bool has_lm_head = false;             // an explicit lm_head.weight was present (and equal to wte)
    std::vector<std::string> skipped;     // buffers ignored (attn.bias, attn.masked_bias)
};

// Loads and validates; throws gw::Error "<file>: tensor '<name>': <problem>; <hint>".
// A missing tensor, a wrong shape, an unexpected tensor, or an lm_head.weight that
// differs from wte.weight are all errors.
std::unique_ptr<Checkpoint> load_checkpoint(const std::string& dir);

// NaN/Inf are not looked for at load time (it would touch every page of the mapping);
// `gptwalk inspect --check` calls this. One line per tensor that has any:
// "h.3.mlp.c_fc.weight: 2 non-finite values (first at index 17)". Empty if all finite.
std::vector<std::string> find_nonfinite(const Checkpoint& ckpt);

// ---------------------------------------------------------------- training (train/, lesson 18)
// Training keeps the parameters in ONE flat F32 buffer, the tensors one after another in
// weight_table order (config.parameter_count() floats), so that one loop can update them
// all. These two functions are the only bridge between that buffer and a Checkpoint.

// Copies every tensor of ckpt, as F32 (F16 and BF16 widened exactly), into flat.
void copy_weights_flat(float* flat, const Checkpoint& ckpt);
// A Checkpoint (no file) whose weights are the tensors of flat, read in place: every
// command that runs a Checkpoint (forward, generate, the walks) then runs the live
// parameters, which the training loop updates between calls. flat must outlive it.
std::unique_ptr<Checkpoint> checkpoint_over(const Config& config, const float* flat,
                                            const std::string& dir = "");

}  // namespace gw
