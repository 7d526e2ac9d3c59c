// model/forward_ref.cpp — the forward pass as the math reads (lesson 11); see forward_ref.h.
#include "model/forward_ref.h"

#include "core/error.h"
#include "kernels/attention.h"
#include "kernels/gelu.h"
#include "kernels/layernorm.h"
#include "kernels/linear.h"

namespace gw {

namespace {
using Vec = std::vector<float>;

Vec layernorm_rows(const Vec& x, const float* w, const float* b, int64_t T, int64_t C, float eps) {
    Vec out(x.size());
    layernorm_ref(out.data(), nullptr, nullptr, x.data(), w, b, T, C, eps);
    return out;
}

// inp (T, IC) · w (IC, OC) + b, by plain loops (linear_ref), with w read as F32 whatever
// its type (so the oracle computes with exactly the rounded or quantized weights).
Vec linear_rows(const Vec& inp, const WeightView& w, const float* b, int64_t T, int64_t IC, int64_t OC) {
    Vec out(size_t(T * OC));
    linear_ref(out.data(), inp.data(), AsF32(w).data(), b, T, IC, OC);
    return out;
}

Vec add(const Vec& x, const Vec& y) {
    Vec out(x.size());
    for (size_t i = 0; i < x.size(); i++) out[i] = x[i] + y[i];
    return out;
}
}  // namespace

RefActivations forward_ref(const Checkpoint& m, const std::vector<int>& tokens) {
    const Config& cfg = m.config;
    const Weights& w = m.w;
    const int64_t T = int64_t(tokens.size()), C = cfg.n_embd, NH = cfg.n_head, V = cfg.vocab_size;
    const float eps = cfg.layer_norm_epsilon;
    if (T < 1 || T > cfg.n_positions)
        fail("forward_ref: ", T, " tokens; the model takes 1 to ", cfg.n_positions);
    for (int id : tokens)
        if (id < 0 || id >= V) fail("token id ", id, " is out of range: the vocabulary has ", V, " ids");

    const AsF32 wte(w.wte);  // (V, C)
    RefActivations a;
    a.embed.resize(size_t(T * C));
    for (int64_t t = 0; t < T; t++)
        for (int64_t c = 0; c < C; c++)
            a.embed[size_t(t * C + c)] = wte.row(tokens[size_t(t)])[c] + w.wpe[t * C + c];

    const Vec* x = &a.embed;  // the residual stream entering each block
    a.h.reserve(w.h.size());
    for (const LayerWeights& b : w.h) {
        RefLayer l;
        l.ln_1 = layernorm_rows(*x, b.ln_1_w, b.ln_1_b, T, C, eps);
        l.qkv = linear_rows(l.ln_1, b.c_attn_w, b.c_attn_b, T, C, 3 * C);
        l.heads.resize(size_t(T * C));
        l.pattern.resize(size_t(NH * T * T));
        Vec k(size_t(T * C)), v(size_t(T * C));  // attention_ref's "cache": these T rows only
        attention_ref(l.heads.data(), l.pattern.data(), l.qkv.data(), k.data(), v.data(), 0, T, C, NH);
        l.attn_out = linear_rows(l.heads, b.attn_proj_w, b.attn_proj_b, T, C, C);
        l.resid_mid = add(*x, l.attn_out);
        l.ln_2 = layernorm_rows(l.resid_mid, b.ln_2_w, b.ln_2_b, T, C, eps);
        l.mlp_pre = linear_rows(l.ln_2, b.c_fc_w, b.c_fc_b, T, C, 4 * C);
        l.mlp_act.resize(l.mlp_pre.size());
        gelu_ref(l.mlp_act.data(), l.mlp_pre.data(), int64_t(l.mlp_pre.size()));
        l.mlp_out = linear_rows(l.mlp_act, b.mlp_proj_w, b.mlp_proj_b, T, 4 * C, C);
        l.resid_post = add(l.resid_mid, l.mlp_out);
        a.h.push_back(std::move(l));
        x = &a.h.back().resid_post;
    }

    a.ln_f = layernorm_rows(*x, w.ln_f_w, w.ln_f_b, T, C, eps);
    // The tied head: logit[t][v] = ln_f[t] · wte[v], the context vector against every token vector.
    a.logits.resize(size_t(T * V));
    matmul_ref(a.logits.data(), V, a.ln_f.data(), C, wte.data(), C, T, V, C, /*b_transposed=*/true, 1.0f, 0.0f);
    return a;
}

}  // namespace gw
