// attention.cpp — causal multi-head self-attention over a KV cache (lesson 07, 08).
#include "attention.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "linear.h"
#include "softmax.h"

namespace gw {

// Appends the new positions' keys and values to the cache (rows [pos0, pos0+T)).
static void append_kv(float* k_cache, float* v_cache, const float* qkv, int64_t pos0, int64_t T,
                      int64_t C) {
    for (int64_t i = 0; i < T; i++) {
        const float* row = qkv + i * 3 * C;
        std::memcpy(k_cache + (pos0 + i) * C, row + C, size_t(C) * sizeof(float));
        std::memcpy(v_cache + (pos0 + i) * C, row + 2 * C, size_t(C) * sizeof(float));
    }
}

void attention(Isa isa, float* out, float* pattern, const float* qkv, float* k_cache,
               float* v_cache, int64_t pos0, int64_t T, int64_t C, int64_t NH, float* scratch) {
    const int64_t HS = C / NH;
    const int64_t Tk = pos0 + T;  // keys visible to the last new row
    const float scale = 1.0f / std::sqrt(float(HS));
    append_kv(k_cache, v_cache, qkv, pos0, T, C);
    for (int64_t h = 0; h < NH; h++) {
        // scores (T, Tk) = scale * Q_h (T, HS) · K_h^T, with K_h the cache's (Tk, HS) column slice
        float* s = scratch;
        matmul(s, Tk, qkv + h * HS, 3 * C, k_cache + h * HS, C, T, Tk, HS,
               /*b_transposed=*/true, scale, 0.0f);
        for (int64_t i = 0; i < T; i++) {
            float* row = s + i * Tk;
            int64_t valid = pos0 + i + 1;  // row i may look at positions 0..pos0+i
            softmax(isa, row, row, valid);
            for (int64_t j = valid; j < Tk; j++) row[j] = 0.0f;  // masked: probability exactly 0
            if (pattern) std::memcpy(pattern + (h * T + i) * Tk, row, size_t(Tk) * sizeof(float));
        }
        // out_h (T, HS) = A (T, Tk) · V_h (Tk, HS), written into head h's columns of out
        matmul(out + h * HS, C, s, Tk, v_cache + h * HS, C, T, HS, Tk, /*b_transposed=*/false,
               1.0f, 0.0f);
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
