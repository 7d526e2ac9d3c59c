// cli/bench.cpp — `gptwalk bench`: load time, prefill and decode speed, memory, op shares.
#include <cstdio>

#include "cli.h"
#include "core/error.h"
#include "perf/bench.h"
#include "report/bench_io.h"

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
    for (const char* f : {"--prompt-tokens", "--gen-tokens", "--openblas-threads", "--roofline"})
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
    BenchResult r = run_bench(model_dir(args), o);  // sets the OpenBLAS thread count itself
    if (args.has("--json")) std::printf("%s\n", bench_json(r).c_str());
    else print_bench(stdout, r);
    return 0;
}

const Command kBenchCommand = {
    "bench", "time loading, prefill and decode; report memory and where the time goes",
    "[--model DIR] [--prompt-tokens 128] [--gen-tokens 128] [--threads 1] [--kernels K] "
    "[--repeats N] [--roofline] [--json]  |  --train [--batch B] [--seq T] [--threads N] [--repeats N] [--json]",
    bench_flags, run_bench_command};

}  // namespace gw
