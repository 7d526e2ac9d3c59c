// report/encoding_walk_io.cpp — tables and JSON for the encoding walk (pictures: encoding_walk_picture.cpp).
#include "report/encoding_walk_io.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "core/error.h"
#include "core/json.h"
#include "model/tokenizer.h"

namespace gw {

// ---------------------------------------------------------------- small helpers

std::string quoted_token(const Tokenizer* tok, int id) {
    if (!tok) return "#" + std::to_string(id);
    std::string d = tok->token_display(id), out = "'";
    const std::string space = "\xE2\x90\xA3";  // display_bytes shows ' ' as U+2423; quotes make it clear
    for (size_t i = 0; i < d.size();) {
        if (d.compare(i, space.size(), space) == 0) {
            out += ' ';
            i += space.size();
        } else {
            out += d[i++];
        }
    }
    return out + "'";
}

std::string pad(const std::string& s, size_t width) {
    size_t chars = 0;
    for (unsigned char c : s) chars += (c & 0xC0) != 0x80;  // count UTF-8 lead bytes only
    return chars >= width ? s + " " : s + std::string(width - chars, ' ');
}

static std::string fmt(const char* spec, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, x);
    return buf;
}

std::string zero_or(double x, const char* spec) { return x == 0.0 ? "0" : fmt(spec, x); }

void put_line(FILE* out, std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    std::fprintf(out, "%s\n", s.c_str());
}

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
    put_line(out, pad("point", 17) + pad("depth", 6) + pad("|h|", 9) + pad("cos(h,h_L)", 11) + pad("rank", 7) +
                      pad("p(pred)", 9) + pad("KL(p_h||p_L)", 13) + pad("update |Δ|    cos(Δ,h)", 24) +
                      "lens top-5 (token, probability)");
    for (const WalkPoint& p : w.at.points) {
        std::string update = p.depth == 0 ? "-"
                             : cat(std::fmod(p.depth, 1.0) != 0 ? "attn " : "mlp  ",
                                   fmt("%-8.3f", p.update_norm), fmt("%+.3f", p.update_cos));
        std::string top;
        for (size_t i = 0; i < p.lens_top.size(); i++)
            top += (i ? " " : "") + quoted_token(tok, p.lens_top[i]) + fmt(" %.2f", p.lens_top_prob[i]);
        put_line(out, pad(p.name, 17) + pad(fmt("%.1f", p.depth), 6) + pad(fmt("%.3f", p.norm), 9) +
                          pad(fmt("%+.4f", p.cos_final), 11) + pad(std::to_string(p.final_rank), 7) +
                          pad(fmt("%.5f", p.final_prob), 9) + pad(fmt("%.4f", p.kl_to_final), 13) +
                          pad(update, 24) + top);
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
    put_line(out, pad("layer norm", 11) + pad("|x|", 10) + pad("mean(x)", 10) + pad("std(x)", 10) +
                      pad("|xhat|", 10) + pad("mean(xhat)", 12) + pad("|out|", 10) + "max err vs trace");
    for (const LayerNormBall& b : w.at.balls)
        put_line(out, pad(b.name, 11) + pad(fmt("%.3f", b.input_norm), 10) + pad(fmt("%+.4f", b.input_mean), 10) +
                          pad(fmt("%.4f", b.input_std), 10) + pad(fmt("%.4f", b.xhat_norm), 10) +
                          pad(fmt("%+.1e", b.xhat_mean), 12) + pad(fmt("%.3f", b.out_norm), 10) +
                          fmt("%.1e", b.max_err));
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
                srcs += pad(cat(quoted_token(tok, w.ids[j]), "@", j, " ", fmt("%.3f", r.weights[j]), " [",
                                fmt("%.2f", r.written_norm[j]), "]"), 30);
            }
            put_line(out, cat("  head ", pad(std::to_string(h), 3), " entropy ", fmt("%.2f", r.entropy), "   ", srcs));
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
    std::string head = pad("layer", 7);
    for (const std::string& s : p.stages) head += pad(s, 11);
    put_line(out, head);
    const size_t S = p.stages.size(), L = S ? p.change.size() / S : 0;
    std::string first;  // the first stage (in data-flow order) that changed at t
    for (size_t l = 0; l < L; l++) {
        std::string line = pad(std::to_string(l), 7);
        for (size_t s = 0; s < S; s++) {
            double c = p.change[l * S + s];
            line += pad(zero_or(c, "%.1e"), 11);
            if (c != 0 && first.empty()) first = cat("h.", l, ".", p.stages[s]);
        }
        put_line(out, line);
    }
    std::fprintf(out, "context vector ln_f: %s   logits: %s\n", zero_or(p.ln_f_change, "%.1e").c_str(),
                 zero_or(p.logits_change, "%.1e").c_str());
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

template <typename T>
static std::string json_array(const std::vector<T>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); i++) s += (i ? "," : "") + json_number(double(v[i]));
    return s + "]";
}

static std::string json_tokens(const std::vector<int>& ids, const Tokenizer* tok) {
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); i++) s += (i ? "," : "") + (tok ? json_quote(tok->token_bytes(ids[i])) : "null");
    return s + "]";
}

std::string encoding_walk_json(const EncodingWalk& w, const PerturbationRecord* p, const Tokenizer* tok) {
    const PositionRecord& r = w.at;
    std::ostringstream o;
    o << "{\"kind\":\"encoding_walk\",\"n_layer\":" << w.n_layer << ",\"n_head\":" << w.n_head
      << ",\"n_embd\":" << w.n_embd << ",\n\"ids\":" << json_array(w.ids)
      << ",\n\"tokens\":" << json_tokens(w.ids, tok) << ",\n\"position\":" << r.position
      << ",\"predicted\":" << r.predicted << ",\"predicted_token\":" << json_tokens({r.predicted}, tok)
      << ",\n\"points\":[";
    for (size_t k = 0; k < r.points.size(); k++) {
        const WalkPoint& q = r.points[k];
        o << (k ? ",\n" : "\n") << "{\"name\":" << json_quote(q.name) << ",\"depth\":" << json_number(q.depth)
          << ",\"norm\":" << json_number(q.norm) << ",\"cos_final\":" << json_number(q.cos_final)
          << ",\"lens_top\":" << json_array(q.lens_top) << ",\"lens_top_tokens\":" << json_tokens(q.lens_top, tok)
          << ",\"lens_top_prob\":" << json_array(q.lens_top_prob) << ",\"final_rank\":" << q.final_rank
          << ",\"final_prob\":" << json_number(q.final_prob) << ",\"kl_to_final\":" << json_number(q.kl_to_final)
          << ",\"update_norm\":" << json_number(q.update_norm) << ",\"update_cos\":" << json_number(q.update_cos) << "}";
    }
    o << "],\n\"layer_norms\":[";
    for (size_t i = 0; i < r.balls.size(); i++) {
        const LayerNormBall& b = r.balls[i];
        o << (i ? ",\n" : "\n") << "{\"name\":" << json_quote(b.name) << ",\"input_norm\":" << json_number(b.input_norm)
          << ",\"input_mean\":" << json_number(b.input_mean) << ",\"input_std\":" << json_number(b.input_std)
          << ",\"xhat_norm\":" << json_number(b.xhat_norm) << ",\"xhat_mean\":" << json_number(b.xhat_mean)
          << ",\"out_norm\":" << json_number(b.out_norm) << ",\"max_err\":" << json_number(b.max_err) << "}";
    }
    o << "],\n\"sqrt_C\":" << json_number(std::sqrt(double(w.n_embd)))
      << ",\n\"contribution\":\"value_norm = |a_tj v_jh| (head value space); written_norm = |a_tj v_jh "
         "attn_proj_w[h]| (C-dim stream, bias excluded)\",\n\"attention\":[";
    for (size_t l = 0; l < r.layers.size(); l++) {
        o << (l ? ",\n" : "\n") << "{\"layer\":" << l << ",\"recompose_err\":" << json_number(r.layers[l].recompose_err)
          << ",\"heads\":[";
        for (size_t h = 0; h < r.layers[l].heads.size(); h++) {
            const HeadRow& hr = r.layers[l].heads[h];
            o << (h ? "," : "") << "\n {\"head\":" << h << ",\"entropy\":" << json_number(hr.entropy)
              << ",\"weights\":" << json_array(hr.weights) << ",\"value_norm\":" << json_array(hr.value_norm)
              << ",\"written_norm\":" << json_array(hr.written_norm) << "}";
        }
        o << "]}";
    }
    o << "],\n\"rank_grid\":{\"first_position\":" << w.grid_first << ",\"predicted\":" << json_array(w.grid_predicted)
      << ",\"rank\":" << json_array(w.grid_rank) << ",\"layout\":\"(K half-layer points, positions) row-major\"}"
      << ",\n\"path\":{\"fit\":\"PCA over all half-layer points of the window positions first_position.. of this prompt\""
      << ",\"explained\":[" << json_number(w.path_explained[0]) << "," << json_number(w.path_explained[1])
      << "],\"xy\":" << json_array(w.path_xy) << ",\"layout\":\"(positions, K, 2) row-major\"}";
    o << ",\n\"focus_heads\":{\"layer\":" << json_array(w.focus_layer) << ",\"head\":" << json_array(w.focus_head) << "}";
    if (p) {
        o << ",\n\"perturbation\":{\"changed\":" << p->changed << ",\"old_id\":" << p->old_id << ",\"new_id\":" << p->new_id
          << ",\"nearest\":" << (p->nearest ? "true" : "false")
          << ",\"watched\":" << p->watched << ",\"stages\":[";
        for (size_t s = 0; s < p->stages.size(); s++) o << (s ? "," : "") << json_quote(p->stages[s]);
        o << "],\"change\":" << json_array(p->change) << ",\"ln_f_change\":" << json_number(p->ln_f_change)
          << ",\"logits_change\":" << json_number(p->logits_change) << ",\"earlier_positions\":" << p->earlier_positions
          << ",\"earlier_identical\":" << (p->earlier_identical ? "true" : "false")
          << ",\"ln_1_filter_err\":" << json_array(p->ln_1_filter_err)
          << ",\"mlp_filter_err\":" << json_array(p->mlp_filter_err) << "}";
    }
    std::vector<std::string> notes = encoding_walk_notes();
    o << ",\n\"notes\":[";
    for (size_t i = 0; i < notes.size(); i++) o << (i ? ",\n" : "\n") << json_quote(notes[i]);
    o << "]}\n";
    return o.str();
}

}  // namespace gw
