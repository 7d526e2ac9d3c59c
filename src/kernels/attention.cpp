// kernels/attention.cpp — causal multi-head self-attention over a KV cache (lesson 07, 08).
#include "kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/linear.h"
#include "kernels/softmax.h"

namespace gw {

// Appends the new positions' keys and values to the cache (rows [pos0, pos0+T)).
void append_kv(float* k_cache, float* v_cache, const float* qkv, int64_t pos0, int64_t T,
                      int64_t C) {
    for (int64_t i = 0; i < T; i++) {
        const float* row = qkv + i * 3 * C;
        std::memcpy(k_cache + (pos0 + i) * C, row + C, size_t(C) * sizeof(float));
        std::memcpy(v_cache + (pos0 + i) * C, row + 2 * C, size_t(C) * sizeof(float));
    }
}

void attention(Isa isa, float* out, float* pattern, const float* qkv, float* k_cache,
               float* v_cache, int64_t pos0, int64_t T, int64_t C, int64_t NH, float* scratch) {
    append_kv(k_cache, v_cache, qkv, pos0, T, C);
    attention_heads(isa, out, pattern, qkv, k_cache, v_cache, pos0, T, C, NH, scratch, 0, NH);
}

// New rows are taken in blocks of this many: the rows of one block see keys up to the
// block's last row only, so the products skip most of the upper triangle that the causal
// mask zeroes anyway: a fresh 128-token prompt in 2 blocks computes (1+2)/4 = 75% of the
// full (128, 128) square of scores per head. Smaller blocks skip more but make OpenBLAS's
// products less efficient: 64 measured fastest (docs/performance.md).
constexpr int64_t kRowBlock = 64;

int64_t attention_scratch_floats(int64_t T, int64_t keys) { return std::min(T, kRowBlock) * keys; }

void attention_heads(Isa isa, float* out, float* pattern, const float* qkv, const float* k_cache,
                     const float* v_cache, int64_t pos0, int64_t T, int64_t C, int64_t NH,
                     float* scratch, int64_t h0, int64_t h1) {
    const int64_t HS = C / NH;
    const int64_t Tk = pos0 + T;  // keys visible to the last new row (the pattern's width)
    const float scale = 1.0f / std::sqrt(float(HS));
    for (int64_t h = h0; h < h1; h++) {
        for (int64_t r0 = 0; r0 < T; r0 += kRowBlock) {
            const int64_t r1 = std::min(T, r0 + kRowBlock);
            const int64_t rows = r1 - r0;
            const int64_t keys = pos0 + r1;  // keys visible to the block's last row
            // scores (rows, keys) = scale * Q_h (rows, HS) · K_h^T, K_h the cache's (keys, HS) column slice
            float* s = scratch;
            matmul(s, keys, qkv + r0 * 3 * C + h * HS, 3 * C, k_cache + h * HS, C, rows, keys, HS,
                   /*b_transposed=*/true, scale, 0.0f);
            for (int64_t i = r0; i < r1; i++) {
                float* row = s + (i - r0) * keys;
                int64_t valid = pos0 + i + 1;  // row i may look at positions 0..pos0+i
                softmax(isa, row, row, valid);
                for (int64_t j = valid; j < keys; j++) row[j] = 0.0f;  // masked: probability exactly 0
                if (pattern) {
                    float* prow = pattern + (h * T + i) * Tk;
                    std::memcpy(prow, row, size_t(keys) * sizeof(float));
                    std::fill(prow + keys, prow + Tk, 0.0f);  // beyond the block's keys: masked too
                }
            }
            // out_h (rows, HS) = A (rows, keys) · V_h (keys, HS), into head h's columns of out
            matmul(out + r0 * C + h * HS, C, s, keys, v_cache + h * HS, C, rows, HS, keys,
                   /*b_transposed=*/false, 1.0f, 0.0f);
        }
    }
}

void attention_ref(float* out, float* pattern, const float* qkv, float* k_cache, float* v_cache,
                   int64_t pos0, int64_t T, int64_t C, int64_t NH) {
    const int64_t HS = C / NH;
    const int64_t Tk = pos0 + T;
    append_kv(k_cache, v_cache, qkv, pos0, T, C);
    std::vector<float> s(static_cast<size_t>(Tk));
    for (int64_t h = 0; h < NH; h++) {
        for (int64_t i = 0; i < T; i++) {
            const float* q = qkv + i * 3 * C + h * HS;
            for (int64_t j = 0; j < Tk; j++) {
                if (j > pos0 + i) { s[j] = -INFINITY; continue; }
                double dot = 0;
                for (int64_t d = 0; d < HS; d++) dot += double(q[d]) * k_cache[j * C + h * HS + d];
                s[j] = float(dot / std::sqrt(double(HS)));
            }
            softmax_ref(s.data(), s.data(), Tk);
            for (int64_t d = 0; d < HS; d++) {
                double acc = 0;
                for (int64_t j = 0; j < Tk; j++) acc += double(s[j]) * v_cache[j * C + h * HS + d];
                out[i * C + h * HS + d] = float(acc);
            }
            if (pattern) std::memcpy(pattern + (h * T + i) * Tk, s.data(), size_t(Tk) * sizeof(float));
        }
    }
}

}  // namespace gw
