// report/position_kernels_io.cpp — showing position kernels: a table, JSON, and small-multiple pictures.
#include "report/position_kernels_io.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "core/json.h"
#include "report/encoding_walk_io.h"  // pad(), put_line()

namespace gw {

static std::string num(const char* spec, double x) {
    if (std::isnan(x)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, x);
    return buf;
}

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
    std::string head = pad("head", 6) + pad("self-bias", 12) + pad("on text", 10);
    for (int d = 0; d < kShownOffsets; d++) head += pad(cat("m(", d, ")"), 8);
    head += pad("m(1) text", 11);
    put_line(out, head + "flag");
    std::vector<int64_t> neg_pos, neg_text;
    for (const HeadKernel& h : pk.heads) {
        std::string line = pad(std::to_string(h.head), 6) + pad(num("%+.4f", h.mean_self_bias), 12) +
                           pad(num("%+.4f", h.text_mean_self_bias), 10);
        for (int d = 0; d < kShownOffsets; d++)
            line += pad(d < pk.n ? num("%.3f", h.offset_mean[size_t(d)]) : "-", 8);
        line += pad(h.text_offset_mean.size() > 1 ? num("%.3f", h.text_offset_mean[1]) : "-", 11);
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
                 num("%+.4f", pk.free_mean_self_bias).c_str(), pk.text_tokens > 0 ? ", " : "",
                 pk.text_tokens > 0 ? (num("%+.4f", pk.free_text_mean_self_bias) + " (on text)").c_str() : "");
    std::fprintf(out, "\nnotes (our own formalisation, not the paper's):\n");
    std::vector<std::string> notes = position_kernel_notes();
    for (size_t i = 0; i < notes.size(); i++) std::fprintf(out, "  [%zu] %s\n", i + 1, notes[i].c_str());
}

template <typename T>
static std::string arr(const std::vector<T>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); i++) s += (i ? "," : "") + json_number(double(v[i]));
    return s + "]";
}

std::string position_kernels_json(const PositionKernels& pk) {
    std::ostringstream o;
    o << "{\"kind\":\"position_kernels\",\"layer\":" << pk.layer << ",\"n\":" << pk.n
      << ",\"content\":" << json_quote(pk.content) << ",\"text_tokens\":" << pk.text_tokens << ",\n\"heads\":[";
    for (size_t h = 0; h < pk.heads.size(); h++) {
        const HeadKernel& k = pk.heads[h];
        o << (h ? ",\n" : "\n") << "{\"head\":" << k.head << ",\"mean_self_bias\":" << json_number(k.mean_self_bias)
          << ",\"text_mean_self_bias\":" << json_number(k.text_mean_self_bias)
          << ",\"negative\":" << (k.mean_self_bias < 0 ? "true" : "false")
          << ",\"offset_mean\":" << arr(k.offset_mean) << ",\"self_bias\":" << arr(k.self_bias)
          << ",\"text_self_bias\":" << arr(k.text_self_bias) << ",\"text_offset_mean\":" << arr(k.text_offset_mean)
          << ",\"kernel\":" << arr(k.kernel) << "}";
    }
    o << "],\n\"parameter_free\":{\"formula\":\"softmax(xhat xhat^T / sqrt(C)), causal, xhat = layer-normed rows before "
         "gamma, beta\",\"mean_self_bias\":" << json_number(pk.free_mean_self_bias)
      << ",\"text_mean_self_bias\":" << json_number(pk.free_text_mean_self_bias)
      << ",\"self_bias\":" << arr(pk.free_self_bias) << ",\"kernel\":" << arr(pk.free_kernel) << "},\n\"notes\":[";
    std::vector<std::string> notes = position_kernel_notes();
    for (size_t i = 0; i < notes.size(); i++) o << (i ? ",\n" : "\n") << json_quote(notes[i]);
    o << "]}\n";
    return o.str();
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
        panels.push_back(kernel_panel(cat("Head ", h.head, ": self-bias ", num("%+.3f", h.mean_self_bias),
                                          h.mean_self_bias < 0 ? " (negative)" : " (positive)"),
                                      h.kernel, pk.n));
    return compose_grid(panels, 4, cat("Layer ", pk.layer, ": attention from positions alone (wpe + mean token "
                                       "vector), our own formalisation"));
}

}  // namespace gw
