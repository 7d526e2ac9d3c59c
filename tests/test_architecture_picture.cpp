// test_architecture_picture.cpp — the map of lessons/README.md: it names every trace point
// forward() records and no other, every box is taught by a lesson, no two boxes overlap, all
// text fits inside its box, and the PNG holds what was drawn.
#include <doctest/doctest.h>
#include <stb/stb_image.h>  // stbi_load, to read the written PNG back

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "model/forward.h"
#include "perf/random_checkpoint.h"  // gpt2_config: published sizes
#include "model/weights.h"
#include "report/architecture_picture.h"
#include "testing.h"

using namespace gw;

namespace {

// Every trace point name a forward pass records, with the layer number written "l".
std::set<std::string> traced_names(const std::string& model_dir) {
    auto ck = load_checkpoint(model_dir);
    const std::vector<int> ids = {1, 2, 3};
    RunState state = make_run_state(ck->config, 3);
    Trace trace;
    ForwardOptions opts;
    opts.trace = &trace;
    std::vector<float> logits(size_t(ck->config.vocab_size));
    forward(logits.data(), *ck, state, ids.data(), 3, opts);
    std::set<std::string> names;
    for (const TracePoint& p : trace.points) names.insert(std::regex_replace(p.name, std::regex("^h\\.[0-9]+\\."), "h.l."));
    return names;
}

bool overlap(const MapBox& a, const MapBox& b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; }

}  // namespace

TEST_CASE("the map names exactly the trace points forward() records") {
    const std::set<std::string> traced = traced_names("tests/fixtures/forward/f32");
    const ArchitectureMap map = architecture_map(load_config("tests/fixtures/forward/f32/config.json"));
    std::set<std::string> drawn;
    for (const MapBox& b : map.boxes) drawn.insert(b.trace.begin(), b.trace.end());
    for (const std::string& name : traced) CHECK_MESSAGE(drawn.count(name), "the map lacks trace point " << name);
    for (const std::string& name : drawn) CHECK_MESSAGE(traced.count(name), "the map names " << name << ", which forward() does not record");
    CHECK(traced.size() == 17);  // embed, 14 per block, ln_f, logits (lesson 10's list)
}

TEST_CASE("every box is taught by a lesson, fits its text, and stays clear of the others") {
    for (const Config& config : {load_config("weights/tiny-gpt2/config.json"), gpt2_config("1558M")}) {
        const ArchitectureMap map = architecture_map(config);
        REQUIRE(map.boxes.size() >= 12);
        for (size_t i = 0; i < map.boxes.size(); i++) {
            const MapBox& b = map.boxes[i];
            CAPTURE(b.lines[0]);
            // Only the input text is no lesson's subject; every other box names its lessons.
            if (i > 0) CHECK(std::regex_search(b.lessons, std::regex("^lessons? [0-9]{2}")));
            CHECK(b.x0 >= 0);
            CHECK(b.y0 >= 0);
            CHECK(b.x1 <= map.width);
            CHECK(b.y1 <= map.height);
            for (const std::string& line : map_box_text(b)) {
                CAPTURE(line);
                CHECK(map_line_width(line) + 2 * kMapBoxPadding <= b.x1 - b.x0);
            }
            // The box is tall enough for its lines (24 px each, the last one 18).
            CHECK(b.y1 - b.y0 >= 2 * kMapBoxPadding + double(map_box_text(b).size()) * 24 - 6);
            for (size_t j = i + 1; j < map.boxes.size(); j++)
                CHECK_MESSAGE(!overlap(b, map.boxes[j]), "overlaps '" << map.boxes[j].lines[0] << "'");
        }
        // The sizes of this model are in the labels.
        bool sized = false;
        for (const MapBox& b : map.boxes)
            for (const std::string& line : b.lines) sized |= line.find(std::to_string(config.vocab_size)) != std::string::npos;
        CHECK(sized);
    }
}

TEST_CASE("the PNG holds the map: its size, each box's fill, ink inside each box") {
    const ArchitectureMap map = architecture_map(load_config("weights/tiny-gpt2/config.json"));
    const Image img = render_architecture_map(map);
    REQUIRE(img.width == map.width);
    REQUIRE(img.height == map.height);
    testing::TempDir dir;
    const std::string path = dir.file("map.png");
    write_png(path, img);
    int w = 0, h = 0, channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &w, &h, &channels, 3);
    REQUIRE(data != nullptr);
    CHECK(w == map.width);
    CHECK(h == map.height);
    CHECK(std::vector<uint8_t>(data, data + size_t(w) * size_t(h) * 3) == img.rgb);
    stbi_image_free(data);
    auto px = [&](double x, double y) { return &img.rgb[(size_t(y) * size_t(img.width) + size_t(x)) * 3]; };
    for (const MapBox& b : map.boxes) {
        CAPTURE(b.lines[0]);
        const uint8_t* corner = px(b.x1 - 3, b.y1 - 3);  // inside the box, below and right of any text
        CHECK((corner[0] != 255 || corner[1] != 255 || corner[2] != 255));  // filled, not background
        size_t ink = 0;  // dark text pixels inside the box
        for (double y = b.y0 + 2; y < b.y1 - 2; y++)
            for (double x = b.x0 + 2; x < b.x1 - 2; x++) ink += px(x, y)[0] < 80 && px(x, y)[1] < 80;
        CHECK(ink > 100);
    }
}
