// cli/kernels.cpp — `gptwalk kernels`: which vector kernels this CPU runs, and how fast.
#include <cstdio>

#include "cli.h"
#include "perf/kernel_bench.h"

namespace gw {

static std::vector<Flag> kernels_flags() {
    return {{"--repeats", "N", "timing samples per kernel (default 21; the median is shown)"},
            {"--no-bench", "", "only say which instruction sets this CPU supports"}};
}

static int run_kernels(const Args& args) {
    std::printf("instruction sets: ref yes, avx2 %s, avx512 %s; auto picks %s\n",
                isa_supported(Isa::Avx2) ? "yes" : "no", isa_supported(Isa::Avx512) ? "yes" : "no",
                isa_name(best_isa()));
    if (args.has("--no-bench")) return 0;
    int repeats = int(args.integer("--repeats", 21, 1, 100000));
    std::printf("\n%-16s %-7s %-12s %12s %12s %12s %9s %8s\n", "op", "kernels", "shape", "median ns",
                "min ns", "max ns", "speedup", "GB/s");
    for (const KernelTiming& k : bench_kernels(repeats)) {
        std::printf("%-16s %-7s %-12s %12.0f %12.0f %12.0f %8.1fx", k.op.c_str(), isa_name(k.isa), k.shape.c_str(),
                    k.ns_median, k.ns_min, k.ns_max, k.speedup);
        if (k.bytes > 0) std::printf(" %8.1f", k.bytes / k.ns_median);  // the weights read, bytes per ns
        std::printf("\n");
    }
    return 0;
}

const Command kKernelsCommand = {"kernels", "list the vector kernels this CPU supports and time them",
                                 "[--repeats N] [--no-bench]", kernels_flags, run_kernels};

}  // namespace gw
