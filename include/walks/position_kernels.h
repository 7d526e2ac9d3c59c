// walks/position_kernels.h — what attention does with positions alone (lesson 14, `gptwalk walk positions`).
//
// OUR OWN FORMALISATION (not the paper's). For layer l and head h, a position-only kernel:
//   x_i  = wpe[i] + ē           ē = mean row of wte: a neutral stand-in for content, the same at every i
//   n_i  = ln_1(x_i)             layer l's ln_1
//   s_ij = q_ih · k_jh / √HS     q, k from layer l's c_attn (with bias), head h's columns
//   a_ij = softmax_j(s_ij)       causal: j <= i
// and two summaries of each kernel:
//   offset profile  m(d)   = mean over i >= d of a(i, i - d)       (d = i - j; d = 1: previous token)
//   self-bias       b(i)   = a(i, i) - 1/(i + 1)                   (> 0: looks at itself more than uniform)
// The same self-bias and offset profile are measured on real text from the traced h.{l}.attn_pattern.
// Contrast: parameter-free attention softmax(X Xᵀ / √C) X on rows x̂_i of equal length (the
// layer-normed vectors before γ, β): by Cauchy–Schwarz x̂_i·x̂_j <= |x̂_i||x̂_j| = |x̂_i|², so the
// diagonal is each row's largest score and b(i) >= 0. A learned head can have b(i) < 0.
// Legend: n positions used, C n_embd, NH heads, HS head size, P n_positions.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/forward.h"
#include "model/weights.h"

namespace gw {

struct HeadKernel {
    int64_t head = 0;
    std::vector<float> kernel;        // (n, n) a_ij from positions alone; 0 above the diagonal
    std::vector<double> offset_mean;  // (n) m(d), d = 0 .. n-1
    std::vector<double> self_bias;    // (n) b(i); b(0) = 0 always (one choice)
    double mean_self_bias = 0;        // mean of b(i) over i = 1 .. n-1
    // Measured on text (when a trace was given): the same quantities from h.{l}.attn_pattern.
    std::vector<double> text_self_bias;  // (T) b(i) on the text
    std::vector<double> text_offset_mean;  // (T) m(d) on the text
    double text_mean_self_bias = 0;      // mean over i = 1 .. T-1 (NaN when no text)
};

struct PositionKernels {
    int64_t layer = 0;
    int64_t n = 0;                    // positions 0 .. n-1
    std::string content;              // what stood in for content, said in the output
    std::vector<HeadKernel> heads;    // (NH)
    // Parameter-free attention softmax(x̂ x̂ᵀ / √C) on the same positional x̂ (before γ, β).
    std::vector<float> free_kernel;   // (n, n)
    std::vector<double> free_self_bias;  // (n)
    double free_mean_self_bias = 0;
    // ... and on the text's own x̂ (ln_1's normalised input at each text position).
    int64_t text_tokens = 0;          // T; 0 when no text was measured
    double free_text_mean_self_bias = 0;
};

// ---- pieces (public for the tests) ----
// kernel (n, n) = row-softmax of scores (n, n) with the causal mask (j > i -> 0).
void causal_softmax_rows(float* kernel, const float* scores, int64_t n);
// b(i) = a(i, i) - 1/(i + 1) for a causal kernel (n, n) whose rows are `ld` floats apart.
std::vector<double> self_bias(const float* kernel, int64_t n, int64_t ld);
// Mean of b(i) over i = 1 .. n-1 (0 when n < 2).
double mean_self_bias(const std::vector<double>& b);
// m(d) = mean over i >= d of a(i, i - d), d = 0 .. n-1.
std::vector<double> offset_means(const float* kernel, int64_t n);
// kernel (n, n) = causal row-softmax of x xᵀ · scale, x (n, d): parameter-free attention.
void free_attention_kernel(float* kernel, const float* x, int64_t n, int64_t d, float scale);

// The kernels of every head of `layer` over positions 0 .. n-1 (n <= P).
PositionKernels position_kernels(const Checkpoint& model, int64_t layer, int64_t n);
// Fills the text_* fields from a trace of a prompt run from position 0.
void measure_on_text(PositionKernels& pk, const Checkpoint& model, const Trace& trace);

// The footnotes for the output.
std::vector<std::string> position_kernel_notes();

}  // namespace gw
