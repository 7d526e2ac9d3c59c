// test_picture.cpp — charts, heatmaps, grids and PNG files, checked on the pixels read
// back from the written PNG: sizes, background, series and colormap colours, NaN gaps,
// equal aspect, degenerate inputs, and the errors callers get.
#include <doctest/doctest.h>
#include <stb/stb_image.h>  // stbi_load (implementation lives in libstb.so)

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "report/picture.h"
#include "testing.h"

using namespace gw;

namespace {

bool same(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

Rgb pixel(const Image& img, int x, int y) {
    const uint8_t* p = &img.rgb[(size_t(y) * size_t(img.width) + size_t(x)) * 3];
    return {p[0], p[1], p[2]};
}

// Writes the image as a PNG in `dir`, reads it back with stb_image and checks that the
// file holds what was written: same size, 3 channels, same bytes.
Image round_trip(const Image& img, const testing::TempDir& dir, const std::string& name) {
    std::string path = dir.file(name);
    write_png(path, img);
    int w = 0, h = 0, channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &w, &h, &channels, 0);
    REQUIRE_MESSAGE(data != nullptr, path << ": stbi_load failed");
    Image back;
    back.width = w, back.height = h;
    back.rgb.assign(data, data + size_t(w) * size_t(h) * size_t(channels));
    stbi_image_free(data);
    CHECK(w == img.width);
    CHECK(h == img.height);
    CHECK(channels == 3);
    CHECK(back.rgb == img.rgb);
    return back;
}

// Where pixels of one exact colour lie: how many, their bounding box and median position.
struct Blob {
    size_t count = 0;
    int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
    double mid_x = -1, mid_y = -1;
};

Blob find(const Image& img, Rgb c) {
    Blob b;
    std::vector<int> xs, ys;
    for (int y = 0; y < img.height; y++)
        for (int x = 0; x < img.width; x++)
            if (same(pixel(img, x, y), c)) {
                xs.push_back(x), ys.push_back(y);
                b.x0 = std::min(b.x0, x), b.x1 = std::max(b.x1, x);
                b.y0 = std::min(b.y0, y), b.y1 = std::max(b.y1, y);
            }
    b.count = xs.size();
    if (b.count) {
        std::nth_element(xs.begin(), xs.begin() + xs.size() / 2, xs.end());
        std::nth_element(ys.begin(), ys.begin() + ys.size() / 2, ys.end());
        b.mid_x = xs[xs.size() / 2], b.mid_y = ys[ys.size() / 2];
    }
    return b;
}

// Text and titles are drawn in near-black; nothing else in a chart is that dark unless
// a series is black (the 7th colour).
size_t dark_pixels(const Image& img) {
    size_t n = 0;
    for (size_t i = 0; i < img.rgb.size(); i += 3)
        n += img.rgb[i] < 50 && img.rgb[i + 1] < 50 && img.rgb[i + 2] < 50;
    return n;
}

Series line(std::vector<double> x, std::vector<double> y, const std::string& label = "s") {
    Series s;
    s.label = label;
    s.x = std::move(x), s.y = std::move(y);
    return s;
}

}  // namespace

// --- Pieces ---

TEST_CASE("nice_step rounds span/target to 1, 2 or 5 times a power of ten") {
    CHECK(nice_step(1, 5) == doctest::Approx(0.2));      // 0.2 is already nice
    CHECK(nice_step(100, 5) == doctest::Approx(20));
    CHECK(nice_step(8, 5) == doctest::Approx(2));        // 1.6 -> 2
    CHECK(nice_step(7, 5) == doctest::Approx(1));        // 1.4 < sqrt(2) -> 1
    CHECK(nice_step(0.003, 5) == doctest::Approx(5e-4)); // 6e-4 -> 5e-4
    CHECK(nice_step(40, 5) == doctest::Approx(10));      // 8 > sqrt(50) -> 10
    CHECK(nice_step(0, 5) == 1);                         // degenerate spans: a harmless 1
    CHECK(nice_step(NAN, 5) == 1);
    CHECK(nice_step(-3, 5) == 1);
}

TEST_CASE("ticks_in lists the multiples of the step inside the range") {
    std::vector<double> t = ticks_in(-0.05, 1.05, 0.2);
    REQUIRE(t.size() == 6);
    for (size_t i = 0; i < t.size(); i++) CHECK(t[i] == doctest::Approx(0.2 * double(i)));
    CHECK_FALSE(std::signbit(t[0]));  // +0, never -0 (which would print as "-0")
    t = ticks_in(-1.3, 1.3, 0.5);
    REQUIRE(t.size() == 5);
    CHECK(t.front() == doctest::Approx(-1.0));
    CHECK(t.back() == doctest::Approx(1.0));
    CHECK(ticks_in(0, 1, 1).size() == 2);  // ends included
    CHECK(ticks_in(1, 0, 1).empty());
    CHECK(ticks_in(0, 1, 0).empty());
    CHECK(ticks_in(0, 1, NAN).empty());
    CHECK(ticks_in(0, 1e9, 1).empty());  // absurdly many: none rather than a billion
}

TEST_CASE("format_tick writes the decimals the step needs") {
    CHECK(format_tick(0.2, 0.2) == "0.2");
    CHECK(format_tick(1, 0.2) == "1.0");
    CHECK(format_tick(0.05, 0.05) == "0.05");
    CHECK(format_tick(20, 20) == "20");
    CHECK(format_tick(-40, 20) == "-40");
    CHECK(format_tick(-0.0, 1) == "0");
    CHECK(format_tick(3e-17, 0.1) == "0");  // rounding noise of k * step
    CHECK(format_tick(2.5e6, 5e5) == "2.5e6");
    CHECK(format_tick(3e-5, 1e-5) == "3e-5");
    CHECK(format_tick(1.5e-5, 5e-6) == "1.5e-5");
    CHECK(format_tick(NAN, 1) == "nan");
}

TEST_CASE("colormap: viridis anchors, clamping, rising lightness") {
    CHECK(same(colormap(0), {0x44, 0x01, 0x54}));
    CHECK(same(colormap(0.5), {0x21, 0x90, 0x8C}));
    CHECK(same(colormap(1), {0xFD, 0xE7, 0x25}));
    // Halfway between the first two anchors, worked by hand: (68+59)/2, (1+82)/2, (84+139)/2
    // rounded half away from zero.
    CHECK(same(colormap(0.125), {64, 42, 112}));
    CHECK(same(colormap(-3), colormap(0)));
    CHECK(same(colormap(7), colormap(1)));
    CHECK(same(colormap(NAN), colormap(0)));
    double prev = -1;
    for (int i = 0; i <= 20; i++) {
        Rgb c = colormap(i / 20.0);
        double luma = 0.299 * c.r + 0.587 * c.g + 0.114 * c.b;
        CHECK(luma > prev);
        prev = luma;
    }
}

TEST_CASE("series colours: 8 distinct, then repeating") {
    for (size_t i = 0; i < 8; i++)
        for (size_t j = i + 1; j < 8; j++) CHECK_FALSE(same(series_colour(i), series_colour(j)));
    CHECK(same(series_colour(8), series_colour(0)));
    CHECK(same(series_colour(0), {0, 114, 178}));  // Okabe-Ito blue
}

// --- Charts ---

TEST_CASE("render_chart: size, white background, the series colour in the plot") {
    testing::TempDir dir;
    Chart chart;
    chart.title = "y = x";
    chart.x_label = "x";
    chart.y_label = "y";
    chart.series.push_back(line({0, 1, 2, 3}, {0, 1, 2, 3}));
    Image img = round_trip(render_chart(chart, 640, 480), dir, "chart.png");
    CHECK(same(pixel(img, 0, 0), {255, 255, 255}));
    CHECK(same(pixel(img, 639, 479), {255, 255, 255}));
    Blob blue = find(img, series_colour(0));
    CHECK(blue.count > 500);  // a line 2.5 px wide across most of the plot
    CHECK(find(img, series_colour(1)).count == 0);
    // y = x rises to the right: the line's bounding box spans most of the picture.
    CHECK(blue.x1 - blue.x0 > 400);
    CHECK(blue.y1 - blue.y0 > 250);
    CHECK(dark_pixels(img) > 0);  // title and labels
}

TEST_CASE("render_chart: NaN leaves a gap in the line") {
    testing::TempDir dir;
    // Columns holding the series colour: one run without NaN, two runs with it.
    auto runs = [](const Image& img) {
        int n = 0;
        bool prev = false;
        for (int x = 0; x < img.width; x++) {
            bool any = false;
            for (int y = 0; y < img.height && !any; y++) any = same(pixel(img, x, y), series_colour(0));
            n += any && !prev;
            prev = any;
        }
        return n;
    };
    Chart whole, gap;
    whole.series.push_back(line({0, 1, 2, 3, 4}, {0, 0, 0, 0, 0}));
    gap.series.push_back(line({0, 1, 2, 3, 4}, {0, 0, NAN, 0, 0}));
    CHECK(runs(round_trip(render_chart(whole, 500, 300), dir, "whole.png")) == 1);
    CHECK(runs(round_trip(render_chart(gap, 500, 300), dir, "gap.png")) == 2);
}

TEST_CASE("render_chart: a legend only for several series") {
    testing::TempDir dir;
    Chart one, two;  // no title or axis labels: the legend's text is the only dark ink
    one.series.push_back(line({0, 1}, {0, 1}, "first"));
    two = one;
    two.series.push_back(line({0, 1}, {1, 0}, "second"));
    CHECK(dark_pixels(round_trip(render_chart(one, 600, 400), dir, "one.png")) == 0);
    Image img = round_trip(render_chart(two, 600, 400), dir, "two.png");
    CHECK(dark_pixels(img) > 50);
    CHECK(find(img, series_colour(1)).count > 100);
}

TEST_CASE("render_chart: markers, lone points and point labels") {
    testing::TempDir dir;
    Chart chart;
    Series s = line({0, 1, 2}, {0, 1, 0});
    s.line = false;
    s.markers = true;
    chart.series.push_back(s);
    Image dots = round_trip(render_chart(chart, 400, 300), dir, "dots.png");
    // Three filled circles of radius 4: each about pi * 4^2 = 50 pixels fully covered.
    CHECK(find(dots, series_colour(0)).count > 3 * 30);

    Chart lone;
    lone.series.push_back(line({5}, {5}));  // a line through one point: drawn as a dot
    CHECK(find(round_trip(render_chart(lone, 400, 300), dir, "lone.png"), series_colour(0)).count > 20);

    chart.series[0].point_labels = {"The", " quick", " fox"};
    Image labelled = round_trip(render_chart(chart, 400, 300), dir, "labelled.png");
    CHECK(labelled.rgb != dots.rgb);
    // The labels are grey text: more pixels differ from white.
    auto non_white = [](const Image& img) {
        size_t n = 0;
        for (size_t i = 0; i < img.rgb.size(); i += 3) n += img.rgb[i] != 255 || img.rgb[i + 1] != 255;
        return n;
    };
    CHECK(non_white(labelled) > non_white(dots) + 100);
}

TEST_CASE("render_chart: point labels leave every marker visible, and '|' is not 'l'") {
    // A crowd: 40 labelled points on a small spiral, so most spots near a point hold another
    // point. A label over a marker would paint its centre with the label's white halo or grey.
    Series s;
    s.line = false;
    s.markers = true;
    for (int i = 0; i < 40; i++) {
        s.x.push_back(std::cos(i * 0.7) * (1 + 0.05 * i));
        s.y.push_back(std::sin(i * 0.7) * (1 + 0.05 * i));
        s.point_labels.push_back("p" + std::to_string(i));
    }
    Chart chart;
    chart.series.push_back(s);
    chart.equal_aspect = true;
    const Image img = render_chart(chart, 500, 400);
    // The plot maps x and y linearly: find each marker's centre from the blob of its colour
    // nearest the expected place, by checking that the series colour survives at many centres.
    const Blob dots = find(img, series_colour(0));
    CHECK(dots.count > 40 * 20);  // every marker keeps most of its ~50 fully covered pixels
    Chart unlabelled = chart;
    unlabelled.series[0].point_labels.clear();
    CHECK(find(render_chart(unlabelled, 500, 400), series_colour(0)).count == dots.count);

    // stb_easy_font draws '|' as it draws 'l'; ours reaches above and below it.
    Chart bar, ell;
    bar.title = "|";
    ell.title = "l";
    const Image b = render_chart(bar, 200, 120), l = render_chart(ell, 200, 120);
    const Blob bar_ink = find(b, Rgb{34, 34, 34}), ell_ink = find(l, Rgb{34, 34, 34});
    REQUIRE(bar_ink.count > 0);
    CHECK(bar_ink.y0 < ell_ink.y0);
    CHECK(bar_ink.y1 > ell_ink.y1);
}

TEST_CASE("render_chart: equal_aspect draws a circle round, not stretched") {
    testing::TempDir dir;
    Series circle;
    for (int i = 0; i <= 100; i++) {
        circle.x.push_back(std::cos(i * 2 * M_PI / 100));
        circle.y.push_back(std::sin(i * 2 * M_PI / 100));
    }
    Chart chart;
    chart.series.push_back(circle);
    Blob stretched = find(round_trip(render_chart(chart, 900, 450), dir, "stretched.png"), series_colour(0));
    chart.equal_aspect = true;
    Blob round = find(round_trip(render_chart(chart, 900, 450), dir, "round.png"), series_colour(0));
    int w = round.x1 - round.x0, h = round.y1 - round.y0;
    CHECK(std::abs(w - h) <= 3);
    CHECK(stretched.x1 - stretched.x0 > 2 * (stretched.y1 - stretched.y0));
}

TEST_CASE("render_chart: non-ASCII text is drawn as '?'") {
    // Each UTF-8 character (or stray byte) becomes one '?', so the pictures match.
    Chart a, b;
    a.title = "caf\xc3\xa9 \xe2\x80\x9c\x7f\x01\xff";
    b.title = "caf? ????";
    CHECK(render_chart(a, 300, 200).rgb == render_chart(b, 300, 200).rgb);
}

TEST_CASE("render_chart: degenerate data renders without trouble") {
    std::vector<Chart> charts(9);  // [0]: no series at all
    charts[1].series.push_back(Series{});                                   // empty series
    charts[2].series.push_back(line({3}, {7}));                             // one point
    charts[3].series.push_back(line({1, 2, 3}, {4, 4, 4}));                 // flat
    charts[4].series.push_back(line({2, 2, 2}, {0, 0, 0}));                 // all one point
    charts[5].series.push_back(line({0, 1, 2}, {NAN, NAN, NAN}));           // no finite y
    charts[6].series.push_back(line({0, 1, 2}, {INFINITY, 1, -INFINITY}));  // infinities
    charts[7].series.push_back(line({0, 1}, {1e300, -1e300}));              // huge range
    charts[8].series.push_back(line({0, 1}, {1, 1 + 1e-12}));               // tiny range
    charts.push_back(charts[7]);
    charts.back().series[0].y = {1.7e308, -1.7e308};                        // span overflows
    for (size_t i = 0; i < charts.size(); i++)
        for (auto [w, h] : {std::pair{640, 480}, std::pair{1, 1}, std::pair{30, 20}}) {
            CAPTURE(i);
            charts[i].equal_aspect = i % 2 == 1;
            Image img = render_chart(charts[i], w, h);
            CHECK(img.width == w);
            CHECK(img.height == h);
            CHECK(img.rgb.size() == size_t(w) * size_t(h) * 3);
        }
}

TEST_CASE("render_chart: inconsistent input is refused") {
    Chart chart;
    chart.series.push_back(line({0, 1, 2}, {0, 1}, "short"));
    CHECK_THROWS_WITH_AS(render_chart(chart, 100, 100), doctest::Contains("'short'"), gw::Error);
    chart.series[0] = line({0, 1}, {0, 1});
    chart.series[0].point_labels = {"only one"};
    CHECK_THROWS_AS(render_chart(chart, 100, 100), gw::Error);
    CHECK_THROWS_AS(render_chart(Chart{}, 0, 100), gw::Error);
    CHECK_THROWS_AS(render_chart(Chart{}, 100, -5), gw::Error);
}

// --- Heatmaps ---

TEST_CASE("render_heatmap: each cell has the colormap's colour for its value") {
    testing::TempDir dir;
    Heatmap h;
    h.title = "cells";
    h.x_label = "column";
    h.y_label = "row";
    h.colorbar_label = "value";
    h.rows = 2, h.cols = 3;
    h.values = {0, 1, 2, 3, 4, 5};  // vmin == vmax: the data's range, 0..5
    Image img = round_trip(render_heatmap(h, 600, 400), dir, "heatmap.png");
    CHECK(same(pixel(img, 0, 0), {255, 255, 255}));
    // Find each cell by its colour (the colour bar holds a row or two of each colour too,
    // so use the median pixel, which lies in the much larger cell).
    Blob cell[2][3];
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 3; c++) {
            cell[r][c] = find(img, colormap((r * 3 + c) / 5.0));
            CAPTURE(r);
            CAPTURE(c);
            CHECK(cell[r][c].count > 2000);  // a cell is about 150 x 150 pixels
        }
    for (int c = 0; c < 3; c++) {
        CHECK(cell[0][c].mid_y < cell[1][c].mid_y);          // row 0 above row 1
        CHECK(std::abs(cell[0][c].mid_x - cell[1][c].mid_x) <= 2);
    }
    for (int r = 0; r < 2; r++) {
        CHECK(cell[r][0].mid_x < cell[r][1].mid_x);          // columns left to right
        CHECK(cell[r][1].mid_x < cell[r][2].mid_x);
        CHECK(std::abs(cell[r][0].mid_y - cell[r][2].mid_y) <= 2);
    }
}

TEST_CASE("render_heatmap: NaN cells are grey, vmin/vmax clamp, equal values") {
    testing::TempDir dir;
    Heatmap h;
    h.rows = 2, h.cols = 2;
    h.values = {0, NAN, 10, -10};
    h.vmin = 0, h.vmax = 1;  // 10 is drawn as 1, -10 as 0
    h.row_labels = {"a", "b"};
    h.col_labels = {"c", "d"};
    Image img = round_trip(render_heatmap(h, 500, 400), dir, "nan.png");
    Rgb grey{190, 190, 190};
    CHECK(find(img, grey).count > 2000);
    Blob top = find(img, colormap(1));
    CHECK(top.count > 2000);
    Blob bottom = find(img, colormap(0));
    CHECK(bottom.count > 2 * 2000);  // the cells holding 0 and -10
    h.values = {0, 0.5f, 10, -10};
    CHECK(find(render_heatmap(h, 500, 400), grey).count < 50);

    Heatmap flat;
    flat.rows = 3, flat.cols = 4;
    flat.values.assign(12, 2.5f);  // one value: drawn in the middle colour
    CHECK(find(round_trip(render_heatmap(flat, 500, 400), dir, "flat.png"), colormap(0.5)).count > 5000);
}

TEST_CASE("render_heatmap: degenerate shapes and long labels render") {
    struct Shape2 {
        int64_t rows, cols;
    };
    for (Shape2 s : {Shape2{0, 0}, Shape2{1, 1}, Shape2{1, 1000}, Shape2{1000, 1}, Shape2{300, 300}}) {
        Heatmap h;
        h.rows = s.rows, h.cols = s.cols;
        h.values = testing::random_floats(size_t(s.rows * s.cols), 7);
        for (int64_t i = 0; i < s.rows; i++) h.row_labels.push_back(" token \xe2\x80\x94 number " + std::to_string(i));
        for (int64_t i = 0; i < s.cols; i++) h.col_labels.push_back(std::to_string(i));
        h.title = "a very long title that will not fit in a small picture at all, not at all";
        for (std::pair<int, int> size : {std::pair{800, 600}, std::pair{1, 1}, std::pair{40, 30}}) {
            int w = size.first, hh = size.second;
            CAPTURE(s.rows);
            CAPTURE(w);
            Image img = render_heatmap(h, w, hh);
            CHECK(img.width == w);
            CHECK(img.rgb.size() == size_t(w) * size_t(hh) * 3);
        }
    }
}

TEST_CASE("render_heatmap: inconsistent input is refused") {
    Heatmap h;
    h.title = "attn";
    h.rows = 2, h.cols = 2;
    h.values = {1, 2, 3};
    CHECK_THROWS_WITH_AS(render_heatmap(h, 100, 100), doctest::Contains("'attn'"), gw::Error);
    h.values = {1, 2, 3, 4};
    h.row_labels = {"one"};
    CHECK_THROWS_AS(render_heatmap(h, 100, 100), gw::Error);
    h.row_labels = {};
    h.col_labels = {"a", "b", "c"};
    CHECK_THROWS_AS(render_heatmap(h, 100, 100), gw::Error);
    h.col_labels = {};
    h.rows = -2, h.cols = -2;
    CHECK_THROWS_AS(render_heatmap(h, 100, 100), gw::Error);
}

// --- Grids and files ---

TEST_CASE("compose_grid: every panel copied whole, in reading order") {
    testing::TempDir dir;
    auto solid = [](int w, int h, Rgb c) {
        Image img;
        img.width = w, img.height = h;
        for (int i = 0; i < w * h; i++) img.rgb.insert(img.rgb.end(), {c.r, c.g, c.b});
        return img;
    };
    Rgb red{200, 0, 0}, green{0, 200, 0}, blue{0, 0, 200};
    Image grid = round_trip(compose_grid({solid(100, 50, red), solid(60, 80, green), solid(30, 30, blue)}, 2,
                                         "three panels"),
                            dir, "grid.png");
    CHECK(grid.width >= 160);
    CHECK(grid.height >= 160);  // two rows of the tallest panel (80)
    Blob r = find(grid, red), g = find(grid, green), b = find(grid, blue);
    CHECK(r.count == 100 * 50);
    CHECK(g.count == 60 * 80);
    CHECK(b.count == 30 * 30);
    CHECK(r.x1 < g.x0);                          // first row: red, then green
    CHECK(std::abs(r.mid_y - g.mid_y) <= 1);     // both centred in the row
    CHECK(b.y0 > std::max(r.y1, g.y1));          // blue starts the second row
    CHECK(dark_pixels(grid) > 0);                // the title
    CHECK(same(pixel(grid, 0, 0), {255, 255, 255}));

    // One column; more columns than panels; nothing at all.
    CHECK(compose_grid({solid(10, 10, red), solid(10, 10, red)}, 0, "").height >= 20);
    CHECK(compose_grid({solid(10, 10, red)}, 5, "").width < 50);
    Image empty = compose_grid({}, 3, "nothing yet");
    CHECK(empty.width > 0);
    CHECK(empty.height > 0);
    Image broken = solid(10, 10, red);
    broken.rgb.pop_back();
    CHECK_THROWS_AS(compose_grid({broken}, 1, ""), gw::Error);
}

TEST_CASE("write_png: exact round trip, and errors that name the path") {
    testing::TempDir dir;
    Image img;
    img.width = 7, img.height = 5;
    for (int i = 0; i < 7 * 5 * 3; i++) img.rgb.push_back(uint8_t(i * 37 % 256));
    round_trip(img, dir, "pattern.png");  // checks every byte

    std::string missing = dir.file("no/such/folder/x.png");
    CHECK_THROWS_WITH_AS(write_png(missing, img), doctest::Contains(missing.c_str()), gw::Error);
    Image bad = img;
    bad.rgb.resize(10);
    std::string path = dir.file("bad.png");
    CHECK_THROWS_WITH_AS(write_png(path, bad), doctest::Contains(path.c_str()), gw::Error);
    CHECK_THROWS_AS(write_png(path, Image{}), gw::Error);
}
