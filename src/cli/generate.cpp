// cli/generate.cpp — `gptwalk generate`: text in, text out, streamed.
#include <cstdio>

#include "cli.h"
#include "core/error.h"
#include "model/generate.h"
#include "model/tokenizer.h"

namespace gw {

static std::vector<Flag> generate_flags() {
    return join({model_flags(), thread_flags(), prompt_flags(), sampler_flags(),
                 {{"-n", "N", "new tokens to generate (default 50)"},
                  {"--ignore-eos", "", "keep going after <|endoftext|>"},
                  {"--no-cache", "", "recompute the whole sequence every step (slow; same tokens)"},
                  {"--print-ids", "", "print all ids (prompt included) on one line instead of text"}}});
}

static int run_generate(const Args& args) {
    std::string dir = model_dir(args);
    Isa isa = kernels_from(args);
    SamplerConfig sc = sampler_from(args);
    int64_t n = args.integer("-n", 50, 0, 1 << 30);
    auto model = load_checkpoint(dir, weights_from(args));
    auto tok = model_tokenizer(*model);
    if (!tok && !args.has("--print-ids"))
        fail(dir, ": no tokenizer files, so output cannot be shown as text; use --prompt-ids and --print-ids");
    // One position must stay free for the first new token.
    std::vector<int> prompt = prompt_ids(args, *model, tok.get(), model->config.n_positions - 1);

    GenerateOptions opts;
    opts.max_new_tokens = n;
    opts.eot_id = (tok && !args.has("--ignore-eos")) ? tok->eot_id() : -1;
    opts.use_cache = !args.has("--no-cache");
    opts.isa = isa;
    opts.threads = threads_from(args);
    Sampler sampler(sc);
    bool print_ids = args.has("--print-ids");
    std::unique_ptr<StreamDecoder> stream;
    if (!print_ids) {
        stream = std::make_unique<StreamDecoder>(*tok);
        write_stdout(tok->decode(prompt));
        flush_stdout();  // stops a long generation at once when nobody can read it
    }
    GenerateResult r = generate(*model, sampler, prompt, opts, [&](const StepInfo& s) {
        if (print_ids) return;
        write_stdout(stream->push(s.token));  // whole UTF-8 characters only
        flush_stdout();
    });
    if (print_ids) {
        for (size_t i = 0; i < prompt.size(); i++) std::printf("%s%d", i ? " " : "", prompt[i]);
        for (int id : r.ids) std::printf(" %d", id);
    } else {
        write_stdout(stream->flush());
    }
    std::printf("\n");
    flush_stdout();  // before the status line: a failed write is the one line on stderr
    double decode_tokens = r.ids.size() > 1 ? double(r.ids.size() - 1) : 0.0;
    std::fprintf(stderr,
                 "[%zu new tokens after a %lld-token prompt; prefill %.1f tok/s, decode %.1f tok/s; "
                 "kernels %s; stopped: %s]\n",
                 r.ids.size(), (long long)r.prompt_tokens,
                 r.prefill_seconds > 0 ? double(r.prompt_tokens) / r.prefill_seconds : 0.0,
                 r.decode_seconds > 0 ? decode_tokens / r.decode_seconds : 0.0, isa_name(isa),
                 stop_reason_text(r.stop));
    return 0;
}

const Command kGenerateCommand = {
    "generate", "generate text from a prompt, streamed as it is produced",
    "(--prompt STR | --file PATH | --prompt-ids IDS) [-n N] [--greedy | sampler flags] [--seed S]",
    generate_flags, run_generate};

}  // namespace gw
