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

// The plain loops of attention_ref: rows [pos0, pos0 + T) over keys and values k, v (Tk, C),
// Tk = pos0 + T. A template so that the float64 overload (finite-difference checks of the
// backward) is the same loops.
template <typename S>
static void attention_loops(S* out, S* pattern, const S* qkv, const S* k, const S* v, int64_t pos0,
                            int64_t T, int64_t C, int64_t NH) {
    const int64_t HS = C / NH;
    const int64_t Tk = pos0 + T;
    std::vector<S> s(static_cast<size_t>(Tk));
    for (int64_t h = 0; h < NH; h++) {
        for (int64_t i = 0; i < T; i++) {
            const S* q = qkv + i * 3 * C + h * HS;
            for (int64_t j = 0; j < Tk; j++) {
                if (j > pos0 + i) { s[size_t(j)] = -INFINITY; continue; }
                double dot = 0;
                for (int64_t d = 0; d < HS; d++) dot += double(q[d]) * k[j * C + h * HS + d];
                s[size_t(j)] = S(dot / std::sqrt(double(HS)));
            }
            softmax_ref(s.data(), s.data(), Tk);
            for (int64_t d = 0; d < HS; d++) {
                double acc = 0;
                for (int64_t j = 0; j < Tk; j++) acc += double(s[size_t(j)]) * v[j * C + h * HS + d];
                out[i * C + h * HS + d] = S(acc);
            }
            if (pattern) std::copy(s.begin(), s.end(), pattern + (h * T + i) * Tk);
        }
    }
}

void attention_ref(float* out, float* pattern, const float* qkv, float* k_cache, float* v_cache,
                   int64_t pos0, int64_t T, int64_t C, int64_t NH) {
    append_kv(k_cache, v_cache, qkv, pos0, T, C);
    attention_loops(out, pattern, qkv, k_cache, v_cache, pos0, T, C, NH);
}

// ---------------------------------------------------------------- training (lesson 17)

// Keys and values (T, C) of qkv (T, 3C), as append_kv copies them.
template <typename S>
static void split_kv(std::vector<S>& k, std::vector<S>& v, const S* qkv, int64_t T, int64_t C) {
    k.resize(size_t(T * C));
    v.resize(size_t(T * C));
    for (int64_t i = 0; i < T; i++)
        for (int64_t c = 0; c < C; c++) {
            k[size_t(i * C + c)] = qkv[i * 3 * C + C + c];
            v[size_t(i * C + c)] = qkv[i * 3 * C + 2 * C + c];
        }
}

void attention_ref(double* out, double* pattern, const double* qkv, int64_t T, int64_t C,
                   int64_t NH) {
    std::vector<double> k, v;
    split_kv(k, v, qkv, T, C);
    attention_loops(out, pattern, qkv, k.data(), v.data(), 0, T, C, NH);
}

void attention_backward_heads(float* dqkv, float* scratch, const float* dout, const float* qkv,
                              const float* pattern, int64_t T, int64_t C, int64_t NH, int64_t h0,
                              int64_t h1) {
    const int64_t HS = C / NH;
    const float scale = 1.0f / std::sqrt(float(HS));
    float* dA = scratch;  // (T, T): first dL/dA, then, row by row, dL/dS in place
    std::vector<float> row(static_cast<size_t>(T));
    for (int64_t h = h0; h < h1; h++) {
        const float* A = pattern + h * T * T;  // (T, T), zero above the diagonal
        const float* q = qkv + h * HS;         // (T, HS) rows 3C apart; k, v likewise
        const float* k = qkv + C + h * HS;
        const float* v = qkv + 2 * C + h * HS;
        const float* g = dout + h * HS;        // (T, HS) rows C apart
        float* dq = dqkv + h * HS;
        float* dk = dqkv + C + h * HS;
        float* dv = dqkv + 2 * C + h * HS;
        // dV_h (T, HS) += A^T · g: key j collects from every row that looked at it.
        matmul_at(dv, 3 * C, A, T, g, C, T, HS, T, 1.0f, 1.0f);
        // dA (T, T) = g · V_h^T
        matmul(dA, T, g, C, v, 3 * C, T, T, HS, /*b_transposed=*/true, 1.0f, 0.0f);
        // dS = softmax backward of each row over its visible keys 0..i; masked entries stay 0.
        for (int64_t i = 0; i < T; i++) {
            float* d = dA + i * T;
            std::fill(row.begin(), row.begin() + i + 1, 0.0f);
            softmax_backward(row.data(), A + i * T, d, i + 1);
            std::copy(row.begin(), row.begin() + i + 1, d);
            std::fill(d + i + 1, d + T, 0.0f);
        }
        // S = scale · Q K^T:  dQ_h += scale · dS · K_h,   dK_h += scale · dS^T · Q_h
        matmul(dq, 3 * C, dA, T, k, 3 * C, T, HS, T, /*b_transposed=*/false, scale, 1.0f);
        matmul_at(dk, 3 * C, dA, T, q, 3 * C, T, HS, T, scale, 1.0f);
    }
}

void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* pattern,
                        int64_t T, int64_t C, int64_t NH) {
    std::vector<float> scratch(size_t(T * T));
    attention_backward_heads(dqkv, scratch.data(), dout, qkv, pattern, T, C, NH, 0, NH);
}

// The same chain of derivatives by plain loops (double sums), recomputing the pattern.
template <typename S>
static void attention_backward_loops(S* dqkv, const S* dout, const S* qkv, int64_t T, int64_t C,
                                     int64_t NH) {
    const int64_t HS = C / NH;
    const double scale = 1.0 / std::sqrt(double(HS));
    std::vector<S> k, v, out(size_t(T * C)), A(size_t(NH * T * T));
    split_kv(k, v, qkv, T, C);
    attention_loops(out.data(), A.data(), qkv, k.data(), v.data(), 0, T, C, NH);
    std::vector<S> dA(static_cast<size_t>(T)), dS(static_cast<size_t>(T));
    for (int64_t h = 0; h < NH; h++) {
        for (int64_t i = 0; i < T; i++) {
            const S* a = A.data() + (h * T + i) * T;  // row i: a[j] for j <= i
            const S* g = dout + i * C + h * HS;
            for (int64_t j = 0; j <= i; j++) {
                double sum = 0;  // dA[j] = g · v_j
                for (int64_t d = 0; d < HS; d++) sum += double(g[d]) * v[size_t(j * C + h * HS + d)];
                dA[size_t(j)] = S(sum);
                for (int64_t d = 0; d < HS; d++)  // dv_j += a_j g
                    dqkv[j * 3 * C + 2 * C + h * HS + d] += S(double(a[j]) * g[d]);
                dS[size_t(j)] = 0;
            }
            softmax_backward(dS.data(), a, dA.data(), i + 1);
            for (int64_t j = 0; j <= i; j++)
                for (int64_t d = 0; d < HS; d++) {
                    const double ds = scale * double(dS[size_t(j)]);
                    dqkv[i * 3 * C + h * HS + d] += S(ds * k[size_t(j * C + h * HS + d)]);
                    dqkv[j * 3 * C + C + h * HS + d] += S(ds * qkv[i * 3 * C + h * HS + d]);
                }
        }
    }
}

void attention_backward_ref(float* dqkv, const float* dout, const float* qkv, int64_t T, int64_t C,
                            int64_t NH) {
    attention_backward_loops(dqkv, dout, qkv, T, C, NH);
}
void attention_backward_ref(double* dqkv, const double* dout, const double* qkv, int64_t T,
                            int64_t C, int64_t NH) {
    attention_backward_loops(dqkv, dout, qkv, T, C, NH);
}

}  // namespace gw
