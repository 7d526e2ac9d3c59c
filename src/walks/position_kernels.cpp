// walks/position_kernels.cpp — attention kernels from position vectors alone (our own formalisation).
#include "walks/position_kernels.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "kernels/layernorm.h"
#include "kernels/linear.h"
#include "kernels/softmax.h"

namespace gw {

void causal_softmax_rows(float* kernel, const float* scores, int64_t n) {
    std::vector<float> row(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; i++) {
        for (int64_t j = 0; j < n; j++) row[size_t(j)] = j <= i ? scores[i * n + j] : -INFINITY;
        softmax_ref(kernel + i * n, row.data(), n);  // -INFINITY entries get exactly 0
    }
}

std::vector<double> self_bias(const float* kernel, int64_t n, int64_t ld) {
    std::vector<double> b(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; i++) b[size_t(i)] = double(kernel[i * ld + i]) - 1.0 / double(i + 1);
    return b;
}

double mean_self_bias(const std::vector<double>& b) {
    if (b.size() < 2) return 0.0;
    double s = 0;
    for (size_t i = 1; i < b.size(); i++) s += b[i];  // b(0) = 1 - 1 = 0 says nothing
    return s / double(b.size() - 1);
}

std::vector<double> offset_means(const float* kernel, int64_t n) {
    std::vector<double> m(static_cast<size_t>(n), 0.0);
    for (int64_t d = 0; d < n; d++) {
        for (int64_t i = d; i < n; i++) m[size_t(d)] += kernel[i * n + (i - d)];
        m[size_t(d)] /= double(n - d);
    }
    return m;
}

void free_attention_kernel(float* kernel, const float* x, int64_t n, int64_t d, float scale) {
    std::vector<float> scores(static_cast<size_t>(n * n));
    // scores (n, n) = scale · x (n, d) · xᵀ
    matmul(scores.data(), n, x, d, x, d, n, n, d, true, scale, 0.0f);
    causal_softmax_rows(kernel, scores.data(), n);
}

// x̂ (n, C) = (x - mean) · rstd of each row: the layer norm before its γ, β.
static std::vector<float> normalised(const float* x, int64_t n, int64_t C, float eps) {
    std::vector<float> y(static_cast<size_t>(n * C)), mean(static_cast<size_t>(n)), rstd(static_cast<size_t>(n));
    std::vector<float> ones(static_cast<size_t>(C), 1.0f), zeros(static_cast<size_t>(C), 0.0f);
    layernorm_ref(y.data(), mean.data(), rstd.data(), x, ones.data(), zeros.data(), n, C, eps);
    return y;
}

PositionKernels position_kernels(const Checkpoint& m, int64_t layer, int64_t n) {
    const Config& cfg = m.config;
    const int64_t C = cfg.n_embd, NH = cfg.n_head, HS = C / NH, V = cfg.vocab_size;
    if (layer < 0 || layer >= cfg.n_layer)
        fail("position kernels: layer ", layer, " does not exist (the model has layers 0..", cfg.n_layer - 1, ")");
    if (n < 1 || n > cfg.n_positions)
        fail("position kernels: ", n, " positions asked for, the model has 1..", cfg.n_positions);
    const LayerWeights& w = m.w.h[size_t(layer)];
    PositionKernels pk;
    pk.layer = layer;
    pk.n = n;
    pk.content = "the mean token vector (mean row of wte) added to every position vector, as a neutral stand-in for content";

    // x (n, C) = wpe[i] + ē
    std::vector<double> mean_tok(static_cast<size_t>(C), 0.0);
    std::vector<float> row(static_cast<size_t>(C));
    for (int64_t v = 0; v < V; v++) {
        read_row_f32(row.data(), m.w.wte, v);
        for (int64_t c = 0; c < C; c++) mean_tok[size_t(c)] += row[size_t(c)];
    }
    std::vector<float> x(static_cast<size_t>(n * C));
    for (int64_t i = 0; i < n; i++)
        for (int64_t c = 0; c < C; c++) x[size_t(i * C + c)] = m.w.wpe[i * C + c] + float(mean_tok[size_t(c)] / double(V));

    // q, k (n, C) = ln_1(x) · c_attn_w[:, 0:C] (+ bias), and columns C:2C for k
    std::vector<float> xn(x.size()), q(x.size()), k(x.size());
    layernorm_ref(xn.data(), nullptr, nullptr, x.data(), w.ln_1_w, w.ln_1_b, n, C, cfg.layer_norm_epsilon);
    const AsF32 c_attn(w.c_attn_w);  // (C, 3C)
    matmul(q.data(), C, xn.data(), C, c_attn.data(), 3 * C, n, C, C, false, 1.0f, 0.0f);
    matmul(k.data(), C, xn.data(), C, c_attn.data() + C, 3 * C, n, C, C, false, 1.0f, 0.0f);
    for (int64_t i = 0; i < n; i++)
        for (int64_t c = 0; c < C; c++) {
            q[size_t(i * C + c)] += w.c_attn_b[c];
            k[size_t(i * C + c)] += w.c_attn_b[C + c];
        }

    std::vector<float> scores(static_cast<size_t>(n * n));
    for (int64_t h = 0; h < NH; h++) {
        HeadKernel hk;
        hk.head = h;
        // scores (n, n) = q_h (n, HS) · k_hᵀ / √HS, head h's columns in place (row stride C)
        matmul(scores.data(), n, q.data() + h * HS, C, k.data() + h * HS, C, n, n, HS, true,
               1.0f / std::sqrt(float(HS)), 0.0f);
        hk.kernel.resize(size_t(n * n));
        causal_softmax_rows(hk.kernel.data(), scores.data(), n);
        hk.offset_mean = offset_means(hk.kernel.data(), n);
        hk.self_bias = self_bias(hk.kernel.data(), n, n);
        hk.mean_self_bias = mean_self_bias(hk.self_bias);
        hk.text_mean_self_bias = std::numeric_limits<double>::quiet_NaN();
        pk.heads.push_back(std::move(hk));
    }

    // Parameter-free attention on the same positional vectors, normalised to equal length.
    std::vector<float> xhat = normalised(x.data(), n, C, cfg.layer_norm_epsilon);
    pk.free_kernel.resize(size_t(n * n));
    free_attention_kernel(pk.free_kernel.data(), xhat.data(), n, C, 1.0f / std::sqrt(float(C)));
    pk.free_self_bias = self_bias(pk.free_kernel.data(), n, n);
    pk.free_mean_self_bias = mean_self_bias(pk.free_self_bias);
    pk.free_text_mean_self_bias = std::numeric_limits<double>::quiet_NaN();
    return pk;
}

void measure_on_text(PositionKernels& pk, const Checkpoint& m, const Trace& tr) {
    const int64_t C = m.config.n_embd, T = tr.T;
    if (tr.pos0 != 0) fail("position kernels: the text's trace must start at position 0, not ", tr.pos0);
    const std::string l = "h." + std::to_string(pk.layer) + ".";
    const TracePoint& p = tr.at(l + "attn_pattern");  // (NH, T, T)
    for (HeadKernel& hk : pk.heads) {
        hk.text_self_bias = self_bias(p.data.data() + hk.head * T * T, T, T);
        hk.text_mean_self_bias = mean_self_bias(hk.text_self_bias);
        hk.text_offset_mean = offset_means(p.data.data() + hk.head * T * T, T);
    }
    std::vector<float> xhat = normalised(tr.at(l + "resid_pre").data.data(), T, C, m.config.layer_norm_epsilon);
    std::vector<float> kernel(static_cast<size_t>(T * T));
    free_attention_kernel(kernel.data(), xhat.data(), T, C, 1.0f / std::sqrt(float(C)));
    pk.free_text_mean_self_bias = mean_self_bias(self_bias(kernel.data(), T, T));
    pk.text_tokens = T;
}

std::vector<std::string> position_kernel_notes() {
    return {
        "Position kernels, offset profiles and self-bias are our own formalisation, not the paper's.",
        "Content stand-in: every position vector gets the mean token vector (mean row of wte) added, the "
        "same at every position, so only position differs; for layers above 0 this skips what earlier "
        "layers add.",
        "Self-bias b(i) = a(i,i) - 1/(i+1): how much more a position attends to itself than a uniform "
        "average would; means are over i >= 1 (b(0) = 0 always).",
        "Parameter-free attention softmax(X X^T / sqrt(C)) X uses the layer-normed rows (before gamma, beta), "
        "all of length sqrt(C): by Cauchy-Schwarz the diagonal is each row's largest score, so b(i) >= 0. "
        "(The 1/sqrt(C) scale, like attention's 1/sqrt(HS), does not change the sign.)",
    };
}

}  // namespace gw
