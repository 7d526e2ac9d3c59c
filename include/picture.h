// picture.h — PNG pictures of walk records: line charts, 2-D paths, heatmaps.
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
    bool markers = false;             // draw a dot at each point
    std::vector<std::string> point_labels;  // optional text beside each point (empty: none)
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

Image render_chart(const Chart& chart, int width, int height);
Image render_heatmap(const Heatmap& heatmap, int width, int height);
// Small multiples: images laid out `columns` to a row under one title.
Image compose_grid(const std::vector<Image>& panels, int columns, const std::string& title);
// Writes a PNG; throws gw::Error naming the path on failure.
void write_png(const std::string& path, const Image& image);

}  // namespace gw
