// walks/encoding_walk.h — how one position's vector moves, layer by layer, until it becomes
// the context vector (Singh 2023, "Analyzing Transformer Dynamics as Movement through
// Embedding Space"; lesson 14).
//
// The residual stream of position t is sampled at every half layer:
//   h_0 = embed,  h_{l+1/2} = h.{l}.resid_mid = h_l + attn_out,  h_{l+1} = h.{l}.resid_post = h_{l+1/2} + mlp_out
// and the last one, h_L, becomes the context vector c_t = ln_f(h_L); logits = wte · c_t.
// Two kinds of step compose it:
//   filtering    position-wise maps with fixed weights (layer norms, q/k/v, MLP, projections):
//                the same input vector always gives the same output vector;
//   aggregation  attention: a data-dependent weighted sum over the positions j <= t.
// Nothing is learned in context: the weights never change (checksum_floats shows it).
//
// This module only reads a Trace (and the weights, to apply ln_f for the logit lens and
// attn_proj to split attention by source); it never reruns the model's layers itself,
// except in the perturbation's filter check, which applies ln_1 / ln_2 + MLP of one layer
// to one vector on purpose. Printing and pictures live in encoding_walk_io.h.
// Legend: T tokens, C n_embd, NH heads, HS head size, V vocab, L layers, K = 2L + 1 points.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "model/forward.h"
#include "model/weights.h"

namespace gw {

constexpr int kLensTopK = 5;            // tokens shown per logit-lens reading
constexpr int64_t kMaxGridPositions = 64;  // rank grid, attention pictures and PCA: a window of 64 positions
constexpr int kFocusHeads = 4;          // heads drawn one by one in the picture

// One half-layer point h of the chosen position.
struct WalkPoint {
    std::string name;            // trace point: "embed", "h.3.resid_mid", "h.3.resid_post"
    double depth = 0;            // 0, 0.5, 1, ..., L (in layers)
    double norm = 0;             // |h|
    double cos_final = 0;        // cos(h, h_L)
    // Logit lens: p_h = softmax(wte · ln_f(h)), ln_f's statistics computed for THIS h.
    std::vector<int> lens_top;           // (kLensTopK) ids, most likely first
    std::vector<double> lens_top_prob;   // (kLensTopK) their probabilities under p_h
    int64_t final_rank = 0;      // rank of the model's prediction (argmax of the real logits), 1 = top
    double final_prob = 0;       // its probability under p_h
    double kl_to_final = 0;      // KL(p_h || p_L) in nats; 0 at h_L
    // The update that produced this point: attn_out (for resid_mid) or mlp_out (for resid_post).
    double update_norm = 0;      // |Δ|; 0 for embed
    double update_cos = 0;       // cos(Δ, h_before): > 0 pushes along the stream, < 0 against it
};

// One layer norm read at the chosen position: y = γ ⊙ x̂ + β, x̂ = (x - mean(x)) / std(x).
// x̂ always lies on the "ball" |x̂| = √C (a little less: ε) with mean 0, whatever |x| is.
struct LayerNormBall {
    std::string name;            // "h.3.ln_1", "h.3.ln_2", "ln_f"
    double input_norm = 0;       // |x|
    double input_mean = 0;       // mean(x)
    double input_std = 0;        // 1 / rstd = sqrt(var(x) + ε)
    double xhat_norm = 0;        // |x̂|, ≈ √C
    double xhat_mean = 0;        // mean(x̂), ≈ 0
    double out_norm = 0;         // |y| after γ, β
    double max_err = 0;          // max |y recomputed with layernorm_ref - y traced|: a consistency check
};

// What one head at the chosen position t aggregates.
struct HeadRow {
    std::vector<float> weights;        // (t+1) a_tj, j = 0..t: the attention row of t (sums to 1)
    std::vector<double> value_norm;    // (t+1) ‖a_tj · v_jh‖ in the head's HS-dim value space
    std::vector<double> written_norm;  // (t+1) ‖a_tj · v_jh · attn_proj_w[h]‖: what source j adds to
                                       //       the C-dim stream through this head (bias excluded)
    double entropy = 0;                // -Σ a ln a, nats: 0 = looks at one token, ln(t+1) = uniform
};

struct LayerAttention {
    std::vector<HeadRow> heads;        // (NH)
    // Σ_h Σ_j a_tj v_jh attn_proj_w[h] + attn_proj_b recomposed, vs the traced attn_out at t:
    // attention's output is exactly a weighted sum over sources.
    double recompose_err = 0;
};

// Everything about ONE position. Depends only on the tokens at positions <= t.
struct PositionRecord {
    int64_t position = 0;              // t
    int predicted = 0;                 // argmax of the real logits at t: the model's prediction
    std::vector<WalkPoint> points;     // (K) h_0, h_0.5, ..., h_L
    std::vector<LayerNormBall> balls;  // (2L + 1) h.0.ln_1, h.0.ln_2, ..., h.{L-1}.ln_2, ln_f
    std::vector<LayerAttention> layers;  // (L)
};

// The record of a whole prompt: the chosen position's record plus prompt-wide views.
struct EncodingWalk {
    std::vector<int> ids;              // (T) the prompt
    int64_t n_layer = 0, n_head = 0, n_embd = 0;
    PositionRecord at;                 // the chosen position
    // A window of at most kMaxGridPositions positions that holds t (the last ones when it can):
    // positions grid_first .. grid_first + Tg - 1. The grid, patterns and path cover it.
    int64_t grid_first = 0;
    std::vector<int> grid_predicted;   // (Tg) argmax of the real logits at each window position
    std::vector<int64_t> grid_rank;    // (K, Tg) rank of grid_predicted[i] under the lens at point k
    // Attention pictures.
    std::vector<float> mean_pattern;   // (L, Tg, Tg) attention averaged over heads, 0 above the diagonal
    // (kFocusHeads) the heads whose row at t gives the largest single weight to a source other
    // than position 0 (often a resting place): the sharpest lookups, drawn one by one.
    std::vector<int64_t> focus_layer, focus_head;
    std::vector<float> focus_pattern;  // (kFocusHeads, Tg, Tg) their patterns
    // The 2-D path: PCA fitted over all K half-layer points of every window position.
    // Point (i, k) is half-layer point k of position grid_first + i.
    std::vector<double> path_xy;       // (Tg, K, 2)
    double path_explained[2] = {0, 0}; // fraction of variance along each axis
};

// Perturbation: replace the token at position j, rerun the traced forward, compare at t.
struct PerturbationRecord {
    int64_t changed = 0;               // j
    int old_id = 0, new_id = 0;
    bool nearest = false;              // new_id is old_id's nearest token vector (nearest_token); set by the caller
    int64_t watched = 0;               // t
    std::vector<std::string> stages;   // columns of `change`: resid_pre ln_1 q k v attn_row attn_out
                                       //   resid_mid ln_2 mlp_out resid_post
    std::vector<double> change;        // (L, stages) max |Δ| at position t between the two runs
    double ln_f_change = 0, logits_change = 0;  // max |Δ| of the context vector and logits at t
    int64_t earlier_positions = 0;     // positions 0..j-1 compared
    bool earlier_identical = true;     // every trace value at every position < j bit-identical
    // Filter check on the PERTURBED run at t: ln_1(x), and MLP(ln_2(x)), recomputed from that
    // one vector x alone with the layer's weights, reproduce the traced outputs.
    std::vector<double> ln_1_filter_err;  // (L) max |ln_1(resid_pre_t) - traced h.l.ln_1 at t|
    std::vector<double> mlp_filter_err;   // (L) max |mlp(ln_2(resid_mid_t)) - traced h.l.mlp_out at t|
};

// ---- the lens and small pieces (public for the tests) ----

// logits (rows, V) = wte · ln_f(h) for each row of h (rows, C); statistics per row.
void logit_lens(float* logits, const Checkpoint& model, const float* h, int64_t rows);
// Trace point name of half-layer point k (0 .. 2L): "embed", "h.{l}.resid_mid", "h.{l}.resid_post".
std::string half_layer_point(int64_t k);
// Runs ids (T) from an empty cache with tracing on.
Trace traced_forward(const Checkpoint& model, const std::vector<int>& ids, Isa isa);

// ---- the records ----

// The record of position t (0 <= t < T) from a trace of ids starting at position 0.
PositionRecord position_record(const Checkpoint& model, const Trace& trace, int64_t t);
// One traced forward of ids and the whole walk for position t.
EncodingWalk encoding_walk(const Checkpoint& model, const std::vector<int>& ids, int64_t t, Isa isa);
// The other token whose wte row has the largest cosine with token id's: a small, meaningful swap.
int nearest_token(const Checkpoint& model, int id);
// Replaces ids[j] with new_id, reruns, and compares both traces at position t.
PerturbationRecord perturbation(const Checkpoint& model, const std::vector<int>& ids, int64_t j,
                                int new_id, int64_t t, Isa isa);

// The footnotes: which quantities are our own formalisation rather than the paper's.
std::vector<std::string> encoding_walk_notes();

}  // namespace gw
