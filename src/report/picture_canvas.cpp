// report/picture_canvas.cpp — anti-aliased boxes, lines, dots and stb_easy_font text on an Image.
#include "picture_canvas.h"

#include <stb/stb_easy_font.h>  // stb_easy_font_print, stb_easy_font_width (all static: no
                                // implementation define, safe to include in several files)

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace gw::canvas {

namespace {

double clamp01(double v) { return v < 0 ? 0 : (v > 1 ? 1 : v); }

// Distance from point p to the segment a-b.
double distance_to_segment(double px, double py, double ax, double ay, double bx, double by) {
    double dx = bx - ax, dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? clamp01(((px - ax) * dx + (py - ay) * dy) / len2) : 0;
    double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return std::sqrt(ex * ex + ey * ey);
}

// The pixel indices i with [i, i+1) inside both [lo, hi) and the clip edges [c0, c1).
void pixel_span(double lo, double hi, double c0, double c1, int* first, int* last) {
    double a = std::max(std::floor(lo), std::ceil(c0));
    double b = std::min(std::ceil(hi), std::floor(c1)) - 1;
    if (!(a <= b)) {  // empty, or NaN coordinates (from data too large to map)
        *first = 0, *last = -1;
        return;
    }
    // Coordinates far outside the image must not overflow an int.
    *first = int(std::max(a, -1.0));
    *last = int(std::min(b, 1e8));
}

}  // namespace

Image blank(int width, int height) {
    const int kMaxSide = 16384;  // 16384^2 * 3 bytes = 768 MiB: far beyond any chart
    if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide)
        fail("picture: image size ", width, "x", height, " is out of range (1 to ", kMaxSide, ")");
    Image img;
    img.width = width;
    img.height = height;
    img.rgb.assign(size_t(width) * size_t(height) * 3, 255);
    return img;
}

void blend(Image& img, int x, int y, Rgb c, double alpha) {
    if (x < 0 || y < 0 || x >= img.width || y >= img.height || !(alpha > 0)) return;
    uint8_t* p = &img.rgb[(size_t(y) * size_t(img.width) + size_t(x)) * 3];
    if (alpha >= 1) {
        p[0] = c.r, p[1] = c.g, p[2] = c.b;
        return;
    }
    const uint8_t src[3] = {c.r, c.g, c.b};
    for (int k = 0; k < 3; k++) p[k] = uint8_t(std::lround(p[k] + (src[k] - p[k]) * alpha));
}

void fill_box(Image& img, const Box& b, Rgb c) {
    int i0, i1, j0, j1;
    pixel_span(b.x0, b.x1, 0, img.width, &i0, &i1);
    pixel_span(b.y0, b.y1, 0, img.height, &j0, &j1);
    for (int j = j0; j <= j1; j++) {
        double cy = std::min(b.y1, j + 1.0) - std::max(b.y0, double(j));  // covered height
        for (int i = i0; i <= i1; i++) {
            double cx = std::min(b.x1, i + 1.0) - std::max(b.x0, double(i));
            blend(img, i, j, c, cx * cy);
        }
    }
}

void outline_box(Image& img, int x0, int y0, int x1, int y1, Rgb c) {
    fill_box(img, {double(x0), double(y0), double(x1), y0 + 1.0}, c);
    fill_box(img, {double(x0), y1 - 1.0, double(x1), double(y1)}, c);
    fill_box(img, {double(x0), double(y0), x0 + 1.0, double(y1)}, c);
    fill_box(img, {x1 - 1.0, double(y0), double(x1), double(y1)}, c);
}

// Each pixel's coverage is estimated from the distance d between its centre and the
// segment: fully inside when d <= width/2 - 0.5, fading to nothing at width/2 + 0.5.
// Walking along the longer direction and visiting only a narrow band across it keeps
// the cost proportional to the line's length, and visits every pixel once per segment.
void draw_line(Image& img, double x0, double y0, double x1, double y1, double width, Rgb c,
               const Box& clip) {
    const double reach = width / 2 + 0.5;
    const bool steep = std::fabs(y1 - y0) > std::fabs(x1 - x0);
    // Swap roles so that "u" runs along the longer direction and "v" across it.
    double u0 = steep ? y0 : x0, v0 = steep ? x0 : y0, u1 = steep ? y1 : x1, v1 = steep ? x1 : y1;
    double cu0 = steep ? clip.y0 : clip.x0, cu1 = steep ? clip.y1 : clip.x1;
    double cv0 = steep ? clip.x0 : clip.y0, cv1 = steep ? clip.x1 : clip.y1;
    double du = u1 - u0, dv = v1 - v0;
    double slope = du != 0 ? dv / du : 0;
    double band = reach * std::sqrt(1 + slope * slope) + 1;  // half-height of the band to visit
    int ua, ub;
    pixel_span(std::min(u0, u1) - reach, std::max(u0, u1) + reach, cu0, cu1, &ua, &ub);
    for (int iu = ua; iu <= ub; iu++) {
        double t = du != 0 ? clamp01((iu + 0.5 - u0) / du) : 0;
        double vc = v0 + t * dv;
        int va, vb;
        pixel_span(vc - band, vc + band, cv0, cv1, &va, &vb);
        for (int iv = va; iv <= vb; iv++) {
            double d = distance_to_segment(iu + 0.5, iv + 0.5, u0, v0, u1, v1);
            double cover = clamp01(reach - d);
            if (steep) blend(img, iv, iu, c, cover);
            else blend(img, iu, iv, c, cover);
        }
    }
}

void fill_circle(Image& img, double cx, double cy, double radius, Rgb c, const Box& clip) {
    int i0, i1, j0, j1;
    pixel_span(cx - radius - 1, cx + radius + 1, clip.x0, clip.x1, &i0, &i1);
    pixel_span(cy - radius - 1, cy + radius + 1, clip.y0, clip.y1, &j0, &j1);
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++) {
            double d = std::hypot(i + 0.5 - cx, j + 0.5 - cy);
            blend(img, i, j, c, clamp01(radius + 0.5 - d));
        }
}

// --- Text ---

std::string drawable(const std::string& utf8) {
    std::string out;
    int continuation_left = 0;  // bytes still expected after a UTF-8 lead byte
    for (unsigned char b : utf8) {
        if (b >= 0x80 && b < 0xC0 && continuation_left > 0) {
            continuation_left--;  // the rest of a character already drawn as '?'
            continue;
        }
        continuation_left = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
        if (b == '\t' || b == '\n' || b == '\r') out += ' ';
        else if (b >= 32 && b < 127) out += char(b);
        else out += '?';  // other control bytes, lead bytes, stray continuation bytes
    }
    return out;
}

double text_width(const std::string& text, double scale) {
    std::string s = drawable(text);
    if (s.empty()) return 0;
    // stb's width includes the gap after the last glyph; drop it so centring is exact.
    return (stb_easy_font_width(&s[0]) - 1) * scale;
}

double text_height(double scale) { return 7 * scale; }

std::string fit_text(const std::string& text, double scale, double max_width) {
    std::string s = drawable(text);
    if (text_width(s, scale) <= max_width) return s;
    while (!s.empty() && text_width(s + "..", scale) > max_width) s.pop_back();
    return s.empty() ? s : s + "..";
}

namespace {

// stb_easy_font turns text into quads (axis-aligned unit-grid rectangles, 4 vertices of
// 16 bytes each: x, y, z floats and 4 colour bytes). Calls fn(u0, v0, u1, v1) per quad,
// in font units, with u to the right and v down from the top of the capitals.
template <typename Fn>
void for_each_stb_quad(const std::string& drawable_text, double u_offset, Fn fn) {
    if (drawable_text.empty()) return;
    std::string s = drawable_text;
    const int kMaxQuadsPerChar = 16;  // the busiest glyphs ('@', 'X', '#') use about 11
    std::vector<float> buf(s.size() * kMaxQuadsPerChar * 16 + 16);  // 16 floats per quad
    int quads = stb_easy_font_print(0, 0, &s[0], nullptr, buf.data(), int(buf.size() * 4));
    for (int q = 0; q < quads; q++) {
        const float* v = &buf[size_t(q) * 16];  // vertex 0 at v[0..1], vertex 2 at v[8..9]
        fn(u_offset + double(v[0]), double(v[1]), u_offset + double(v[8]), double(v[9]));
    }
}

// The quads of a line of text. stb_easy_font draws '|' exactly as 'l' (one bar from the top
// of the capitals to the baseline), so "|h|" would read "lhl"; ours reaches one unit above
// the capitals and below the baseline, in the same advance (3 units), so widths are unchanged.
template <typename Fn>
void for_each_quad(const std::string& drawable_text, Fn fn) {
    double u = 0;  // the advance of the text before the current segment
    size_t start = 0;
    for (size_t i = 0; i <= drawable_text.size(); i++) {
        if (i < drawable_text.size() && drawable_text[i] != '|') continue;
        std::string segment = drawable_text.substr(start, i - start);
        for_each_stb_quad(segment, u, fn);
        if (!segment.empty()) u += stb_easy_font_width(&segment[0]);
        if (i < drawable_text.size()) {
            fn(u, -1, u + 1, 8);
            u += 3;
        }
        start = i + 1;
    }
}

}  // namespace

void draw_text(Image& img, double x, double y, const std::string& text, double scale, Rgb c,
               Align align) {
    std::string s = drawable(text);
    double w = text_width(s, scale);
    double left = align == Align::left ? x : align == Align::centre ? x - w / 2 : x - w;
    // Whole-pixel origin: with an integer scale every glyph stroke is crisp.
    double ox = std::round(left), oy = std::round(y);
    for_each_quad(s, [&](double u0, double v0, double u1, double v1) {
        fill_box(img, {ox + u0 * scale, oy + v0 * scale, ox + u1 * scale, oy + v1 * scale}, c);
    });
}

void draw_text_vertical(Image& img, double x, double y, const std::string& text, double scale,
                        Rgb c, Align align) {
    std::string s = drawable(text);
    double w = text_width(s, scale);
    // The text starts at the bottom; `align` says where along y that is.
    double bottom = align == Align::left ? y : align == Align::centre ? y + w / 2 : y + w;
    double ox = std::round(x), oy = std::round(bottom);
    // Rotating anticlockwise takes font (u, v) to image (x + v, y - u).
    for_each_quad(s, [&](double u0, double v0, double u1, double v1) {
        fill_box(img, {ox + v0 * scale, oy - u1 * scale, ox + v1 * scale, oy - u0 * scale}, c);
    });
}

void draw_title(Image& img, double top, const std::string& title) {
    const double margin = 12, max_w = img.width - 2 * margin;
    double scale = text_width(title, kTitleScale) <= max_w ? kTitleScale : kLabelScale;
    double y = top + (text_height(kTitleScale) - text_height(scale)) / 2;
    draw_text(img, img.width / 2.0, y, fit_text(title, scale, max_w), scale, kInk, Align::centre);
}

void draw_text_halo(Image& img, double x, double y, const std::string& text, double scale,
                    Rgb c) {
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
            if (dx || dy) draw_text(img, x + dx, y + dy, text, scale, kWhite);
    draw_text(img, x, y, text, scale, c);
}

}  // namespace gw::canvas
