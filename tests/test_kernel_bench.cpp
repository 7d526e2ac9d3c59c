// test_kernel_bench.cpp — the benchmark's records are complete and consistent.
// No timing threshold is checked (speed depends on the machine and its load); the
// numbers are printed as doctest MESSAGEs for the curious (-s shows them).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/cpu.h"
#include "core/error.h"
#include "perf/kernel_bench.h"

using namespace gw;

TEST_CASE("bench_kernels: one record per op and supported set, ref first") {
    std::vector<KernelTiming> rows = bench_kernels(3);
    int n_sets = 0;
    for (Isa isa : {Isa::Ref, Isa::Avx2, Isa::Avx512}) n_sets += isa_supported(isa);
    REQUIRE(rows.size() == size_t(8 * n_sets));
    const char* ops[] = {"layernorm", "softmax", "gelu", "matvec_dot_bf16", "matvec_rows_bf16",
                         "matvec_dot_f16", "matvec_rows_f16", "matvec_dot_q8"};
    const int64_t sizes[] = {128 * 768, 1024, 3072, 768 * 3072, 768 * 3072, 768 * 3072, 768 * 3072, 768 * 3072};
    const double bytes[] = {0, 0, 0, 2.0 * 768 * 3072, 2.0 * 768 * 3072, 2.0 * 768 * 3072, 2.0 * 768 * 3072,
                            768 * 3072 + 2.0 * 3072 * 24};
    for (size_t i = 0; i < rows.size(); i++) {
        const KernelTiming& r = rows[i];
        CAPTURE(i);
        CHECK(r.op == std::string(ops[i / size_t(n_sets)]));
        CHECK(r.n == sizes[i / size_t(n_sets)]);
        CHECK(r.bytes == bytes[i / size_t(n_sets)]);
        CHECK(isa_supported(r.isa));
        if (i % size_t(n_sets) == 0) {
            CHECK(r.isa == Isa::Ref);
            CHECK(r.speedup == 1.0);  // ref's time over itself: x / x is exactly 1
        }
        CHECK(r.ns_min > 0);
        CHECK(r.ns_min <= r.ns_median);
        CHECK(r.ns_median <= r.ns_max);
        CHECK(r.speedup > 0);
        MESSAGE(cat(r.op, " ", r.shape, " ", isa_name(r.isa), ": ", r.ns_median, " ns/call (min ",
                    r.ns_min, ", max ", r.ns_max, "), ", r.speedup, "x ref"));
    }
}

TEST_CASE("bench_kernels: repeats must be positive") {
    CHECK_THROWS_AS(bench_kernels(0), UsageError);
}
