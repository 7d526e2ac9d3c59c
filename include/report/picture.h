// report/picture.h — PNG pictures of walk records: line charts, 2-D paths, heatmaps.
//
// Walk code computes records; this module only draws them. Text is drawn with
// stb_easy_font (scaled so labels are readable at 100% zoom) and files are written
// with stb_image_write. Every chart has a title, labelled axes with tick values,
// and a legend when it shows more than one series.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gw {

// An RGB image, row-major, 3 bytes per pixel.
struct Image {
    int width = 0, height = 0;
    std::vector<uint8_t> rgb;  // (height, width, 3)
};

struct Series {
    std::string label;                // legend text
    std::vector<double> x, y;         // same length; NaN y leaves a gap
    bool line = true;                 // connect the points
    bool markers = false;             // draw a dot at each point (always, when line is false)
    // Optional text beside each point (empty: none), e.g. the token chosen at each step.
    // Any UTF-8 is accepted; characters outside ASCII are drawn as '?'. A label with no
    // free spot beside its point (it would overlap an earlier label or cover any point's
    // marker) is left out.
    std::vector<std::string> point_labels;
};

struct Chart {
    std::string title, x_label, y_label;
    std::vector<Series> series;       // colours assigned in order from a fixed palette
    bool equal_aspect = false;        // same scale on both axes (for PCA projections)
};

struct Heatmap {
    std::string title, x_label, y_label;
    int64_t rows = 0, cols = 0;
    std::vector<float> values;        // (rows, cols); NaN cells drawn grey (e.g. masked)
    std::vector<std::string> row_labels, col_labels;  // optional, drawn when they fit
    float vmin = 0, vmax = 0;         // colour range; vmin == vmax: use the data's range
    std::string colorbar_label;
};

// Each draws a width x height picture (1 to 16384 pixels a side). Any data renders,
// empty or constant included; inconsistent input throws gw::Error: a series whose x, y
// and point_labels differ in length, or values and labels that don't match rows x cols.
Image render_chart(const Chart& chart, int width, int height);
Image render_heatmap(const Heatmap& heatmap, int width, int height);
// Small multiples: images laid out `columns` to a row under one title; smaller panels
// are centred in cells the size of the largest.
Image compose_grid(const std::vector<Image>& panels, int columns, const std::string& title);
// Writes a PNG; throws gw::Error naming the path on failure.
void write_png(const std::string& path, const Image& image);

// --- Pieces the renderers use, public so tests and lessons can check them ---

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
};

// The heatmap colormap: viridis-like (dark purple -> blue -> teal -> green -> yellow),
// t clamped to [0, 1]. Lightness rises steadily, so it reads in greyscale and for
// colour-blind readers.
Rgb colormap(double t);
// The line colour of series i (Okabe-Ito palette, repeating after 8).
Rgb series_colour(size_t i);

// A "nice" tick spacing: 1, 2 or 5 times a power of ten, near span / target.
double nice_step(double span, int target);
// Every multiple of step in [lo, hi], ascending.
std::vector<double> ticks_in(double lo, double hi, double step);
// A tick value written with as many decimals as the step needs ("0.25" never "0.250000").
std::string format_tick(double value, double step);

}  // namespace gw
