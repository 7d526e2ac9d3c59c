// model/config.cpp — reading config.json into a Config, and refusing what we cannot run.
//
// Every size the program allocates comes from here, so the checks run before any
// allocation: types are exact (768.5 and "768" are not sizes), sizes are positive,
// and a model whose weights or KV cache would need more than 64 GiB is refused with
// the field to blame, using products that cannot overflow.
#include "model/config.h"

#include <cmath>
#include <cstdint>

#include "core/error.h"
#include "core/mapped_file.h"

namespace gw {

namespace {

// a*b and a+b for non-negative sizes, saturating at INT64_MAX instead of overflowing:
// anything that large is over the limit anyway, so saturation is all we need.
int64_t mul_sat(int64_t a, int64_t b) {
    if (a == 0 || b == 0) return 0;
    return a > INT64_MAX / b ? INT64_MAX : a * b;
}
int64_t add_sat(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

// V*C (wte) + P*C (wpe) + L * (12*C*C + 13*C) (blocks) + 2*C (ln_f). Per block:
//   ln_1 2C + c_attn (3C*C + 3C) + attn.c_proj (C*C + C) + ln_2 2C
//   + c_fc (4C*C + 4C) + mlp.c_proj (4C*C + C)  =  12*C*C + 13*C.
int64_t block_params(int64_t C) { return add_sat(mul_sat(12, mul_sat(C, C)), mul_sat(13, C)); }

int64_t parameter_count_sat(const Config& c) {
    int64_t n = mul_sat(c.vocab_size, c.n_embd);
    n = add_sat(n, mul_sat(c.n_positions, c.n_embd));
    n = add_sat(n, mul_sat(c.n_layer, block_params(c.n_embd)));
    return add_sat(n, mul_sat(2, c.n_embd));
}

std::string describe(const JsonValue& v) {
    if (v.is_string()) return cat("the string ", quoted(v.text));
    if (v.is_number()) return json_number(v.number);
    return json_kind_name(v.kind);
}

int64_t read_size(const JsonValue& root, const char* key, const std::string& source) {
    const JsonValue* v = root.find(key);
    if (!v) fail(source, ": missing required field \"", key, "\"");
    if (!v->is_number() || !v->is_integer || v->integer <= 0)
        fail(source, ": \"", key, "\" must be a positive integer, got ", describe(*v));
    return v->integer;
}

// A model flag whose non-default value changes the math we implement.
void require_flag(const JsonValue& root, const char* key, bool supported, const std::string& source) {
    const JsonValue* v = root.find(key);
    if (!v) return;
    if (v->kind != JsonValue::Kind::Bool)
        fail(source, ": \"", key, "\" must be true or false, got ", describe(*v));
    if (v->boolean != supported)
        fail(source, ": \"", key, "\": ", v->boolean ? "true" : "false",
             " is not supported (gptwalk implements GPT-2 as published)");
}

std::string gib(int64_t bytes) {
    if (bytes == INT64_MAX) return "over 2^63 bytes (the product overflows)";
    return cat(double(bytes) / double(int64_t(1) << 30), " GiB");
}

}  // namespace

int64_t Config::parameter_count() const { return parameter_count_sat(*this); }

void validate_config(const Config& c, const std::string& source) {
    const std::pair<const char*, int64_t> sizes[] = {{"n_embd", c.n_embd},
                                                     {"n_head", c.n_head},
                                                     {"n_layer", c.n_layer},
                                                     {"n_positions", c.n_positions},
                                                     {"vocab_size", c.vocab_size}};
    for (const auto& [name, value] : sizes)
        if (value <= 0) fail(source, ": \"", name, "\" must be a positive integer, got ", value);
    if (c.n_embd % c.n_head != 0)
        fail(source, ": n_embd=", c.n_embd, " is not divisible by n_head=", c.n_head,
             " (each head gets n_embd / n_head channels)");
    if (c.vocab_size > INT32_MAX)
        fail(source, ": vocab_size=", c.vocab_size, " is too large (token ids are 32-bit ints)");
    if (!(std::isfinite(c.layer_norm_epsilon) && c.layer_norm_epsilon > 0))
        fail(source, ": layer_norm_epsilon must be a positive number, got ", c.layer_norm_epsilon);
    if (c.activation_function != "gelu_new")
        fail(source, ": activation_function ", quoted(c.activation_function),
             " is not supported (GPT-2 uses \"gelu_new\", also called \"gelu_pytorch_tanh\")");

    // Memory, as F32, checked term by term so the message can name the field to blame.
    const int64_t F = 4;  // bytes per float
    const int64_t limit = kMaxModelBytes;
    const int64_t C = c.n_embd, L = c.n_layer, P = c.n_positions, V = c.vocab_size;
    auto refuse = [&](const std::string& what, int64_t bytes) {
        fail(source, ": ", what, " needs ", gib(bytes), ", more than the limit of ", gib(limit));
    };
    if (mul_sat(F, mul_sat(V, C)) > limit)
        refuse(cat("vocab_size=", V, " with n_embd=", C, ": wte.weight alone"), mul_sat(F, mul_sat(V, C)));
    if (mul_sat(F, mul_sat(P, C)) > limit)
        refuse(cat("n_positions=", P, " with n_embd=", C, ": wpe.weight alone"), mul_sat(F, mul_sat(P, C)));
    if (mul_sat(F, block_params(C)) > limit)
        refuse(cat("n_embd=", C, ": one block"), mul_sat(F, block_params(C)));
    if (mul_sat(F, parameter_count_sat(c)) > limit)
        refuse(cat("n_layer=", L, " with n_embd=", C, ": storing ", parameter_count_sat(c), " parameters"),
               mul_sat(F, parameter_count_sat(c)));
    // KV cache at full context: keys and values, (P, C) floats per layer.
    int64_t kv = mul_sat(mul_sat(2 * F, L), mul_sat(P, C));
    if (kv > limit) refuse(cat("n_positions=", P, " with n_layer=", L, ", n_embd=", C, ": the KV cache"), kv);
}

Config parse_config(const JsonValue& root, const std::string& source) {
    if (!root.is_object()) fail(source, ": expected a JSON object, got ", json_kind_name(root.kind));
    Config c;
    c.n_embd = read_size(root, "n_embd", source);
    c.n_head = read_size(root, "n_head", source);
    c.n_layer = read_size(root, "n_layer", source);
    c.vocab_size = read_size(root, "vocab_size", source);
    // The context length: n_positions sizes wpe.weight in Hugging Face's GPT2Config;
    // n_ctx is an older alias it keeps but ignores. When both are present and differ,
    // n_positions wins, as it does there.
    if (root.find("n_positions")) c.n_positions = read_size(root, "n_positions", source);
    else if (root.find("n_ctx")) c.n_positions = read_size(root, "n_ctx", source);
    else fail(source, ": missing required field \"n_positions\" (or its older name \"n_ctx\")");

    if (const JsonValue* v = root.find("layer_norm_epsilon")) {
        if (!v->is_number() || !(v->number > 0))
            fail(source, ": \"layer_norm_epsilon\" must be a positive number, got ", describe(*v));
        c.layer_norm_epsilon = float(v->number);
        if (!(c.layer_norm_epsilon > 0) || !std::isfinite(c.layer_norm_epsilon))
            fail(source, ": \"layer_norm_epsilon\" ", json_number(v->number),
                 " is not a positive float");
    }
    if (const JsonValue* v = root.find("activation_function")) {
        if (!v->is_string())
            fail(source, ": \"activation_function\" must be a string, got ", describe(*v));
        // gelu_pytorch_tanh is PyTorch's name for the same tanh approximation:
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). One name downstream.
        c.activation_function = v->text == "gelu_pytorch_tanh" ? "gelu_new" : v->text;
    }
    // n_inner: the MLP's width in Hugging Face's GPT2Config, null meaning 4 * n_embd. Every
    // published GPT-2 leaves it null, and 4 * n_embd is written into the weight table, the
    // forward pass, its float64 twin and the lessons; another width is refused by name here
    // rather than as a wrong shape of h.0.mlp.c_fc.weight later.
    if (const JsonValue* v = root.find("n_inner"); v && !v->is_null()) {
        if (!v->is_number() || !v->is_integer || v->integer != 4 * c.n_embd)
            fail(source, ": \"n_inner\": ", describe(*v), " is not supported: gptwalk's MLP is 4 x n_embd = ",
                 4 * c.n_embd, " wide (n_inner null or ", 4 * c.n_embd, ")");
    }
    // Flags of GPT2Config whose non-default values change the attention math.
    require_flag(root, "scale_attn_weights", true, source);
    require_flag(root, "scale_attn_by_inverse_layer_idx", false, source);
    validate_config(c, source);
    return c;
}

Config load_config(const std::string& path) {
    std::string text = read_file(path, size_t(16) << 20);  // config.json is a few hundred bytes
    return parse_config(parse_json(text, path), path);
}

}  // namespace gw
