// perf/kernel_bench.h — how fast each kernel runs in each instruction set (gptwalk kernels).
//
// Times one call of each op at GPT-2 small's sizes, for every instruction set this
// CPU supports: layernorm over (T, C) = (128, 768), softmax over n = 1024 (one row
// of attention scores), gelu over n = 3072 (one row of the MLP's hidden layer), and
// the decode products with reduced weights (kernels/matvec.h) of c_fc's size: the dot
// form over (3072, 768) in BF16, F16 and Q8, the rows form over (768, 3072) in BF16, F16.
// Returns plain records; printing is the caller's business (`gptwalk kernels`).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu.h"

namespace gw {

struct KernelTiming {
    std::string op;        // "layernorm", "softmax", "gelu", "matvec_dot_q8", "matvec_rows_f16", ...
    Isa isa;               // the kernel's instruction set
    std::string shape;     // the arguments of one call, e.g. "(128, 768)"
    int64_t n = 0;         // floats in per call (weights, for the products)
    double bytes = 0;      // bytes of weights one call reads (the products), else 0
    double ns_median = 0;  // nanoseconds per call: median over the repeats
    double ns_min = 0;
    double ns_max = 0;
    double speedup = 0;  // the ref kernel's ns_median / this ns_median (1 for ref)
};

// Runs each (op, supported isa) `repeats` times (>= 1; throws UsageError otherwise);
// each sample times enough back-to-back calls to last ~50 microseconds. Records come
// op by op, ref first then avx2 then avx512.
std::vector<KernelTiming> bench_kernels(int repeats);

}  // namespace gw
