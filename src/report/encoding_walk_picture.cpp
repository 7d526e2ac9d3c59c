// report/encoding_walk_picture.cpp — the encoding walk drawn as small multiples (picture.h does the drawing).
#include <cmath>
#include <limits>

#include "core/error.h"
#include "report/encoding_walk_io.h"
#include "report/text.h"  // token_ascii

namespace gw {

static const int kPanelW = 560, kPanelH = 440;

// "embed", "0.5", "1", ... for half-layer point k.
static std::string depth_label(int64_t k) {
    if (k == 0) return "h0 embed";
    return k % 2 ? cat("h", (k - 1) / 2, ".5 +attn") : cat("h", k / 2, " +mlp");
}

// "3 _the": position and token, for heatmap axes.
static std::vector<std::string> window_labels(const EncodingWalk& w, const Tokenizer* tok, int64_t Tg) {
    std::vector<std::string> out;
    for (int64_t i = 0; i < Tg; i++) {
        int64_t p = w.grid_first + i;
        out.push_back(cat(p, " ", text::token_ascii(tok, w.ids[size_t(p)], '?')));
    }
    return out;
}

static Image rank_grid_panel(const EncodingWalk& w, const Tokenizer* tok, int64_t K, int64_t Tg) {
    Heatmap h;
    h.title = "Logit lens: rank of each position's prediction";
    h.x_label = "position (its token)";
    h.y_label = "depth (half layers)";
    h.rows = K;
    h.cols = Tg;
    for (int64_t r : w.grid_rank) h.values.push_back(float(std::log10(double(r))));
    for (int64_t k = 0; k < K; k++) h.row_labels.push_back(depth_label(k));
    h.col_labels = window_labels(w, tok, Tg);
    h.vmin = 0;
    float top = 0;
    for (float v : h.values) top = std::max(top, v);
    h.vmax = std::max(1.0f, top);
    h.colorbar_label = "log10 rank (0 = top)";
    return render_heatmap(h, kPanelW, kPanelH);
}

static Image norms_panel(const EncodingWalk& w) {
    Chart c;
    c.title = cat("Lengths along the walk of position ", w.at.position);
    c.x_label = "depth (layers)";
    c.y_label = "vector length";
    Series h{"|h|", {}, {}, true, true, {}};
    Series a{"|attn update|", {}, {}, false, true, {}};
    Series m{"|mlp update|", {}, {}, false, true, {}};
    for (const WalkPoint& p : w.at.points) {
        h.x.push_back(p.depth), h.y.push_back(p.norm);
        if (p.depth == 0) continue;
        Series& s = std::fmod(p.depth, 1.0) != 0 ? a : m;
        s.x.push_back(p.depth), s.y.push_back(p.update_norm);
    }
    c.series = {h, a, m};
    return render_chart(c, kPanelW, kPanelH);
}

static Image lens_panel(const EncodingWalk& w, const Tokenizer* tok) {
    Chart c;
    c.title = cat("Lens at position ", w.at.position, " (prediction ", text::token_ascii(tok, w.at.predicted, '?'), ")");
    c.x_label = "depth (layers)";
    c.y_label = "log10 rank  /  KL in nats";
    Series r{"log10 rank", {}, {}, true, true, {}};
    Series kl{"KL(p_h||p_L)", {}, {}, true, true, {}};
    for (const WalkPoint& p : w.at.points) {
        r.x.push_back(p.depth), r.y.push_back(std::log10(double(p.final_rank)));
        kl.x.push_back(p.depth), kl.y.push_back(p.kl_to_final);
    }
    c.series = {r, kl};
    return render_chart(c, kPanelW, kPanelH);
}

static Image path_panel(const EncodingWalk& w, int64_t K, int64_t Tg) {
    Chart c;
    c.title = cat("Walk in 2-D: PCA of positions ", w.grid_first, "..", w.grid_first + Tg - 1);
    c.x_label = cat("PC1 (", std::lround(100 * w.path_explained[0]), "% of variance)");
    c.y_label = cat("PC2 (", std::lround(100 * w.path_explained[1]), "%)");
    c.equal_aspect = true;
    Series others{"others", {}, {}, false, true, {}};
    Series mine{cat("position ", w.at.position), {}, {}, true, true, {}};
    const int64_t me = w.at.position - w.grid_first;
    for (int64_t i = 0; i < Tg; i++)
        for (int64_t k = 0; k < K; k++) {
            double x = w.path_xy[size_t((i * K + k) * 2)], y = w.path_xy[size_t((i * K + k) * 2 + 1)];
            Series& s = i == me ? mine : others;
            s.x.push_back(x), s.y.push_back(y);
            if (i == me) mine.point_labels.push_back(k == 0 ? "embed" : k == K - 1 ? "h_L" : "");
        }
    c.series = {others, mine};
    if (others.x.empty()) c.series = {mine};
    return render_chart(c, kPanelW, kPanelH);
}

static Image pattern_panel(const std::string& title, const float* p, const std::vector<std::string>& labels, int64_t Tg) {
    Heatmap h;
    h.title = title;
    h.x_label = "key position j (source)";
    h.y_label = "query position i";
    h.rows = h.cols = Tg;
    h.values.assign(p, p + Tg * Tg);
    for (int64_t i = 0; i < Tg; i++)
        for (int64_t j = i + 1; j < Tg; j++) h.values[size_t(i * Tg + j)] = std::numeric_limits<float>::quiet_NaN();
    h.row_labels = h.col_labels = labels;
    h.vmin = 0;
    h.vmax = 1;
    h.colorbar_label = "attention weight a_ij";
    return render_heatmap(h, kPanelW, kPanelH);
}

Image encoding_walk_picture(const EncodingWalk& w, const Tokenizer* tok) {
    const int64_t K = 2 * w.n_layer + 1, Tg = int64_t(w.grid_predicted.size());
    std::vector<Image> panels = {rank_grid_panel(w, tok, K, Tg), lens_panel(w, tok), norms_panel(w),
                                 path_panel(w, K, Tg)};
    const std::vector<std::string> labels = window_labels(w, tok, Tg);
    for (int64_t l = 0; l < w.n_layer; l++)
        panels.push_back(pattern_panel(cat("Layer ", l, ": mean of ", w.n_head, " heads"),
                                       &w.mean_pattern[size_t(l * Tg * Tg)], labels, Tg));
    for (size_t f = 0; f < w.focus_layer.size(); f++)
        panels.push_back(pattern_panel(cat("Layer ", w.focus_layer[f], " head ", w.focus_head[f],
                                           " (sharp at ", w.at.position, ")"),
                                       &w.focus_pattern[f * size_t(Tg * Tg)], labels, Tg));
    return compose_grid(panels, 4, cat("Encoding walk of position ", w.at.position, " (",
                                       text::token_ascii(tok, w.ids[size_t(w.at.position)], '?'),
                                       "): how one vector becomes the context vector"));
}

}  // namespace gw
