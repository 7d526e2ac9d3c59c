// test_roofline.cpp — the FLOP and byte counts of lesson 15's roofline, against numbers
// derived independently (the published parameter count of GPT-2 124M; a decode step
// counted weight by weight), and the probe's behaviour. No speed is checked here.
#include <doctest/doctest.h>

#include <cmath>

#include "core/json.h"
#include "core/parallel.h"
#include "perf/bench.h"
#include "report/bench_io.h"
#include "perf/random_checkpoint.h"
#include "perf/roofline.h"

using namespace gw;

TEST_CASE("decode_bytes: every GPT-2 124M weight once, one row of wpe, the KV cache so far") {
    const Config c = gpt2_config("124M");
    // 124,439,808 parameters (wte tied with the LM head): the published count for GPT-2
    // small; of wpe's 1024 rows a step reads one.
    const double weights = 124439808.0 - 1023.0 * 768.0;
    CHECK(decode_bytes(c, 0) == doctest::Approx(4.0 * (weights + 2 * 12 * 768)).epsilon(1e-12));
    // each position further adds one key and one value row per layer
    CHECK(decode_bytes(c, 100) - decode_bytes(c, 99) == doctest::Approx(4.0 * 2 * 12 * 768));
}

TEST_CASE("prefill_flops: one token is a decode step; more tokens skip the last layer's rows") {
    const Config c = gpt2_config("124M");
    const double C = 768, L = 12, V = 50257;
    // One row: 2 FLOPs per weight of the four products of each block (12 C^2 weights),
    // one key of attention (4C), and the LM head over the V token vectors.
    const double step = 2 * (L * 12 * C * C + V * C) + 4 * C * L;
    CHECK(prefill_flops(c, 1) == doctest::Approx(step).epsilon(1e-12));
    // T rows, counted row by row: layers 0..L-2 do every row's products, the last layer
    // only its q/k/v products for the rows before the last; row i attends to i + 1 keys
    // in the full layers.
    const int64_t T = 128;
    double want = 0;
    for (int64_t i = 0; i < T; i++) {
        const bool last = i == T - 1;
        want += (L - 1) * (2 * 12 * C * C + 4 * C * double(i + 1));
        want += last ? 2 * 12 * C * C + 4 * C * double(T) : 2 * 3 * C * C;
    }
    want += 2 * C * V;
    CHECK(prefill_flops(c, T) == doctest::Approx(want).epsilon(1e-12));
    CHECK(prefill_flops(c, T) < double(T) * prefill_flops(c, 1));  // the LM head once, not T times
}

TEST_CASE("measure_roofline gives positive, finite ceilings on 1 and 2 threads") {
    for (int threads : {1, 2}) {
        CAPTURE(threads);
        ThreadTeam team(threads);
        Roofline r = measure_roofline(team, 1, int64_t(4) << 20);
        CHECK(std::isfinite(r.read_gb_s));
        CHECK(r.read_gb_s > 0);
        CHECK(std::isfinite(r.gemm_gflop_s));
        CHECK(r.gemm_gflop_s > 0);
    }
}

TEST_CASE("bench with --roofline reports the ceilings and bounds consistent with the counts") {
    BenchOptions o;
    o.prompt_tokens = 8;
    o.gen_tokens = 4;
    o.repeats = 1;
    o.roofline = true;
    BenchResult r = run_bench("tests/fixtures/forward/f32", o);
    CHECK(r.roof.read_gb_s > 0);
    CHECK(r.roof.gemm_gflop_s > 0);
    const double flops = prefill_flops(r.config, 8);
    CHECK(r.prefill_bound_tok_s == doctest::Approx(8 * r.roof.gemm_gflop_s * 1e9 / flops));
    CHECK(r.prefill_gflop_s == doctest::Approx(flops * r.prefill_tok_s.median / 8 / 1e9));
    JsonValue j = parse_json(bench_json(r), "bench_json");
    for (const char* k : {"read_gb_s", "gemm_gflop_s", "prefill_bound_tok_s", "decode_bound_tok_s",
                          "prefill_gflop_s", "decode_gb_s"}) {
        CAPTURE(k);
        REQUIRE(j.find(k) != nullptr);
        CHECK(j.find(k)->number > 0);
    }
    o.roofline = false;  // without it: no ceilings in the JSON
    JsonValue k = parse_json(bench_json(run_bench("tests/fixtures/forward/f32", o)), "bench_json");
    CHECK(k.find("read_gb_s") == nullptr);
}
