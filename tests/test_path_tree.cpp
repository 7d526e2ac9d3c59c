// test_path_tree.cpp — the tree of explored decoding paths (walks/path_tree.h): its shape,
// every node's p, log P, H and rank against the model run from scratch on each prefix,
// the decoding walk's own numbers for a path, and the 2-D map's invariants.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/vecmath.h"
#include "model/forward.h"
#include "model/weights.h"
#include "report/path_tree_io.h"
#include "testing.h"
#include "walks/decoding_walk.h"
#include "walks/path_tree.h"

using namespace gw;
using gw::testing::kForwardOrderAtol;

// The logits (V) after prefix, from one forward run over the whole prefix: the reference.
static std::vector<float> logits_after(const Checkpoint& m, const std::vector<int>& prefix) {
    RunState st = make_run_state(m.config, int64_t(prefix.size()));
    std::vector<float> logits(size_t(m.config.vocab_size));
    forward(logits.data(), m, st, prefix.data(), int64_t(prefix.size()), ForwardOptions{});
    return logits;
}

TEST_CASE("shared prefixes are one node; every node's numbers are the model's on its prefix") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");  // V = 101, P = 32
    const int64_t V = m->config.vocab_size;
    const std::vector<int> prompt = {0, 17, 81, 56, 85};
    const std::vector<std::vector<int>> paths = {{3, 9, 27}, {3, 9, 40}, {3, 11}, {50}, {3, 9, 27}};
    PathTree t = map_paths(*m, prompt, paths, Isa::Ref);

    // 3 -> 9 -> {27, 40}, 3 -> 11, 50: six nodes; the repeated path adds none and runs nothing.
    REQUIRE(t.nodes.size() == 6);
    CHECK(t.forward_runs == 4);
    REQUIRE(t.paths.size() == paths.size());
    CHECK(t.paths[0] == std::vector<int64_t>{0, 1, 2});
    CHECK(t.paths[1] == std::vector<int64_t>{0, 1, 3});
    CHECK(t.paths[2] == std::vector<int64_t>{0, 4});
    CHECK(t.paths[3] == std::vector<int64_t>{5});
    CHECK(t.paths[4] == t.paths[0]);
    for (size_t p = 0; p < paths.size(); p++) {
        std::vector<int> prefix = prompt;
        double log_prob = 0;
        for (size_t i = 0; i < paths[p].size(); i++) {
            const PathNode& n = t.nodes[size_t(t.paths[p][i])];
            CAPTURE(p);
            CAPTURE(i);
            CHECK(n.token == paths[p][i]);
            CHECK(n.depth == int64_t(i));
            CHECK(n.parent == (i == 0 ? -1 : t.paths[p][i - 1]));
            const std::vector<float> logits = logits_after(*m, prefix);
            const std::vector<double> q = softmax_probs(logits.data(), V);
            // The tree ran the prompt, then the path over the KV cache; this ran the prefix in one
            // chunk: logits within d = kForwardOrderAtol. A shift of every logit by at most d moves
            // ln p by at most 2d (so p by 2d p), and H = -sum p ln p by at most 2d H to first order
            // (dH/dz_j = -p_j (ln p_j + H), whose absolute values sum to at most 2H): 3d leaves room
            // for the second order. Approx's eps (1 + max) covers eps |x|.
            CHECK(n.prob == doctest::Approx(q[size_t(n.token)]).epsilon(2 * kForwardOrderAtol));
            CHECK(n.entropy == doctest::Approx(entropy_nats(q)).epsilon(3 * kForwardOrderAtol));
            log_prob += std::log(q[size_t(n.token)]);
            CHECK(std::fabs(n.log_prob - log_prob) <= 2 * kForwardOrderAtol * double(i + 1));  // 2d per step
            // The rank of a token whose logit is more than 2d from every other is the same in both runs.
            bool clear = true;
            for (int64_t v = 0; v < V; v++)
                clear = clear && (v == n.token || std::fabs(logits[size_t(v)] - logits[size_t(n.token)]) > 2 * kForwardOrderAtol);
            if (clear) CHECK(n.rank == rank_of(logits.data(), V, n.token));
            prefix.push_back(paths[p][i]);
        }
    }
    // Siblings were chosen by the same context, computed by the same code on the same tokens
    // (prompt, then [3, 9]; or the prompt alone): the same bits, so the same point on the map.
    // (Nodes 1 and 4 were also chosen after [3], but by runs of 2 and 1 tokens, which take
    // other kernels: not the same bits.)
    CHECK(t.nodes[2].context_xy[0] == t.nodes[3].context_xy[0]);
    CHECK(t.nodes[2].context_xy[1] == t.nodes[3].context_xy[1]);
    CHECK(t.nodes[0].context_xy[0] == t.nodes[5].context_xy[0]);  // both chosen right after the prompt
    CHECK(t.nodes[0].context_xy[1] == t.nodes[5].context_xy[1]);
}

TEST_CASE("the map: a projection of the 2N unit vectors whose axes carry the fractions it reports") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    const int64_t C = m->config.n_embd;
    const std::vector<int> prompt = {4, 8, 15};
    const std::vector<std::vector<int>> paths = {{16, 23, 42, 7}, {16, 23, 1}, {2, 71}};
    PathTree t = map_paths(*m, prompt, paths, Isa::Ref);
    const size_t N = t.nodes.size();
    REQUIRE(N == 7);
    // The unit vectors themselves, recomputed here: contexts from one forward over each prefix.
    std::vector<std::vector<double>> u;  // (2N, C)
    std::vector<std::vector<double>> xy;  // (2N, 2)
    auto unit = [&](const float* v) {
        const double len = norm(v, C);
        std::vector<double> out(static_cast<size_t>(C));
        for (int64_t j = 0; j < C; j++) out[size_t(j)] = v[j] / len;
        return out;
    };
    for (size_t i = 0; i < N; i++) {
        std::vector<int> prefix = prompt;
        std::vector<int64_t> chain;
        for (int64_t at = t.nodes[i].parent; at >= 0; at = t.nodes[size_t(at)].parent) chain.insert(chain.begin(), at);
        for (int64_t at : chain) prefix.push_back(t.nodes[size_t(at)].token);
        RunState st = make_run_state(m->config, int64_t(prefix.size()));
        std::vector<float> logits(size_t(m->config.vocab_size));
        forward(logits.data(), *m, st, prefix.data(), int64_t(prefix.size()), ForwardOptions{});
        u.push_back(unit(last_context(st)));
        xy.push_back({t.nodes[i].context_xy[0], t.nodes[i].context_xy[1]});
    }
    const AsF32 wte(m->w.wte);  // (V, C), in whatever type the model holds it
    for (size_t i = 0; i < N; i++) {
        u.push_back(unit(wte.row(t.nodes[i].token)));
        xy.push_back({t.nodes[i].token_xy[0], t.nodes[i].token_xy[1]});
    }
    // A PCA map is an orthogonal projection of the centred points: the variance along axis a
    // over the total variance is explained[a], and no distance grows. The contexts recomputed
    // here differ from the tree's by ~kForwardOrderAtol relative to |c|; 1e-4 covers that
    // (a map of wrong vectors, or coordinates not centred or scaled, is off by far more).
    double total = 0, along[2] = {0, 0}, mean_xy[2] = {0, 0};
    std::vector<double> mean(size_t(C), 0.0);
    for (const auto& v : u)
        for (int64_t j = 0; j < C; j++) mean[size_t(j)] += v[size_t(j)] / double(2 * N);
    for (const auto& p : xy)
        for (int a = 0; a < 2; a++) mean_xy[a] += p[size_t(a)] / double(2 * N);
    for (size_t i = 0; i < 2 * N; i++) {
        for (int64_t j = 0; j < C; j++) total += std::pow(u[i][size_t(j)] - mean[size_t(j)], 2);
        for (int a = 0; a < 2; a++) along[a] += std::pow(xy[i][size_t(a)] - mean_xy[a], 2);
    }
    CHECK(std::fabs(mean_xy[0]) < 1e-9);  // centred: sums of 14 numbers of size ~1
    CHECK(std::fabs(mean_xy[1]) < 1e-9);
    CHECK(along[0] / total == doctest::Approx(t.explained[0]).epsilon(1e-4));
    CHECK(along[1] / total == doctest::Approx(t.explained[1]).epsilon(1e-4));
    CHECK(t.explained[0] >= t.explained[1]);
    for (size_t i = 0; i < 2 * N; i++)
        for (size_t k = 0; k < 2 * N; k++) {
            double d_full = 0;
            for (int64_t j = 0; j < C; j++) d_full += std::pow(u[i][size_t(j)] - u[k][size_t(j)], 2);
            const double d_map = std::pow(xy[i][0] - xy[k][0], 2) + std::pow(xy[i][1] - xy[k][1], 2);
            CHECK(std::sqrt(d_map) <= std::sqrt(d_full) + 1e-4);
        }
}

TEST_CASE("shipped model: a 100-token greedy path over two chunks has the decoding walk's p and rank") {
    // Paths longer than one chunk (64 logits rows) cross a chunk boundary: a row read from the
    // wrong place would give another position's distribution, off by orders of magnitude.
    auto m = load_checkpoint("weights/tiny-gpt2");
    const std::vector<int> prompt = {818, 262, 3726};  // "In the beginning"
    SamplerConfig greedy;
    greedy.greedy = true;
    DecodingWalkOptions o;
    o.max_new_tokens = 100;
    DecodingWalk w = run_decoding_walk(*m, prompt, greedy, o);
    REQUIRE(w.steps.size() == 100);
    PathTree t = map_paths(*m, prompt, {w.generated()}, Isa::Ref);
    REQUIRE(t.nodes.size() == 100);
    for (size_t i = 0; i < 100; i++) {
        const WalkStep& s = w.steps[i];
        const PathNode& n = t.nodes[i];
        CAPTURE(i);
        // Token by token over the KV cache there, in chunks here: test_decoding_walk.cpp bounds
        // such differences on this model by 1e-4 (1 + |logit|) per logit, so ln p by twice that
        // at the largest logit (the chosen one, under greedy).
        const double tol = 2e-4 * (1 + std::fabs(s.top[0].logit));
        CHECK(std::fabs(std::log(n.prob) - std::log(s.prob_model)) <= tol);
        CHECK(std::fabs(n.entropy - s.entropy_model) <= tol * (1 + s.entropy_model));
        // The greedy step's top-1 gap decides the rank: where it is wider than the tolerance,
        // the chosen token is the arg max in both runs.
        if (s.top.size() > 1 && s.top[0].logit - s.top[1].logit > tol) CHECK(n.rank == 1);
    }
    CHECK(std::fabs(t.nodes[99].log_prob - w.steps[99].path_log_prob_model) <= 100 * 2e-4 * 21);
}

TEST_CASE("bad paths are errors that say which path") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");  // V = 101, P = 32
    CHECK_THROWS_WITH_AS(map_paths(*m, {}, {{1}}, Isa::Ref), doctest::Contains("the prompt is empty"), Error);
    CHECK_THROWS_WITH_AS(map_paths(*m, {1, 2}, {{1}, {}}, Isa::Ref), doctest::Contains("path 1 is empty"), Error);
    CHECK_THROWS_WITH_AS(map_paths(*m, {1, 2}, {{1, 101}}, Isa::Ref), doctest::Contains("path 0: token id 101"), Error);
    CHECK_THROWS_WITH_AS(map_paths(*m, {-1}, {{1}}, Isa::Ref), doctest::Contains("the prompt: token id -1"), Error);
    CHECK_THROWS_WITH_AS(map_paths(*m, std::vector<int>(30, 1), {{1, 2, 3}}, Isa::Ref),
                         doctest::Contains("do not fit in the context of 32"), Error);
    CHECK(map_paths(*m, std::vector<int>(30, 1), {{1, 2}}, Isa::Ref).nodes.size() == 2);  // exactly full
    CHECK(map_paths(*m, {1}, {}, Isa::Ref).nodes.empty());
}

TEST_CASE("the record: every node and path, readable back") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    PathTree t = map_paths(*m, {5, 6}, {{7, 8}, {7, 9}}, Isa::Ref);
    JsonValue j = parse_json(path_tree_json(t, nullptr, "tests/fixtures/forward/f32"), "tree.json");
    CHECK(j.find("kind")->text == "path_tree");
    REQUIRE(j.find("nodes")->items.size() == 3);
    const JsonValue& n2 = j.find("nodes")->items[2];
    CHECK(n2.find("token")->integer == 9);
    CHECK(n2.find("text")->text == "#9");
    CHECK(n2.find("parent")->integer == 0);
    CHECK(n2.find("log_prob")->number == t.nodes[2].log_prob);  // shortest round-trip form: same double
    CHECK(j.find("paths")->items[1].items[1].integer == 2);
    CHECK(j.find("forward_runs")->integer == 2);
}
