// cli/bench.cpp — `gptwalk bench`: load time, prefill and decode speed, memory, op shares.
#include <cstdio>

#include "cli.h"
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
                  {"--json", "", "print one JSON object instead of text"}}});
}

static int run_bench_command(const Args& args) {
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
    "[--repeats N] [--roofline] [--json]",
    bench_flags, run_bench_command};

}  // namespace gw
