// kernels/crossentropy.cpp — next-token loss and its gradient (lesson 17).
//
//   loss = logsumexp(z) - z[y],   dL/dz = dloss * (softmax(z) - onehot(y))
// Why logsumexp rather than -log(p[y]): p[y] underflows to 0 in float once z[y] is ~104
// below the largest logit, and -log 0 = inf; m + log sum exp(z - m) stays finite and exact.
#include "kernels/crossentropy.h"

#include <algorithm>  // std::max
#include <cmath>
#include <vector>

#include "kernels/softmax.h"  // softmax_lse

namespace gw {

// ---------------------------------------------------------------- scalar reference

template <typename S>
static void crossentropy_loops(S* dlogits, S* losses, const S* logits, const int* targets, int64_t T,
                               int64_t V, double dloss) {
    for (int64_t t = 0; t < T; t++) {
        const S* z = logits + t * V;  // (V)
        double m = -INFINITY;
        for (int64_t v = 0; v < V; v++) m = std::max(m, double(z[v]));
        double sum = 0;
        for (int64_t v = 0; v < V; v++) sum += std::exp(double(z[v]) - m);
        const double lse = m + std::log(sum);
        const int y = targets[t];
        losses[t] = S(lse - double(z[y]));
        if (!dlogits) continue;
        S* d = dlogits + t * V;  // (V); may be z itself: each entry is read before it is written
        for (int64_t v = 0; v < V; v++) {
            const double p = std::exp(double(z[v]) - lse);
            d[v] = S(dloss * (p - (v == y ? 1.0 : 0.0)));
        }
    }
}

void crossentropy_ref(float* dlogits, float* losses, const float* logits, const int* targets,
                      int64_t T, int64_t V, double dloss) {
    crossentropy_loops(dlogits, losses, logits, targets, T, V, dloss);
}
void crossentropy_ref(double* dlogits, double* losses, const double* logits, const int* targets,
                      int64_t T, int64_t V, double dloss) {
    crossentropy_loops(dlogits, losses, logits, targets, T, V, dloss);
}

// ---------------------------------------------------------------- fast: the vector softmax

void crossentropy(Isa isa, float* dlogits, float* losses, const float* logits, const int* targets,
                  int64_t T, int64_t V, float dloss) {
    std::vector<float> scratch;  // softmax's output when there is no dlogits to write it to
    if (!dlogits) scratch.resize(size_t(V));
    for (int64_t t = 0; t < T; t++) {
        const float* z = logits + t * V;
        float* p = dlogits ? dlogits + t * V : scratch.data();
        const int y = targets[t];
        const float zy = z[y];  // read first: p may overwrite z
        const double lse = softmax_lse(isa, p, z, V);
        losses[t] = float(lse - double(zy));
        if (!dlogits) continue;
        for (int64_t v = 0; v < V; v++) p[v] *= dloss;
        p[y] -= dloss;
    }
}

}  // namespace gw
