// test_bench.cpp — what the benchmark reports (its fields and their relations), not how
// fast anything is: speed is for `make bench`, never for a test.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "perf/bench.h"
#include "perf/train_bench.h"
#include "report/bench_io.h"
#include "testing.h"

using namespace gw;

TEST_CASE("summarize: median, min and max, worked by hand") {
    Stat odd = summarize({5.0, 1.0, 3.0});
    CHECK(odd.median == 3.0);
    CHECK(odd.min == 1.0);
    CHECK(odd.max == 5.0);
    Stat even = summarize({4.0, 1.0, 2.0, 10.0});  // middle two: 2 and 4
    CHECK(even.median == 3.0);
    CHECK(even.min == 1.0);
    CHECK(even.max == 10.0);
    CHECK(summarize({7.0}).median == 7.0);
    CHECK_THROWS_AS(summarize({}), Error);
}

TEST_CASE("bench_tokens: seeded, in range, not constant") {
    std::vector<int> a = bench_tokens(200, 101, 7), b = bench_tokens(200, 101, 7);
    std::vector<int> c = bench_tokens(200, 101, 8);
    CHECK(a == b);
    CHECK(a != c);
    bool varied = false;
    for (int id : a) {
        CHECK(id >= 0);
        CHECK(id < 101);
        varied = varied || id != a[0];
    }
    CHECK(varied);
}

TEST_CASE("memory_use: a peak at least as large as the current resident set") {
    MemoryUse m = memory_use();
    CHECK(m.peak_rss > 0);
    CHECK(m.peak_rss >= m.rss);
}

static BenchOptions small_options() {
    BenchOptions o;
    o.prompt_tokens = 8;
    o.gen_tokens = 4;
    o.repeats = 3;
    o.isa = best_isa();
    return o;
}

TEST_CASE("run_bench on a small F32 checkpoint: every number present and consistent") {
    const std::string dir = "tests/fixtures/forward/f32";  // L 2, C 16, P 32, V 101
    for (int threads : {1, 2}) {
        CAPTURE(threads);
        BenchOptions o = small_options();
        o.threads = threads;
        BenchResult r = run_bench(dir, o);
        const Config& c = r.config;
        CHECK(r.prompt == bench_tokens(8, c.vocab_size, o.seed));
        for (const Stat* s : {&r.load_s, &r.prefill_tok_s, &r.decode_tok_s}) {
            CHECK(s->min > 0);
            CHECK(s->min <= s->median);
            CHECK(s->median <= s->max);
        }
        CHECK(r.first_prefill_s > 0);
        CHECK(r.weights_mapped);
        CHECK(r.weights_bytes == size_t(c.parameter_count()) * sizeof(float));
        CHECK(r.kv_cache_bytes == size_t(2 * c.n_layer * c.n_positions * c.n_embd) * sizeof(float));
        CHECK(r.activation_bytes > size_t(c.vocab_size) * sizeof(float));  // the logits and more
        CHECK(r.expected_bytes() == r.weights_bytes + r.kv_cache_bytes + r.activation_bytes);
        CHECK(r.memory.peak_rss > 0);
        // every timed op ran, and sampling is timed in decode only
        CHECK(r.prefill_ops.matmul > 0);
        CHECK(r.prefill_ops.attention > 0);
        CHECK(r.prefill_ops.lm_head > 0);
        CHECK(r.decode_ops.matmul > 0);
        CHECK(r.sampling_s > 0);
    }
}

TEST_CASE("run_bench: BF16 matrices are used in place; converted ones are reported as made") {
    BenchOptions o = small_options();
    o.prompt_tokens = 4;
    o.repeats = 1;
    BenchResult r = run_bench("tests/fixtures/forward/bf16_oddheads", o);
    CHECK(r.weights_mapped);
    CHECK(r.weights_type == WType::BF16);
    for (WType t : {WType::F32, WType::F16, WType::Q8}) {
        CAPTURE(wtype_name(t));
        o.load.weights = t;
        r = run_bench("tests/fixtures/forward/bf16_oddheads", o);
        CHECK_FALSE(r.weights_mapped);
        CHECK(r.weights_type == t);
        // The bytes a step reads shrink with the type: matrices at 4, 2 or 1.0625 bytes.
        const Config& c = r.config;
        CHECK(r.decode_step_bytes > 0);
        double mean = 0;
        for (int64_t k = 0; k < o.gen_tokens; k++) mean += decode_bytes(c, o.prompt_tokens + k, t);
        CHECK(r.decode_step_bytes == doctest::Approx(mean / double(o.gen_tokens)).epsilon(1e-12));
    }
}

TEST_CASE("run_bench refuses options it cannot honour") {
    const std::string dir = "tests/fixtures/forward/f32";  // P = 32
    BenchOptions o = small_options();
    o.repeats = 0;
    CHECK_THROWS_AS(run_bench(dir, o), UsageError);
    o = small_options();
    o.prompt_tokens = 30;
    o.gen_tokens = 3;  // 33 > 32 positions
    CHECK_THROWS_WITH_AS(run_bench(dir, o),
                         "bench: 30 prompt + 3 generated tokens do not fit the model's context of 32 positions",
                         UsageError);
    o = small_options();
    o.prompt_tokens = 0;
    CHECK_THROWS_AS(run_bench(dir, o), UsageError);
    CHECK_THROWS_AS(run_bench("tests/fixtures/no-such-model", small_options()), Error);
}

// The four fields `make bench` and the issue rely on, numeric, with their spreads.
static void check_json_fields(const JsonValue& j) {
    for (const char* key : {"load_s", "prefill_tok_s", "decode_tok_s", "peak_rss_mb", "load_s_min",
                            "prefill_tok_s_max", "decode_tok_s_min", "expected_mb", "weights_mb",
                            "kv_cache_mb", "activations_mb", "threads"}) {
        CAPTURE(key);
        const JsonValue* v = j.find(key);
        REQUIRE(v != nullptr);
        CHECK(v->is_number());
        CHECK(v->number > 0);
    }
    REQUIRE(j.find("weights_mapped") != nullptr);
    CHECK(j.find("weights_mapped")->kind == JsonValue::Kind::Bool);
    const JsonValue* shares = j.find("decode_shares");
    REQUIRE(shares != nullptr);
    double sum = 0;
    for (const auto& [name, v] : shares->members) sum += v.number;
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-6));  // the shares cover the whole phase (doubles: ~1e-15)
    CHECK(shares->find("sampling") != nullptr);
}

TEST_CASE("bench_json is one JSON object with the medians as numbers") {
    BenchResult r = run_bench("tests/fixtures/forward/f32", small_options());
    JsonValue j = parse_json(bench_json(r), "bench_json");
    REQUIRE(j.is_object());
    check_json_fields(j);
    CHECK(j.find("prefill_tok_s")->number == r.prefill_tok_s.median);  // shortest round-trip JSON: exact
    CHECK(j.find("model")->text == "tests/fixtures/forward/f32");
}

TEST_CASE("gptwalk bench --json prints that object; bad flags exit 2") {
    using gw::testing::gptwalk_binary;
    using gw::testing::run_command;
    std::string out;
    int rc = run_command(gptwalk_binary() +
                             " bench --model tests/fixtures/forward/f32 --prompt-tokens 6"
                             " --gen-tokens 3 --repeats 2 --threads 2 --json 2>&1",
                         &out);
    REQUIRE(rc == 0);
    JsonValue j = parse_json(out, "gptwalk bench --json");
    check_json_fields(j);
    CHECK(j.find("threads")->integer == 2);
    CHECK(j.find("prompt_tokens")->integer == 6);
    CHECK(run_command(gptwalk_binary() + " bench --repeats 0 2>&1", &out) == 2);
    CHECK(run_command(gptwalk_binary() + " bench --bogus 2>&1", &out) == 2);
}

// ---------------------------------------------------------------- training (perf/train_bench.h)

TEST_CASE("run_train_bench on a small model: every number present and consistent") {
    TrainBenchOptions o;
    o.batch = 2;
    o.seq = 8;
    o.steps = 2;
    o.threads = 2;
    o.isa = best_isa();
    const TrainBenchResult r = run_train_bench("tests/fixtures/train/oddheads", o);
    const size_t n = size_t(r.config.parameter_count());
    CHECK(r.params_bytes == 4 * n);
    CHECK(r.grads_bytes == 4 * n);
    CHECK(r.moments_bytes == 8 * n);  // AdamW: two floats a parameter
    CHECK(r.activation_bytes > 0);
    CHECK(r.memory.peak_rss >= r.expected_bytes());  // it holds at least all of them
    CHECK(r.tok_s.min > 0);
    CHECK(r.tok_s.min <= r.tok_s.median);
    CHECK(r.tok_s.median <= r.tok_s.max);
    CHECK(r.times.total() <= r.step_s * 1.0001);  // the ops run inside the timed updates
    CHECK(r.times.optimizer > 0);
    CHECK(r.times.backward.matmul > 0);
    CHECK(std::isfinite(r.last_loss));
    const JsonValue j = parse_json(train_bench_json(r), "train_bench_json");
    CHECK(j.find("train_tok_s")->number == r.tok_s.median);
    double shares = 0;
    for (const auto& [name, v] : j.find("shares")->members) shares += v.number;
    CHECK(shares == doctest::Approx(1.0).epsilon(1e-9));  // the parts tile the update's time
    std::string out;
    CHECK(testing::run_command(testing::shell_quote(testing::gptwalk_binary()) +
                                   " bench --train --prompt-tokens 5 </dev/null", &out) == 2);
    CHECK(out.find("does not apply to --train") != std::string::npos);
}
