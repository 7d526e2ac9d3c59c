// kernels/attention.h — causal multi-head self-attention over a KV cache.
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
//         k_cache, v_cache (P, C); scratch: attention_scratch_floats(T, pos0 + T) floats.
#pragma once
#include <cstdint>

#include "core/cpu.h"

namespace gw {

// The scratch one call needs for T new rows over `keys` keys: the rows are taken a block
// at a time (attention.cpp), so it holds one block's scores, never all (T, keys) of them.
int64_t attention_scratch_floats(int64_t T, int64_t keys);

void attention(Isa isa, float* out, float* pattern, const float* qkv, float* k_cache,
               float* v_cache, int64_t pos0, int64_t T, int64_t C, int64_t NH, float* scratch);

// attention() in two steps, so that heads can be shared out over threads (model/forward.cpp):
// append_kv copies the new keys and values into the caches (rows [pos0, pos0 + T));
// attention_heads then computes heads h0..h1-1 only (their columns of out, their
// planes of pattern), reading the caches. Each thread needs its own scratch.
void append_kv(float* k_cache, float* v_cache, const float* qkv, int64_t pos0, int64_t T,
               int64_t C);
void attention_heads(Isa isa, float* out, float* pattern, const float* qkv, const float* k_cache,
                     const float* v_cache, int64_t pos0, int64_t T, int64_t C, int64_t NH,
                     float* scratch, int64_t h0, int64_t h1);

// The same computation by plain loops (no BLAS, no cache reuse): the reference for tests.
void attention_ref(float* out, float* pattern, const float* qkv, float* k_cache, float* v_cache,
                   int64_t pos0, int64_t T, int64_t C, int64_t NH);

}  // namespace gw
