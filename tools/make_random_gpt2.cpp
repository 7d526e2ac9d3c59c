// make_random_gpt2 — writes a GPT-2 checkpoint folder with random weights.
//
// Same file layout as a Hugging Face download (config.json + model.safetensors), any
// size: for benchmarks and tests without a download, and to try the loader on a
// 1.5B-parameter file. The weights are random, so the text it generates is nonsense.
//
//   make_random_gpt2 --size 124M --out /tmp/gpt2-random --dtype f16 --seed 7
#include <charconv>
#include <cstdio>
#include <cstdlib>  // strtod
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/program.h"
#include "model/config.h"
#include "perf/random_checkpoint.h"

using namespace gw;

namespace {

const char* kUsage =
    "usage: make_random_gpt2 --out DIR [--size 124M|355M|774M|1558M|distilgpt2|tiny]\n"
    "                        [--dtype f32|f16|bf16] [--seed N] [--std X]\n"
    "                        [--n-embd N] [--n-layer N] [--n-head N] [--n-positions N] [--vocab N]\n"
    "                        [--transformer-prefix] [--lm-head] [--attn-bias]\n"
    "\n"
    "Writes DIR/config.json and DIR/model.safetensors in Hugging Face's GPT-2 layout,\n"
    "filled with random numbers (N(0, 0.02); layer-norm weights around 1).\n"
    "  --size         published GPT-2 shapes; tiny (the default) is 2 layers, 2 heads,\n"
    "                 n_embd 64, 128 positions, GPT-2's 50257-token vocabulary\n"
    "  --n-*, --vocab override single sizes of the chosen --size\n"
    "  --dtype        how parameters are stored (default f32)\n"
    "  --seed         random seed (default 1); the same seed gives the same file\n"
    "  --std          spread of the weights (default 0.02, GPT-2's init); larger values give\n"
    "                 O(1) activations and sharp attention (the training fixtures use 0.2)\n"
    "  --transformer-prefix  name tensors transformer.wte.weight, ... (GPT2LMHeadModel)\n"
    "  --lm-head      also store lm_head.weight (equal to wte.weight)\n"
    "  --attn-bias    also store the h.{l}.attn.bias / attn.masked_bias buffers\n";

int64_t parse_count(const std::string& flag, const std::string& text) {
    int64_t v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < 0)
        throw UsageError(cat(flag, ": expected a non-negative integer, got '", text, "'"));
    return v;
}

float parse_std(const std::string& text) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v > 0 && v <= 10))
        throw UsageError(cat("--std: expected a number in (0, 10], got '", text, "'"));
    return float(v);
}

Config named_config(const std::string& size) {
    if (size != "tiny") {
        try {
            return gpt2_config(size);
        } catch (const UsageError& e) {
            throw UsageError(cat("--size: ", e.what(), "; or tiny"));
        }
    }
    Config c;  // small enough to write in a blink, with the real vocabulary
    c.n_layer = 2, c.n_head = 2, c.n_embd = 64, c.n_positions = 128, c.vocab_size = 50257;
    return c;
}

int run(int argc, char** argv) {
    std::string out, size = "tiny";
    RandomCheckpointOptions opt;
    std::vector<std::pair<std::string, std::string>> overrides;  // applied after --size
    for (int i = 1; i < argc; i++) {
        const std::string flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(cat(flag, " needs a value"));
            return argv[++i];
        };
        if (flag == "--help" || flag == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (flag == "--out") out = value();
        else if (flag == "--size") size = value();
        else if (flag == "--seed") opt.seed = uint64_t(parse_count(flag, value()));
        else if (flag == "--std") opt.std = parse_std(value());
        else if (flag == "--dtype") {
            std::string d = value();
            if (d == "f32") opt.dtype = DType::F32;
            else if (d == "f16") opt.dtype = DType::F16;
            else if (d == "bf16") opt.dtype = DType::BF16;
            else throw UsageError(cat("--dtype: expected f32, f16 or bf16, got '", d, "'"));
        } else if (flag == "--n-embd" || flag == "--n-layer" || flag == "--n-head" ||
                   flag == "--n-positions" || flag == "--vocab")
            overrides.emplace_back(flag, value());
        else if (flag == "--transformer-prefix") opt.transformer_prefix = true;
        else if (flag == "--lm-head") opt.lm_head = true;
        else if (flag == "--attn-bias") opt.attn_bias_buffers = true;
        else throw UsageError(cat("unknown flag '", flag, "' (see --help)"));
    }
    if (out.empty()) throw UsageError("--out DIR is required (see --help)");

    Config c = named_config(size);
    for (const auto& [flag, text] : overrides) {
        int64_t v = parse_count(flag, text);
        if (flag == "--n-embd") c.n_embd = v;
        else if (flag == "--n-layer") c.n_layer = v;
        else if (flag == "--n-head") c.n_head = v;
        else if (flag == "--n-positions") c.n_positions = v;
        else c.vocab_size = v;
    }
    try {
        validate_config(c, "requested sizes");
    } catch (const Error& e) {
        throw UsageError(e.what());  // sizes come from the flags: a usage error
    }

    write_random_checkpoint(out, c, opt);
    std::printf("wrote %s/config.json and %s/model.safetensors: %lld parameters as %s, seed %llu\n",
                out.c_str(), out.c_str(), static_cast<long long>(c.parameter_count()),
                dtype_name(opt.dtype), static_cast<unsigned long long>(opt.seed));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return run_reporting_errors("make_random_gpt2", [&] { return run(argc, argv); });
}
