// cli/common.cpp — helpers shared by the commands: model folder, prompt, sampler flags.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>

#include "cli.h"
#include "core/error.h"
#include "core/mapped_file.h"
#include "core/output_file.h"
#include "model/model_dir.h"  // default_model_dir
#include "model/tokenizer.h"
#include "report/picture.h"

namespace gw {

std::vector<Flag> model_flags() {
    return {
    {"--model", "DIR", "checkpoint folder (config.json, model.safetensors, tokenizer files); default: the shipped tiny model"},
    {"--kernels", "ref|avx2|avx512|auto", "vector kernels to use (default auto: the best this CPU has)"},
    {"--weights", "f32|bf16|f16|q8", "type of the weight matrices in memory, converted at load (default: as stored)"},
};
}

std::vector<Flag> thread_flags() {
    return {{"--threads", "N", "threads of the forward pass: a team of N shares every op, OpenBLAS at 1 thread inside (default 1)"}};
}

std::vector<Flag> prompt_flags() {
    return {
    {"--prompt", "STR", "the prompt text (UTF-8)"},
    {"--file", "PATH", "read the prompt text from a file, byte for byte"},
    {"--prompt-ids", "1,2,3", "the prompt as token ids (no tokenizer needed)"},
};
}

std::vector<Flag> sampler_flags() {
    return {
    {"--greedy", "", "always take the most likely token"},
    {"--temperature", "T", "divide logits by T before softmax (default 1; 0 = greedy)"},
    {"--top-k", "K", "keep the K most likely tokens (default 0 = all)"},
    {"--top-p", "P", "keep the smallest set with probability mass >= P (default 1 = all)"},
    {"--min-p", "P", "keep tokens with probability >= P x the top one (default 0)"},
    {"--repetition-penalty", "R", "divide positive / multiply negative logits of seen tokens by R (default 1)"},
    {"--seed", "S", "seed of the sampler's random generator (default 0)"},
};
}

std::vector<Flag> training_model_flags() {
    std::vector<Flag> flags = model_flags();
    flags.erase(std::remove_if(flags.begin(), flags.end(), [](const Flag& f) { return f.name == "--weights"; }),
                flags.end());
    return flags;
}

std::vector<Flag> join(std::initializer_list<std::vector<Flag>> parts) {
    std::vector<Flag> all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}

std::string model_dir(const Args& args) { return args.str("--model", default_model_dir()); }

Isa kernels_from(const Args& args) { return parse_isa(args.str("--kernels", "auto")); }

LoadOptions weights_from(const Args& args) {
    LoadOptions o;
    if (args.has("--weights")) o.weights = parse_wtype(args.str("--weights"));
    return o;
}

int threads_from(const Args& args) { return int(args.integer("--threads", 1, 1, 256)); }

std::unique_ptr<Tokenizer> model_tokenizer(const Checkpoint& model) {
    if (!Tokenizer::present(model.dir)) return nullptr;
    auto tok = std::make_unique<Tokenizer>(model.dir);  // half a pair: names the missing file
    require_vocabulary_fits(*tok, model.config.vocab_size, model.dir);
    return tok;
}

std::unique_ptr<Tokenizer> need_tokenizer(const std::string& dir, const std::string& why, const Checkpoint* model) {
    if (!Tokenizer::present(dir)) fail(dir, ": no tokenizer files (expected vocab.json + merges.txt, or encoder.json + "
                                            "vocab.bpe); needed ", why);
    if (model) return model_tokenizer(*model);
    return std::make_unique<Tokenizer>(dir);
}

std::vector<int> parse_ids(const std::string& flag, const std::string& text, int64_t vocab_size) {
    std::vector<int> ids;
    size_t i = 0;
    while (i <= text.size()) {
        size_t j = text.find(',', i);
        if (j == std::string::npos) j = text.size();
        std::string item = text.substr(i, j - i);
        while (!item.empty() && item.front() == ' ') item.erase(0, 1);
        while (!item.empty() && item.back() == ' ') item.pop_back();
        long long v = 0;
        auto r = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || r.ec != std::errc() || r.ptr != item.data() + item.size())
            throw UsageError(cat(flag, ": '", item, "' is not a token id (expected e.g. 464,3290)"));
        if (v < 0 || v >= vocab_size)
            throw UsageError(cat(flag, ": id ", v, " is out of range: the vocabulary has ",
                                 vocab_size, " ids (0..", vocab_size - 1, ")"));
        ids.push_back(int(v));
        i = j + 1;
    }
    return ids;
}

std::vector<int> prompt_ids_cut(const Args& args, const Checkpoint& model, const Tokenizer* tok, int64_t max_tokens) {
    int given = int(args.has("--prompt")) + int(args.has("--file")) + int(args.has("--prompt-ids"));
    if (given != 1)
        throw UsageError(cat(args.command->name, ": give exactly one of --prompt, --file, --prompt-ids"));
    if (args.has("--prompt-ids")) return parse_ids("--prompt-ids", args.str("--prompt-ids"), model.config.vocab_size);
    std::string text = args.has("--file") ? read_file(args.str("--file")) : args.str("--prompt");
    size_t bad = 0;
    if (!is_valid_utf8(text, &bad))
        fail(args.has("--file") ? args.str("--file") : std::string("--prompt"),
             ": not valid UTF-8 (bad byte at offset ", bad, "); use --prompt-ids for raw token ids");
    if (!tok) fail(model.dir, ": no tokenizer files, so text prompts cannot be used; give --prompt-ids");
    // model_tokenizer has checked the tokenizer against the model: every id is a row of wte.
    std::vector<int> ids = tok->encode(text, size_t(max_tokens));
    if (ids.empty()) fail("the prompt is empty: give at least one token");
    return ids;
}

std::vector<int> prompt_ids(const Args& args, const Checkpoint& model, const Tokenizer* tok, int64_t max_tokens) {
    std::vector<int> ids = prompt_ids_cut(args, model, tok, max_tokens);
    if (int64_t(ids.size()) <= max_tokens) return ids;
    const int64_t P = model.config.n_positions;
    const bool cut = !args.has("--prompt-ids");  // tokenizing stopped once it was too long
    fail("the prompt", args.has("--file") ? " in " + args.str("--file") : std::string(), " has ",
         cut ? cat("more than ", max_tokens) : cat(ids.size()), " tokens, but the model's context holds ", P,
         " positions", max_tokens < P ? " and one must stay free for a new token" : "");
}

SamplerConfig sampler_from(const Args& args) {
    SamplerConfig c;
    c.greedy = args.has("--greedy");
    c.temperature = float(args.real("--temperature", 1.0, 0.0, 1e6));
    c.top_k = int(args.integer("--top-k", 0, 0, INT_MAX));
    c.top_p = float(args.real("--top-p", 1.0, 0.0, 1.0));
    c.min_p = float(args.real("--min-p", 0.0, 0.0, 1.0));
    c.repetition_penalty = float(args.real("--repetition-penalty", 1.0, 1e-6, 1e6));
    c.seed = uint64_t(args.integer("--seed", 0, 0, INT64_MAX));
    if (c.greedy && (args.has("--temperature") || args.has("--top-k") || args.has("--top-p") || args.has("--min-p")))
        throw UsageError("--greedy cannot be combined with --temperature, --top-k, --top-p or --min-p");
    validate(c);
    return c;
}

void write_stdout(const std::string& bytes) { std::fwrite(bytes.data(), 1, bytes.size(), stdout); }

void flush_stdout() {
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout))
        fail("cannot write to standard output: ", errno ? std::strerror(errno) : "a write failed");
}

void write_output(const std::string& path, const std::string& bytes, const std::string& what) {
    write_output_file(path, bytes);
    std::printf("wrote %s (%s)\n", path.c_str(), what.c_str());
}

void write_png_output(const std::string& path, const Image& image) {
    write_png(path, image);
    std::printf("wrote %s (%d x %d PNG)\n", path.c_str(), image.width, image.height);
}

}  // namespace gw
