// test_neighbours.cpp — nearest rows by dot product and by cosine; weight checksums;
// the `gptwalk neighbours` command.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/mapped_file.h"
#include "core/vecmath.h"
#include "model/weights.h"
#include "perf/random_checkpoint.h"
#include "report/neighbours_io.h"
#include "testing.h"
#include "walks/neighbours.h"

using namespace gw;

static std::vector<int> ids_of(const std::vector<Neighbour>& list) {
    std::vector<int> ids;
    for (const Neighbour& n : list) ids.push_back(n.id);
    return ids;
}

// Worked by hand. q = (1, 1), |q| = sqrt 2.
//   row  e           q.e    |e|        cos
//   0    (1, 0)      1      1          0.7071
//   1    (1, 2)      3      sqrt 5     3/sqrt 10  = 0.9487
//   2    (3, 3)      6      3 sqrt 2   1
//   3    (-1, 0)    -1      1         -0.7071
//   4    (0.5, 0.6)  1.1    sqrt 0.61  1.1/sqrt 1.22 = 0.9959
// by dot: 2, 1, 4, 0, 3      by cosine: 2, 4, 1, 0, 3
TEST_CASE("nearest: a hand-worked table") {
    const std::vector<float> rows = {1, 0, 1, 2, 3, 3, -1, 0, 0.5f, 0.6f};
    const float q[2] = {1, 1};
    VectorTable t = make_vector_table(rows.data(), 5, 2);
    CHECK(t.norms[1] == doctest::Approx(std::sqrt(5.0)).epsilon(1e-12));

    Neighbours n = nearest(t, q, 3);
    CHECK(ids_of(n.by_dot) == std::vector<int>{2, 1, 4});
    CHECK(ids_of(n.by_cosine) == std::vector<int>{2, 4, 1});
    CHECK(n.overlap == 3);
    CHECK(n.by_dot[0].dot == doctest::Approx(6.0).epsilon(1e-12));
    CHECK(n.by_dot[0].cosine == doctest::Approx(1.0).epsilon(1e-7));
    // 0.5f is exact, 0.6f is 0.6 to 2.4e-8: the hand value is ~1e-8 off, well inside 1e-6
    CHECK(n.by_cosine[1].cosine == doctest::Approx(1.1 / std::sqrt(1.22)).epsilon(1e-6));
    CHECK(n.by_cosine[2].dot == doctest::Approx(3.0).epsilon(1e-12));
    CHECK(n.by_cosine[2].norm == doctest::Approx(std::sqrt(5.0)).epsilon(1e-12));

    Neighbours two = nearest(t, q, 2);
    CHECK(ids_of(two.by_dot) == std::vector<int>{2, 1});
    CHECK(ids_of(two.by_cosine) == std::vector<int>{2, 4});
    CHECK(two.overlap == 1);

    // Leaving row 2 out; asking for more than remain gives the 4 others, worst last.
    Neighbours rest = nearest(t, q, 10, 2);
    CHECK(ids_of(rest.by_dot) == std::vector<int>{1, 4, 0, 3});
    CHECK(ids_of(rest.by_cosine) == std::vector<int>{4, 1, 0, 3});
    CHECK(rest.overlap == 4);

    CHECK_THROWS_AS(nearest(t, q, 0), Error);
}

TEST_CASE("score_rows agrees with vecmath's dot and cosine; a zero query has cosine 0") {
    const int64_t V = 37, C = 19;
    std::vector<float> rows = gw::testing::random_floats(size_t(V * C), 5);
    std::vector<float> q = gw::testing::random_floats(size_t(C), 6);
    VectorTable t = make_vector_table(rows.data(), V, C);
    std::vector<double> dots, cosines;
    score_rows(&dots, &cosines, t, q.data());
    for (int64_t v = 0; v < V; v++) {  // the same double arithmetic in the same order: same bits
        CHECK(dots[size_t(v)] == doctest::Approx(dot(q.data(), rows.data() + v * C, C)).epsilon(1e-12));
        CHECK(cosines[size_t(v)] == doctest::Approx(cosine(q.data(), rows.data() + v * C, C)).epsilon(1e-12));
    }
    std::vector<float> zero(size_t(C), 0.0f);
    score_rows(&dots, &cosines, t, zero.data());
    for (double c : cosines) CHECK(c == 0.0);
}

TEST_CASE("shipped model: a token's own vector is its nearest by cosine") {
    auto m = load_checkpoint("weights/tiny-gpt2");
    const int64_t V = m->config.vocab_size, C = m->config.n_embd;
    VectorTable t = make_vector_table(m->w.wte);
    CHECK(t.V == V);
    CHECK(t.C == C);
    const int king = 5822;  // " king" in GPT-2's vocabulary
    Neighbours n = nearest(t, t.rows + int64_t(king) * C, 5);
    CHECK(n.by_cosine[0].id == king);
    CHECK(n.by_cosine[0].cosine == doctest::Approx(1.0).epsilon(1e-9));  // d / (sqrt d)^2 in double
    Neighbours others = nearest(t, t.rows + int64_t(king) * C, 5, king);
    for (const Neighbour& x : others.by_cosine) CHECK(x.id != king);
    CHECK(others.by_cosine[0].cosine < 1.0 - 1e-3);
}

TEST_CASE("checksums: deterministic, and they see a change in any tensor") {
    gw::testing::TempDir dir;
    Config cfg;
    cfg.n_embd = 16;
    cfg.n_head = 2;
    cfg.n_layer = 1;
    cfg.n_positions = 8;
    cfg.vocab_size = 11;
    RandomCheckpointOptions a;
    a.seed = 7;
    RandomCheckpointOptions b = a;
    b.seed = 8;
    write_random_checkpoint(dir.file("a"), cfg, a);
    write_random_checkpoint(dir.file("a2"), cfg, a);
    write_random_checkpoint(dir.file("b"), cfg, b);
    auto ma = load_checkpoint(dir.file("a")), ma2 = load_checkpoint(dir.file("a2")),
         mb = load_checkpoint(dir.file("b"));
    CHECK(all_weights_checksum(*ma) == all_weights_checksum(*ma2));
    CHECK(wte_checksum(*ma) == wte_checksum(*ma2));
    CHECK(all_weights_checksum(*ma) != all_weights_checksum(*mb));
    CHECK(wte_checksum(*ma) == checksum_floats(ma->w.wte.f32(), 11 * 16));
    // The combined checksum differs from wte's alone: it covers more than wte.
    CHECK(all_weights_checksum(*ma) != wte_checksum(*ma));
}

// ---- the command ----

static int run(const std::string& args, std::string* out) {
    return gw::testing::run_command(gw::testing::shell_quote(gw::testing::gptwalk_binary()) + " " + args + " </dev/null", out);
}

TEST_CASE("gptwalk neighbours: lists, checksum, and one-line usage errors") {
    std::string out;
    REQUIRE(run("neighbours --model tests/fixtures/forward/f32 --id 3 -k 4", &out) == 0);
    CHECK(out.find("wte checksum") != std::string::npos);
    CHECK(out.find("the weights never change") != std::string::npos);
    CHECK(out.find("#3 (id 3)") != std::string::npos);

    for (const char* bad : {"neighbours --model tests/fixtures/forward/f32 --id 101",  // V = 101
                            "neighbours --model tests/fixtures/forward/f32", "neighbours --bogus",
                            "neighbours --model tests/fixtures/forward/f32 --id 3 -k 0"}) {
        CAPTURE(bad);
        CHECK(run(bad, &out) == 2);
        CHECK(out.rfind("gptwalk: ", 0) == 0);
        CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    }
    // Text that is two tokens names the ids it became (shipped model: GPT-2's tokenizer).
    CHECK(run("neighbours ' the king'", &out) == 2);
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    CHECK(out.find("[262 ␣the, 5822 ␣king]") != std::string::npos);
}

TEST_CASE("gptwalk neighbours --json: the record reads back with the table's numbers") {
    gw::testing::TempDir dir;
    std::string out;
    REQUIRE(run("neighbours --model tests/fixtures/forward/f32 --id 3 -k 4 --json " + dir.file("n.json"), &out) == 0);
    CHECK(out.find("wrote " + dir.file("n.json") + " (JSON)") != std::string::npos);
    JsonValue j = parse_json(read_file(dir.file("n.json")), "n.json");
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    const TokenNeighbours n = token_neighbours(*m, 3, 4);  // the same function on the same floats: same bits
    CHECK(j.find("kind")->text == "token_neighbours");
    CHECK(j.find("id")->integer == 3);
    CHECK(j.find("text")->text == "#3");  // this folder has no tokenizer
    CHECK(j.find("norm")->number == n.norm);
    CHECK(j.find("shared")->integer == n.near.overlap);
    REQUIRE(j.find("by_dot")->items.size() == 4);
    REQUIRE(j.find("by_cosine")->items.size() == 4);
    for (size_t i = 0; i < 4; i++) {
        CHECK(j.find("by_dot")->items[i].find("id")->integer == n.near.by_dot[i].id);
        CHECK(j.find("by_dot")->items[i].find("dot")->number == n.near.by_dot[i].dot);
        CHECK(j.find("by_cosine")->items[i].find("id")->integer == n.near.by_cosine[i].id);
        CHECK(j.find("by_cosine")->items[i].find("cosine")->number == n.near.by_cosine[i].cosine);
    }
    CHECK(j.find("wte_checksum_before")->text == j.find("wte_checksum_after")->text);
}
