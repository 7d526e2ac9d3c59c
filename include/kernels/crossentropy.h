// kernels/crossentropy.h — the loss of next-token prediction, and its gradient (lesson 17).
//
// For one row of logits z (V) and the token that really came next, y:
//   p    = softmax(z)
//   loss = -log p[y] = logsumexp(z) - z[y]            nats; 0 when the model is sure and right
//   dL/dz = p - onehot(y)                              push y's logit up, every other down by its p
// A training step averages the loss over its B*T rows, so each row's gradient is scaled by
// its weight in that mean, `dloss` (1 / (B*T), divided again under gradient accumulation).
// Shapes: logits, dlogits (T, V); targets, losses (T). Every target in [0, V): the caller checks.
// The loss is the forward's last op and the backward's first: it WRITES dlogits (nothing
// is there to add to), and dlogits may be the logits buffer itself (the (T, V) logits are the
// largest activation of a training step, so the gradient reuses their memory).
#pragma once
#include <cstdint>

#include "core/cpu.h"

namespace gw {

// losses[t] = -log softmax(logits[t])[targets[t]]; dlogits (nullptr: loss only) = dloss * (p - onehot).
// The vector softmax of softmax.h, which also returns logsumexp, so the loss keeps full
// accuracy even where p[y] is too small for a float.
void crossentropy(Isa isa, float* dlogits, float* losses, const float* logits, const int* targets,
                  int64_t T, int64_t V, float dloss);
// Plain loops in double: the reference, in float and in float64 (finite differences).
void crossentropy_ref(float* dlogits, float* losses, const float* logits, const int* targets,
                      int64_t T, int64_t V, double dloss);
void crossentropy_ref(double* dlogits, double* losses, const double* logits, const int* targets,
                      int64_t T, int64_t V, double dloss);

}  // namespace gw
