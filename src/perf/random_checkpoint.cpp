// perf/random_checkpoint.cpp — GPT-2-shaped checkpoint folders filled with random numbers.
//
// The tensor list comes from weight_table (the one table), with the attention
// buffers slotted in where Hugging Face's state_dict has them. Each tensor's numbers
// come from its own generator, seeded from (seed, name without prefix): a tensor's
// values do not depend on which other tensors or options were chosen, and
// lm_head.weight, seeded as "wte.weight", is the same matrix (a tied head).
#include "perf/random_checkpoint.h"

#include <algorithm>  // std::min
#include <cmath>
#include <cstring>    // memcpy
#include <filesystem>

#include "core/error.h"
#include "core/output_file.h"
#include "model/weights.h"

namespace gw {

Config gpt2_config(const std::string& name) {
    // Published with the models (OpenAI's hparams.json / Hugging Face's config.json).
    Config c;
    c.vocab_size = 50257;
    c.n_positions = 1024;
    if (name == "124M" || name == "gpt2") c.n_layer = 12, c.n_head = 12, c.n_embd = 768;
    else if (name == "355M" || name == "gpt2-medium") c.n_layer = 24, c.n_head = 16, c.n_embd = 1024;
    else if (name == "774M" || name == "gpt2-large") c.n_layer = 36, c.n_head = 20, c.n_embd = 1280;
    else if (name == "1558M" || name == "gpt2-xl") c.n_layer = 48, c.n_head = 25, c.n_embd = 1600;
    else if (name == "distilgpt2") c.n_layer = 6, c.n_head = 12, c.n_embd = 768;
    else
        throw UsageError(cat("unknown model size '", name,
                             "' (known: 124M, 355M, 774M, 1558M, distilgpt2, or gpt2, gpt2-medium, "
                             "gpt2-large, gpt2-xl)"));
    return c;
}

namespace {

constexpr double kPi = 3.14159265358979323846;

// splitmix64: a tiny generator with good statistics, the same on every platform
// (std::normal_distribution is not, across standard libraries).
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed) {}
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return double(next() >> 11) / double(uint64_t(1) << 53); }  // [0, 1)
    // Box-Muller: for u1 in (0, 1], u2 in [0, 1), r = sqrt(-2 ln u1) and a = 2 pi u2,
    // r cos(a) and r sin(a) are two independent N(0, 1) draws; the second is kept.
    double spare = 0;
    bool has_spare = false;
    double normal() {
        if (has_spare) {
            has_spare = false;
            return spare;
        }
        double r = std::sqrt(-2.0 * std::log(1.0 - uniform())), a = 2.0 * kPi * uniform();
        spare = r * std::sin(a);
        has_spare = true;
        return r * std::cos(a);
    }
};

uint64_t seed_for(uint64_t seed, const std::string& name) {
    uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a of the name, mixed with the seed
    for (unsigned char ch : name) h = (h ^ ch) * 0x100000001B3ull;
    return h ^ (seed * 0x9E3779B97F4A7C15ull);
}

enum class Fill { Normal, AroundOne, CausalMask, MaskedValue };

struct Planned {
    TensorSpec spec;  // as written (maybe prefixed)
    std::string key;  // without prefix: seeds the numbers
    Fill fill;
};

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<Planned> plan(const Config& cfg, const RandomCheckpointOptions& o) {
    const std::string prefix = o.transformer_prefix ? "transformer." : "";
    const int64_t P = cfg.n_positions;
    Weights w;
    std::vector<Planned> out;
    for (const WeightEntry& e : weight_table(cfg, w)) {
        bool ln_weight = ends_with(e.name, "ln_1.weight") || ends_with(e.name, "ln_2.weight") ||
                         e.name == "ln_f.weight";
        out.push_back({{prefix + e.name, o.dtype, e.shape}, e.name, ln_weight ? Fill::AroundOne : Fill::Normal});
        // Older GPT2Attention saved its two buffers right after ln_1 in state_dict order.
        if (o.attn_bias_buffers && ends_with(e.name, "ln_1.bias")) {
            std::string h = e.name.substr(0, e.name.size() - std::string("ln_1.bias").size());
            out.push_back({{prefix + h + "attn.bias", DType::F32, {1, 1, P, P}}, h + "attn.bias", Fill::CausalMask});
            out.push_back({{prefix + h + "attn.masked_bias", DType::F32, {}}, h + "attn.masked_bias",
                           Fill::MaskedValue});
        }
    }
    if (o.lm_head)  // GPT2LMHeadModel's head: unprefixed, and the same numbers as wte
        out.push_back({{"lm_head.weight", o.dtype, {cfg.vocab_size, cfg.n_embd}}, "wte.weight", Fill::Normal});
    return out;
}

// Streams one tensor's values, chunk by chunk, converted to its dtype.
void write_tensor(OutputFile& f, const Planned& t, const RandomCheckpointOptions& o, int64_t P) {
    const int64_t n = t.spec.shape.numel();
    const size_t size = dtype_size(t.spec.dtype);
    Rng rng(seed_for(o.seed, t.key));
    const int64_t chunk = 1 << 16;
    std::vector<uint8_t> bytes;
    for (int64_t start = 0; start < n; start += chunk) {
        const int64_t m = std::min(chunk, n - start);
        bytes.resize(size_t(m) * size);
        for (int64_t j = 0; j < m; j++) {
            const int64_t i = start + j;
            float x = 0;
            switch (t.fill) {
                case Fill::Normal: x = float(o.std * rng.normal()); break;
                case Fill::AroundOne: x = float(1.0 + o.std * rng.normal()); break;
                case Fill::CausalMask: x = (i % P) <= (i / P) % P ? 1.0f : 0.0f; break;  // tril ones
                case Fill::MaskedValue: x = -1e4f; break;  // what HF wrote into masked scores
            }
            uint32_t u;
            if (t.spec.dtype == DType::F32) std::memcpy(&u, &x, 4);
            else u = t.spec.dtype == DType::F16 ? f32_to_f16(x) : f32_to_bf16(x);
            for (size_t b = 0; b < size; b++) bytes[size_t(j) * size + b] = uint8_t(u >> (8 * b));
        }
        f.write(bytes.data(), bytes.size());
    }
}

}  // namespace

void write_random_checkpoint(const std::string& dir, const Config& cfg,
                             const RandomCheckpointOptions& options) {
    validate_config(cfg, dir + "/config.json");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) fail(dir, ": cannot create directory: ", ec.message());

    const std::string config_path = dir + "/config.json";
    const char* torch_dtype = options.dtype == DType::F32   ? "float32"
                              : options.dtype == DType::F16 ? "float16"
                                                            : "bfloat16";
    write_output_file(config_path, config_json(cfg, torch_dtype));

    const std::string path = dir + "/model.safetensors";
    std::vector<Planned> tensors = plan(cfg, options);
    std::vector<TensorSpec> specs;
    for (const Planned& t : tensors) specs.push_back(t.spec);
    OutputFile f(path);
    f.write(safetensors_header(specs, {{"format", "pt"}}));  // the metadata transformers writes
    for (const Planned& t : tensors) write_tensor(f, t, options, cfg.n_positions);
    f.commit();
}

}  // namespace gw
