// test_fewshot.cpp — few-shot prompts, the pattern parser, and the walk on the shipped
// model: fixed weights, the answer token, and the movement the default task documents.
#include <doctest/doctest.h>
#include <stb/stb_image.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/json.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "report/fewshot_io.h"
#include "testing.h"
#include "walks/fewshot.h"

using namespace gw;

TEST_CASE("fewshot_prompt: k examples, one per line, then the query") {
    FewshotTask t = default_fewshot_task();
    CHECK(fewshot_prompt(t, 0) == "seven,");
    CHECK(fewshot_prompt(t, 2) == "two, three\nfour, five\nseven,");
    CHECK(fewshot_prompt(t, 99) == fewshot_prompt(t, int64_t(t.examples.size())));
    t.separator = " ->";
    CHECK(fewshot_prompt(t, 1) == "two -> three\nseven ->");
}

TEST_CASE("parse_fewshot_pattern: the last pair is the query; bad items are usage errors") {
    FewshotTask t = parse_fewshot_pattern("day=night, good = evil ,wise=foolish");
    REQUIRE(t.examples.size() == 2);
    CHECK(t.examples[1].input == "good");
    CHECK(t.examples[1].output == "evil");
    CHECK(t.query.input == "wise");
    CHECK(t.query.output == "foolish");
    for (const char* bad : {"day=night", "day=night,wise", "=night,a=b", "day=,a=b", "", "a=b,,c=d"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(parse_fewshot_pattern(bad), UsageError);
    }
}

TEST_CASE("shipped model: weights unchanged, one answer token, and the answer moves up") {
    auto m = load_checkpoint("weights/tiny-gpt2");
    Tokenizer tok("weights/tiny-gpt2");
    FewshotTask task = default_fewshot_task();
    FewshotWalk w = run_fewshot(*m, tok, task, 99, Isa::Ref);
    REQUIRE(w.shots.size() == task.examples.size() + 1);
    CHECK(w.checksum_before == w.checksum_after);
    const std::vector<int> eight = tok.encode(" eight");
    REQUIRE(eight.size() == 1);
    for (const FewshotShot& s : w.shots) {
        CAPTURE(s.k);
        CHECK(s.answer == eight[0]);
        CHECK(s.prompt == tok.encode(fewshot_prompt(task, s.k)));
        CHECK(s.prob <= s.top_prob);
        CHECK((s.rank == 1) == (s.top_token == s.answer));
        CHECK(std::isnan(s.cos_prev) == (s.k == 0));
        CHECK(std::fabs(s.cos_answer) <= 1.0);
    }
    // The claim in fewshot.cpp: with all six examples " eight" ranks far higher than with none.
    // (Model facts with wide margins -- ranks 22 and 376, cosines 0.195 and 0.014 -- that no
    // float32 rounding moves; the JSON below writes shortest round-trip numbers: == is exact.)
    CHECK(w.shots.back().rank * 5 < w.shots.front().rank);
    CHECK(w.shots.back().cos_answer > w.shots.front().cos_answer);

    // The JSON reads back with the project's reader and holds the shots.
    JsonValue j = parse_json(fewshot_json(w, tok, "weights/tiny-gpt2"), "fewshot.json");
    REQUIRE(j.find("shots")->items.size() == w.shots.size());
    CHECK(j.find("shots")->items[3].find("rank")->integer == w.shots[3].rank);
    CHECK(j.find("shots")->items[3].find("prob")->number == w.shots[3].prob);
    CHECK(j.find("checksum_before")->text == j.find("checksum_after")->text);

    // The picture decodes at the size it was drawn.
    gw::testing::TempDir tmp;
    Image img = fewshot_picture(w, tok);
    write_png(tmp.file("f.png"), img);
    int width = 0, height = 0, n = 0;
    unsigned char* px = stbi_load(tmp.file("f.png").c_str(), &width, &height, &n, 3);
    REQUIRE(px != nullptr);
    stbi_image_free(px);
    CHECK(width == img.width);
    CHECK(height == img.height);

    // An answer that would not start at a token boundary is refused.
    FewshotTask glued = task;
    glued.separator = ", ";
    CHECK_THROWS_AS(run_fewshot(*m, tok, glued, 1, Isa::Ref), Error);
}
