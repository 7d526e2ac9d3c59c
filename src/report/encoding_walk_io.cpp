// report/encoding_walk_io.cpp — tables and JSON for the encoding walk (pictures: encoding_walk_picture.cpp).
#include "report/encoding_walk_io.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"  // cat
#include "model/tokenizer.h"
#include "report/json_writer.h"
#include "report/text.h"

namespace gw {

using namespace text;

// ---------------------------------------------------------------- printing

void print_walk_header(FILE* out, const EncodingWalk& w, const Tokenizer* tok) {
    const PositionRecord& r = w.at;
    std::fprintf(out, "encoding walk of position %lld of %zu: %s   (model: %lld layers x %lld heads, C = %lld)\n",
                 (long long)r.position, w.ids.size(), quoted_token(tok, w.ids[size_t(r.position)]).c_str(),
                 (long long)w.n_layer, (long long)w.n_head, (long long)w.n_embd);
    std::fprintf(out, "prompt:");
    for (size_t i = 0; i < w.ids.size(); i++) std::fprintf(out, " %s", quoted_token(tok, w.ids[i]).c_str());
    const WalkPoint& last = r.points.back();
    std::fprintf(out, "\nthe model's prediction here (argmax of its logits): %s (id %d), p = %.4f\n",
                 quoted_token(tok, r.predicted).c_str(), r.predicted, last.final_prob);
    std::fprintf(out, "h_0 = token vector + position vector; each layer adds an attention update "
                      "(aggregation) and an MLP update (filtering).\n");
}

void print_walk_points(FILE* out, const EncodingWalk& w, const Tokenizer* tok) {
    std::fprintf(out, "\nthe walk of position %lld: every half-layer point h, read through the logit lens (ln_f, then wte)\n",
                 (long long)w.at.position);
    put_line(out, cell("point", 17) + cell("depth", 6) + cell("|h|", 9) + cell("cos(h,h_L)", 11) + cell("rank", 7) +
                      cell("p(pred)", 9) + cell("KL(p_h||p_L)", 13) + cell("update |Δ|    cos(Δ,h)", 24) +
                      "lens top-5 (token, probability)");
    for (const WalkPoint& p : w.at.points) {
        std::string update = p.depth == 0 ? "-"
                             : cat(std::fmod(p.depth, 1.0) != 0 ? "attn " : "mlp  ",
                                   format("%-8.3f", p.update_norm), format("%+.3f", p.update_cos));
        std::string top;
        for (size_t i = 0; i < p.lens_top.size(); i++)
            top += (i ? " " : "") + quoted_token(tok, p.lens_top[i]) + format(" %.2f", p.lens_top_prob[i]);
        put_line(out, cell(p.name, 17) + cell(format("%.1f", p.depth), 6) + cell(format("%.3f", p.norm), 9) +
                          cell(format("%+.4f", p.cos_final), 11) + cell(std::to_string(p.final_rank), 7) +
                          cell(format("%.5f", p.final_prob), 9) + cell(format("%.4f", p.kl_to_final), 13) +
                          cell(update, 24) + top);
    }
    const WalkPoint &first = w.at.points.front(), &last = w.at.points.back();
    std::fprintf(out, "|h| grows from %.3f (embed) to %.3f (h_L), x%.1f with depth; cos(h_0, h_L) = %+.4f\n",
                 first.norm, last.norm, first.norm > 0 ? last.norm / first.norm : 0.0, first.cos_final);
}

void print_layer_norms(FILE* out, const EncodingWalk& w) {
    const double sqrt_c = std::sqrt(double(w.n_embd));
    std::fprintf(out, "\nthe layer-norm ball: every layer norm first maps its input x to xhat = (x - mean) / std, "
                      "|xhat| = sqrt(C) = %.4f, mean 0,\nthen scales and shifts it (gamma, beta). Whatever |x| "
                      "grows to, what the next map reads is a direction.\n", sqrt_c);
    put_line(out, cell("layer norm", 11) + cell("|x|", 10) + cell("mean(x)", 10) + cell("std(x)", 10) +
                      cell("|xhat|", 10) + cell("mean(xhat)", 12) + cell("|out|", 10) + "max err vs trace");
    for (const LayerNormBall& b : w.at.balls)
        put_line(out, cell(b.name, 11) + cell(format("%.3f", b.input_norm), 10) + cell(format("%+.4f", b.input_mean), 10) +
                          cell(format("%.4f", b.input_std), 10) + cell(format("%.4f", b.xhat_norm), 10) +
                          cell(format("%+.1e", b.xhat_mean), 12) + cell(format("%.3f", b.out_norm), 10) +
                          format("%.1e", b.max_err));
}

void print_attention_rows(FILE* out, const EncodingWalk& w, const Tokenizer* tok) {
    const int64_t t = w.at.position;
    std::fprintf(out, "\nattention rows of position %lld: where each head reads from (aggregation). "
                      "Top sources: token@position weight a_tj [written |a_tj v_j W_proj|]\n", (long long)t);
    for (size_t l = 0; l < w.at.layers.size(); l++) {
        const LayerAttention& la = w.at.layers[l];
        std::fprintf(out, "layer %zu   (sum over heads and sources + bias = attn_out: max err %.1e)\n", l,
                     la.recompose_err);
        for (size_t h = 0; h < la.heads.size(); h++) {
            const HeadRow& r = la.heads[h];
            std::vector<size_t> order(r.weights.size());
            std::iota(order.begin(), order.end(), size_t(0));
            std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return r.weights[a] > r.weights[b]; });
            std::string srcs;
            for (size_t i = 0; i < order.size() && i < 3; i++) {
                size_t j = order[i];
                srcs += cell(cat(quoted_token(tok, w.ids[j]), "@", j, " ", format("%.3f", r.weights[j]), " [",
                                format("%.2f", r.written_norm[j]), "]"), 30);
            }
            put_line(out, cat("  head ", cell(std::to_string(h), 3), " entropy ", format("%.2f", r.entropy), "   ", srcs));
        }
    }
}

void print_perturbation(FILE* out, const PerturbationRecord& p, const Tokenizer* tok) {
    const int64_t t = p.watched, j = p.changed;
    std::fprintf(out, "\nfiltering vs aggregation: the token at position %lld changed from %s to %s "
                      "(ids %d -> %d%s), traced forward rerun; watching position %lld\n",
                 (long long)j, quoted_token(tok, p.old_id).c_str(), quoted_token(tok, p.new_id).c_str(),
                 p.old_id, p.new_id, p.nearest ? ", the nearest token vector by cosine" : "", (long long)t);
    if (p.earlier_positions > 0)
        std::fprintf(out, "positions 0..%lld (before the change): every traced value bit-identical: %s "
                          "(later positions never affect earlier ones)\n",
                     (long long)(p.earlier_positions - 1), p.earlier_identical ? "yes" : "NO");
    std::fprintf(out, "max |change| at position %lld, per layer (0 = bit-identical):\n", (long long)t);
    std::string head = cell("layer", 7);
    for (const std::string& s : p.stages) head += cell(s, 11);
    put_line(out, head);
    const size_t S = p.stages.size(), L = S ? p.change.size() / S : 0;
    std::string first;  // the first stage (in data-flow order) that changed at t
    for (size_t l = 0; l < L; l++) {
        std::string line = cell(std::to_string(l), 7);
        for (size_t s = 0; s < S; s++) {
            double c = p.change[l * S + s];
            line += cell(zero_or("%.1e", c), 11);
            if (c != 0 && first.empty()) first = cat("h.", l, ".", p.stages[s]);
        }
        put_line(out, line);
    }
    std::fprintf(out, "context vector ln_f: %s   logits: %s\n", zero_or("%.1e", p.ln_f_change).c_str(),
                 zero_or("%.1e", p.logits_change).c_str());
    if (t < j)
        std::fprintf(out, "position %lld comes before the change: nothing at it can change (causal mask).\n", (long long)t);
    else if (t == j)
        std::fprintf(out, "position %lld's own token changed, so its walk differs from h_0 on.\n", (long long)t);
    else if (!first.empty())
        std::fprintf(out, "first change at position %lld: %s. %s\n", (long long)t, first.c_str(),
                     first.find("attn_row") != std::string::npos
                         ? "Everything before it at this position is identical: its own input did not change, "
                           "so the change came in by aggregation\n(attention reads the changed position), and "
                           "every map after it passes it on."
                         : "");
    double e1 = 0, e2 = 0;
    for (double e : p.ln_1_filter_err) e1 = std::max(e1, e);
    for (double e : p.mlp_filter_err) e2 = std::max(e2, e);
    std::fprintf(out, "filter check: ln_1(x) and mlp(ln_2(x)) recomputed from position %lld's own vector x "
                      "alone reproduce the perturbed run's\ntraced values (max err %.1e and %.1e over all "
                      "layers): they are filters, the same input always gives the same output.\n",
                 (long long)t, e1, e2);
}

void print_notes(FILE* out, const std::vector<std::string>& notes) {
    std::fprintf(out, "\nnotes (what is our own formalisation, not the paper's):\n");
    for (size_t i = 0; i < notes.size(); i++) std::fprintf(out, "  [%zu] %s\n", i + 1, notes[i].c_str());
}

// ---------------------------------------------------------------- JSON

// The tokens' own text, not their display form (half a character becomes U+FFFD), or
// null without a tokenizer.
static std::string tokens_json(const std::vector<int>& ids, const Tokenizer* tok) {
    std::vector<std::string> items;
    for (int id : ids) items.push_back(tok ? json::str(tok->token_bytes(id)) : json::null());
    return json::array(items);
}

static std::string points_json(const PositionRecord& r, const Tokenizer* tok) {
    std::vector<std::string> points;
    for (const WalkPoint& q : r.points)
        points.push_back(json::object({
            json::field("name", json::str(q.name)), json::field("depth", json::num(q.depth)),
            json::field("norm", json::num(q.norm)), json::field("cos_final", json::num(q.cos_final)),
            json::field("lens_top", json::numbers(q.lens_top)), json::field("lens_top_tokens", tokens_json(q.lens_top, tok)),
            json::field("lens_top_prob", json::numbers(q.lens_top_prob)), json::field("final_rank", json::num(q.final_rank)),
            json::field("final_prob", json::num(q.final_prob)), json::field("kl_to_final", json::num(q.kl_to_final)),
            json::field("update_norm", json::num(q.update_norm)), json::field("update_cos", json::num(q.update_cos))}));
    return json::lines(points);
}

static std::string layer_norms_json(const PositionRecord& r) {
    std::vector<std::string> balls;
    for (const LayerNormBall& b : r.balls)
        balls.push_back(json::object({
            json::field("name", json::str(b.name)), json::field("input_norm", json::num(b.input_norm)),
            json::field("input_mean", json::num(b.input_mean)), json::field("input_std", json::num(b.input_std)),
            json::field("xhat_norm", json::num(b.xhat_norm)), json::field("xhat_mean", json::num(b.xhat_mean)),
            json::field("out_norm", json::num(b.out_norm)), json::field("max_err", json::num(b.max_err))}));
    return json::lines(balls);
}

// One record per layer, its heads one per line beneath it (a list inside a list: depth 2).
static std::string attention_json(const PositionRecord& r) {
    std::vector<std::string> layers;
    for (size_t l = 0; l < r.layers.size(); l++) {
        std::vector<std::string> heads;
        for (size_t h = 0; h < r.layers[l].heads.size(); h++) {
            const HeadRow& hr = r.layers[l].heads[h];
            heads.push_back(json::object({
                json::field("head", json::num(h)), json::field("entropy", json::num(hr.entropy)),
                json::field("weights", json::numbers(hr.weights)), json::field("value_norm", json::numbers(hr.value_norm)),
                json::field("written_norm", json::numbers(hr.written_norm))}));
        }
        layers.push_back(json::object({json::field("layer", json::num(l)),
                                       json::field("recompose_err", json::num(r.layers[l].recompose_err)),
                                       json::field("heads", json::lines(heads, 2))}));
    }
    return json::lines(layers);
}

static std::string perturbation_json(const PerturbationRecord& p) {
    return json::object({
        json::field("changed", json::num(p.changed)), json::field("old_id", json::num(p.old_id)),
        json::field("new_id", json::num(p.new_id)), json::field("nearest", json::boolean(p.nearest)),
        json::field("watched", json::num(p.watched)), json::field("stages", json::strings(p.stages)),
        json::field("change", json::numbers(p.change)), json::field("ln_f_change", json::num(p.ln_f_change)),
        json::field("logits_change", json::num(p.logits_change)),
        json::field("earlier_positions", json::num(p.earlier_positions)),
        json::field("earlier_identical", json::boolean(p.earlier_identical)),
        json::field("ln_1_filter_err", json::numbers(p.ln_1_filter_err)),
        json::field("mlp_filter_err", json::numbers(p.mlp_filter_err))});
}

std::string encoding_walk_json(const EncodingWalk& w, const PerturbationRecord* p, const Tokenizer* tok) {
    const PositionRecord& r = w.at;
    std::vector<std::string> notes;
    for (const std::string& n : encoding_walk_notes()) notes.push_back(json::str(n));
    std::vector<std::string> fields = {
        json::field("kind", json::str("encoding_walk")), json::field("n_layer", json::num(w.n_layer)),
        json::field("n_head", json::num(w.n_head)), json::field("n_embd", json::num(w.n_embd)),
        json::field("ids", json::numbers(w.ids)), json::field("tokens", tokens_json(w.ids, tok)),
        json::field("position", json::num(r.position)), json::field("predicted", json::num(r.predicted)),
        json::field("predicted_token", tokens_json({r.predicted}, tok)),
        json::field("points", points_json(r, tok)), json::field("layer_norms", layer_norms_json(r)),
        json::field("sqrt_C", json::num(std::sqrt(double(w.n_embd)))),
        json::field("contribution", json::str("value_norm = |a_tj v_jh| (head value space); written_norm = "
                                              "|a_tj v_jh attn_proj_w[h]| (C-dim stream, bias excluded)")),
        json::field("attention", attention_json(r)),
        json::field("rank_grid", json::object({json::field("first_position", json::num(w.grid_first)),
                                               json::field("predicted", json::numbers(w.grid_predicted)),
                                               json::field("rank", json::numbers(w.grid_rank)),
                                               json::field("layout", json::str("(K half-layer points, positions) row-major"))})),
        json::field("path", json::object({
            json::field("fit", json::str("PCA over all half-layer points of the window positions first_position.. of this prompt")),
            json::field("explained", json::array({json::num(w.path_explained[0]), json::num(w.path_explained[1])})),
            json::field("xy", json::numbers(w.path_xy)), json::field("layout", json::str("(positions, K, 2) row-major"))})),
        json::field("focus_heads", json::object({json::field("layer", json::numbers(w.focus_layer)),
                                                 json::field("head", json::numbers(w.focus_head))})),
    };
    if (p) fields.push_back(json::field("perturbation", perturbation_json(*p)));
    fields.push_back(json::field("notes", json::lines(notes)));
    return json::document(fields);
}

}  // namespace gw
