// report/architecture_picture.h — the map of the model: a GPT-2 drawn as boxes, each labelled
// with the lessons that open it up and the trace points (model/forward.h) recorded there.
//
// One token's path, top to bottom: text -> tokenizer -> ids -> embedding (wte + wpe) ->
// L blocks, each x + attn(ln_1 x) then x + mlp(ln_2 x) on the residual stream -> ln_f (the
// context vector) -> the tied head (logits = c . wte^T) -> the sampler -> the next id, which
// goes round again. The map is computed first (boxes with their text and places, a record
// tests can check: every trace point named, no two boxes overlapping, all text inside its
// box), then drawn (lessons/README.md shows it; `make lesson-pictures` redraws it).
#pragma once
#include <string>
#include <vector>

#include "model/config.h"
#include "report/picture.h"

namespace gw {

struct MapBox {
    std::vector<std::string> lines;  // text lines, top to bottom; the first is the box's name
    std::string lessons;             // "lessons 07, 08": where the box is taught
    std::vector<std::string> trace;  // trace points recorded here, with l for the layer ("h.l.ln_1")
    bool in_model = true;            // part of forward() (false: tokenizer, sampler, text)
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // pixels, y down
};

struct MapArrow {
    std::vector<double> xy;  // (points, 2) a polyline; the arrowhead is at the last point
    std::string label;       // drawn beside the first segment (may be empty)
};

struct ArchitectureMap {
    int width = 0, height = 0;
    std::string title;
    std::vector<MapBox> boxes;
    std::vector<MapArrow> arrows;
    double block_x0 = 0, block_y0 = 0, block_x1 = 0, block_y1 = 0;  // the frame round one block
    std::string block_label;         // "block l = 0 .. L-1 ..."
    std::vector<std::string> notes;  // lines under the picture (the walks, the other lessons)
};

// The map for a model of this configuration (its sizes appear in the labels).
ArchitectureMap architecture_map(const Config& config);
// The text of every line the picture will draw in the box, as stb_easy_font can draw it (ASCII),
// the trace points wrapped to the box's width; and a line's width in pixels as drawn.
std::vector<std::string> map_box_text(const MapBox& box);
double map_line_width(const std::string& line);
constexpr double kMapBoxPadding = 10;  // pixels between a box's edge and its text
Image render_architecture_map(const ArchitectureMap& map);

}  // namespace gw
