// train/backward.cpp — the training forward and the whole model's backward (lesson 17).
#include "train/backward.h"

#include "core/error.h"

namespace gw {

TrainActivations make_train_activations(const Config& cfg, int64_t B, int64_t T, int threads) {
    if (B < 1 || T < 1 || T > cfg.n_positions)
        fail("training windows: need B >= 1 and 1 <= T <= n_positions (", cfg.n_positions, "), got B ", B,
             ", T ", T);
    const size_t L = size_t(cfg.n_layer), C = size_t(cfg.n_embd), NH = size_t(cfg.n_head);
    const size_t rows = size_t(B * T), V = size_t(cfg.vocab_size), t = size_t(T);
    TrainActivations a;
    a.B = B;
    a.T = T;
    a.encoded = FloatBuffer(rows * C);
    a.ln1 = FloatBuffer(L * rows * C);
    a.ln1_mean = FloatBuffer(L * rows);
    a.ln1_rstd = FloatBuffer(L * rows);
    a.qkv = FloatBuffer(L * rows * 3 * C);
    a.att = FloatBuffer(L * size_t(B) * NH * t * t);
    a.atty = FloatBuffer(L * rows * C);
    a.resid2 = FloatBuffer(L * rows * C);
    a.ln2 = FloatBuffer(L * rows * C);
    a.ln2_mean = FloatBuffer(L * rows);
    a.ln2_rstd = FloatBuffer(L * rows);
    a.fch = FloatBuffer(L * rows * 4 * C);
    a.fch_gelu = FloatBuffer(L * rows * 4 * C);
    a.resid3 = FloatBuffer(L * rows * C);
    a.lnf = FloatBuffer(rows * C);
    a.lnf_mean = FloatBuffer(rows);
    a.lnf_rstd = FloatBuffer(rows);
    a.logits = FloatBuffer(rows * V);
    a.losses = FloatBuffer(rows);
    a.proj = FloatBuffer(rows * C);
    a.kv = FloatBuffer(size_t(B) * 2 * t * C);
    a.scores = FloatBuffer(size_t(threads) * t * t);
    a.dresid = FloatBuffer(rows * C);
    a.dln = FloatBuffer(rows * C);
    a.datty = FloatBuffer(rows * C);
    a.dqkv = FloatBuffer(rows * 3 * C);
    a.dfch_gelu = FloatBuffer(rows * 4 * C);
    a.dfch = FloatBuffer(rows * 4 * C);
    return a;
}

size_t train_activation_bytes(const TrainActivations& a) {
    const FloatBuffer* all[] = {&a.encoded, &a.ln1, &a.ln1_mean, &a.ln1_rstd, &a.qkv, &a.att, &a.atty,
                                &a.resid2, &a.ln2, &a.ln2_mean, &a.ln2_rstd, &a.fch, &a.fch_gelu, &a.resid3,
                                &a.lnf, &a.lnf_mean, &a.lnf_rstd, &a.logits, &a.losses, &a.proj, &a.kv,
                                &a.scores, &a.dresid, &a.dln, &a.datty, &a.dqkv, &a.dfch_gelu, &a.dfch};
    size_t floats = 0;
    for (const FloatBuffer* b : all) floats += b->size();
    return floats * sizeof(float);
}

namespace {
// Layer l's slices of the (L, rows, X) activations.
struct LayerActs {
    float *ln1, *ln1_mean, *ln1_rstd, *qkv, *att, *atty, *resid2, *ln2, *ln2_mean, *ln2_rstd, *fch, *fch_gelu,
        *resid3;
};
LayerActs layer(TrainActivations& a, int64_t l, int64_t rows, int64_t C, int64_t NH) {
    return {a.ln1.data() + l * rows * C,      a.ln1_mean.data() + l * rows, a.ln1_rstd.data() + l * rows,
            a.qkv.data() + l * rows * 3 * C,  a.att.data() + l * a.B * NH * a.T * a.T,
            a.atty.data() + l * rows * C,     a.resid2.data() + l * rows * C, a.ln2.data() + l * rows * C,
            a.ln2_mean.data() + l * rows,     a.ln2_rstd.data() + l * rows, a.fch.data() + l * rows * 4 * C,
            a.fch_gelu.data() + l * rows * 4 * C, a.resid3.data() + l * rows * C};
}
}  // namespace

double train_forward(TrainActivations& a, const ParamLayout& layout, const float* params, const int* inputs,
                     const int* targets, int64_t B, int64_t T, float dloss, TrainOps& op) {
    const Config& cfg = layout.config;
    const int64_t C = cfg.n_embd, NH = cfg.n_head, L = cfg.n_layer, V = cfg.vocab_size, rows = B * T;
    const float eps = cfg.layer_norm_epsilon;
    if (B > a.B || T > a.T) fail("train_forward: activations made for ", a.B, " x ", a.T, ", run with ", B, " x ", T);
    const Tensors<const float> p = tensors_of(layout, params);

    op.embed(a.encoded.data(), inputs, p.wte, p.wpe, B, T, C);
    const float* x = a.encoded.data();  // the residual stream entering block l
    for (int64_t l = 0; l < L; l++) {
        const BlockTensors<const float>& w = p.h[size_t(l)];
        LayerActs s = layer(a, l, rows, C, NH);
        op.layernorm(s.ln1, s.ln1_mean, s.ln1_rstd, x, w.ln_1_w, w.ln_1_b, rows, C, eps);
        op.linear(s.qkv, s.ln1, w.c_attn_w, w.c_attn_b, rows, C, 3 * C);
        op.attention(s.atty, s.att, a.kv.data(), a.scores.data(), s.qkv, B, T, C, NH);
        op.linear(a.proj.data(), s.atty, w.attn_proj_w, w.attn_proj_b, rows, C, C);
        op.add(s.resid2, x, a.proj.data(), rows * C);
        op.layernorm(s.ln2, s.ln2_mean, s.ln2_rstd, s.resid2, w.ln_2_w, w.ln_2_b, rows, C, eps);
        op.linear(s.fch, s.ln2, w.c_fc_w, w.c_fc_b, rows, C, 4 * C);
        op.gelu(s.fch_gelu, s.fch, rows * 4 * C);
        op.linear(a.proj.data(), s.fch_gelu, w.mlp_proj_w, w.mlp_proj_b, rows, 4 * C, C);
        op.add(s.resid3, s.resid2, a.proj.data(), rows * C);
        x = s.resid3;
    }
    op.layernorm(a.lnf.data(), a.lnf_mean.data(), a.lnf_rstd.data(), x, p.ln_f_w, p.ln_f_b, rows, C, eps);
    op.lm_head(a.logits.data(), a.lnf.data(), p.wte, rows, C, V);
    op.crossentropy(dloss > 0 ? a.logits.data() : nullptr, a.losses.data(), a.logits.data(), targets, rows, V,
                    dloss);
    double sum = 0;  // in position order: the same bits however the rows were shared out
    for (int64_t i = 0; i < rows; i++) sum += a.losses[size_t(i)];
    return sum / double(rows);
}

void train_backward(float* grads, TrainActivations& a, const ParamLayout& layout, const float* params,
                    const int* inputs, int64_t B, int64_t T, TrainOps& op) {
    const Config& cfg = layout.config;
    const int64_t C = cfg.n_embd, NH = cfg.n_head, L = cfg.n_layer, V = cfg.vocab_size, rows = B * T;
    const Tensors<const float> p = tensors_of(layout, params);
    const Tensors<float> g = tensors_of(layout, grads);
    float *dresid = a.dresid.data(), *dln = a.dln.data();

    // The head and ln_f: dlogits (in a.logits) -> d lnf -> d of the last residual stream.
    op.zero(dln, rows * C);
    op.lm_head_backward(dln, g.wte, a.logits.data(), a.lnf.data(), p.wte, rows, C, V);
    const float* x_last = L > 0 ? layer(a, L - 1, rows, C, NH).resid3 : a.encoded.data();
    op.zero(dresid, rows * C);
    op.layernorm_backward(dresid, g.ln_f_w, g.ln_f_b, dln, x_last, p.ln_f_w, a.lnf_mean.data(), a.lnf_rstd.data(),
                          rows, C);

    for (int64_t l = L - 1; l >= 0; l--) {
        const BlockTensors<const float>& w = p.h[size_t(l)];
        const BlockTensors<float>& gb = g.h[size_t(l)];
        LayerActs s = layer(a, l, rows, C, NH);
        const float* x = l > 0 ? layer(a, l - 1, rows, C, NH).resid3 : a.encoded.data();
        // dresid is d resid3 = d of the MLP branch's output (resid3 = resid2 + mlp_out).
        op.zero(a.dfch_gelu.data(), rows * 4 * C);
        op.linear_backward(a.dfch_gelu.data(), gb.mlp_proj_w, gb.mlp_proj_b, dresid, s.fch_gelu, w.mlp_proj_w,
                           rows, 4 * C, C);
        op.zero(a.dfch.data(), rows * 4 * C);
        op.gelu_backward(a.dfch.data(), s.fch, a.dfch_gelu.data(), rows * 4 * C);
        op.zero(dln, rows * C);
        op.linear_backward(dln, gb.c_fc_w, gb.c_fc_b, a.dfch.data(), s.ln2, w.c_fc_w, rows, C, 4 * C);
        // + ln_2's part: dresid becomes d resid2 (the residual passes dresid through as it is).
        op.layernorm_backward(dresid, gb.ln_2_w, gb.ln_2_b, dln, s.resid2, w.ln_2_w, s.ln2_mean, s.ln2_rstd, rows, C);
        // The attention branch: resid2 = x + attn_out.
        op.zero(a.datty.data(), rows * C);
        op.linear_backward(a.datty.data(), gb.attn_proj_w, gb.attn_proj_b, dresid, s.atty, w.attn_proj_w, rows, C, C);
        op.zero(a.dqkv.data(), rows * 3 * C);
        op.attention_backward(a.dqkv.data(), a.scores.data(), a.datty.data(), s.qkv, s.att, B, T, C, NH);
        op.zero(dln, rows * C);
        op.linear_backward(dln, gb.c_attn_w, gb.c_attn_b, a.dqkv.data(), s.ln1, w.c_attn_w, rows, C, 3 * C);
        // + ln_1's part: dresid becomes d x, the gradient of the stream entering block l.
        op.layernorm_backward(dresid, gb.ln_1_w, gb.ln_1_b, dln, x, w.ln_1_w, s.ln1_mean, s.ln1_rstd, rows, C);
    }
    op.embed_backward(g.wte, g.wpe, dresid, inputs, B, T, C);
}

}  // namespace gw
