// test_decoding_walk.cpp — the decoding walk's invariants, on the random fixtures
// (tests/fixtures/forward/, greedy ids from an independent float64 reference) and on the
// shipped model (tests/fixtures/tiny-gpt2/greedy.json); --compare, --tree, and the CLI.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/mapped_file.h"
#include "core/vecmath.h"
#include "model/forward.h"
#include "model/generate.h"
#include "model/weights.h"
#include "testing.h"
#include "walks/decoding_walk.h"

using namespace gw;
using gw::testing::kFloatU;
using gw::testing::kForwardOrderAtol;

static const char* kFixtures[] = {"f32", "f16_prefix", "bf16_oddheads"};

static std::vector<int> json_ids(const JsonValue& arr) {
    std::vector<int> ids;
    for (const JsonValue& v : arr.items) ids.push_back(int(v.integer));
    return ids;
}

static JsonValue load_json(const std::string& path) { return parse_json(read_file(path), path); }

static SamplerConfig greedy() {
    SamplerConfig c;
    c.greedy = true;
    return c;
}

static DecodingWalkOptions options(int64_t n, int64_t top_k) {
    DecodingWalkOptions o;
    o.max_new_tokens = n;
    o.top_k = top_k;
    return o;
}

// The invariants every greedy walk must satisfy.
static void check_greedy_walk(const DecodingWalk& w, const Checkpoint& m) {
    const int64_t C = m.config.n_embd;
    const AsF32 wte(m.w.wte);  // (V, C)
    double max_e = 0;  // the longest token vector
    for (int64_t v = 0; v < m.config.vocab_size; v++) max_e = std::max(max_e, norm(wte.row(v), C));
    double sum_model = 0;
    for (const WalkStep& s : w.steps) {
        CAPTURE(s.step);
        // The chosen token is the top logit AND the top dot-product neighbour of c_t
        // (recomputed in double from c_t and wte, independently of the logits).
        CHECK(s.top[0].id == s.token);
        CHECK(s.rank == 1);
        // (Exact: the greedy steps' top-1 gaps are >= 0.011, ~1000x the float error of a logit.)
        CHECK(s.near.by_dot[0].id == s.token);
        CHECK(s.prob_model == s.top[0].prob);  // both p[token] of one softmax_probs: same bits
        // Greedy leaves one candidate: sampled probability 1, so log P(path) as sampled is 0.
        CHECK(s.prob_sampling == 1.0);
        CHECK(s.sampling_support == 1);
        CHECK(s.entropy_sampling == 0.0);
        CHECK(s.path_log_prob == 0.0);
        sum_model += std::log(s.prob_model);  // the walk's own sum, in the same order: same bits
        CHECK(s.path_log_prob_model == doctest::Approx(sum_model).epsilon(1e-12));
        double top_mass = 0;
        for (size_t i = 0; i < s.top.size(); i++) {
            const WalkCandidate& k = s.top[i];
            top_mass += k.prob;
            if (i > 0) CHECK(k.prob <= s.top[i - 1].prob);  // exp of one sorted row: monotone
            // logit = content + prior, with x̂ from the traced residual: a second forward pass
            // (one chunk, traced) and layernorm_ref in double against generate()'s float logit
            // (KV cache, kernels): 1e-4 (1 + |logit|) is 10x kForwardOrderAtol at |logit| = 1 and
            // ~170x the worst seen (3.6e-6, logits up to ~20); a wrong split is off by |e . beta| ~ 1.
            CHECK(std::fabs(k.content + k.prior - k.logit) <= 1e-4 * (1 + std::fabs(k.logit)));
            // The prior computed here with the walk's own dot() on the same floats: same bits.
            CHECK(k.prior == doctest::Approx(dot(wte.row(k.id), m.w.ln_f_b, C)).epsilon(1e-12));
            // The model's logit is the dot product c_t . e_v of the same floats, in double here and
            // by OpenBLAS in float there: apart by at most float_sum_error(C, sum |c_i e_i|), and
            // sum |c_i e_i| <= |c_t| |e_v|. Ranked separately, the i-th of each list are then within
            // the largest such bound even where two near-equal logits swap places.
            CHECK(std::fabs(s.near.by_dot[i].dot - k.logit) <=
                  testing::float_sum_error(C, s.context_norm * max_e));
        }
        CHECK(top_mass <= 1.0 + 1e-9);  // K of the V double probabilities: 1 + ~V 1e-16 at most
        CHECK(std::fabs(s.cos_context_chosen) <= 1.0);  // |cos| ~ 0.3 here, far from the bound
        CHECK(s.context_norm > 0);
        CHECK(std::isnan(s.cos_context_prev) == (s.step == 0));
    }
    CHECK(w.wte_checksum_before == w.wte_checksum_after);
    // The same two paths as content + prior vs logit above: worst seen 3.6e-6 (split, logits
    // up to ~20) and 4.5e-6 (context, |c_t| entries up to ~13), 1/280 and 1/22 of these bounds.
    CHECK(w.max_split_error < 1e-3);
    CHECK(w.max_context_error < 1e-4);
    CHECK(w.contexts.size() == w.steps.size() * size_t(C));
    CHECK(w.context_xy.size() == 2 * w.steps.size());
    CHECK(w.token_xy.size() == 2 * w.steps.size());
}

TEST_CASE("repeated 4-gram rate and distinct-2, worked by hand") {
    // 1 2 3 4 1 2 3 4 1: six 4-grams, four distinct -> rate 1 - 4/6; eight bigrams, four distinct.
    const std::vector<int> ids = {1, 2, 3, 4, 1, 2, 3, 4, 1};
    CHECK(repeated_ngram_rate(ids, 4) == doctest::Approx(1.0 / 3.0));
    CHECK(distinct_n(ids, 2) == doctest::Approx(0.5));
    CHECK(distinct_n({5, 5, 5}, 1) == doctest::Approx(1.0 / 3.0));
    CHECK(repeated_ngram_rate({1, 2, 3}, 4) == 0.0);  // fewer ids than n
    CHECK(distinct_n({}, 2) == 0.0);
    CHECK(repeated_ngram_rate({7, 8, 9, 10}, 4) == 0.0);
}

TEST_CASE("greedy walks on the random fixtures follow the reference and keep every invariant") {
    for (const char* name : kFixtures) {
        CAPTURE(name);
        const std::string dir = std::string("tests/fixtures/forward/") + name;
        auto m = load_checkpoint(dir);
        JsonValue g = load_json(dir + "/greedy.json");
        DecodingWalk w = run_decoding_walk(*m, json_ids(*g.find("prompt")), greedy(), options(12, 5));
        CHECK(w.generated() == json_ids(*g.find("ids")));
        check_greedy_walk(w, *m);
    }
}

TEST_CASE("with K = V the candidates are the whole distribution: probabilities sum to 1") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    const int64_t V = m->config.vocab_size;
    SamplerConfig sc;
    sc.temperature = 1.3f;
    sc.seed = 4;
    DecodingWalk w = run_decoding_walk(*m, {0, 17, 81}, sc, options(5, V));
    for (const WalkStep& s : w.steps) {
        double mass = 0, h = 0;
        for (const WalkCandidate& k : s.top) {
            mass += k.prob;
            h -= k.prob * std::log(k.prob);
        }
        // All in double, from one softmax_probs (V = 101 terms): ~V 1e-16 of rounding each; the
        // sums here run in probability order, the walk's in id order.
        CHECK(mass == doctest::Approx(1.0).epsilon(1e-9));
        CHECK(s.entropy_model == doctest::Approx(h).epsilon(1e-9));
        CHECK(s.entropy_model >= 0);
        CHECK(s.entropy_model <= std::log(double(V)) + 1e-12);
    }
}

TEST_CASE("sampled walk: the tokens generate() picks, and log P(path) sums the sampled log-probs") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    const int64_t V = m->config.vocab_size;
    const std::vector<int> prompt = {0, 17, 81, 56, 85};
    SamplerConfig sc;
    sc.top_k = 20;
    sc.seed = 3;
    DecodingWalk w = run_decoding_walk(*m, prompt, sc, options(12, 5));
    Sampler sampler(sc);
    GenerateOptions g;
    g.max_new_tokens = 12;
    CHECK(w.generated() == generate(*m, sampler, prompt, g).ids);

    // Independently: the top-20 renormalised probability of each chosen token.
    std::vector<int> seq = prompt;
    double path = 0;
    for (const WalkStep& s : w.steps) {
        RunState st = make_run_state(m->config, int64_t(seq.size()));
        std::vector<float> logits(static_cast<size_t>(V));
        forward(logits.data(), *m, st, seq.data(), int64_t(seq.size()), ForwardOptions{});
        std::vector<double> p = softmax_probs(logits.data(), V);
        double kept = 0;
        for (int id : top_k_indices(logits.data(), V, 20)) kept += p[size_t(id)];
        // Two forward passes (the walk's KV-cache steps, this one chunk) give logits within
        // d = kForwardOrderAtol; a shift of every logit by at most d moves ln p by at most 2d,
        // so p by 2d p, and p / kept by 4d (plus the sampler's float roundings, 3u). doctest's
        // Approx allows eps (1 + max): eps = 2d and 4d + 3u are bounds, not guesses. (The 20th
        // and 21st logits are >= 3e-3 apart, so both keep the same 20 tokens.)
        CHECK(s.prob_model == doctest::Approx(p[size_t(s.token)]).epsilon(2 * kForwardOrderAtol));
        CHECK(s.prob_sampling ==
              doctest::Approx(p[size_t(s.token)] / kept).epsilon(4 * kForwardOrderAtol + 3 * kFloatU));
        CHECK(s.sampling_support == 20);
        path += std::log(s.prob_sampling);  // the walk's own sum of the same doubles: same bits
        CHECK(s.path_log_prob == doctest::Approx(path).epsilon(1e-12));
        seq.push_back(s.token);
    }
    CHECK(w.wte_checksum_before == w.wte_checksum_after);
}

TEST_CASE("a replayed path is measured as if it had been drawn") {
    // Walk a sampled path again, given as replay: the same tokens through the same code, so
    // every measured number is the same bits. Under greedy the same path has p sampled 1 where
    // it took the arg max and 0 (log P = -inf) where it did not.
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    const std::vector<int> prompt = {0, 17, 81, 56, 85};
    SamplerConfig sc;
    sc.top_k = 20;
    sc.seed = 3;
    const DecodingWalk drawn = run_decoding_walk(*m, prompt, sc, options(8, 5));
    DecodingWalkOptions o = options(99, 5);  // max_new_tokens is not used with a replay
    o.replay = drawn.generated();
    const DecodingWalk again = run_decoding_walk(*m, prompt, sc, o);
    CHECK(again.replayed);
    CHECK_FALSE(drawn.replayed);
    REQUIRE(again.steps.size() == drawn.steps.size());
    for (size_t t = 0; t < drawn.steps.size(); t++) {
        CHECK(again.steps[t].token == drawn.steps[t].token);
        CHECK(again.steps[t].prob_model == drawn.steps[t].prob_model);
        CHECK(again.steps[t].prob_sampling == drawn.steps[t].prob_sampling);
        CHECK(again.steps[t].path_log_prob == drawn.steps[t].path_log_prob);
        CHECK(again.steps[t].context_norm == drawn.steps[t].context_norm);
    }
    SamplerConfig greedy;
    greedy.greedy = true;
    const DecodingWalk as_greedy = run_decoding_walk(*m, prompt, greedy, o);
    bool left_greedy = false;
    for (const WalkStep& s : as_greedy.steps) {
        CHECK(s.prob_sampling == (s.rank == 1 ? 1.0 : 0.0));
        left_greedy |= s.rank != 1;
        if (left_greedy) CHECK(std::isinf(s.path_log_prob));
    }
    CHECK(left_greedy);  // the sampled path does leave the arg max somewhere
}

TEST_CASE("shipped model: the greedy walk is the reference continuation, with every invariant") {
    auto m = load_checkpoint("weights/tiny-gpt2");
    JsonValue g = load_json("tests/fixtures/tiny-gpt2/greedy.json");
    const JsonValue& c = g.find("cases")->items[1];  // "In the beginning"
    REQUIRE(c.find("text")->text == "In the beginning");
    DecodingWalk w = run_decoding_walk(*m, json_ids(*c.find("prompt")), greedy(), options(20, 5));
    CHECK(w.generated() == json_ids(*c.find("ids")));
    check_greedy_walk(w, *m);
}

TEST_CASE("--compare: six strategies, greedy first, metrics computed from the generated ids") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    JsonValue g = load_json("tests/fixtures/forward/f32/greedy.json");
    std::vector<StrategyRun> runs = compare_decoding(*m, json_ids(*g.find("prompt")), 1, options(12, 3));
    REQUIRE(runs.size() == 6);
    CHECK(runs[0].name == "greedy");
    CHECK(runs[0].walk.generated() == json_ids(*g.find("ids")));
    CHECK(runs[0].log_prob_sampling == 0.0);
    // 30 14 14 40 12 40 19 9 9 84 84 14: all 11 bigrams differ, so no 4-gram repeats either.
    CHECK(runs[0].distinct_2 == 1.0);
    CHECK(runs[0].repeated_4gram == 0.0);
    for (const StrategyRun& r : runs) {
        CAPTURE(r.name);
        CHECK(r.walk.steps.size() == 12);
        CHECK(r.repeated_4gram == repeated_ngram_rate(r.walk.generated(), 4));
        CHECK(r.distinct_2 == distinct_n(r.walk.generated(), 2));
        double h = 0;  // divided before adding, the run after: 12 double roundings apart, ~1e-15
        for (const WalkStep& s : r.walk.steps) h += s.entropy_model / 12.0;
        CHECK(r.mean_entropy == doctest::Approx(h).epsilon(1e-12));
        CHECK(r.log_prob_model == r.walk.steps.back().path_log_prob_model);  // a copy
        // At temperature 1, filtering can only raise a kept token's (renormalised) probability:
        // ln p_sampled >= ln p_model, equal when nothing is cut (temperature 1.0). Both come
        // from the same double softmax of the same logits, but the sampler keeps each p as a
        // float, rounded once (u = 2^-24 relative), divided by their sum (within u of 1) and
        // rounded again: each step's ln p_sampled is within 3u of the exact ln(p / kept), above
        // or below depending on the logits' last bits, so on the CPU. Over S steps the slack is
        // S * 3u (~2e-6 for 12; 4u a step also covers the double sums' ~1e-16 |log P|).
        const double slack = double(r.walk.steps.size()) * 4 * kFloatU;
        if (r.walk.sampler.temperature == 1.0f) CHECK(r.log_prob_sampling >= r.log_prob_model - slack);
    }
    CHECK(runs[5].walk.sampler.top_p == doctest::Approx(0.9f));
    CHECK(runs[4].walk.sampler.top_k == 40);
}

TEST_CASE("--tree: children are the top-B of an independent forward pass; P(path) multiplies") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    const int64_t V = m->config.vocab_size;
    const std::vector<int> prompt = {0, 17, 81};
    auto top = [&](const std::vector<int>& seq, std::vector<double>* p) {
        RunState st = make_run_state(m->config, int64_t(seq.size()));
        std::vector<float> logits(static_cast<size_t>(V));
        forward(logits.data(), *m, st, seq.data(), int64_t(seq.size()), ForwardOptions{});
        *p = softmax_probs(logits.data(), V);
        return top_k_indices(logits.data(), V, 3);
    };
    WalkTree t = expand_tree(*m, prompt, 3, 2, Isa::Ref);
    CHECK(t.forward_calls == 4);
    std::vector<double> p0, p1;
    std::vector<int> first = top(prompt, &p0);
    REQUIRE(t.root.children.size() == 3);
    for (size_t i = 0; i < 3; i++) {
        const TreeNode& a = t.root.children[i];
        CHECK(a.token == first[i]);
        // expand_tree and top() run the same forward (Isa::Ref, a fresh one-chunk prefill of
        // the same ids) and the same softmax_probs: the same bits, so 1e-9 is no tolerance at all.
        CHECK(a.prob == doctest::Approx(p0[size_t(first[i])]).epsilon(1e-9));
        std::vector<int> seq = prompt;
        seq.push_back(a.token);
        std::vector<int> second = top(seq, &p1);
        REQUIRE(a.children.size() == 3);
        for (size_t j = 0; j < 3; j++) {
            const TreeNode& b = a.children[j];
            CHECK(b.token == second[j]);
            CHECK(b.prob == doctest::Approx(p1[size_t(second[j])]).epsilon(1e-9));
            CHECK(b.path_prob == doctest::Approx(a.prob * b.prob).epsilon(1e-12));  // 1 * a * b
            CHECK(b.children.empty());
        }
    }
    CHECK_THROWS_AS(expand_tree(*m, prompt, 6, 2, Isa::Ref), Error);
    CHECK_THROWS_AS(expand_tree(*m, prompt, 2, 5, Isa::Ref), Error);
    CHECK_THROWS_AS(expand_tree(*m, std::vector<int>(31, 1), 2, 2, Isa::Ref), Error);  // P = 32
}
