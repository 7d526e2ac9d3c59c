// model/weights.h — the model's tensors, loaded from a checkpoint folder.
//
// ONE table (weight_table) maps each Hugging Face tensor name to its expected
// shape and to the pointer it fills below. The same table drives loading,
// validation, `gptwalk inspect` and the tests: no lists kept in sync by hand.
// Conv1D weights are stored [in, out] and used as stored (see linear.h), but for Q8.
// Shapes: C n_embd, V vocab, P n_positions, L layers.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "core/weight_formats.h"
#include "model/config.h"
#include "model/safetensors.h"

namespace gw {

// The five big matrices of GPT-2 (wte and each layer's four Conv1D weights, 99.9% of the
// parameters and of the bytes a decode step reads) are WeightViews in the type the model
// runs with: as stored by default (F32, F16 or BF16, used in place from the mapping), or
// converted at load by --weights (core/weight_formats.h). Everything else stays F32:
// biases and layer-norm weights (C or 4C numbers a layer, read once per token, and the
// layer norms multiply every value, so they are where rounding would cost the most for
// nothing saved) and wpe (one row per token: P x C numbers, of which a step reads C).
// Keeping them F32 leaves layernorm, the bias adds and the embedding unchanged.
//
// Q8 Conv1D weights are the one layout change: stored [in, out] a weight's blocks would
// run along the outputs, so one output's sum would need a scale per input. The loader
// stores them transposed, (OC, IC), with blocks of 32 inputs, so that each output is one
// dot product over a contiguous row of blocks (kernels/matvec.h). wte (V, C) is already
// one row per output of the LM head. F16 and BF16 keep the stored layout, in place.
struct LayerWeights {           // h.{l}.*
    const float* ln_1_w;        // (C)       ln_1.weight
    const float* ln_1_b;        // (C)       ln_1.bias
    WeightView c_attn_w;        // (C, 3C)   attn.c_attn.weight   [in, out]: q | k | v
    const float* c_attn_b;      // (3C)      attn.c_attn.bias
    WeightView attn_proj_w;     // (C, C)    attn.c_proj.weight
    const float* attn_proj_b;   // (C)       attn.c_proj.bias
    const float* ln_2_w;        // (C)       ln_2.weight
    const float* ln_2_b;        // (C)       ln_2.bias
    WeightView c_fc_w;          // (C, 4C)   mlp.c_fc.weight
    const float* c_fc_b;        // (4C)      mlp.c_fc.bias
    WeightView mlp_proj_w;      // (4C, C)   mlp.c_proj.weight
    const float* mlp_proj_b;    // (C)       mlp.c_proj.bias
};

struct Weights {
    WeightView wte;                  // (V, C)   wte.weight: token vectors; also the LM head (tied)
    const float* wpe;                // (P, C)   wpe.weight: position vectors
    std::vector<LayerWeights> h;     // L blocks
    const float* ln_f_w;             // (C)      ln_f.weight
    const float* ln_f_b;             // (C)      ln_f.bias
};

// One row of the table: exactly one of `matrix` and `f32` is set.
struct WeightEntry {
    std::string name;     // Hugging Face key without the "transformer." prefix
    Shape shape;          // expected, from the config
    WeightView* matrix;   // a big matrix: the view it fills (any WType)
    const float** f32;    // anything else: the F32 pointer it fills
    std::string dims;     // the shape in symbols, e.g. "(V, C)", for messages and `inspect`
};
std::vector<WeightEntry> weight_table(const Config& config, Weights& w);

// Points one row at F32 numbers owned elsewhere (a test's arrays, live parameters being
// trained): the one way to fill Weights without a file.
void point_at_f32(const WeightEntry& e, const float* data);

// How to load: the type of the big matrices (--weights); unset keeps each as stored.
struct LoadOptions {
    std::optional<WType> weights;
};

// A loaded checkpoint folder: config.json + model.safetensors. Owns the mapping and
// every tensor the loader made (widened, rounded or quantized); Weights points into them.
struct Checkpoint {
    std::string dir;
    Config config;
    std::unique_ptr<SafetensorsFile> file;
    Weights w;
    DType stored_dtype = DType::F32;      // dtype of wte.weight as stored
    std::vector<AlignedBytes> made;       // tensors the loader made (not used in place)
    int64_t matrices_in_place = 0;        // big matrices used straight from the mapping
    bool has_lm_head = false;             // an explicit lm_head.weight was present (and equal to wte)
    std::vector<std::string> skipped;     // buffers ignored (attn.bias, attn.masked_bias)

    WType weights_type() const { return w.wte.type; }  // every matrix has it after a --weights load
    size_t weights_bytes() const;         // every parameter as the model holds it (matrices in their type)
};

// Loads and validates; throws gw::Error "<file>: tensor '<name>': <problem>; <hint>".
// A missing tensor, a wrong shape, an unexpected tensor, or an lm_head.weight that
// differs from wte.weight are all errors.
// A tensor that cannot be held in the asked type is an error too: a value beyond F16's
// range for f16, a NaN, infinity or a value beyond kQ8MaxAbs for q8.
std::unique_ptr<Checkpoint> load_checkpoint(const std::string& dir, const LoadOptions& options = {});

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
// How far the loaded matrices are from the numbers stored in the file, per matrix
// (`gptwalk inspect --weights T`): max |loaded - stored| and its ratio to the tensor's
// largest |stored|, and the root mean square error against the RMS of the stored values.
struct QuantError {
    std::string name;
    WType type;
    double max_abs = 0, max_rel = 0;  // max |error|, and that over max |stored|
    double rms = 0, rms_rel = 0;      // sqrt(mean error^2), and that over sqrt(mean stored^2)
};
std::vector<QuantError> quantization_error(const Checkpoint& ckpt);

}  // namespace gw
