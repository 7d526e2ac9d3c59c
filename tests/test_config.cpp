// test_config.cpp — config.json: the published GPT-2 config, defaults, aliases, and
// every refusal (missing or mistyped fields, inconsistent or absurd sizes).
#include <doctest/doctest.h>

#include <string>

#include "core/error.h"
#include "model/config.h"
#include "testing.h"

using namespace gw;

namespace {

// Hugging Face's config.json for "gpt2" (the fields that matter, as published).
const char* kGpt2Json = R"({
  "activation_function": "gelu_new",
  "architectures": ["GPT2LMHeadModel"],
  "attn_pdrop": 0.1,
  "embd_pdrop": 0.1,
  "initializer_range": 0.02,
  "layer_norm_epsilon": 1e-05,
  "model_type": "gpt2",
  "n_ctx": 1024,
  "n_embd": 768,
  "n_head": 12,
  "n_layer": 12,
  "n_positions": 1024,
  "resid_pdrop": 0.1,
  "vocab_size": 50257
})";

Config parse(const std::string& text) { return parse_config(parse_json(text, "c.json"), "c.json"); }

// A small valid config with one field replaced (or removed when value is empty).
std::string with(const std::string& field, const std::string& value) {
    const std::pair<std::string, std::string> base[] = {
        {"n_embd", "64"}, {"n_head", "4"}, {"n_layer", "2"}, {"n_positions", "128"}, {"vocab_size", "100"}};
    std::string s = "{";
    bool seen = false;
    for (const auto& [k, v] : base) {
        std::string val = k == field ? (seen = true, value) : v;
        if (val.empty()) continue;
        s += (s.size() > 1 ? "," : "") + ("\"" + k + "\":" + val);
    }
    if (!seen && !value.empty()) s += ",\"" + field + "\":" + value;
    return s + "}";
}

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

// The message starts with the file and contains each of the parts.
void check_error(const std::string& text, std::initializer_list<const char*> parts) {
    std::string msg = error_of(text);
    CHECK_MESSAGE(msg.rfind("c.json: ", 0) == 0, "message should start with the file: ", msg);
    for (const char* p : parts) CHECK_MESSAGE(msg.find(p) != std::string::npos, (std::string("'") + p + "' not in: " + msg));
}

}  // namespace

TEST_CASE("the published gpt2 config") {
    Config c = parse(kGpt2Json);
    CHECK(c.n_embd == 768);
    CHECK(c.n_head == 12);
    CHECK(c.n_layer == 12);
    CHECK(c.n_positions == 1024);
    CHECK(c.vocab_size == 50257);
    CHECK(c.layer_norm_epsilon == 1e-5f);
    CHECK(c.activation_function == "gelu_new");
    CHECK(c.head_size() == 64);
    // 124,439,808: the parameter count Hugging Face reports for gpt2 (tied head once).
    CHECK(c.parameter_count() == 124439808);
}

TEST_CASE("parameter_count by hand for a tiny shape") {
    Config c = parse(with("n_layer", "1"));  // V=100, P=128, C=64
    // wte 100*64 + wpe 128*64 + block (12*64*64 + 13*64) + ln_f 2*64
    CHECK(c.parameter_count() == 6400 + 8192 + (49152 + 832) + 128);
}

TEST_CASE("defaults and aliases") {
    Config c = parse(with("x", ""));
    CHECK(c.layer_norm_epsilon == 1e-5f);
    CHECK(c.activation_function == "gelu_new");
    c = parse(with("n_positions", "").insert(1, "\"n_ctx\":256,"));
    CHECK(c.n_positions == 256);
    c = parse(with("n_ctx", "512"));  // both present and different: n_positions wins (as in HF)
    CHECK(c.n_positions == 128);
    c = parse(with("activation_function", "\"gelu_pytorch_tanh\""));  // the same function
    CHECK(c.activation_function == "gelu_new");
    c = parse(with("layer_norm_epsilon", "0.001"));
    CHECK(c.layer_norm_epsilon == 0.001f);
    c = parse(with("scale_attn_weights", "true"));
    CHECK(c.n_embd == 64);
}

TEST_CASE("missing and mistyped fields") {
    check_error(with("n_embd", ""), {"missing required field \"n_embd\""});
    check_error(with("vocab_size", ""), {"missing required field \"vocab_size\""});
    check_error(with("n_positions", ""), {"missing required field \"n_positions\"", "n_ctx"});
    check_error(with("n_embd", "768.5"), {"\"n_embd\" must be a positive integer", "768.5"});
    check_error(with("n_embd", "64.0"), {"\"n_embd\" must be a positive integer"});
    check_error(with("n_embd", "\"64\""), {"\"n_embd\" must be a positive integer", "string \"64\""});
    check_error(with("n_head", "-4"), {"\"n_head\" must be a positive integer", "-4"});
    check_error(with("n_layer", "0"), {"\"n_layer\" must be a positive integer", "0"});
    check_error(with("n_layer", "null"), {"\"n_layer\"", "null"});
    check_error(with("n_positions", "99999999999999999999"), {"\"n_positions\" must be a positive integer"});
    check_error(with("layer_norm_epsilon", "-1e-5"), {"layer_norm_epsilon", "positive number"});
    check_error(with("layer_norm_epsilon", "0"), {"layer_norm_epsilon", "positive number"});
    check_error(with("layer_norm_epsilon", "\"1e-5\""), {"layer_norm_epsilon", "positive number"});
    check_error(with("layer_norm_epsilon", "1e-60"), {"layer_norm_epsilon", "not a positive float"});
    check_error(with("activation_function", "3"), {"activation_function", "must be a string"});
    check_error("[1]", {"expected a JSON object"});
}

TEST_CASE("unsupported activation and attention variants") {
    check_error(with("activation_function", "\"relu\""), {"activation_function \"relu\" is not supported", "gelu_new"});
    check_error(with("activation_function", "\"gelu\""), {"\"gelu\" is not supported"});
    check_error(with("scale_attn_by_inverse_layer_idx", "true"), {"scale_attn_by_inverse_layer_idx", "not supported"});
    check_error(with("scale_attn_weights", "false"), {"scale_attn_weights", "not supported"});
}

TEST_CASE("n_inner: null or 4 x n_embd (every published GPT-2); any other MLP width is refused by name") {
    CHECK(parse(with("n_inner", "null")).n_embd == 64);
    CHECK(parse(with("n_inner", "256")).n_embd == 64);
    check_error(with("n_inner", "128"), {"\"n_inner\": 128 is not supported", "4 x n_embd = 256"});
    check_error(with("n_inner", "\"256\""), {"\"n_inner\": the string \"256\" is not supported"});
}

TEST_CASE("inconsistent and absurd sizes are refused before anything is allocated") {
    check_error(with("n_head", "5"), {"n_embd=64 is not divisible by n_head=5"});
    check_error(with("vocab_size", "300000000"), {"vocab_size=300000000", "wte.weight", "GiB", "limit of 64 GiB"});
    check_error(with("vocab_size", "3000000000"), {"vocab_size=3000000000", "32-bit"});
    check_error(with("n_positions", "1000000000"), {"n_positions=1000000000", "wpe.weight"});
    check_error(with("n_embd", "2000000"), {"n_embd=2000000", "one block"});
    check_error(with("n_layer", "400000"), {"n_layer=400000", "storing 19993614720 parameters"});  // 100*64 + 128*64 + 400000*49984 + 128
    // Weights of 0.8 GiB, but the KV cache, 2*L*P*C*4 = 2 * 4096 * 65536 * 64 * 4 bytes,
    // is 2^37 bytes = 128 GiB. (With n_layer=2048 it is exactly 64 GiB: allowed.)
    std::string kv = R"({"n_embd":64,"n_head":4,"n_layer":4096,"n_positions":65536,"vocab_size":100})";
    check_error(kv, {"n_positions=65536", "n_layer=4096", "KV cache", "128 GiB"});
    CHECK(parse(R"({"n_embd":64,"n_head":4,"n_layer":2048,"n_positions":65536,"vocab_size":100})")
              .n_layer == 2048);
    // Products that overflow int64 must still be refused cleanly.
    check_error(with("n_embd", "4611686018427387904"), {"n_embd=4611686018427387904"});
    check_error(with("vocab_size", "9223372036854775807"), {"vocab_size"});
}

TEST_CASE("validate_config on configs built in code") {
    Config c;
    c.n_embd = 8, c.n_head = 2, c.n_layer = 1, c.n_positions = 4, c.vocab_size = 10;
    validate_config(c, "code");
    c.n_head = 0;
    CHECK_THROWS_WITH_AS(validate_config(c, "code"), doctest::Contains("code: \"n_head\" must be a positive"), Error);
}

TEST_CASE("load_config: files") {
    gw::testing::TempDir dir;
    std::string path = dir.file("config.json");
    gw::testing::write_text_file(path, kGpt2Json);
    CHECK(load_config(path).n_embd == 768);
    gw::testing::write_text_file(path, "{\"n_embd\": 768,");
    CHECK_THROWS_WITH_AS(load_config(path), doctest::Contains((path + ": line").c_str()), Error);
    std::string missing = dir.file("nope.json");
    CHECK_THROWS_WITH_AS(load_config(missing), doctest::Contains((missing + ": cannot open").c_str()), Error);
}
