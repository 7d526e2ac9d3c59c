// test_random_checkpoint.cpp — the named GPT-2 sizes, the random checkpoint writer
// (layout, order, buffers, determinism) and the make_random_gpt2 command.
#include <doctest/doctest.h>
#include <unistd.h>  // readlink

#include <algorithm>  // std::count
#include <cmath>
#include <cstring>
#include <iterator>  // std::size
#include <string>

#include "core/error.h"
#include "core/mapped_file.h"
#include "model/safetensors.h"
#include "model/weights.h"
#include "perf/random_checkpoint.h"
#include "testing.h"

using namespace gw;
using gw::testing::TempDir;

namespace {

Config tiny() {
    Config c;
    c.vocab_size = 11, c.n_positions = 5, c.n_embd = 8, c.n_head = 2, c.n_layer = 2;
    return c;
}

float f32_at(const TensorInfo& t, int64_t i) {
    float x;
    std::memcpy(&x, t.data + 4 * i, 4);
    return x;
}

std::string data_bytes(const TensorInfo& t) {
    return std::string(reinterpret_cast<const char*>(t.data), size_t(t.end - t.begin));
}

// build/<x>/tools/make_random_gpt2, found next to this test binary (build/<x>/tests/).
std::string tool_path() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "";
    std::string self(buf, size_t(n));
    return self.substr(0, self.rfind("/tests/")) + "/tools/make_random_gpt2";
}

}  // namespace

TEST_CASE("gpt2_config: the published sizes and their parameter counts") {
    // Counts as Hugging Face reports them (num_parameters(), tied head counted once).
    struct Case { const char* name; const char* alias; int64_t L, NH, C, params; };
    const Case cases[] = {{"124M", "gpt2", 12, 12, 768, 124439808},
                          {"355M", "gpt2-medium", 24, 16, 1024, 354823168},
                          {"774M", "gpt2-large", 36, 20, 1280, 774030080},
                          {"1558M", "gpt2-xl", 48, 25, 1600, 1557611200}};
    for (const Case& k : cases) {
        Config c = gpt2_config(k.name);
        CHECK(c.n_layer == k.L);
        CHECK(c.n_head == k.NH);
        CHECK(c.n_embd == k.C);
        CHECK(c.n_positions == 1024);
        CHECK(c.vocab_size == 50257);
        CHECK(c.parameter_count() == k.params);
        CHECK(gpt2_config(k.alias).n_embd == k.C);
        validate_config(c, k.name);
    }
    Config d = gpt2_config("distilgpt2");
    CHECK(d.n_layer == 6);
    CHECK(d.parameter_count() == 124439808 - 6 * (12 * 768 * 768 + 13 * 768));  // 6 blocks fewer
    CHECK_THROWS_AS(gpt2_config("gpt3"), UsageError);
}

TEST_CASE("layout and order are Hugging Face's GPT2LMHeadModel state_dict") {
    TempDir dir;
    RandomCheckpointOptions o;
    o.transformer_prefix = o.lm_head = o.attn_bias_buffers = true;
    write_random_checkpoint(dir.path, tiny(), o);
    SafetensorsFile f(dir.file("model.safetensors"));
    const std::vector<TensorInfo>& t = f.tensors();
    REQUIRE(t.size() == 2 + 2 * 14 + 2 + 1);
    const char* head[] = {"transformer.wte.weight", "transformer.wpe.weight",
                          "transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias",
                          "transformer.h.0.attn.bias", "transformer.h.0.attn.masked_bias",
                          "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias",
                          "transformer.h.0.attn.c_proj.weight", "transformer.h.0.attn.c_proj.bias",
                          "transformer.h.0.ln_2.weight", "transformer.h.0.ln_2.bias",
                          "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_fc.bias",
                          "transformer.h.0.mlp.c_proj.weight", "transformer.h.0.mlp.c_proj.bias",
                          "transformer.h.1.ln_1.weight"};
    for (size_t i = 0; i < std::size(head); i++) CHECK(t[i].name == head[i]);
    CHECK(t[31].name == "transformer.ln_f.bias");
    CHECK(t[32].name == "lm_head.weight");  // never prefixed
    CHECK(f.metadata().at("format") == "pt");

    const TensorInfo& mask = t[4];  // (1, 1, P, P) lower-triangular ones, F32
    CHECK(mask.dtype == DType::F32);
    CHECK(mask.shape == Shape{1, 1, 5, 5});
    for (int64_t r = 0; r < 5; r++)
        for (int64_t c = 0; c < 5; c++) CHECK(f32_at(mask, r * 5 + c) == (c <= r ? 1.0f : 0.0f));
    CHECK(t[5].shape.ndim == 0);
    CHECK(f32_at(t[5], 0) == -1e4f);
    CHECK((data_bytes(t[32]) == data_bytes(t[0])));  // the head is wte

    Config back = load_config(dir.file("config.json"));
    CHECK(back.n_embd == 8);
    CHECK(back.n_positions == 5);
    std::string text = read_file(dir.file("config.json"));
    CHECK(text.find("\"model_type\": \"gpt2\"") != std::string::npos);
    CHECK(text.find("\"layer_norm_epsilon\": 1e-05") != std::string::npos);
}

TEST_CASE("values: weights N(0, std), layer-norm weights near 1") {
    TempDir dir;
    Config c = tiny();
    c.n_embd = 64, c.n_head = 4;  // enough numbers for statistics
    RandomCheckpointOptions o;
    o.std = 0.05f;
    write_random_checkpoint(dir.path, c, o);
    SafetensorsFile f(dir.file("model.safetensors"));
    auto stats = [&](const char* name, double* mean, double* sd) {
        const TensorInfo& t = *f.find(name);
        int64_t n = t.shape.numel();
        double s = 0, s2 = 0;
        for (int64_t i = 0; i < n; i++) s += f32_at(t, i), s2 += double(f32_at(t, i)) * f32_at(t, i);
        *mean = s / double(n);
        *sd = std::sqrt(s2 / double(n) - *mean * *mean);
    };
    double mean, sd;
    stats("h.0.mlp.c_fc.weight", &mean, &sd);  // 16384 draws: sd of the mean 0.0004
    CHECK(std::fabs(mean) < 0.002);
    CHECK(sd == doctest::Approx(0.05).epsilon(0.03));
    stats("h.1.ln_2.weight", &mean, &sd);
    CHECK(std::fabs(mean - 1.0) < 0.05);
    CHECK(sd > 0.02);
    CHECK(sd < 0.1);
}

TEST_CASE("deterministic: same seed same bytes; values independent of naming options") {
    TempDir a, b, c, d;
    write_random_checkpoint(a.path, tiny(), {});
    write_random_checkpoint(b.path, tiny(), {});
    CHECK((read_file(a.file("model.safetensors")) == read_file(b.file("model.safetensors"))));
    RandomCheckpointOptions o;
    o.seed = 2;
    write_random_checkpoint(c.path, tiny(), o);
    SafetensorsFile fa(a.file("model.safetensors")), fc(c.file("model.safetensors"));
    CHECK((data_bytes(*fa.find("wte.weight")) != data_bytes(*fc.find("wte.weight"))));
    o.seed = 1;
    o.transformer_prefix = o.attn_bias_buffers = true;
    write_random_checkpoint(d.path, tiny(), o);
    SafetensorsFile fd(d.file("model.safetensors"));
    CHECK((data_bytes(*fa.find("h.1.mlp.c_fc.weight")) == data_bytes(*fd.find("transformer.h.1.mlp.c_fc.weight"))));
}

TEST_CASE("a bad config is refused before any file is written") {
    TempDir dir;
    Config c = tiny();
    c.n_head = 3;
    CHECK_THROWS_WITH_AS(write_random_checkpoint(dir.path, c, {}), doctest::Contains("not divisible by n_head=3"), Error);
    CHECK_FALSE(file_exists(dir.file("model.safetensors")));
}

TEST_CASE("make_random_gpt2: writes a loadable folder; bad flags exit 2, failures exit 1") {
    const std::string tool = tool_path();
    if (!file_exists(tool)) {
        MESSAGE("SKIPPED: ", tool, " not built (make builds it; this suite alone does not)");
        return;
    }
    TempDir dir;
    std::string out;
    int rc = testing::run_command(tool + " --out " + dir.path + "/m --dtype f16 --seed 3 --n-embd 16 --n-head 4 "
                                  "--n-layer 1 --n-positions 8 --vocab 30 --lm-head",
                                  &out);
    CHECK_MESSAGE(rc == 0, out);
    auto ck = load_checkpoint(dir.path + "/m");
    CHECK(ck->config.n_embd == 16);
    CHECK(ck->config.vocab_size == 30);
    CHECK(ck->stored_dtype == DType::F16);
    CHECK(ck->has_lm_head);

    struct Bad { const char* args; int rc; const char* says; };
    const Bad bad[] = {{"--out X --bogus", 2, "unknown flag '--bogus'"},
                       {"--size 124M", 2, "--out DIR is required"},
                       {"--out X --dtype f64", 2, "--dtype: expected f32, f16 or bf16"},
                       {"--out X --seed -1", 2, "--seed: expected a non-negative integer"},
                       {"--out X --size 7B", 2, "unknown model size '7B'"},
                       {"--out X --n-head 5", 2, "n_embd=64 is not divisible by n_head=5"},
                       {"--out X --vocab 0", 2, "\"vocab_size\" must be a positive integer"},
                       {"--out X --dtype", 2, "--dtype needs a value"},
                       {"--out /proc/no/such/dir", 1, "/proc/no/such/dir"}};
    for (const Bad& k : bad) {
        rc = testing::run_command(tool + " " + k.args, &out);
        const std::string what = std::string(k.args) + ": " + out;
        CHECK_MESSAGE(rc == k.rc, what);
        CHECK_MESSAGE(out.rfind("make_random_gpt2: ", 0) == 0, what);
        CHECK_MESSAGE(out.find(k.says) != std::string::npos, what);
        CHECK_MESSAGE(std::count(out.begin(), out.end(), '\n') == 1, what);
    }
    CHECK(testing::run_command(tool + " --help", &out) == 0);
    CHECK(out.find("usage: make_random_gpt2") == 0);
}
