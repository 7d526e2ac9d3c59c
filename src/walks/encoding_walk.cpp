// walks/encoding_walk.cpp — the record of one position's walk through the layers (lesson 14).
// Reads a Trace; the only arithmetic here is measurement (norms, cosines, the logit lens).
#include "walks/encoding_walk.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <tuple>

#include "core/error.h"
#include "core/vecmath.h"
#include "kernels/gelu.h"
#include "kernels/layernorm.h"
#include "kernels/linear.h"

namespace gw {

// ---------------------------------------------------------------- helpers

// Row t of a (T, width) trace point.
static const float* row_of(const Trace& tr, const std::string& name, int64_t t) {
    const TracePoint& p = tr.at(name);
    return p.data.data() + t * p.shape.dim[p.shape.ndim - 1];
}

static std::string layer_point(int64_t l, const char* what) {
    return "h." + std::to_string(l) + "." + what;
}

std::string half_layer_point(int64_t k) {
    if (k == 0) return "embed";
    return layer_point((k - 1) / 2, k % 2 ? "resid_mid" : "resid_post");
}

void logit_lens(float* logits, const Checkpoint& m, const float* h, int64_t rows) {
    const int64_t C = m.config.n_embd;
    std::vector<float> c(static_cast<size_t>(rows * C));
    // ln_f with the mean and variance of each h itself: the lens asks "what would the
    // model predict if the walk stopped here?"
    layernorm_ref(c.data(), nullptr, nullptr, h, m.w.ln_f_w, m.w.ln_f_b, rows, C,
                  m.config.layer_norm_epsilon);
    lm_head(best_isa(), logits, c.data(), m.w.wte, rows);
}

Trace traced_forward(const Checkpoint& m, const std::vector<int>& ids, Isa isa) {
    Trace tr;
    RunState s = make_run_state(m.config, int64_t(ids.size()), 1, int64_t(ids.size()));
    std::vector<float> logits(static_cast<size_t>(m.config.vocab_size));
    ForwardOptions o;
    o.isa = isa;
    o.trace = &tr;
    forward(logits.data(), m, s, ids.data(), int64_t(ids.size()), o);
    return tr;
}

// ---------------------------------------------------------------- one position

static WalkPoint walk_point(const Checkpoint& m, const Trace& tr, int64_t k, int64_t t,
                            const float* lens, const std::vector<double>& p_final, int predicted) {
    const int64_t C = m.config.n_embd, V = m.config.vocab_size, K = 2 * m.config.n_layer + 1;
    WalkPoint p;
    p.name = half_layer_point(k);
    p.depth = double(k) / 2.0;
    const float* h = row_of(tr, p.name, t);
    p.norm = norm(h, C);
    p.cos_final = cosine(h, row_of(tr, half_layer_point(K - 1), t), C);
    std::vector<double> probs = softmax_probs(lens, V);
    p.lens_top = top_k_indices(lens, V, kLensTopK);
    for (int id : p.lens_top) p.lens_top_prob.push_back(probs[size_t(id)]);
    p.final_rank = rank_of(lens, V, predicted);
    p.final_prob = probs[size_t(predicted)];
    p.kl_to_final = kl_divergence(probs, p_final);
    if (k > 0) {
        const int64_t l = (k - 1) / 2;
        const float* delta = row_of(tr, layer_point(l, k % 2 ? "attn_out" : "mlp_out"), t);
        p.update_norm = norm(delta, C);
        p.update_cos = cosine(delta, row_of(tr, half_layer_point(k - 1), t), C);
    }
    return p;
}

// x̂ = (x - mean) * rstd, from layernorm_ref's own statistics for this x.
static LayerNormBall ball(const std::string& name, const float* x, const float* gamma,
                          const float* beta, const float* traced, int64_t C, float eps) {
    LayerNormBall b;
    b.name = name;
    std::vector<float> y(static_cast<size_t>(C)), xhat(static_cast<size_t>(C));
    float mean = 0, rstd = 0;
    layernorm_ref(y.data(), &mean, &rstd, x, gamma, beta, 1, C, eps);
    for (int64_t c = 0; c < C; c++) xhat[size_t(c)] = (x[c] - mean) * rstd;
    b.input_norm = norm(x, C);
    b.input_mean = mean;
    b.input_std = 1.0 / double(rstd);
    b.xhat_norm = norm(xhat.data(), C);
    double s = 0;
    for (float v : xhat) s += v;
    b.xhat_mean = s / double(C);
    b.out_norm = norm(y.data(), C);
    b.max_err = max_abs_diff(y.data(), traced, C);
    return b;
}

// Splits attention's output at t by head and by source position.
static LayerAttention layer_attention(const Checkpoint& m, const Trace& tr, int64_t l, int64_t t) {
    const int64_t C = m.config.n_embd, NH = m.config.n_head, HS = C / NH, T = tr.T;
    const LayerWeights& w = m.w.h[size_t(l)];
    const float* pattern = tr.at(layer_point(l, "attn_pattern")).data.data();  // (NH, T, T)
    const float* v = tr.at(layer_point(l, "v")).data.data();                   // (T, C)
    LayerAttention out;
    std::vector<double> recomposed(w.attn_proj_b, w.attn_proj_b + C);
    std::vector<float> written(static_cast<size_t>((t + 1) * C));  // (t+1, C) v_jh · attn_proj_w[h], one head
    const AsF32 proj(w.attn_proj_w);                                 // (C, C)
    for (int64_t h = 0; h < NH; h++) {
        // written (t+1, C) = v[0..t, head h] (t+1, HS) · attn_proj_w rows [h*HS, (h+1)*HS) (HS, C)
        matmul(written.data(), C, v + h * HS, C, proj.row(h * HS), C, t + 1, C, HS, false, 1.0f, 0.0f);
        HeadRow r;
        const float* a = pattern + (h * T + t) * T;
        r.weights.assign(a, a + t + 1);
        for (int64_t j = 0; j <= t; j++) {
            const float* wj = written.data() + j * C;
            r.value_norm.push_back(std::fabs(a[j]) * norm(v + j * C + h * HS, HS));
            r.written_norm.push_back(std::fabs(a[j]) * norm(wj, C));
            for (int64_t c = 0; c < C; c++) recomposed[size_t(c)] += double(a[j]) * wj[c];
            if (a[j] > 0) r.entropy -= double(a[j]) * std::log(double(a[j]));
        }
        out.heads.push_back(std::move(r));
    }
    const float* traced = row_of(tr, layer_point(l, "attn_out"), t);
    for (int64_t c = 0; c < C; c++)
        out.recompose_err = std::max(out.recompose_err, std::fabs(recomposed[size_t(c)] - traced[c]));
    return out;
}

PositionRecord position_record(const Checkpoint& m, const Trace& tr, int64_t t) {
    const Config& cfg = m.config;
    const int64_t C = cfg.n_embd, V = cfg.vocab_size, L = cfg.n_layer, K = 2 * L + 1;
    if (tr.pos0 != 0) fail("encoding walk: the trace must start at position 0, not ", tr.pos0);
    if (t < 0 || t >= tr.T) fail("encoding walk: position ", t, " is outside the prompt (0..", tr.T - 1, ")");
    PositionRecord r;
    r.position = t;
    const float* real = row_of(tr, "logits", t);
    r.predicted = top_k_indices(real, V, 1)[0];
    const std::vector<double> p_final = softmax_probs(real, V);

    std::vector<float> hs(static_cast<size_t>(K * C)), lens(static_cast<size_t>(K * V));  // (K, C), (K, V)
    for (int64_t k = 0; k < K; k++)
        std::memcpy(&hs[size_t(k * C)], row_of(tr, half_layer_point(k), t), size_t(C) * sizeof(float));
    logit_lens(lens.data(), m, hs.data(), K);
    for (int64_t k = 0; k < K; k++)
        r.points.push_back(walk_point(m, tr, k, t, &lens[size_t(k * V)], p_final, r.predicted));

    const float eps = cfg.layer_norm_epsilon;
    for (int64_t l = 0; l < L; l++) {
        const LayerWeights& w = m.w.h[size_t(l)];
        r.balls.push_back(ball(layer_point(l, "ln_1"), row_of(tr, layer_point(l, "resid_pre"), t),
                               w.ln_1_w, w.ln_1_b, row_of(tr, layer_point(l, "ln_1"), t), C, eps));
        r.balls.push_back(ball(layer_point(l, "ln_2"), row_of(tr, layer_point(l, "resid_mid"), t),
                               w.ln_2_w, w.ln_2_b, row_of(tr, layer_point(l, "ln_2"), t), C, eps));
        r.layers.push_back(layer_attention(m, tr, l, t));
    }
    r.balls.push_back(ball("ln_f", row_of(tr, half_layer_point(K - 1), t), m.w.ln_f_w, m.w.ln_f_b,
                           row_of(tr, "ln_f", t), C, eps));
    return r;
}

// ---------------------------------------------------------------- the whole prompt

// Heads whose row at t gives the largest single weight to a source other than position 0
// (position 0 often acts as a resting place, so it says little): the sharpest lookups.
static void choose_focus_heads(EncodingWalk& w) {
    std::vector<std::tuple<double, int64_t, int64_t>> score;  // (-weight, layer, head)
    for (int64_t l = 0; l < w.n_layer; l++)
        for (int64_t h = 0; h < w.n_head; h++) {
            const std::vector<float>& a = w.at.layers[size_t(l)].heads[size_t(h)].weights;
            float best = a.size() > 1 ? *std::max_element(a.begin() + 1, a.end()) : a[0];
            score.emplace_back(-double(best), l, h);
        }
    std::sort(score.begin(), score.end());
    for (size_t i = 0; i < score.size() && i < size_t(kFocusHeads); i++) {
        w.focus_layer.push_back(std::get<1>(score[i]));
        w.focus_head.push_back(std::get<2>(score[i]));
    }
}

EncodingWalk encoding_walk(const Checkpoint& m, const std::vector<int>& ids, int64_t t, Isa isa) {
    const Config& cfg = m.config;
    const int64_t C = cfg.n_embd, V = cfg.vocab_size, L = cfg.n_layer, NH = cfg.n_head;
    const int64_t T = int64_t(ids.size()), K = 2 * L + 1;
    Trace tr = traced_forward(m, ids, isa);
    EncodingWalk w;
    w.ids = ids;
    w.n_layer = L;
    w.n_head = NH;
    w.n_embd = C;
    w.at = position_record(m, tr, t);

    w.grid_first = std::min(std::max<int64_t>(0, T - kMaxGridPositions), t);
    const int64_t Tg = std::min(T - w.grid_first, kMaxGridPositions), g0 = w.grid_first;
    for (int64_t i = 0; i < Tg; i++)
        w.grid_predicted.push_back(top_k_indices(row_of(tr, "logits", g0 + i), V, 1)[0]);
    std::vector<float> lens(static_cast<size_t>(Tg * V));
    for (int64_t k = 0; k < K; k++) {
        logit_lens(lens.data(), m, row_of(tr, half_layer_point(k), g0), Tg);
        for (int64_t i = 0; i < Tg; i++)
            w.grid_rank.push_back(rank_of(&lens[size_t(i * V)], V, w.grid_predicted[size_t(i)]));
    }

    // Patterns (NH, T, T) cut to the window: rows and columns g0 .. g0 + Tg - 1.
    auto window = [&](float* out, const float* head, float scale) {
        for (int64_t i = 0; i < Tg; i++)
            for (int64_t j = 0; j < Tg; j++) out[i * Tg + j] += scale * head[(g0 + i) * T + g0 + j];
    };
    w.mean_pattern.assign(size_t(L * Tg * Tg), 0.0f);
    for (int64_t l = 0; l < L; l++) {
        const float* p = tr.at(layer_point(l, "attn_pattern")).data.data();
        for (int64_t h = 0; h < NH; h++) window(&w.mean_pattern[size_t(l * Tg * Tg)], p + h * T * T, 1.0f / float(NH));
    }
    choose_focus_heads(w);
    w.focus_pattern.assign(w.focus_layer.size() * size_t(Tg * Tg), 0.0f);
    for (size_t f = 0; f < w.focus_layer.size(); f++) {
        const float* p = tr.at(layer_point(w.focus_layer[f], "attn_pattern")).data.data();
        window(&w.focus_pattern[f * size_t(Tg * Tg)], p + w.focus_head[f] * T * T, 1.0f);
    }

    std::vector<const float*> pts;  // (Tg, K) in that order
    for (int64_t i = 0; i < Tg; i++)
        for (int64_t k = 0; k < K; k++) pts.push_back(row_of(tr, half_layer_point(k), g0 + i));
    Projection2D fit = pca_2d(pts, C);
    w.path_xy = fit.xy;
    w.path_explained[0] = fit.explained[0];
    w.path_explained[1] = fit.explained[1];
    return w;
}

// ---------------------------------------------------------------- perturbation

int nearest_token(const Checkpoint& m, int id) {
    const int64_t C = m.config.n_embd, V = m.config.vocab_size;
    if (id < 0 || id >= V) fail("nearest_token: id ", id, " is outside the vocabulary (0..", V - 1, ")");
    if (V < 2)
        fail("perturbation: the vocabulary has one token (vocab_size=", V,
             "), so there is no other token to swap in (--perturb, --perturb-id)");
    const AsF32 wte(m.w.wte);  // (V, C)
    const float* e = wte.row(id);
    int best = id == 0 ? 1 : 0;
    double best_cos = -2;
    for (int64_t v = 0; v < V; v++) {
        if (v == id) continue;
        double c = cosine(e, wte.row(v), C);
        if (c > best_cos) best_cos = c, best = int(v);
    }
    return best;
}

// Max |Δ| over the attention rows of position t, all heads: (NH, T, T) patterns.
static double pattern_row_change(const TracePoint& a, const TracePoint& b, int64_t t) {
    const int64_t NH = a.shape.dim[0], T = a.shape.dim[1], W = a.shape.dim[2];
    double m = 0;
    for (int64_t h = 0; h < NH; h++)
        m = std::max(m, max_abs_diff(&a.data[size_t((h * T + t) * W)], &b.data[size_t((h * T + t) * W)], W));
    return m;
}

// Whether every row < j (every head's rows, for patterns) is bit-identical in the two traces.
static bool rows_before_identical(const TracePoint& a, const TracePoint& b, int64_t j) {
    const bool pattern = a.shape.ndim == 3;
    const int64_t heads = pattern ? a.shape.dim[0] : 1, T = a.shape.dim[pattern ? 1 : 0];
    const int64_t W = a.shape.dim[a.shape.ndim - 1];
    for (int64_t h = 0; h < heads; h++)
        if (std::memcmp(&a.data[size_t(h * T * W)], &b.data[size_t(h * T * W)],
                        size_t(j * W) * sizeof(float)) != 0)
            return false;
    return true;
}

PerturbationRecord perturbation(const Checkpoint& m, const std::vector<int>& ids, int64_t j,
                                int new_id, int64_t t, Isa isa) {
    const Config& cfg = m.config;
    const int64_t C = cfg.n_embd, L = cfg.n_layer, T = int64_t(ids.size());
    if (j < 0 || j >= T) fail("perturbation: position ", j, " is outside the prompt (0..", T - 1, ")");
    if (t < 0 || t >= T) fail("perturbation: position ", t, " is outside the prompt (0..", T - 1, ")");
    PerturbationRecord r;
    r.changed = j;
    r.old_id = ids[size_t(j)];
    r.new_id = new_id;
    r.watched = t;
    std::vector<int> ids2 = ids;
    ids2[size_t(j)] = new_id;
    const Trace a = traced_forward(m, ids, isa), b = traced_forward(m, ids2, isa);

    r.stages = {"resid_pre", "ln_1", "q", "k", "v", "attn_row", "attn_out",
                "resid_mid", "ln_2", "mlp_out", "resid_post"};
    for (int64_t l = 0; l < L; l++)
        for (const std::string& s : r.stages) {
            if (s == "attn_row") {
                const std::string n = layer_point(l, "attn_pattern");
                r.change.push_back(pattern_row_change(a.at(n), b.at(n), t));
            } else {
                const std::string n = layer_point(l, s.c_str());
                r.change.push_back(max_abs_diff(row_of(a, n, t), row_of(b, n, t), C));
            }
        }
    r.ln_f_change = max_abs_diff(row_of(a, "ln_f", t), row_of(b, "ln_f", t), C);
    r.logits_change = max_abs_diff(row_of(a, "logits", t), row_of(b, "logits", t), cfg.vocab_size);

    r.earlier_positions = j;
    for (const TracePoint& p : a.points)
        r.earlier_identical = r.earlier_identical && rows_before_identical(p, b.at(p.name), j);

    // Filters: a layer's ln_1, ln_2 and MLP see only this position's own vector.
    const float eps = cfg.layer_norm_epsilon;
    std::vector<float> y(static_cast<size_t>(C)), fc(static_cast<size_t>(4 * C)), out(static_cast<size_t>(C));
    for (int64_t l = 0; l < L; l++) {
        const LayerWeights& w = m.w.h[size_t(l)];
        layernorm_ref(y.data(), nullptr, nullptr, row_of(b, layer_point(l, "resid_pre"), t), w.ln_1_w,
                      w.ln_1_b, 1, C, eps);
        r.ln_1_filter_err.push_back(max_abs_diff(y.data(), row_of(b, layer_point(l, "ln_1"), t), C));
        layernorm_ref(y.data(), nullptr, nullptr, row_of(b, layer_point(l, "resid_mid"), t), w.ln_2_w,
                      w.ln_2_b, 1, C, eps);
        linear(isa, fc.data(), y.data(), w.c_fc_w, w.c_fc_b, 1);
        gelu_ref(fc.data(), fc.data(), 4 * C);
        linear(isa, out.data(), fc.data(), w.mlp_proj_w, w.mlp_proj_b, 1);
        r.mlp_filter_err.push_back(max_abs_diff(out.data(), row_of(b, layer_point(l, "mlp_out"), t), C));
    }
    return r;
}

std::vector<std::string> encoding_walk_notes() {
    return {
        "Half-layer points (h_{l+1/2} = resid_mid) split each layer into an aggregation step and a "
        "filtering step: our formalisation of the paper's layer-by-layer walk.",
        "Logit lens (not from the paper): p_h = softmax(wte . ln_f(h)), with ln_f's mean and variance "
        "recomputed for each h; KL(p_h || p_L) and the update cosines cos(delta, h_before) are our measurements.",
        "Layer-norm ball: xhat = (x - mean) / sqrt(var + eps) before gamma, beta; |xhat| = sqrt(C) and "
        "mean 0 for any x (our framing).",
        "Per-source attention contribution: ||a_tj v_jh|| in the head's value space, and "
        "||a_tj v_jh W_proj[h]|| after attn_proj (its bias excluded): our decomposition.",
        "Rank grid and 2-D path: the PCA is fitted over all half-layer points of every position of this "
        "prompt (a window of at most 64 positions holding the chosen one), then the chosen position's path is drawn in it.",
        "Perturbation table and filter check: our demonstration of filtering vs aggregation.",
    };
}

}  // namespace gw
