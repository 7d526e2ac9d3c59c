// report/picture_canvas.h — drawing primitives on a gw::Image, shared by the picture renderers
// (internal to src/picture*.cpp; the public API is include/report/picture.h).
//
// Coordinates are in pixels with y pointing down. Pixel (i, j) covers the square
// [i, i+1) x [j, j+1), so its centre is (i + 0.5, j + 0.5). Shapes are anti-aliased:
// each pixel is blended with the shape's colour in proportion to how much of it is covered.
#pragma once
#include <string>

#include "report/picture.h"

namespace gw::canvas {

// A rectangle of pixel edges: x0 <= x < x1, y0 <= y < y1.
struct Box {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    double width() const { return x1 - x0; }
    double height() const { return y1 - y0; }
};

// Colours used by every picture (kept together so charts and heatmaps match).
constexpr Rgb kWhite{255, 255, 255};
constexpr Rgb kInk{34, 34, 34};        // titles and labels
constexpr Rgb kTickInk{70, 70, 70};    // tick values, point labels
constexpr Rgb kFrame{90, 90, 90};      // axes box and tick marks
constexpr Rgb kGrid{228, 228, 228};    // grid lines inside the plot area
constexpr Rgb kPanelEdge{210, 210, 210};
constexpr Rgb kNanGrey{190, 190, 190}; // heatmap cells with no value

// Text sizes: stb_easy_font glyphs are 7 units tall (9 with descenders), one unit per
// pixel at scale 1, which is too small to read; these scales make them legible.
constexpr double kTitleScale = 3;
constexpr double kLabelScale = 2;

Image blank(int width, int height);  // all white; throws gw::Error for absurd sizes

// Mixes colour c into pixel (x, y) with weight alpha in [0, 1]; ignores pixels outside.
void blend(Image& img, int x, int y, Rgb c, double alpha);
// Fills the box, blending partly covered edge pixels.
void fill_box(Image& img, const Box& b, Rgb c);
// A 1-pixel outline just inside the integer box [x0, x1) x [y0, y1).
void outline_box(Image& img, int x0, int y0, int x1, int y1, Rgb c);
// A line `width` pixels thick with round ends, drawn only inside `clip`.
void draw_line(Image& img, double x0, double y0, double x1, double y1, double width, Rgb c,
               const Box& clip);
void fill_circle(Image& img, double cx, double cy, double radius, Rgb c, const Box& clip);

// --- Text (stb_easy_font) ---

// The bytes stb_easy_font can draw: printable ASCII. Each other UTF-8 character
// (and each control byte) becomes one '?'.
std::string drawable(const std::string& utf8);
double text_width(const std::string& text, double scale);   // of drawable(text)
double text_height(double scale);                           // capital letters: 7 units
// `text` shortened with ".." so that it is at most max_width wide (may return "").
std::string fit_text(const std::string& text, double scale, double max_width);

enum class Align { left, centre, right };
// Draws one line of text. (x, y) is the top of the capitals, at the left, centre or right
// end of the text as `align` says. Vertical text reads bottom to top (rotated 90 degrees
// anticlockwise); then x is the left edge of the capitals and `align` places it along y.
void draw_text(Image& img, double x, double y, const std::string& text, double scale, Rgb c,
               Align align = Align::left);
void draw_text_vertical(Image& img, double x, double y, const std::string& text, double scale,
                        Rgb c, Align align = Align::centre);
// The title, centred at the top (y = top): large when it fits, smaller when not, then
// shortened with "..". Always takes text_height(kTitleScale) of height.
void draw_title(Image& img, double top, const std::string& title);
// As draw_text, with a white outline first so the text stays legible over lines and grid.
void draw_text_halo(Image& img, double x, double y, const std::string& text, double scale,
                    Rgb c);

}  // namespace gw::canvas
