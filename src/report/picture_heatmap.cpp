// report/picture_heatmap.cpp — a (rows, cols) grid of values as coloured cells, with a colour bar.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "picture_canvas.h"
#include "report/picture.h"

namespace gw {

using canvas::Align;
using canvas::Box;

namespace {

constexpr double kPad = 12;
constexpr double kBarWidth = 18;        // the colour bar

// "%.3g" without C's exponent padding: 0.0123, 987, 1.23e5.
std::string format_value(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    std::string s = buf;
    size_t e = s.find('e');
    if (e == std::string::npos) return s;
    std::string ex = s.substr(e + 2);
    while (ex.size() > 1 && ex[0] == '0') ex.erase(0, 1);
    return s.substr(0, e) + "e" + (s[e + 1] == '-' ? "-" : "") + ex;
}

// The labels along one side of the grid: the caller's (one per cell), or else cell
// indices at a nice spacing. Each is shortened to at most max_w pixels.
struct SideLabels {
    std::vector<int64_t> at;        // cell index of each label
    std::vector<std::string> text;
    int64_t spacing = 1;            // cells between neighbouring labels
    double widest = 0;              // pixels
};

SideLabels side_labels(const std::vector<std::string>& given, int64_t n, double scale, double max_w) {
    SideLabels out;
    if (given.empty()) out.spacing = std::max<int64_t>(1, int64_t(nice_step(double(n), 5)));
    for (int64_t i = 0; i < n; i += out.spacing) {
        out.at.push_back(i);
        out.text.push_back(canvas::fit_text(given.empty() ? std::to_string(i) : given[size_t(i)], scale, max_w));
        out.widest = std::max(out.widest, canvas::text_width(out.text.back(), scale));
    }
    return out;
}

// Draw every k-th label, k chosen so that neighbours are at least `need` pixels apart.
size_t thinning(double label_gap_px, double need) {
    return label_gap_px >= need ? 1 : size_t(std::ceil(need / std::max(label_gap_px, 1e-9)));
}

}  // namespace

Image render_heatmap(const Heatmap& h, int width, int height) {
    if (h.rows < 0 || h.cols < 0 || h.values.size() != size_t(h.rows) * size_t(h.cols))
        fail("render_heatmap: '", h.title, "': ", h.rows, "x", h.cols, " cells but ",
             h.values.size(), " values");
    if (!h.row_labels.empty() && int64_t(h.row_labels.size()) != h.rows)
        fail("render_heatmap: '", h.title, "': ", h.rows, " rows but ", h.row_labels.size(), " row labels");
    if (!h.col_labels.empty() && int64_t(h.col_labels.size()) != h.cols)
        fail("render_heatmap: '", h.title, "': ", h.cols, " columns but ", h.col_labels.size(), " column labels");
    Image img = canvas::blank(width, height);
    const double ls = canvas::kLabelScale, text_h = canvas::text_height(ls);

    // Colour range: the caller's, or the finite values' own; a single value gets a
    // range around it so that it maps to the middle colour.
    double lo = h.vmin, hi = h.vmax;
    if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi)) {
        lo = INFINITY, hi = -INFINITY;
        for (float v : h.values)
            if (std::isfinite(v)) lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
        if (lo > hi) lo = 0, hi = 1;
        if (lo == hi) {
            double margin = lo != 0 ? std::fabs(lo) * 0.1 : 1;
            lo -= margin, hi += margin;
        }
    }
    std::string lo_text = format_value(lo), hi_text = format_value(hi);

    // Layout, outside in: title; colour bar on the right; row labels on the left;
    // column labels under the grid (turned upright when they are wider than their spacing).
    // Long labels are shortened so that they never take more than a fifth of the picture.
    const double max_label_w = std::min(150.0, 0.2 * width);
    SideLabels rlabels = side_labels(h.row_labels, h.rows, ls, max_label_w);
    SideLabels clabels = side_labels(h.col_labels, h.cols, ls, std::min(150.0, 0.2 * height));
    double top = kPad + (h.title.empty() ? 0 : canvas::text_height(canvas::kTitleScale) + 16);
    double bar_side = 16 + kBarWidth + 5 + 4 +
                      std::max(canvas::text_width(lo_text, ls), canvas::text_width(hi_text, ls)) +
                      (h.colorbar_label.empty() ? 0 : 10 + text_h);
    double right = kPad + bar_side;
    double y_label_w = h.y_label.empty() ? 0 : text_h + 12;
    double left = kPad + y_label_w + (rlabels.widest > 0 ? rlabels.widest + 8 : 0);
    double x_label_h = h.x_label.empty() ? 0 : text_h + 12;
    double avail_w = std::max(1.0, width - left - right);
    double cell_w = avail_w / double(std::max<int64_t>(h.cols, 1));
    bool upright = clabels.widest > clabels.spacing * cell_w - 6;  // flat ones would touch
    double col_h = clabels.widest == 0 ? 0 : (upright ? clabels.widest : text_h) + 8;
    double avail_h = std::max(1.0, height - top - kPad - x_label_h - col_h);
    double cell_h = avail_h / double(std::max<int64_t>(h.rows, 1));
    if (h.rows == h.cols) cell_w = cell_h = std::min(cell_w, cell_h);  // square: T x T attention
    double grid_w = std::max(1.0, std::floor(cell_w * double(std::max<int64_t>(h.cols, 1))));
    double grid_h = std::max(1.0, std::floor(cell_h * double(std::max<int64_t>(h.rows, 1))));
    // Centre what is left over (square cells leave room on one side).
    double gx0 = std::round(left + (avail_w - grid_w) / 2), gy0 = std::round(top + (avail_h - grid_h) / 2);
    Box grid{gx0, gy0, gx0 + grid_w, gy0 + grid_h};

    // Cells: each pixel takes the colour of the cell its centre falls in.
    if (h.rows > 0 && h.cols > 0) {
        std::vector<Rgb> colours(h.values.size());
        for (size_t i = 0; i < h.values.size(); i++) {
            float v = h.values[i];
            colours[i] = std::isnan(v) ? canvas::kNanGrey : colormap((v - lo) / (hi - lo));
        }
        std::vector<int64_t> col_of(static_cast<size_t>(grid_w));  // the column under each pixel column
        for (size_t x = 0; x < col_of.size(); x++)
            col_of[x] = std::min(h.cols - 1, int64_t((x + 0.5) / grid_w * double(h.cols)));
        for (int y = int(grid.y0); y < int(grid.y1); y++) {
            int64_t r = std::min(h.rows - 1, int64_t((y - grid.y0 + 0.5) / grid_h * double(h.rows)));
            for (size_t x = 0; x < col_of.size(); x++)
                canvas::blend(img, int(grid.x0) + int(x), y, colours[size_t(r * h.cols + col_of[x])], 1);
        }
    }
    canvas::outline_box(img, int(grid.x0) - 1, int(grid.y0) - 1, int(grid.x1) + 1, int(grid.y1) + 1,
                        canvas::kFrame);

    // Row labels, right-aligned against the grid; column labels under it.
    double row_px = grid_h / double(std::max<int64_t>(h.rows, 1));
    double col_px = grid_w / double(std::max<int64_t>(h.cols, 1));
    size_t rstep = thinning(rlabels.spacing * row_px, text_h + 4);
    for (size_t i = 0; i < rlabels.at.size(); i += rstep) {
        double cy = grid.y0 + (rlabels.at[i] + 0.5) * row_px;
        canvas::draw_text(img, grid.x0 - 8, cy - text_h / 2, rlabels.text[i], ls, canvas::kTickInk, Align::right);
    }
    size_t cstep = upright ? thinning(clabels.spacing * col_px, text_h + 4) : 1;
    for (size_t i = 0; i < clabels.at.size(); i += cstep) {
        double cx = grid.x0 + (clabels.at[i] + 0.5) * col_px;
        if (upright)
            canvas::draw_text_vertical(img, cx - text_h / 2, grid.y1 + 8, clabels.text[i], ls, canvas::kTickInk,
                                       Align::right);
        else
            canvas::draw_text(img, cx, grid.y1 + 8, clabels.text[i], ls, canvas::kTickInk, Align::centre);
    }

    // Colour bar: high values at the top, with the range's ends written beside it.
    Box bar{grid.x1 + 16, grid.y0, grid.x1 + 16 + kBarWidth, grid.y1};
    for (int y = int(bar.y0); y < int(bar.y1); y++)
        canvas::fill_box(img, {bar.x0, double(y), bar.x1, y + 1.0}, colormap(1 - (y - bar.y0 + 0.5) / grid_h));
    canvas::outline_box(img, int(bar.x0) - 1, int(bar.y0) - 1, int(bar.x1) + 1, int(bar.y1) + 1, canvas::kFrame);
    // A tick at each end; the value sits inside the bar's span (top-aligned at the top,
    // bottom-aligned at the bottom), so the tick never reads as a minus sign.
    canvas::fill_box(img, {bar.x1 + 1, bar.y0, bar.x1 + 6, bar.y0 + 1}, canvas::kFrame);
    canvas::fill_box(img, {bar.x1 + 1, bar.y1 - 1, bar.x1 + 6, bar.y1}, canvas::kFrame);
    canvas::draw_text(img, bar.x1 + 10, bar.y0 + 2, hi_text, ls, canvas::kTickInk);
    canvas::draw_text(img, bar.x1 + 10, std::max(bar.y0 + 2 + text_h + 4, bar.y1 - 2 - text_h), lo_text, ls,
                      canvas::kTickInk);
    double text_right = bar.x1 + 10 + std::max(canvas::text_width(lo_text, ls), canvas::text_width(hi_text, ls));
    // The side labels may run past the grid's ends: nothing else is in their column.
    double mid_y = (grid.y0 + grid.y1) / 2;
    double side_h = 2 * std::min(mid_y - top, height - kPad - mid_y);
    if (!h.colorbar_label.empty())
        canvas::draw_text_vertical(img, text_right + 10, mid_y,
                                   canvas::fit_text(h.colorbar_label, ls, side_h), ls, canvas::kInk);
    if (!h.title.empty()) canvas::draw_title(img, kPad, h.title);
    if (!h.x_label.empty())
        canvas::draw_text(img, (grid.x0 + grid.x1) / 2, grid.y1 + col_h + 10,
                          canvas::fit_text(h.x_label, ls, width - 2 * kPad), ls, canvas::kInk, Align::centre);
    if (!h.y_label.empty())
        canvas::draw_text_vertical(img, std::max(kPad, grid.x0 - 8 - (rlabels.widest > 0 ? rlabels.widest + 12 : 0) - text_h),
                                   mid_y, canvas::fit_text(h.y_label, ls, side_h), ls,
                                   canvas::kInk);
    return img;
}

}  // namespace gw
