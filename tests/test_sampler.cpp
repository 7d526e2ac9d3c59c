// test_sampler.cpp — which tokens each sampling rule keeps, worked by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <vector>

#include "core/error.h"
#include "model/sampler.h"

using namespace gw;

// logits whose softmax is p (up to normalisation): z = log p, rounded to float, so p comes
// back within ~|log p| u ~ 2e-7 relatively: Approx's default 1.2e-5 is ample, and no rule's
// threshold below is placed within that of a probability (min-p's exact tie is made separately)
static std::vector<float> logits_of(const std::vector<double>& p) {
    std::vector<float> z;
    for (double x : p) z.push_back(float(std::log(x)));
    return z;
}

static std::vector<int> ids_of(const std::vector<Candidate>& c) {
    std::vector<int> ids;
    for (const auto& k : c) ids.push_back(k.id);
    return ids;
}

TEST_CASE("greedy and temperature 0 take the arg max (lowest id on ties)") {
    std::vector<float> z = {0.5f, 2.0f, -1.0f, 2.0f};
    SamplerConfig g;
    g.greedy = true;
    CHECK(ids_of(sampling_distribution(g, z.data(), 4, {})) == std::vector<int>{1});
    SamplerConfig t0;
    t0.temperature = 0.0f;
    Sampler s(t0);
    CHECK(sample(s, z.data(), 4, {}) == 1);
    CHECK(argmax(z.data(), 4) == 1);
}

TEST_CASE("top-k keeps exactly the k most probable, renormalised") {
    auto z = logits_of({0.1, 0.4, 0.2, 0.3});
    SamplerConfig c;
    c.top_k = 2;
    auto d = sampling_distribution(c, z.data(), 4, {});
    REQUIRE(ids_of(d) == std::vector<int>{1, 3});
    CHECK(d[0].prob == doctest::Approx(0.4 / 0.7));
    CHECK(d[1].prob == doctest::Approx(0.3 / 0.7));
    c.top_k = 10;  // more than the vocabulary: everything
    CHECK(sampling_distribution(c, z.data(), 4, {}).size() == 4);
}

TEST_CASE("top-p keeps the smallest set reaching the mass") {
    auto z = logits_of({0.1, 0.4, 0.2, 0.3});
    SamplerConfig c;
    c.top_p = 0.6f;  // 0.4 < 0.6 <= 0.4 + 0.3
    CHECK(ids_of(sampling_distribution(c, z.data(), 4, {})) == std::vector<int>{1, 3});
    c.top_p = 0.75f;  // needs 0.4 + 0.3 + 0.2
    CHECK(ids_of(sampling_distribution(c, z.data(), 4, {})) == std::vector<int>{1, 3, 2});
    c.top_p = 0.01f;  // always at least one
    CHECK(ids_of(sampling_distribution(c, z.data(), 4, {})) == std::vector<int>{1});
}

TEST_CASE("min-p keeps tokens with p >= min_p x p_max") {
    auto z = logits_of({0.1, 0.4, 0.2, 0.3});
    SamplerConfig c;
    // floor 0.18: keeps 0.4, 0.3, 0.2, drops 0.1. (A floor of exactly 0.2 would put the
    // answer on the float rounding of log 0.2 and log 0.4: 0.2 comes back 2e-9 below it.)
    c.min_p = 0.45f;
    CHECK(ids_of(sampling_distribution(c, z.data(), 4, {})) == std::vector<int>{1, 3, 2});
    // p == floor keeps the token: equal logits give bit-equal probabilities, and min_p 1 makes
    // the floor p_max itself.
    std::vector<float> tie = {1.0f, 0.0f, 1.0f};
    c.min_p = 1.0f;
    CHECK(ids_of(sampling_distribution(c, tie.data(), 3, {})) == std::vector<int>{0, 2});
}

TEST_CASE("temperature sharpens (<1) and flattens (>1); near 0 it becomes greedy") {
    auto z = logits_of({0.1, 0.4, 0.2, 0.3});
    SamplerConfig c;
    c.temperature = 0.5f;  // p^2 renormalised
    auto d = sampling_distribution(c, z.data(), 4, {});
    CHECK(d[0].id == 1);
    CHECK(d[0].prob == doctest::Approx(0.16 / 0.30));
    c.temperature = 1e-4f;
    CHECK(sampling_distribution(c, z.data(), 4, {})[0].prob == doctest::Approx(1.0));
    Sampler s(c);
    for (int i = 0; i < 50; i++) CHECK(sample(s, z.data(), 4, {}) == 1);
}

TEST_CASE("repetition penalty divides positive and multiplies negative logits of seen tokens") {
    std::vector<float> z = {2.0f, 1.5f, -1.0f, -0.5f};
    SamplerConfig c;
    c.greedy = true;
    c.repetition_penalty = 2.0f;
    CHECK(sampling_distribution(c, z.data(), 4, {0})[0].id == 1);        // 2.0 -> 1.0 < 1.5
    CHECK(sampling_distribution(c, z.data(), 4, {0, 1, 1})[0].id == 0);  // 1.0 vs 0.75
    // a negative logit gets more negative: token 3 (-0.5 -> -1.0) falls below token 2 (-1.0 -> ... unseen)
    std::vector<float> neg = {-0.5f, -0.8f};
    CHECK(sampling_distribution(c, neg.data(), 2, {0})[0].id == 1);  // -1.0 < -0.8
}

TEST_CASE("a fixed seed reproduces the same draws; draws follow the distribution") {
    auto z = logits_of({0.1, 0.4, 0.2, 0.3});
    SamplerConfig c;
    c.seed = 1234;
    Sampler a(c), b(c);
    std::map<int, int> counts;
    for (int i = 0; i < 20000; i++) {
        int x = sample(a, z.data(), 4, {});
        CHECK(x == sample(b, z.data(), 4, {}));
        counts[x]++;
    }
    // doctest's Approx allows eps (1 + max(|a|, |b|)): 0.11 and 0.07 here, 50 and 20 times the
    // binomial sd of 20000 draws (0.0021, 0.0035): a loose check (the seed fixes the draws).
    CHECK(counts[0] / 20000.0 == doctest::Approx(0.1).epsilon(0.1));
    CHECK(counts[1] / 20000.0 == doctest::Approx(0.4).epsilon(0.05));
    c.seed = 1235;
    Sampler other(c);
    std::vector<int> s1, s2;
    Sampler again(SamplerConfig{false, 1.0f, 0, 1.0f, 0.0f, 1.0f, 1234});
    for (int i = 0; i < 30; i++) {
        s1.push_back(sample(other, z.data(), 4, {}));
        s2.push_back(sample(again, z.data(), 4, {}));
    }
    CHECK(s1 != s2);  // a different seed gives a different stream
}

TEST_CASE("logits that are not numbers are refused, saying where and which") {
    const std::vector<float> fine = {0.5f, 2.0f, -1.0f};
    CHECK_NOTHROW(require_finite_logits(fine.data(), 3, "here"));
    const std::vector<float> inf = {0.5f, INFINITY, NAN, -INFINITY};
    CHECK_THROWS_WITH_AS(require_finite_logits(inf.data(), 4, "position 7, generation step 3"),
                         "the logits at position 7, generation step 3 are not numbers: 3 of 4 are NaN or infinite, "
                         "the first +infinity at id 1 (weights that are NaN or infinite, or products that overflow "
                         "float32; `gptwalk inspect --check` scans the weights)",
                         Error);
    // The sampler refuses them too, whoever calls it: no token is drawn from NaN.
    SamplerConfig c;
    CHECK_THROWS_AS(sampling_distribution(c, inf.data() + 1, 3, {}), Error);
    const std::vector<float> all_minus_inf = {-INFINITY, -INFINITY};
    CHECK_THROWS_WITH_AS(sampling_distribution(c, all_minus_inf.data(), 2, {}),
                         doctest::Contains("the first -infinity at id 0"), Error);
}

TEST_CASE("a replaying sampler returns its path in turn, draws nothing, then refuses") {
    const std::vector<float> z = {0.5f, 2.0f, -1.0f, 1.0f};
    SamplerConfig sc;
    sc.seed = 5;
    Sampler s(sc);
    s.replay = {2, 0, 3};  // not what the sampler would draw: token 2 is the least likely
    for (int want : {2, 0, 3}) CHECK(sample(s, z.data(), 4, {}) == want);
    CHECK(s.rng.state == Sampler(sc).rng.state);  // no random number was used
    CHECK_THROWS_AS(sample(s, z.data(), 4, {}), Error);
    Sampler bad(sc);
    bad.replay = {4};  // outside [0, V)
    CHECK_THROWS_AS(sample(bad, z.data(), 4, {}), Error);
}

TEST_CASE("bad settings are usage errors") {
    SamplerConfig c;
    c.top_p = 0.0f;
    CHECK_THROWS_AS(validate(c), UsageError);
    c = SamplerConfig{};
    c.temperature = -1;
    CHECK_THROWS_AS(validate(c), UsageError);
    c = SamplerConfig{};
    c.repetition_penalty = 0;
    CHECK_THROWS_AS(validate(c), UsageError);
    c = SamplerConfig{};
    c.top_k = -3;
    CHECK_THROWS_AS(Sampler{c}, UsageError);
}
