// test_testing.cpp — the test helpers themselves: a guard that cannot fail guards nothing.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "testing.h"

using namespace gw;

static void copy_row(float* out, const float* in, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = in[i];
}
static void writes_one_past(float* out, const float* in, int64_t n) {
    copy_row(out, in, n);
    out[n] = 0.0f;
}
static void writes_one_before(float* out, const float* in, int64_t n) {
    copy_row(out, in, n);
    out[-1] = 0.0f;
}
static void reads_one_past(float* out, const float* in, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = in[i + 1];
}

TEST_CASE("run_guarded_row: a clean kernel passes; writing or reading past the row shows") {
    const std::vector<float> x = {1, 2, 3, 4, 5};
    for (bool in_place : {false, true}) {
        CAPTURE(in_place);
        testing::GuardedRow ok = testing::run_guarded_row(copy_row, x, 3, in_place);
        CHECK(ok.out == x);
        CHECK_FALSE(ok.wrote_outside);
        testing::GuardedRow past = testing::run_guarded_row(writes_one_past, x, 3, in_place);
        CHECK(past.wrote_outside);
        CHECK(past.outside_index == 5);
        testing::GuardedRow before = testing::run_guarded_row(writes_one_before, x, 3, in_place);
        CHECK(before.wrote_outside);
        CHECK(before.outside_index == -1);
        testing::GuardedRow read = testing::run_guarded_row(reads_one_past, x, 3, in_place);
        CHECK(std::isnan(read.out[4]));  // the guard poisoned what it read
    }
}

TEST_CASE("float_sum_error bounds a float sum in any order; it refuses n u >= 1") {
    CHECK(testing::float_sum_error(1, 1.0) == testing::kFloatU / (1 - testing::kFloatU));
    CHECK(testing::float_sum_error(10, 0.0) == 0.0);
    // 10000 terms of mixed sign, added in float forwards, backwards and pairwise: every
    // order lands within the bound of the exact (double) sum, and the bound is not vacuous.
    const std::vector<float> x = testing::random_floats(10000, 5);
    double exact = 0, abs_sum = 0;
    for (float v : x) exact += v, abs_sum += std::fabs(v);
    float fwd = 0, bwd = 0;
    for (size_t i = 0; i < x.size(); i++) fwd += x[i], bwd += x[x.size() - 1 - i];
    std::vector<float> pairs = x;
    while (pairs.size() > 1) {
        std::vector<float> next;
        for (size_t i = 0; i < pairs.size(); i += 2)
            next.push_back(i + 1 < pairs.size() ? pairs[i] + pairs[i + 1] : pairs[i]);
        pairs = next;
    }
    const double bound = testing::float_sum_error(int64_t(x.size()), abs_sum);
    for (float got : {fwd, bwd, pairs[0]}) CHECK(std::fabs(got - exact) <= bound);
    CHECK(bound < 0.01 * abs_sum);
    CHECK_THROWS(testing::float_sum_error(int64_t(1) << 24, 1.0));
}
