// test_fidelity.cpp — the weight types' fidelity record (perf/fidelity.h).
#include <doctest/doctest.h>

#include "core/error.h"
#include "perf/fidelity.h"
#include "testing.h"

using namespace gw;

TEST_CASE("fidelity: F32 against itself is exact; a type that only reorders sums is float32-close") {
    FidelityOptions o;
    o.prompt_tokens = 6;
    o.gen_tokens = 5;
    o.isa = best_isa();
    // f16_prefix stores F16: --weights f16 holds exactly the numbers F32 holds widened, so
    // the two runs differ only in the order of their sums (kForwardOrderAtol, testing.h).
    FidelityResult r = weight_fidelity("tests/fixtures/forward/f16_prefix", o);
    REQUIRE(r.types.size() == 4);
    CHECK(r.prompt.size() == 6);
    CHECK(r.continuation.size() == 5);
    for (const TypeFidelity& f : r.types) {
        CAPTURE(std::string(wtype_name(f.type)));
        CHECK(f.positions == 11);
        CHECK(f.top1_agree <= f.positions);
        CHECK(f.greedy_match <= 5);
        CHECK(f.rms <= f.max_abs);  // an RMS never exceeds the largest value it averages
        CHECK(f.bytes_per_weight == wtype_bytes_per_weight(f.type));
        CHECK(f.logit_range > 0);
    }
    const TypeFidelity &f32 = r.types[0], &bf16 = r.types[1], &f16 = r.types[2], &q8 = r.types[3];
    CHECK(f32.type == WType::F32);
    CHECK(f32.max_abs == 0.0);  // the same model, code and kernels: the same bits
    CHECK(f32.top1_agree == 11);
    CHECK(f32.greedy_match == 5);
    CHECK(f16.max_abs <= testing::kForwardOrderAtol);
    // Rounding the weights moves the logits far more than reordering sums does: BF16 keeps
    // 8 bits, Q8 about 7 relative to each block's largest weight (make_forward_fixtures.py
    // weights measured 0.031 and 0.094 on this fixture's full context).
    CHECK(bf16.max_abs > 100 * testing::kForwardOrderAtol);
    CHECK(q8.max_abs > bf16.max_abs);
    CHECK(q8.weights_bytes < f16.weights_bytes);
    CHECK(f16.weights_bytes < f32.weights_bytes);
}

TEST_CASE("fidelity: refuses options it cannot honour") {
    FidelityOptions o;
    o.gen_tokens = 0;
    CHECK_THROWS_AS(weight_fidelity("tests/fixtures/forward/f32", o), UsageError);
    o.gen_tokens = 30;  // P = 32
    o.prompt_tokens = 5;
    CHECK_THROWS_AS(weight_fidelity("tests/fixtures/forward/f32", o), UsageError);
}
