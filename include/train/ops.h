// train/ops.h — every op of a training step, shared out over a thread team and timed.
//
// The same kernels as the forward pass (model/forward.cpp), called on all B*T rows of a
// batch at once, and their backwards (each beside its forward in kernels/). Each op cuts
// its work into pieces for the team (core/parallel.h) so that no two pieces write the same
// output, and each output is computed the same way whichever member runs its piece: the
// results depend on the team's size at most (OpenBLAS may pick other kernels for other
// block widths), never on timing, so a run is repeatable bit for bit (train --resume).
//   products       pieces of output columns (forward, weight gradients) or of rows (input
//                  gradients), as in model/forward.cpp
//   attention      pieces of (sequence, head) pairs
//   element-wise   contiguous blocks (GELU, residual adds); layer norm: blocks of rows, and
//                  its weight gradients in blocks of columns (sums over rows in row order)
//   embedding      forward by sequences; backward by columns (two equal tokens add into one
//                  row of dwte, so rows cannot be shared out)
// Every backward op ADDS into its gradients, as the kernels do.
// Legend: B sequences, T tokens each (rows = B*T), C n_embd, NH heads, V vocab.
#pragma once
#include <cstdint>

#include "core/cpu.h"
#include "core/parallel.h"
#include "model/forward.h"  // OpTimes

namespace gw {

// Seconds per kind of op, forward and backward apart; the loss (softmax cross-entropy) and
// the optimizer on their own.
struct TrainTimes {
    OpTimes forward, backward;
    double loss = 0, optimizer = 0;
    double total() const { return forward.total() + backward.total() + loss + optimizer; }
};

class TrainOps {
public:
    // times may be nullptr (no clock reads). While a team of more than one works, OpenBLAS
    // is held at one thread (every member calls it), as forward() does.
    TrainOps(ThreadTeam& team, Isa isa, TrainTimes* times);
    ~TrainOps();
    TrainOps(const TrainOps&) = delete;
    TrainOps& operator=(const TrainOps&) = delete;
    int threads() const { return team_.size(); }
    TrainTimes* times() const { return times_; }

    // ---- forward
    // x (B*T, C) = wte[tokens] + wpe[0..T-1], sequence by sequence.
    void embed(float* x, const int* tokens, const float* wte, const float* wpe, int64_t B, int64_t T, int64_t C);
    void layernorm(float* out, float* mean, float* rstd, const float* x, const float* w, const float* b,
                   int64_t rows, int64_t C, float eps);
    void linear(float* out, const float* inp, const float* w, const float* b, int64_t rows, int64_t IC, int64_t OC);
    // Causal attention of each sequence from position 0; pattern (B, NH, T, T) is kept for the
    // backward. kv: (B, 2, T, C) scratch for each sequence's keys and values; scores:
    // (threads, T, T) scratch.
    void attention(float* out, float* pattern, float* kv, float* scores, const float* qkv, int64_t B,
                   int64_t T, int64_t C, int64_t NH);
    void gelu(float* out, const float* x, int64_t n);
    void add(float* out, const float* a, const float* b, int64_t n);  // out = a + b (out may be a)
    void lm_head(float* logits, const float* x, const float* wte, int64_t rows, int64_t C, int64_t V);
    // losses (rows); dlogits (nullptr: the loss only) = dloss * (softmax - onehot), in place allowed.
    void crossentropy(float* dlogits, float* losses, const float* logits, const int* targets,
                      int64_t rows, int64_t V, float dloss);

    // ---- backward (each adds into its gradients)
    void embed_backward(float* dwte, float* dwpe, const float* dx, const int* tokens, int64_t B,
                        int64_t T, int64_t C);
    void layernorm_backward(float* dx, float* dw, float* db, const float* dout, const float* x,
                            const float* w, const float* mean, const float* rstd, int64_t rows, int64_t C);
    void linear_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp,
                         const float* w, int64_t rows, int64_t IC, int64_t OC);
    void attention_backward(float* dqkv, float* scores, const float* dout, const float* qkv,
                            const float* pattern, int64_t B, int64_t T, int64_t C, int64_t NH);
    void gelu_backward(float* dx, const float* x, const float* dout, int64_t n);
    void lm_head_backward(float* dx, float* dwte, const float* dlogits, const float* x, const float* wte,
                          int64_t rows, int64_t C, int64_t V);
    // x = 0 (n floats): the activation gradients start from zero, since the backwards add.
    void zero(float* x, int64_t n);

private:
    struct Clock;
    double* slot(OpTimes TrainTimes::*part, double OpTimes::*kind) const;  // nullptr when not timing
    ThreadTeam& team_;
    Isa isa_;
    TrainTimes* times_;
    int saved_blas_threads_ = 0;
};

}  // namespace gw
