// cli/bench.cpp — `gptwalk bench`: load time, prefill and decode speed, memory, op shares.
#include <algorithm>
#include <climits>
#include <cstdio>

#include "cli.h"
#include "core/error.h"
#include "model/tokenizer.h"
#include "perf/bench.h"
#include "perf/fidelity.h"
#include "report/bench_io.h"
#include "report/fidelity_io.h"

namespace gw {

static std::vector<Flag> bench_flags() {
    return join({model_flags(), thread_flags(),
                 {{"--prompt-tokens", "N", "prompt length (default 128): random but seeded token ids"},
                  {"--gen-tokens", "N", "tokens to generate after the prompt (default 128, greedy)"},
                  {"--repeats", "N", "timed runs (default 3); medians are shown, with min and max"},
                  {"--seed", "S", "seed of the prompt's token ids (default 1)"},
                  {"--openblas-threads", "", "let OpenBLAS thread the products instead of our team (to compare)"},
                  {"--roofline", "", "also measure this machine's memory-read and sgemm ceilings (~1 s)"},
                  {"--json", "", "print one JSON object instead of text"},
                  {"--train", "", "time training updates instead (forward, backward, AdamW) on random windows; --repeats timed updates"},
                  {"--batch", "B", "with --train: windows per update (default 8)"},
                  {"--seq", "T", "with --train: tokens per window (default 64)"}}});
}

static int run_train_bench_command(const Args& args) {
    // Training updates F32 parameters; --weights chooses how a model is run, not trained.
    for (const char* f : {"--prompt-tokens", "--gen-tokens", "--openblas-threads", "--roofline", "--weights"})
        if (args.has(f)) throw UsageError(cat("bench: ", f, " does not apply to --train"));
    TrainBenchOptions o;
    o.batch = args.integer("--batch", 8, 1, 1 << 16);
    o.seq = args.integer("--seq", 64, 1, 1 << 20);
    o.steps = int(args.integer("--repeats", 5, 1, 1000));
    o.threads = threads_from(args);
    o.seed = uint64_t(args.integer("--seed", 1, 0, INT64_MAX));
    o.isa = kernels_from(args);
    TrainBenchResult r = run_train_bench(model_dir(args), o);
    if (args.has("--json")) std::printf("%s\n", train_bench_json(r).c_str());
    else print_train_bench(stdout, r);
    return 0;
}

static int run_bench_command(const Args& args) {
    if (args.has("--train")) return run_train_bench_command(args);
    if (args.has("--batch") || args.has("--seq")) throw UsageError("bench: --batch and --seq need --train");
    BenchOptions o;
    o.prompt_tokens = args.integer("--prompt-tokens", 128, 1, 1 << 20);
    o.gen_tokens = args.integer("--gen-tokens", 128, 0, 1 << 20);
    o.repeats = int(args.integer("--repeats", 3, 1, 1000));
    o.threads = threads_from(args);
    o.seed = uint64_t(args.integer("--seed", 1, 0, INT64_MAX));
    o.openblas_threads = args.has("--openblas-threads");
    o.isa = kernels_from(args);
    o.roofline = args.has("--roofline");
    o.load = weights_from(args);
    BenchResult r = run_bench(model_dir(args), o);  // sets the OpenBLAS thread count itself
    if (args.has("--json")) std::printf("%s\n", bench_json(r).c_str());
    else print_bench(stdout, r);
    return 0;
}

const Command kBenchCommand = {
    "bench", "time loading, prefill and decode; report memory and where the time goes",
    "[--model DIR] [--weights T] [--prompt-tokens 128] [--gen-tokens 128] [--threads 1] [--kernels K] "
    "[--repeats N] [--roofline] [--json]  |  --train [--batch B] [--seq T] [--threads N] [--repeats N] [--json]",
    bench_flags, run_bench_command};

// ---------------------------------------------------------------- fidelity

static std::vector<Flag> fidelity_flags() {
    return join({{{"--model", "DIR", "checkpoint folder (default: the shipped tiny model)"},
                  {"--kernels", "ref|avx2|avx512|auto", "vector kernels to use (default auto: the best this CPU has)"},
                  {"--types", "bf16,f16,q8", "weight types to compare with F32 (default: all three)"}},
                 prompt_flags(),
                 {{"--prompt-tokens", "N", "without a prompt: N random but seeded token ids (default 32)"},
                  {"--gen-tokens", "N", "greedy tokens F32 generates, then every type is compared on (default 32)"},
                  {"--seed", "S", "seed of the random prompt's ids (default 1)"},
                  {"--json", "", "print one JSON document instead of text"}}});
}

static int run_fidelity(const Args& args) {
    FidelityOptions o;
    o.isa = kernels_from(args);
    if (args.has("--types")) {
        o.types.clear();
        const std::string list = args.str("--types");
        for (size_t i = 0; i <= list.size();) {
            size_t j = std::min(list.find(',', i), list.size());
            o.types.push_back(parse_wtype(list.substr(i, j - i)));
            i = j + 1;
        }
    }
    o.prompt_tokens = args.integer("--prompt-tokens", 32, 1, 1 << 20);
    o.gen_tokens = args.integer("--gen-tokens", 32, 1, 1 << 20);
    o.seed = uint64_t(args.integer("--seed", 1, 0, INT64_MAX));
    const std::string dir = model_dir(args);
    if (args.has("--prompt") || args.has("--file") || args.has("--prompt-ids")) {
        LoadOptions f32;
        f32.weights = WType::F32;
        auto m = load_checkpoint(dir, f32);  // for the vocabulary size the ids are checked against
        auto tok = args.has("--prompt-ids") ? nullptr : model_tokenizer(*m);
        o.prompt = prompt_ids(args, *m, tok.get(), m->config.n_positions - 1);  // one free for a new token
    }
    FidelityResult r = weight_fidelity(dir, o);
    if (args.has("--json")) std::printf("%s", fidelity_json(r).c_str());
    else print_fidelity(stdout, r);
    return 0;
}

const Command kFidelityCommand = {
    "fidelity", "how far each weight type moves the logits and the greedy text from F32's",
    "[--model DIR] [--types bf16,f16,q8] [--prompt STR | --prompt-ids IDS | --prompt-tokens N] [--gen-tokens N] [--json]",
    fidelity_flags, run_fidelity};

}  // namespace gw
