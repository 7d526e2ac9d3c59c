// train/backward.h — the training forward, which keeps every activation the backward needs,
// and the backward pass of the whole model (lessons 17, 18).
//
// The forward of B windows of T tokens at once (rows = B*T), every op on all rows:
//   encoded    = wte[inputs] + wpe[0..T-1]                                (rows, C)
//   for each block l (x = encoded, then resid3 of the block before):
//     ln1      = layernorm(x; ln_1)              mean, rstd kept          (rows, C)
//     qkv      = ln1 · c_attn + b                                         (rows, 3C)
//     atty     = causal attention per sequence   pattern att kept         (rows, C), (B, NH, T, T)
//     resid2   = x + atty · attn_proj + b                                 (rows, C)
//     ln2      = layernorm(resid2; ln_2)                                  (rows, C)
//     fch      = ln2 · c_fc + b;   fch_gelu = gelu(fch)                   (rows, 4C)
//     resid3   = resid2 + fch_gelu · mlp_proj + b                         (rows, C)
//   lnf = layernorm(x; ln_f): the context vectors;  logits = lnf · wte^T    (rows, V)
//   loss = mean over rows of -log softmax(logits)[target]
// The backward runs the same list upside down, each op's backward (kernels/) turning the
// gradient of its output into the gradients of its inputs and weights:
//   dlogits = (softmax - onehot) / rows      (left in `logits` by the forward: same memory)
//   d lnf, d wte  <- tied head;   d x, d ln_f <- ln_f
//   per block, from the last:  the MLP branch, then ln_2 (adding into d resid2: the residual
//   connection passes the gradient through unchanged and each branch ADDS its part), the
//   attention branch, then ln_1 (adding into d x)
//   d wte, d wpe  <- embedding (d wte also holds the head's part: the two uses of the tied matrix add)
// It is the same computation as model/forward.cpp's (same kernels, same shapes) without the
// KV cache, which a training window never needs: every position is new.
// Legend: B windows, T tokens each, C n_embd, NH heads, V vocab, L layers.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/tensor.h"
#include "train/ops.h"
#include "train/params.h"

namespace gw {

// Every activation of one training forward, in named buffers (like llm.c's): what the
// backward reads, and the gradient buffers it works in. Layer l's slice of an (L, rows, X)
// buffer starts at l * rows * X.
struct TrainActivations {
    int64_t B = 0, T = 0;      // the shape these were made for
    FloatBuffer encoded;       // (rows, C)
    FloatBuffer ln1;           // (L, rows, C)
    FloatBuffer ln1_mean;      // (L, rows)
    FloatBuffer ln1_rstd;      // (L, rows)
    FloatBuffer qkv;           // (L, rows, 3C)
    FloatBuffer att;           // (L, B, NH, T, T) attention patterns
    FloatBuffer atty;          // (L, rows, C) attention output, heads side by side
    FloatBuffer resid2;        // (L, rows, C) resid_mid
    FloatBuffer ln2;           // (L, rows, C)
    FloatBuffer ln2_mean;      // (L, rows)
    FloatBuffer ln2_rstd;      // (L, rows)
    FloatBuffer fch;           // (L, rows, 4C) before GELU
    FloatBuffer fch_gelu;      // (L, rows, 4C) after GELU
    FloatBuffer resid3;        // (L, rows, C) resid_post
    FloatBuffer lnf;           // (rows, C) the context vectors
    FloatBuffer lnf_mean;      // (rows)
    FloatBuffer lnf_rstd;      // (rows)
    FloatBuffer logits;        // (rows, V); after a forward with dloss > 0: dL/dlogits
    FloatBuffer losses;        // (rows) per-position loss, nats
    // scratch
    FloatBuffer proj;          // (rows, C) a projection's output before its residual add
    FloatBuffer kv;            // (B, 2, T, C) keys and values of each sequence
    FloatBuffer scores;        // (threads, T, T) attention scratch, one slice per team member
    // gradients of activations (the backward's working space)
    FloatBuffer dresid;        // (rows, C) d of the residual stream at the current point
    FloatBuffer dln;           // (rows, C) d of a layer norm's output
    FloatBuffer datty;         // (rows, C)
    FloatBuffer dqkv;          // (rows, 3C)
    FloatBuffer dfch_gelu;     // (rows, 4C)
    FloatBuffer dfch;          // (rows, 4C)
};

TrainActivations make_train_activations(const Config& config, int64_t B, int64_t T, int threads);
size_t train_activation_bytes(const TrainActivations& acts);

// Runs B windows: inputs, targets (B, T) ids in [0, V) (the caller checks); B and T at most
// the activations' (validation's last batch may hold fewer windows).
// Returns the mean loss over the B*T positions (per-position losses stay in acts.losses).
// dloss > 0: also leaves dloss * (softmax - onehot) in acts.logits, ready for train_backward;
// each position's weight in the loss being minimised (1 / (B*T), or less under accumulation).
double train_forward(TrainActivations& acts, const ParamLayout& layout, const float* params,
                     const int* inputs, const int* targets, int64_t B, int64_t T, float dloss,
                     TrainOps& ops);
// The backward of the last train_forward (which had dloss > 0): ADDS every parameter's
// gradient into grads (flat, layout order), so that several calls accumulate.
void train_backward(float* grads, TrainActivations& acts, const ParamLayout& layout,
                    const float* params, const int* inputs, int64_t B, int64_t T, TrainOps& ops);

}  // namespace gw
