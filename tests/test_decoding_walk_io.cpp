// test_decoding_walk_io.cpp — `gptwalk walk decode` end to end on a random fixture: the
// table, the JSON record (read back with gw::parse_json), the PNG (read back with
// stb_image), --step with stdin not a terminal, and one-line usage errors.
#include <doctest/doctest.h>
#include <stb/stb_image.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/mapped_file.h"
#include "testing.h"

using namespace gw;
using gw::testing::shell_quote;

static const std::string kModel = "--model tests/fixtures/forward/f32 ";

// Runs gptwalk with stdin from /dev/null under a time limit: a command that waited for
// input would be killed and return 124, so a blocking --step fails instead of hanging.
static int run(const std::string& args, std::string* out) {
    return gw::testing::run_command(
        "timeout 300 " + shell_quote(gw::testing::gptwalk_binary()) + " " + args + " </dev/null", out);
}

static std::string fmt(const char* spec, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, x);
    return buf;
}

static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The picture decodes and has the size the command printed: "wrote PATH (WxH)".
static void check_png(const std::string& path, const std::string& out) {
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(path.c_str(), &w, &h, &n, 3);
    REQUIRE(px != nullptr);
    stbi_image_free(px);
    CHECK(w > 400);
    CHECK(h > 300);
    CHECK(contains(out, "wrote " + path + " (" + std::to_string(w) + " x " + std::to_string(h) + " PNG)"));
}

TEST_CASE("walk decode: the JSON holds every number the table prints; the PNG decodes; --step never blocks") {
    gw::testing::TempDir tmp;
    const std::string json = tmp.file("walk.json"), png = tmp.file("walk.png");
    std::string out;
    REQUIRE(run("walk decode " + kModel + "--prompt-ids 0,17,81,56,85 -n 6 --temperature 0.8 --top-k 30 --seed 2 --top 4 "
                "--step --json " + json + " --png " + png, &out) == 0);
    JsonValue r = parse_json(read_file(json), json);
    CHECK(r.find("kind")->text == "decoding_walk");
    const JsonValue& steps = *r.find("steps");
    REQUIRE(steps.items.size() == 6);
    double path = 0;
    for (const JsonValue& s : steps.items) {
        CAPTURE(s.find("step")->integer);
        auto n = [&](const char* key) { return s.find(key)->number; };
        // One row of the path table: every number in it, as printed. (The JSON's numbers are
        // shortest round-trip doubles, so formatting them again gives the table's digits exactly.)
        std::string row = fmt("%7.4f", n("prob_model")) + "  " + fmt("%9.4f", n("prob_sampling")) + "  " +
                          fmt("%4.0f", n("rank")) + "  " + fmt("%7.4f", n("entropy_model")) + "  " +
                          fmt("%11.4f", n("path_log_prob")) + "  " + fmt("%6.2f", n("context_norm")) + "  " +
                          fmt("%10.4f", n("cos_context_chosen"));
        CHECK(contains(out, row));
        path += std::log(n("prob_sampling"));  // the walk's own sum of the same doubles
        CHECK(n("path_log_prob") == doctest::Approx(path).epsilon(1e-12));
        const JsonValue& top = *s.find("top");
        REQUIRE(top.items.size() == 4);
        for (const JsonValue& k : top.items) {
            auto kn = [&](const char* key) { return k.find(key)->number; };
            CHECK(contains(out, fmt("%7.4f", kn("prob")) + "  " + fmt("%8.4f", kn("logit")) + "  " +
                                    fmt("%8.4f", kn("content")) + "  " + fmt("%8.4f", kn("prior")) + "  " +
                                    fmt("%8.4f", kn("cosine")) + "  " + fmt("%6.3f", kn("norm"))));
        }
        CHECK(s.find("nearest_by_dot")->items.size() == 4);
    }
    CHECK(r.find("wte_checksum_before")->text == r.find("wte_checksum_after")->text);
    CHECK(contains(out, "wte checksum before " + r.find("wte_checksum_before")->text));
    CHECK(contains(out, fmt("%.2e", r.find("max_split_error")->number)));
    CHECK(r.find("pca")->find("context_xy")->items.size() == 12);
    CHECK(contains(out, "our own formalisation"));
    check_png(png, out);
}

TEST_CASE("walk decode --compare and --tree: JSON records and the small-multiples PNG") {
    gw::testing::TempDir tmp;
    std::string out;
    REQUIRE(run("walk decode " + kModel + "--prompt-ids 0,17,81 -n 8 --compare --seed 5 --json " +
                tmp.file("c.json") + " --png " + tmp.file("c.png"), &out) == 0);
    JsonValue c = parse_json(read_file(tmp.file("c.json")), "c.json");
    const JsonValue& runs = *c.find("runs");
    REQUIRE(runs.items.size() == 6);
    for (const JsonValue& r : runs.items) {
        CAPTURE(r.find("name")->text);
        CHECK(contains(out, fmt("%11.4f", r.find("log_prob_model")->number) + "  " +
                                fmt("%13.4f", r.find("log_prob_sampling")->number) + "  " +
                                fmt("%6.4f", r.find("mean_entropy")->number) + "  " +
                                fmt("%6.4f", r.find("repeated_4gram_rate")->number) + "  " +
                                fmt("%10.4f", r.find("distinct_2")->number)));
    }
    CHECK(contains(out, "rep-4         = 1 - distinct 4-grams / 4-grams"));
    check_png(tmp.file("c.png"), out);

    REQUIRE(run("walk decode " + kModel + "--prompt-ids 0,17,81 --tree 2,3 --json " + tmp.file("t.json"), &out) == 0);
    JsonValue t = parse_json(read_file(tmp.file("t.json")), "t.json");
    const JsonValue& root = *t.find("root");
    REQUIRE(root.find("children")->items.size() == 2);
    const JsonValue& leaf = root.find("children")->items[0].find("children")->items[1].find("children")->items[0];
    CHECK(leaf.find("children")->items.empty());
    CHECK(contains(out, fmt("P(path) %.6f", leaf.find("path_prob")->number)));
    CHECK(t.find("forward_calls")->integer == 7);  // 1 + 2 + 4
}

TEST_CASE("bad flags and values: exit 2 with one line") {
    const std::string ids = "--prompt-ids 0,17,81 ";
    for (const std::string& bad : std::vector<std::string>{
             std::string("walk decode --bogus"),
             "walk decode " + kModel,  // no prompt
             "walk decode " + kModel + ids + "extra",
             "walk decode " + kModel + ids + "--tree 6,2",
             "walk decode " + kModel + ids + "--tree 2,5",
             "walk decode " + kModel + ids + "--tree 2",
             "walk decode " + kModel + ids + "--tree 2,2,2",
             "walk decode " + kModel + ids + "--top 0",
             "walk decode " + kModel + ids + "--compare --greedy",
             "walk decode " + kModel + ids + "--compare --tree 2,2",
             "walk decode " + kModel + ids + "--tree 2,2 --png x.png",
             "walk decode " + kModel + "--prompt-ids 0,101",  // V = 101
             std::string("walk fewshot --pattern day"),
             std::string("walk fewshot -k -1"),
         }) {
        CAPTURE(bad);
        std::string out;
        CHECK(run(bad, &out) == 2);
        CHECK(out.rfind("gptwalk: ", 0) == 0);
        CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    }
}

TEST_CASE("walk decode --summary: the header and the path of the full output, and nothing after") {
    const std::string args = "walk decode " + kModel + "--prompt-ids 0,17,81 -n 4 --seed 3";
    std::string full, summary;
    REQUIRE(run(args, &full) == 0);
    REQUIRE(run(args + " --summary", &summary) == 0);
    REQUIRE(summary.size() > 200);
    CHECK(full.compare(0, summary.size(), summary) == 0);  // the same walk, cut after section 1
    CHECK(full.size() > summary.size() + 200);
    CHECK(contains(summary, "1. The path"));
    CHECK_FALSE(contains(summary, "\n2. "));
}
