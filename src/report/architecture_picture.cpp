// report/architecture_picture.cpp — the map of the model (lessons/README.md): layout, then drawing.
#include "report/architecture_picture.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "picture_canvas.h"

namespace gw {

namespace {

using canvas::Align;

// Text scale, line pitch and padding: scale-2 capitals are 14 px tall, descenders 4 more.
constexpr double kScale = canvas::kLabelScale, kPitch = 24, kPad = kMapBoxPadding, kGap = 26;
// Two columns: the main flow (and the residual stream) on the left, the sub-blocks on the right.
constexpr double kMainX0 = 60, kMainX1 = 640, kSideX0 = 760, kSideX1 = 1500, kWidth = 1540;
constexpr double kElbowX = (kMainX1 + kSideX0) / 2;  // where arrows between the columns turn

const Rgb kModelFill{228, 238, 250}, kModelEdge{80, 110, 160};
const Rgb kOtherFill{240, 240, 240}, kOtherEdge{130, 130, 130};
const Rgb kBlockFill{253, 244, 230}, kBlockEdge{200, 150, 80};
const Rgb kLessonInk{0, 90, 170}, kTraceInk{40, 110, 60}, kArrow{60, 60, 60};

// Words laid into lines no wider than max_w (a single word wider than that gets its own line).
std::vector<std::string> wrap(const std::vector<std::string>& words, double max_w) {
    std::vector<std::string> lines;
    for (const std::string& w : words) {
        if (!lines.empty() && canvas::text_width(lines.back() + " " + w, kScale) <= max_w)
            lines.back() += " " + w;
        else
            lines.push_back(w);
    }
    return lines;
}

struct Layout {
    ArchitectureMap map;
    double y = 70;  // the top of the next main-column box

    // Adds a box of the given lines at (x0, y0), x1 wide, sized to its text. Returns its index.
    size_t box(std::vector<std::string> lines, std::string lessons, std::vector<std::string> trace,
               bool in_model, double x0, double y0, double x1) {
        MapBox b;
        b.lines = std::move(lines);
        b.lessons = std::move(lessons);
        b.trace = std::move(trace);
        b.in_model = in_model;
        b.x0 = x0, b.x1 = x1, b.y0 = y0;
        b.y1 = y0 + 2 * kPad + double(map_box_text(b).size()) * kPitch - (kPitch - 18);
        map.boxes.push_back(b);
        return map.boxes.size() - 1;
    }
    size_t main(std::vector<std::string> lines, std::string lessons, std::vector<std::string> trace,
                bool in_model = true) {
        size_t i = box(std::move(lines), std::move(lessons), std::move(trace), in_model, kMainX0, y, kMainX1);
        y = map.boxes[i].y1 + kGap;
        return i;
    }
    const MapBox& at(size_t i) const { return map.boxes[i]; }
    static double mid_y(const MapBox& b) { return (b.y0 + b.y1) / 2; }
    static double mid_x(const MapBox& b) { return (b.x0 + b.x1) / 2; }

    void arrow(std::vector<double> xy, std::string label = "") { map.arrows.push_back({std::move(xy), std::move(label)}); }
    void down(size_t a, size_t b) { arrow({mid_x(at(a)), at(a).y1, mid_x(at(b)), at(b).y0}); }
    // From the lower right of a main-column box to the left edge of a side box; arrows out
    // turn left of kElbowX and arrows back right of it, so no two share a segment.
    void out(size_t a, size_t b) {
        const double y0 = at(a).y1 - 12, x = kElbowX - 15;
        arrow({at(a).x1, y0, x, y0, x, mid_y(at(b)), at(b).x0, mid_y(at(b))});
    }
    // From the left edge of a side box back into the upper right of a main-column box.
    void back(size_t a, size_t b) {
        const double y1 = at(b).y0 + 14, x = kElbowX + 15;
        arrow({at(a).x0, mid_y(at(a)), x, mid_y(at(a)), x, y1, at(b).x1, y1});
    }
};

}  // namespace

std::vector<std::string> map_box_text(const MapBox& box) {
    const double max_w = box.x1 - box.x0 - 2 * kPad;
    std::vector<std::string> out;
    for (const std::string& line : box.lines) out.push_back(canvas::drawable(line));
    if (!box.lessons.empty()) out.push_back(canvas::drawable(box.lessons));
    if (!box.trace.empty()) {
        std::vector<std::string> words = {"trace:"};
        words.insert(words.end(), box.trace.begin(), box.trace.end());
        for (const std::string& l : wrap(words, max_w)) out.push_back(l);
    }
    return out;
}

double map_line_width(const std::string& line) { return canvas::text_width(line, kScale); }

ArchitectureMap architecture_map(const Config& c) {
    const std::string C = std::to_string(c.n_embd), L = std::to_string(c.n_layer),
                      NH = std::to_string(c.n_head), HS = std::to_string(c.head_size()),
                      V = std::to_string(c.vocab_size), P = std::to_string(c.n_positions);
    Layout m;
    m.map.width = int(kWidth);
    m.map.title = "GPT-2 in gptwalk: one token's path, with the lessons and trace points of each box";

    const size_t text = m.main({"text: \"It is a truth universally\"", "UTF-8 bytes"}, "", {}, false);
    const size_t tok = m.main({"tokenizer: bytes -> pre-tokens -> BPE merges", "-> token ids (T), each in [0, V = " + V + ")"},
                              "lesson 03", {}, false);
    const size_t embed = m.main({"embedding: x[t] = wte[id_t] + wpe[t]", "x is (T, C) = (T, " + C + "), t < P = " + P},
                                "lesson 04", {"embed"});
    m.down(text, tok);
    m.down(tok, embed);

    // One block: the residual stream in the main column, its two sub-blocks on the right.
    const double block_top = m.y;
    m.y += 44;  // room for the block's label
    const size_t pre = m.main({"residual stream x (T, C): the block's input", "every sub-block reads it and adds to it"},
                              "lesson 10", {"h.l.resid_pre"});
    double side = m.at(pre).y0;
    auto side_box = [&](std::vector<std::string> lines, std::string lessons, std::vector<std::string> trace) {
        size_t i = m.box(std::move(lines), std::move(lessons), std::move(trace), true, kSideX0, side, kSideX1);
        side = m.at(i).y1 + kGap;
        return i;
    };
    const size_t ln1 = side_box({"ln_1: layer norm of each row"}, "lesson 05", {"h.l.ln_1"});
    const size_t attn = side_box({"attention: " + NH + " heads of HS = " + HS,
                                  "c_attn: [q | k | v] = ln_1(x) W (C, 3C) + b",
                                  "softmax(q k^T / sqrt(HS)), causal mask, times v",
                                  "k and v of every position kept: the KV cache"},
                                 "lessons 07, 08",
                                 {"h.l.q", "h.l.k", "h.l.v", "h.l.attn_pattern", "h.l.attn_heads"});
    const size_t proj = side_box({"attn.c_proj: heads side by side, W (C, C) + b"}, "lesson 06", {"h.l.attn_out"});
    m.y = std::max(m.y, m.at(proj).y0);
    const size_t mid = m.main({"x = x + attn_out"}, "lesson 10", {"h.l.resid_mid"});
    side = std::max(side, m.at(mid).y1 + kGap);
    const size_t ln2 = side_box({"ln_2: layer norm of each row"}, "lesson 05", {"h.l.ln_2"});
    const size_t mlp = side_box({"MLP: c_fc W (C, 4C), GELU, c_proj W (4C, C)"}, "lessons 06, 09",
                                {"h.l.mlp_pre", "h.l.mlp_act", "h.l.mlp_out"});
    m.y = std::max(m.y, m.at(mlp).y0);
    const size_t post = m.main({"x = x + mlp_out: the block's output"}, "lesson 10", {"h.l.resid_post"});
    m.map.block_x0 = kMainX0 - 30, m.map.block_x1 = kSideX1 + 20;
    m.map.block_y0 = block_top, m.map.block_y1 = std::max(m.at(post).y1, m.at(mlp).y1) + 16;
    m.map.block_label = "block l, the same for every l = 0 .. " + std::to_string(c.n_layer - 1) + " (L = " + L +
                        " blocks; lesson 10)";
    m.y = m.map.block_y1 + kGap;
    m.down(embed, pre);
    m.out(pre, ln1);
    m.down(ln1, attn);
    m.down(attn, proj);
    m.back(proj, mid);
    m.down(pre, mid);
    m.out(mid, ln2);
    m.down(ln2, mlp);
    m.back(mlp, post);
    m.down(mid, post);

    const size_t lnf = m.main({"ln_f: the final layer norm", "its output c is the context vector"}, "lessons 05, 11", {"ln_f"});
    const size_t head = m.main({"tied head: logits = c wte^T, no bias", "one score per token: (T, V) = (T, " + V + ")"},
                               "lessons 06, 11", {"logits"});
    const size_t sampler = m.main({"sampler: greedy, temperature, top-k,", "top-p, min-p, repetition penalty"},
                                  "lesson 12", {}, false);
    const size_t next = m.main({"the next token id: appended to the text;", "only it runs next (the KV cache has the rest)"},
                               "lessons 08, 12", {}, false);
    m.down(post, lnf);
    m.down(lnf, head);
    m.down(head, sampler);
    m.down(sampler, next);
    // The generation loop: from the next id back into the embedding, round the left margin.
    const double loop_x = kMainX0 - 45;
    m.arrow({kMainX0, m.mid_y(m.at(next)), loop_x, m.mid_y(m.at(next)), loop_x, m.mid_y(m.at(embed)), kMainX0,
             m.mid_y(m.at(embed))});

    m.map.notes = {
        "decoding walk (lesson 13): the path of the context vectors c (ln_f) and the tokens they choose, one per step",
        "encoding walk (lesson 14): one position's x from embed through every resid_mid and resid_post to ln_f",
        "every box reads its weights from the checkpoint (lesson 02), arrays of shape (T, C) (lesson 01); lesson 15 times them",
        "trace points: forward() records them when asked (lesson 10); h.l.* once per block, l = 0 .. " +
            std::to_string(c.n_layer - 1),
    };
    m.map.height = int(m.y + double(m.map.notes.size()) * kPitch + 20);
    return m.map;
}

namespace {

void draw_arrow(Image& img, const MapArrow& a, const canvas::Box& clip) {
    const size_t n = a.xy.size() / 2;
    for (size_t i = 0; i + 1 < n; i++)
        canvas::draw_line(img, a.xy[2 * i], a.xy[2 * i + 1], a.xy[2 * i + 2], a.xy[2 * i + 3], 2, kArrow, clip);
    if (n < 2) return;
    // The head: two strokes back from the last point, 30 degrees either side of the last segment.
    const double x = a.xy[2 * n - 2], y = a.xy[2 * n - 1];
    const double dx = x - a.xy[2 * n - 4], dy = y - a.xy[2 * n - 3], len = std::hypot(dx, dy);
    if (!(len > 0)) return;
    const double ux = dx / len, uy = dy / len, s = 12, c30 = std::cos(0.5236), s30 = std::sin(0.5236);
    canvas::draw_line(img, x, y, x - s * (ux * c30 - uy * s30), y - s * (uy * c30 + ux * s30), 2, kArrow, clip);
    canvas::draw_line(img, x, y, x - s * (ux * c30 + uy * s30), y - s * (uy * c30 - ux * s30), 2, kArrow, clip);
}

void draw_box(Image& img, const MapBox& b) {
    canvas::fill_box(img, {b.x0, b.y0, b.x1, b.y1}, b.in_model ? kModelFill : kOtherFill);
    canvas::outline_box(img, int(b.x0), int(b.y0), int(b.x1), int(b.y1), b.in_model ? kModelEdge : kOtherEdge);
    const std::vector<std::string> text = map_box_text(b);
    for (size_t i = 0; i < text.size(); i++) {
        const bool lessons = i == b.lines.size() && !b.lessons.empty();
        const Rgb ink = i < b.lines.size() ? canvas::kInk : lessons ? kLessonInk : kTraceInk;
        canvas::draw_text(img, b.x0 + kPad, b.y0 + kPad + double(i) * kPitch, text[i], kScale, ink);
    }
}

}  // namespace

Image render_architecture_map(const ArchitectureMap& map) {
    Image img = canvas::blank(map.width, map.height);
    const canvas::Box all{0, 0, double(map.width), double(map.height)};
    canvas::draw_title(img, 18, map.title);
    canvas::fill_box(img, {map.block_x0, map.block_y0, map.block_x1, map.block_y1}, kBlockFill);
    canvas::outline_box(img, int(map.block_x0), int(map.block_y0), int(map.block_x1), int(map.block_y1), kBlockEdge);
    // The label sits over the side column, clear of the arrow down the main column.
    canvas::draw_text(img, kSideX0, map.block_y0 + 12, map.block_label, kScale, canvas::kInk);
    for (const MapArrow& a : map.arrows) draw_arrow(img, a, all);
    for (const MapBox& b : map.boxes) draw_box(img, b);
    double y = map.height - 20 - double(map.notes.size()) * kPitch;
    for (const std::string& note : map.notes) {
        canvas::draw_text(img, kMainX0 - 30, y, note, kScale, canvas::kInk);
        y += kPitch;
    }
    return img;
}

}  // namespace gw
