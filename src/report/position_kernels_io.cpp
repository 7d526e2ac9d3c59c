// report/position_kernels_io.cpp — showing position kernels: a table, JSON, and small-multiple pictures.
#include "report/position_kernels_io.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"  // cat
#include "report/json_writer.h"
#include "report/text.h"

namespace gw {

using namespace text;

static const int kShownOffsets = 4;  // m(0) .. m(3) in the table

void print_position_kernels(FILE* out, const PositionKernels& pk) {
    std::fprintf(out, "position-only attention kernels of layer %lld, positions 0..%lld (our own formalisation)\n",
                 (long long)pk.layer, (long long)(pk.n - 1));
    std::fprintf(out, "content stand-in: %s.\n", pk.content.c_str());
    std::fprintf(out, "x_i = wpe[i] + mean(wte) -> ln_1 -> q, k -> a_ij = softmax_j(q_i.k_j / sqrt(HS)), j <= i\n");
    std::fprintf(out, "self-bias b(i) = a(i,i) - 1/(i+1), averaged over i >= 1; m(d) = mean of a(i, i-d): "
                      "d = 0 itself, d = 1 the previous token (uniform rows give m(d) = mean of 1/(i+1))\n");
    if (pk.text_tokens > 0)
        std::fprintf(out, "'on text': measured from the traced attention pattern of a %lld-token text.\n",
                     (long long)pk.text_tokens);
    std::string head = cell("head", 6) + cell("self-bias", 12) + cell("on text", 10);
    for (int d = 0; d < kShownOffsets; d++) head += cell(cat("m(", d, ")"), 8);
    head += cell("m(1) text", 11);
    put_line(out, head + "flag");
    std::vector<int64_t> neg_pos, neg_text;
    for (const HeadKernel& h : pk.heads) {
        std::string line = cell(std::to_string(h.head), 6) + cell(or_dash("%+.4f", h.mean_self_bias), 12) +
                           cell(or_dash("%+.4f", h.text_mean_self_bias), 10);
        for (int d = 0; d < kShownOffsets; d++)
            line += cell(d < pk.n ? or_dash("%.3f", h.offset_mean[size_t(d)]) : "-", 8);
        line += cell(h.text_offset_mean.size() > 1 ? or_dash("%.3f", h.text_offset_mean[1]) : "-", 11);
        bool np = h.mean_self_bias < 0, nt = h.text_mean_self_bias < 0;  // NaN compares false
        if (np) neg_pos.push_back(h.head);
        if (nt) neg_text.push_back(h.head);
        line += np || nt ? cat("NEGATIVE self-bias", np && nt ? "" : np ? " (positions)" : " (text)") : "";
        put_line(out, line);
    }
    auto list = [](const std::vector<int64_t>& v) {
        std::string s;
        for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + std::to_string(v[i]);
        return v.empty() ? std::string("none") : s;
    };
    std::fprintf(out, "heads with negative self-bias: %s (positions alone)", list(neg_pos).c_str());
    if (pk.text_tokens > 0) std::fprintf(out, "; %s (on text)", list(neg_text).c_str());
    std::fprintf(out, "\nparameter-free attention softmax(X X^T / sqrt(C)) X on the same layer-normed X: self-bias %s "
                      "(positions)%s%s -- not negative while the rows are equally long (Cauchy-Schwarz: each row's largest score is then its own; eps makes low-variance rows a little shorter).\n",
                 or_dash("%+.4f", pk.free_mean_self_bias).c_str(), pk.text_tokens > 0 ? ", " : "",
                 pk.text_tokens > 0 ? (or_dash("%+.4f", pk.free_text_mean_self_bias) + " (on text)").c_str() : "");
    std::fprintf(out, "\nnotes (our own formalisation, not the paper's):\n");
    std::vector<std::string> notes = position_kernel_notes();
    for (size_t i = 0; i < notes.size(); i++) std::fprintf(out, "  [%zu] %s\n", i + 1, notes[i].c_str());
}

std::string position_kernels_json(const PositionKernels& pk) {
    std::vector<std::string> heads, notes;
    for (const HeadKernel& k : pk.heads)
        heads.push_back(json::object({
            json::field("head", json::num(k.head)), json::field("mean_self_bias", json::num(k.mean_self_bias)),
            json::field("text_mean_self_bias", json::num(k.text_mean_self_bias)),
            json::field("negative", json::boolean(k.mean_self_bias < 0)),
            json::field("offset_mean", json::numbers(k.offset_mean)), json::field("self_bias", json::numbers(k.self_bias)),
            json::field("text_self_bias", json::numbers(k.text_self_bias)),
            json::field("text_offset_mean", json::numbers(k.text_offset_mean)),
            json::field("kernel", json::numbers(k.kernel))}));
    for (const std::string& n : position_kernel_notes()) notes.push_back(json::str(n));
    return json::document({
        json::field("kind", json::str("position_kernels")), json::field("layer", json::num(pk.layer)),
        json::field("n", json::num(pk.n)), json::field("content", json::str(pk.content)),
        json::field("text_tokens", json::num(pk.text_tokens)), json::field("heads", json::lines(heads)),
        json::field("parameter_free", json::object({
            json::field("formula", json::str("softmax(xhat xhat^T / sqrt(C)), causal, xhat = layer-normed rows before gamma, beta")),
            json::field("mean_self_bias", json::num(pk.free_mean_self_bias)),
            json::field("text_mean_self_bias", json::num(pk.free_text_mean_self_bias)),
            json::field("self_bias", json::numbers(pk.free_self_bias)), json::field("kernel", json::numbers(pk.free_kernel))})),
        json::field("notes", json::lines(notes)),
    });
}

// ---------------------------------------------------------------- picture

static const int kPanelW = 480, kPanelH = 420;

static Image kernel_panel(const std::string& title, const std::vector<float>& kernel, int64_t n) {
    Heatmap h;
    h.title = title;
    h.x_label = "attended position j";
    h.y_label = "reading position i";
    h.rows = h.cols = n;
    // (i+1)·a_ij: the kernel relative to a uniform average over j <= i, so that the 1/(i+1)
    // fall-off of every causal row does not hide the structure (1 = uniform, > 1 preferred).
    h.values.resize(size_t(n * n));
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++)
            h.values[size_t(i * n + j)] = j <= i ? float(i + 1) * kernel[size_t(i * n + j)]
                                                 : std::numeric_limits<float>::quiet_NaN();
    for (int64_t i = 0; i < n; i++) h.row_labels.push_back(std::to_string(i));
    h.col_labels = h.row_labels;
    h.vmin = h.vmax = 0;  // the data's range
    h.colorbar_label = "(i+1) a_ij  (1 = uniform)";
    return render_heatmap(h, kPanelW, kPanelH);
}

Image position_kernels_picture(const PositionKernels& pk) {
    std::vector<Image> panels;
    Chart offsets;
    offsets.title = "Mean kernel m(d) by offset (1: previous)";
    offsets.x_label = "offset d = i - j";
    offsets.y_label = "mean a(i, i - d)";
    const int64_t D = std::min<int64_t>(pk.n, 16);
    for (const HeadKernel& h : pk.heads) {
        Series s{cat("head ", h.head), {}, {}, true, true, {}};
        for (int64_t d = 0; d < D; d++) s.x.push_back(double(d)), s.y.push_back(h.offset_mean[size_t(d)]);
        offsets.series.push_back(s);
    }
    Chart bias;
    bias.title = "Mean self-bias a(i,i) - 1/(i+1)";
    bias.x_label = "head";
    bias.y_label = "self-bias (mean over i >= 1)";
    Series pos{"positions", {}, {}, false, true, {}}, text{"on text", {}, {}, false, true, {}};
    Series zero{"uniform", {-0.5, double(pk.heads.size()) - 0.5}, {0, 0}, true, false, {}};
    Series free{"free attn", {}, {}, true, false, {}};
    for (const HeadKernel& h : pk.heads) {
        pos.x.push_back(double(h.head)), pos.y.push_back(h.mean_self_bias);
        if (pk.text_tokens > 0) text.x.push_back(double(h.head)), text.y.push_back(h.text_mean_self_bias);
    }
    free.x = zero.x;
    free.y = {pk.free_mean_self_bias, pk.free_mean_self_bias};
    bias.series = {zero, pos};
    if (pk.text_tokens > 0) bias.series.push_back(text);
    bias.series.push_back(free);
    panels.push_back(render_chart(bias, kPanelW, kPanelH));
    panels.push_back(render_chart(offsets, kPanelW, kPanelH));
    if (pk.text_tokens > 0) {
        Chart text_offsets = offsets;
        text_offsets.title = cat("The same, measured on a ", pk.text_tokens, "-token text");
        for (Series& s : text_offsets.series) {
            const std::vector<double>& m = pk.heads[size_t(&s - &text_offsets.series[0])].text_offset_mean;
            s.y.assign(m.begin(), m.begin() + std::min<int64_t>(int64_t(m.size()), D));
            s.x.resize(s.y.size());
        }
        panels.push_back(render_chart(text_offsets, kPanelW, kPanelH));
    }
    panels.push_back(kernel_panel("Parameter-free softmax(X X^T/sqrt C)", pk.free_kernel, pk.n));
    for (const HeadKernel& h : pk.heads)
        panels.push_back(kernel_panel(cat("Head ", h.head, ": self-bias ", or_dash("%+.3f", h.mean_self_bias),
                                          h.mean_self_bias < 0 ? " (negative)" : " (positive)"),
                                      h.kernel, pk.n));
    return compose_grid(panels, 4, cat("Layer ", pk.layer, ": attention from positions alone (wpe + mean token "
                                       "vector), our own formalisation"));
}

}  // namespace gw
