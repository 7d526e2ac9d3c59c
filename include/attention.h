// attention.h — causal multi-head self-attention over a KV cache.
//
// For T new positions starting at absolute position pos0 (the cache already
// holds rows [0, pos0)), with C = NH * HS:
//   q, k, v   = the three C-wide column blocks of qkv (T, 3C); head h uses columns [h*HS, (h+1)*HS)
//   k, v rows are appended to k_cache, v_cache (P, C) at rows [pos0, pos0 + T)
//   for new row i (absolute position p = pos0 + i) and head h:
//     s_j = q_ih · k_jh / sqrt(HS)     for j <= p,   -INFINITY for j > p (the causal mask)
//     a   = softmax(s)                 (the attention pattern: where position p looks)
//     out[i, h] = sum_j a_j v_jh       (aggregation: a weighted average of value vectors)
// Shapes: out (T, C); pattern (NH, T, pos0 + T) or nullptr; qkv (T, 3C);
//         k_cache, v_cache (P, C); scratch: at least T * (pos0 + T) floats.
#pragma once
#include <cstdint>

#include "cpu.h"

namespace gw {

void attention(Isa isa, float* out, float* pattern, const float* qkv, float* k_cache,
               float* v_cache, int64_t pos0, int64_t T, int64_t C, int64_t NH, float* scratch);

// The same computation by plain loops (no BLAS, no cache reuse): the reference for tests.
void attention_ref(float* out, float* pattern, const float* qkv, float* k_cache, float* v_cache,
                   int64_t pos0, int64_t T, int64_t C, int64_t NH);

}  // namespace gw
