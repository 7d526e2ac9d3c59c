// report/picture.cpp — colours, tick values, line charts, small multiples and PNG files.
// (Heatmaps are in picture_heatmap.cpp; pixels and text in picture_canvas.cpp.)
#include "report/picture.h"

#include <stb/stb_image_write.h>  // stbi_write_png (implementation lives in libstb.so)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/error.h"
#include "core/output_file.h"
#include "picture_canvas.h"

namespace gw {

using canvas::Align;
using canvas::Box;

// --- Colours ---

Rgb colormap(double t) {
    // Viridis sampled at t = 0, 1/4, 1/2, 3/4, 1 (as R's viridisLite::viridis(5) lists it),
    // joined by straight lines in RGB. Between anchors this stays close to viridis.
    const Rgb anchors[5] = {{0x44, 0x01, 0x54}, {0x3B, 0x52, 0x8B}, {0x21, 0x90, 0x8C},
                            {0x5D, 0xC8, 0x63}, {0xFD, 0xE7, 0x25}};
    if (!(t > 0)) t = 0;  // also NaN
    if (t > 1) t = 1;
    double pos = t * 4;
    int i = std::min(int(pos), 3);
    double f = pos - i;
    auto mix = [f](uint8_t a, uint8_t b) { return uint8_t(std::lround(a + (b - a) * f)); };
    return {mix(anchors[i].r, anchors[i + 1].r), mix(anchors[i].g, anchors[i + 1].g),
            mix(anchors[i].b, anchors[i + 1].b)};
}

Rgb series_colour(size_t i) {
    // Okabe & Ito's colour-blind-safe palette, ordered so the first lines differ most on
    // white paper; yellow, the faintest on white, comes last.
    const Rgb palette[8] = {{0, 114, 178},   {213, 94, 0},   {0, 158, 115},  {204, 121, 167},
                            {230, 159, 0},   {86, 180, 233}, {0, 0, 0},      {240, 228, 66}};
    return palette[i % 8];
}

// --- Tick values ---

double nice_step(double span, int target) {
    if (!(span > 0) || !std::isfinite(span) || target < 1) return 1;
    double raw = span / target;
    double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double n = raw / mag;  // in [1, 10)
    // Round to the nearest of 1, 2, 5, 10 on a log scale (cut points at their geometric means).
    double mult = n < std::sqrt(2.0) ? 1 : n < std::sqrt(10.0) ? 2 : n < std::sqrt(50.0) ? 5 : 10;
    return mult * mag;
}

std::vector<double> ticks_in(double lo, double hi, double step) {
    std::vector<double> out;
    if (!(step > 0) || !std::isfinite(lo) || !std::isfinite(hi) || hi < lo) return out;
    // The small slack keeps a tick that sits exactly on an end despite rounding.
    double k0 = std::ceil(lo / step - 1e-9), k1 = std::floor(hi / step + 1e-9);
    if (k1 - k0 > 1000) return out;  // a step far too small for the range: draw no ticks
    for (double k = k0; k <= k1; k++) out.push_back(k == 0 ? 0.0 : k * step);
    return out;
}

std::string format_tick(double value, double step) {
    if (!std::isfinite(value)) return std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf";
    if (step > 0 && std::fabs(value) < step * 1e-6) value = 0;  // no "-0" or 1e-17
    if (value == 0) return "0";
    double mag = std::fabs(value);
    double unit = step > 0 ? step : mag / 1000;  // with no step: about 3 significant digits
    char buf[64];
    if (mag >= 1e6 || unit < 1e-4) {
        // Scientific: enough mantissa digits to tell neighbouring ticks apart.
        int digits = int(std::floor(std::log10(mag)) - std::floor(std::log10(unit) + 1e-9));
        std::snprintf(buf, sizeof buf, "%.*e", std::clamp(digits, 0, 6), value);
        // Tidy C's exponent: "2.5e+06" -> "2.5e6", "1e-05" -> "1e-5".
        std::string s = buf;
        size_t e = s.find('e');
        std::string mant = s.substr(0, e), ex = s.substr(e + 1);
        bool neg = ex[0] == '-';
        ex = ex.substr(1);
        while (ex.size() > 1 && ex[0] == '0') ex.erase(0, 1);
        return mant + "e" + (neg ? "-" : "") + ex;
    }
    int decimals = std::clamp(int(std::ceil(-std::log10(unit) - 1e-9)), 0, 10);
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

// --- Line charts ---

namespace {

constexpr double kPad = 12;          // space around the edges
constexpr double kTick = 5;          // tick mark length, outside the plot area
constexpr double kLineWidth = 2.5;   // series lines
constexpr double kMarkerRadius = 4;  // filled circles
constexpr double kRowHeight = 22;    // legend rows

struct Axis {
    double lo = 0, hi = 1, step = 1;
    std::vector<double> ticks;
};

bool finite_point(const Series& s, size_t j) { return std::isfinite(s.x[j]) && std::isfinite(s.y[j]); }

// The range of x (or of y) over finite points, widened a little so that dots at the
// edges stay inside; a single value gets a range around it, no data gets [0, 1].
void data_range(const Chart& chart, bool want_x, double* lo, double* hi) {
    *lo = INFINITY, *hi = -INFINITY;
    for (const Series& s : chart.series)
        for (size_t j = 0; j < s.x.size(); j++)
            if (finite_point(s, j)) {
                double v = want_x ? s.x[j] : s.y[j];
                *lo = std::min(*lo, v), *hi = std::max(*hi, v);
            }
    if (*lo > *hi) *lo = 0, *hi = 1;
    double span = *hi - *lo;
    double margin = span > 0 ? span * 0.04 : (*lo != 0 ? std::fabs(*lo) * 0.1 : 1);
    *lo -= margin, *hi += margin;
}

// Widens one axis so that a unit covers as many pixels on x as on y.
void equalise(Axis* x, Axis* y, const Box& plot) {
    double per_px = std::max((x->hi - x->lo) / plot.width(), (y->hi - y->lo) / plot.height());
    double cx = (x->lo + x->hi) / 2, cy = (y->lo + y->hi) / 2;
    x->lo = cx - per_px * plot.width() / 2, x->hi = cx + per_px * plot.width() / 2;
    y->lo = cy - per_px * plot.height() / 2, y->hi = cy + per_px * plot.height() / 2;
}

double widest_label(const Axis& a, double scale) {
    double w = 0;
    for (double t : a.ticks) w = std::max(w, canvas::text_width(format_tick(t, a.step), scale));
    return w;
}

struct ChartLayout {
    Box plot;
    Axis x, y;
    double legend_width = 0;  // 0: no legend
    // Data to pixel coordinates (y grows downwards in pixels, upwards in data).
    double px(double x_value) const { return plot.x0 + (x_value - x.lo) / (x.hi - x.lo) * plot.width(); }
    double py(double y_value) const { return plot.y1 - (y_value - y.lo) / (y.hi - y.lo) * plot.height(); }
};

// Picks tick steps for the current ranges and plot size: about 5 ticks, fewer on x when
// their labels would touch. With equal_aspect both axes share one step (square grid).
void choose_ticks(ChartLayout* L, bool equal_aspect) {
    const double ls = canvas::kLabelScale;
    for (int target = 5; target >= 2; target--) {
        if (equal_aspect) {
            double per_px = (L->x.hi - L->x.lo) / L->plot.width();
            L->x.step = L->y.step = nice_step(per_px * std::max(L->plot.width(), L->plot.height()), target + 1);
        } else {
            L->x.step = nice_step(L->x.hi - L->x.lo, target);
            L->y.step = nice_step(L->y.hi - L->y.lo, 5);
        }
        L->x.ticks = ticks_in(L->x.lo, L->x.hi, L->x.step);
        L->y.ticks = ticks_in(L->y.lo, L->y.hi, L->y.step);
        double gap_px = L->x.step / (L->x.hi - L->x.lo) * L->plot.width();
        if (gap_px >= widest_label(L->x, ls) + 16) break;
    }
}

ChartLayout layout_chart(const Chart& chart, int width, int height) {
    const double ls = canvas::kLabelScale, text_h = canvas::text_height(ls);
    Axis data_x, data_y;
    data_range(chart, true, &data_x.lo, &data_x.hi);
    data_range(chart, false, &data_y.lo, &data_y.hi);
    ChartLayout L;
    if (chart.series.size() > 1) {
        double w = 0;
        for (const Series& s : chart.series) w = std::max(w, canvas::text_width(s.label, ls));
        L.legend_width = 10 + 26 + 8 + std::min(w, width * 0.25) + 10;
    }
    double title_h = canvas::text_height(canvas::kTitleScale) + 16;
    double top = std::round(kPad + (chart.title.empty() ? text_h / 2 : title_h));
    double bottom = kPad + kTick + 6 + text_h + (chart.x_label.empty() ? 0 : 12 + text_h);
    double right = kPad + (L.legend_width > 0 ? L.legend_width + kPad : 24);
    double y_label_w = chart.y_label.empty() ? 0 : text_h + 12;
    // The left margin depends on the y tick labels, which depend on the y range, which
    // (with equal_aspect) depends on the plot size: settle it in a few passes.
    double left = kPad + y_label_w + 40;
    for (int pass = 0; pass < 3; pass++) {
        L.plot = {left, top, std::max(left + 1, std::round(width - right)),
                  std::max(top + 1, std::round(height - bottom))};
        L.x = data_x, L.y = data_y;
        if (chart.equal_aspect) equalise(&L.x, &L.y, L.plot);
        choose_ticks(&L, chart.equal_aspect);
        left = std::round(kPad + y_label_w + widest_label(L.y, ls) + 6 + kTick);
    }
    return L;
}

// Light grid lines at the ticks, under the data.
void draw_grid(Image& img, const ChartLayout& L) {
    const Box& p = L.plot;
    for (double t : L.x.ticks) {
        double x = std::floor(L.px(t));
        canvas::fill_box(img, {x, p.y0, x + 1, p.y1}, canvas::kGrid);
    }
    for (double t : L.y.ticks) {
        double y = std::floor(L.py(t));
        canvas::fill_box(img, {p.x0, y, p.x1, y + 1}, canvas::kGrid);
    }
}

// The frame round the plot, tick marks with their values, and the axis labels.
void draw_axes(Image& img, const Chart& chart, const ChartLayout& L) {
    const double ls = canvas::kLabelScale, text_h = canvas::text_height(ls);
    const Box& p = L.plot;
    canvas::outline_box(img, int(p.x0) - 1, int(p.y0) - 1, int(p.x1) + 1, int(p.y1) + 1, canvas::kFrame);
    for (double t : L.x.ticks) {
        double x = std::floor(L.px(t));
        canvas::fill_box(img, {x, p.y1, x + 1, p.y1 + kTick}, canvas::kFrame);
        canvas::draw_text(img, x + 0.5, p.y1 + kTick + 6, format_tick(t, L.x.step), ls, canvas::kTickInk,
                          Align::centre);
    }
    for (double t : L.y.ticks) {
        double y = std::floor(L.py(t));
        canvas::fill_box(img, {p.x0 - kTick - 1, y, p.x0, y + 1}, canvas::kFrame);
        canvas::draw_text(img, p.x0 - kTick - 6, y + 0.5 - text_h / 2, format_tick(t, L.y.step), ls,
                          canvas::kTickInk, Align::right);
    }
    if (!chart.x_label.empty())
        canvas::draw_text(img, (p.x0 + p.x1) / 2, img.height - kPad - text_h,
                          canvas::fit_text(chart.x_label, ls, p.width()), ls, canvas::kInk, Align::centre);
    if (!chart.y_label.empty())
        canvas::draw_text_vertical(img, kPad, (p.y0 + p.y1) / 2,
                                   canvas::fit_text(chart.y_label, ls, p.height()), ls, canvas::kInk);
}

// The legend: a framed box to the right of the plot, one row per series (as many as fit).
void draw_legend(Image& img, const Chart& chart, const ChartLayout& L) {
    const double ls = canvas::kLabelScale, text_h = canvas::text_height(ls);
    double x0 = L.plot.x1 + kPad, y0 = L.plot.y0;
    size_t fit = size_t(std::max(1.0, (L.plot.height() - 12) / kRowHeight));
    size_t rows = std::min(chart.series.size(), fit);
    double box_h = rows * kRowHeight + 12;
    canvas::outline_box(img, int(x0), int(y0), int(x0 + L.legend_width), int(y0 + box_h), canvas::kFrame);
    Box clip{0, 0, double(img.width), double(img.height)};
    for (size_t i = 0; i < rows; i++) {
        double cy = y0 + 6 + kRowHeight * (i + 0.5);
        double tx = x0 + 10 + 26 + 8, max_w = L.legend_width - (tx - x0) - 10;
        if (i + 1 == rows && rows < chart.series.size()) {  // no room for the rest
            std::string more = cat("(", chart.series.size() - i, " more)");
            canvas::draw_text(img, tx, cy - text_h / 2, canvas::fit_text(more, ls, max_w), ls, canvas::kTickInk);
            break;
        }
        const Series& s = chart.series[i];
        Rgb c = series_colour(i);
        // The sample looks like the series: a line, a dot, or both (as render_chart draws them).
        if (s.line) canvas::draw_line(img, x0 + 10, cy, x0 + 36, cy, kLineWidth, c, clip);
        if (s.markers || !s.line) canvas::fill_circle(img, x0 + 23, cy, kMarkerRadius, c, clip);
        canvas::draw_text(img, tx, cy - text_h / 2, canvas::fit_text(s.label, ls, max_w), ls, canvas::kInk);
    }
}

bool overlaps(const Box& a, const Box& b) {
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

// Where point labels go; render_chart draws their leader lines under the data and their text
// over it. Each label goes beside its point, at the first of eight spots round it (right,
// left, above, below, then the four corners; then the same two steps further out, joined to
// the point by a thin leader line) that stays inside the plot, keeps 3 pixels from every
// label already placed, and covers no point's marker. A label with no such spot is left
// out: text on text, or text over the dots it names, is unreadable, and in a crowd of
// points a few clear labels say more than many tangled ones.
struct PlacedLabels {
    struct Label {
        double x, y;  // top left of the text
        std::string text;
    };
    std::vector<Label> labels;
    std::vector<Box> leaders;  // (x0, y0) the point, (x1, y1) the label's nearest edge
};

PlacedLabels place_point_labels(const Chart& chart, const ChartLayout& L) {
    const double ls = canvas::kLabelScale, text_h = canvas::text_height(ls), clear = 3;
    const Box& p = L.plot;
    std::vector<Box> taken;  // placed labels (grown by the gap) and every marker's square
    for (const Series& s : chart.series) {
        if (!(s.markers || !s.line)) continue;
        for (size_t j = 0; j < s.x.size(); j++)
            if (finite_point(s, j)) {
                const double x = L.px(s.x[j]), y = L.py(s.y[j]), r = kMarkerRadius + 1;
                taken.push_back({x - r, y - r, x + r, y + r});
            }
    }
    PlacedLabels out;
    for (const Series& s : chart.series)
        for (size_t j = 0; j < s.point_labels.size(); j++) {
            if (!finite_point(s, j) || s.point_labels[j].empty()) continue;
            std::string text = canvas::fit_text(s.point_labels[j], ls, p.width() / 3);
            const double w = canvas::text_width(text, ls), x = L.px(s.x[j]), y = L.py(s.y[j]);
            for (double gap : {kMarkerRadius + 3, kMarkerRadius + 12, kMarkerRadius + 24}) {
                const double spots[8][2] = {
                    {x + gap, y - text_h / 2}, {x - gap - w, y - text_h / 2},   // right, left
                    {x - w / 2, y - gap - text_h}, {x - w / 2, y + gap},        // above, below
                    {x + gap, y - gap - text_h}, {x - gap - w, y - gap - text_h},
                    {x + gap, y + gap}, {x - gap - w, y + gap}};
                bool placed = false;
                for (const auto& spot : spots) {
                    Box b{spot[0] - 1, spot[1] - 1, spot[0] + w + 1, spot[1] + text_h + 1};
                    if (b.x0 < p.x0 || b.x1 > p.x1 || b.y0 < p.y0 || b.y1 > p.y1) continue;
                    if (std::any_of(taken.begin(), taken.end(), [&](const Box& o) { return overlaps(b, o); }))
                        continue;
                    if (gap > kMarkerRadius + 3)  // a label set apart: a thin leader to its point
                        out.leaders.push_back({x, y, std::clamp(x, b.x0, b.x1), std::clamp(y, b.y0, b.y1)});
                    out.labels.push_back({spot[0], spot[1], text});
                    taken.push_back({b.x0 - clear, b.y0 - clear, b.x1 + clear, b.y1 + clear});
                    placed = true;
                    break;
                }
                if (placed) break;
            }
        }
    return out;
}

}  // namespace

Image render_chart(const Chart& chart, int width, int height) {
    for (const Series& s : chart.series) {
        if (s.x.size() != s.y.size())
            fail("render_chart: series '", s.label, "' has ", s.x.size(), " x values but ",
                 s.y.size(), " y values");
        if (!s.point_labels.empty() && s.point_labels.size() != s.x.size())
            fail("render_chart: series '", s.label, "' has ", s.x.size(), " points but ",
                 s.point_labels.size(), " point labels");
    }
    Image img = canvas::blank(width, height);
    ChartLayout L = layout_chart(chart, width, height);
    draw_grid(img, L);
    // Point labels are placed first, so that their leader lines go under the data and the
    // text over it.
    const PlacedLabels placed = place_point_labels(chart, L);
    for (const Box& l : placed.leaders) canvas::draw_line(img, l.x0, l.y0, l.x1, l.y1, 1, canvas::kTickInk, L.plot);
    for (size_t i = 0; i < chart.series.size(); i++) {
        const Series& s = chart.series[i];
        Rgb c = series_colour(i);
        size_t n = s.x.size();
        for (size_t j = 0; j < n; j++) {
            if (!finite_point(s, j)) continue;  // NaN or infinite: a gap
            bool prev = j > 0 && finite_point(s, j - 1), next = j + 1 < n && finite_point(s, j + 1);
            if (s.line && prev)
                canvas::draw_line(img, L.px(s.x[j - 1]), L.py(s.y[j - 1]), L.px(s.x[j]), L.py(s.y[j]),
                                  kLineWidth, c, L.plot);
            // A point with no neighbour would be invisible as a line: draw it as a dot.
            if (s.markers || !s.line || (!prev && !next))
                canvas::fill_circle(img, L.px(s.x[j]), L.py(s.y[j]), kMarkerRadius, c, L.plot);
        }
    }
    for (const PlacedLabels::Label& l : placed.labels)
        canvas::draw_text_halo(img, l.x, l.y, l.text, canvas::kLabelScale, canvas::kTickInk);
    draw_axes(img, chart, L);
    if (L.legend_width > 0) draw_legend(img, chart, L);
    if (!chart.title.empty()) canvas::draw_title(img, kPad, chart.title);
    return img;
}

// --- Small multiples ---

Image compose_grid(const std::vector<Image>& panels, int columns, const std::string& title) {
    const double gap = 16;
    int cell_w = 1, cell_h = 1;
    for (size_t i = 0; i < panels.size(); i++) {
        const Image& q = panels[i];
        if (q.width < 0 || q.height < 0 || q.rgb.size() != size_t(q.width) * size_t(q.height) * 3)
            fail("compose_grid: panel ", i, " is ", q.width, "x", q.height, " but holds ",
                 q.rgb.size(), " bytes");
        cell_w = std::max(cell_w, q.width), cell_h = std::max(cell_h, q.height);
    }
    int cols = std::clamp(columns, 1, std::max(1, int(panels.size())));
    int rows = std::max(1, int((panels.size() + size_t(cols) - 1) / size_t(cols)));
    double top = kPad + (title.empty() ? 0 : canvas::text_height(canvas::kTitleScale) + 16);
    int width = int(2 * kPad + cols * cell_w + (cols - 1) * gap);
    int height = int(top + rows * cell_h + (rows - 1) * gap + kPad);
    if (panels.empty()) width = std::max(width, 400);
    Image img = canvas::blank(width, height);
    for (size_t i = 0; i < panels.size(); i++) {
        const Image& q = panels[i];
        int r = int(i) / cols, c = int(i) % cols;
        // Smaller panels sit in the middle of their cell.
        int x0 = int(kPad + c * (cell_w + gap)) + (cell_w - q.width) / 2;
        int y0 = int(top + r * (cell_h + gap)) + (cell_h - q.height) / 2;
        for (int y = 0; y < q.height; y++)
            std::memcpy(&img.rgb[(size_t(y0 + y) * size_t(width) + size_t(x0)) * 3],
                        &q.rgb[size_t(y) * size_t(q.width) * 3], size_t(q.width) * 3);
        if (q.width > 0 && q.height > 0)
            canvas::outline_box(img, x0 - 1, y0 - 1, x0 + q.width + 1, y0 + q.height + 1, canvas::kPanelEdge);
    }
    if (!title.empty()) canvas::draw_title(img, kPad, title);
    return img;
}

// --- Files ---

void write_png(const std::string& path, const Image& image) {
    if (image.width < 1 || image.height < 1 ||
        image.rgb.size() != size_t(image.width) * size_t(image.height) * 3)
        fail(path, ": cannot write PNG: image is ", image.width, "x", image.height, " but holds ",
             image.rgb.size(), " bytes");
    // stb encodes into memory (it reports no write errors of its own); OutputFile writes it.
    std::string png;
    auto append = [](void* out, void* data, int n) { static_cast<std::string*>(out)->append(static_cast<char*>(data), size_t(n)); };
    if (!stbi_write_png_to_func(append, &png, image.width, image.height, 3, image.rgb.data(), image.width * 3))
        fail("'", path, "': cannot encode the PNG");
    write_output_file(path, png);
}

}  // namespace gw
