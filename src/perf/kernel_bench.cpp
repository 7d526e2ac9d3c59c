// perf/kernel_bench.cpp — nanoseconds per call of each kernel in each instruction set.
//
// Sizes are GPT-2 small's: layernorm over (128, 768), softmax over 1024, gelu over
// 3072. One sample = wall time of `reps` back-to-back calls / reps, with reps chosen
// once so that a sample lasts ~50 us (long enough for the clock, short enough to
// stay in cache). Inputs are fixed pseudo-random numbers; outputs go to a separate
// buffer, so every call does the same work.
#include "perf/kernel_bench.h"

#include <algorithm>  // std::sort, std::clamp
#include <chrono>     // steady_clock

#include "core/error.h"
#include "core/tensor.h"        // FloatBuffer
#include "kernels/gelu.h"
#include "kernels/layernorm.h"
#include "kernels/matvec.h"
#include "kernels/softmax.h"

namespace gw {
namespace {

constexpr double kSampleNs = 50e3;              // target length of one sample
constexpr int64_t kMaxReps = int64_t(1) << 20;  // calls per sample, at most

// Fills p[0..n) with numbers in [-scale, scale) from a 64-bit LCG (Knuth's MMIX constants).
void fill_random(float* p, size_t n, uint64_t seed, float scale) {
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double u = double(s >> 11) / double(1ull << 53);  // [0, 1)
        p[i] = float(scale * (2 * u - 1));
    }
}

template <typename Call>
double ns_per_call(const Call& call, int64_t reps) {
    auto t0 = std::chrono::steady_clock::now();
    for (int64_t r = 0; r < reps; r++) call();
    auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / double(reps);
}

// Times `call` for each supported instruction set and appends one record per set.
// call(isa) runs the op once with the kernel of that set.
template <typename Call>
void bench_op(std::vector<KernelTiming>& records, const std::string& op, const std::string& shape,
              int64_t n, const Call& call, int repeats, double bytes = 0) {
    double ref_median = 0;
    for (Isa isa : {Isa::Ref, Isa::Avx2, Isa::Avx512}) {
        if (!isa_supported(isa)) continue;
        auto once = [&] { call(isa); };
        double first = ns_per_call(once, 1);  // also warms the caches
        int64_t reps = std::clamp(int64_t(kSampleNs / std::max(first, 1.0)), int64_t(1), kMaxReps);
        std::vector<double> samples(static_cast<size_t>(repeats));
        for (double& s : samples) s = ns_per_call(once, reps);
        std::sort(samples.begin(), samples.end());
        size_t mid = samples.size() / 2;
        KernelTiming k;
        k.op = op;
        k.isa = isa;
        k.shape = shape;
        k.n = n;
        k.bytes = bytes;
        k.ns_median = samples.size() % 2 ? samples[mid] : 0.5 * (samples[mid - 1] + samples[mid]);
        k.ns_min = samples.front();
        k.ns_max = samples.back();
        if (isa == Isa::Ref) ref_median = k.ns_median;
        k.speedup = ref_median / k.ns_median;
        records.push_back(k);
    }
}

}  // namespace

std::vector<KernelTiming> bench_kernels(int repeats) {
    if (repeats < 1) throw UsageError(cat("bench_kernels: repeats must be >= 1, got ", repeats));
    std::vector<KernelTiming> records;

    const int64_t T = 128, C = 768;  // GPT-2 small: a 128-token prompt, n_embd 768
    FloatBuffer x(static_cast<size_t>(T * C)), y(static_cast<size_t>(T * C));
    FloatBuffer w(static_cast<size_t>(C)), b(static_cast<size_t>(C));
    fill_random(x.data(), x.size(), 1, 3.0f);
    fill_random(w.data(), w.size(), 2, 1.0f);
    fill_random(b.data(), b.size(), 3, 1.0f);
    auto run_layernorm = [&](Isa isa) {
        layernorm(isa, y.data(), nullptr, nullptr, x.data(), w.data(), b.data(), T, C, 1e-5f);
    };
    bench_op(records, "layernorm", "(128, 768)", T * C, run_layernorm, repeats);

    const int64_t n_att = 1024;  // n_positions: the longest row of attention scores
    auto run_softmax = [&](Isa isa) { softmax(isa, y.data(), x.data(), n_att); };
    bench_op(records, "softmax", "(1024,)", n_att, run_softmax, repeats);

    const int64_t n_mlp = 4 * C;  // the MLP's hidden width, 4 * n_embd
    auto run_gelu = [&](Isa isa) { gelu(isa, y.data(), x.data(), n_mlp); };
    bench_op(records, "gelu", "(3072,)", n_mlp, run_gelu, repeats);

    // A decode step's products with reduced weights, c_fc's size (C, 4C) = (768, 3072):
    // the dot form over the (3072, 768) rows Q8 stores, the rows form over [in, out].
    std::vector<float> m(static_cast<size_t>(C * n_mlp));
    fill_random(m.data(), m.size(), 4, 0.1f);
    for (WType t : {WType::BF16, WType::F16, WType::Q8}) {
        for (bool dot : {true, false}) {
            if (t == WType::Q8 && !dot) continue;  // Q8 is stored one row per output only
            std::vector<uint16_t> bits, scales;
            std::vector<int8_t> q;
            WeightView v;
            v.type = t;
            v.shape = dot ? Shape{n_mlp, C} : Shape{C, n_mlp};
            if (t == WType::Q8) {
                q.resize(m.size());
                scales.resize(size_t(n_mlp * q8_blocks(C)));
                for (int64_t r = 0; r < n_mlp; r++) quantize_q8_row(&q[size_t(r * C)], &scales[size_t(r * q8_blocks(C))], &m[size_t(r * C)], C);
                v.data = q.data(), v.scales = scales.data();
            } else {
                bits.resize(m.size());
                for (size_t i = 0; i < m.size(); i++) bits[i] = t == WType::F16 ? f32_to_f16(m[i]) : f32_to_bf16(m[i]);
                v.data = bits.data();
            }
            auto run = [&](Isa isa) {
                if (dot) matvec_dot(isa, y.data(), x.data(), v, 0, n_mlp);
                else matvec_rows(isa, y.data(), x.data(), v, 0, C);
            };
            bench_op(records, cat("matvec_", dot ? "dot_" : "rows_", wtype_name(t)), v.shape.str(), C * n_mlp, run,
                     repeats, double(v.bytes()));
        }
    }
    return records;
}

}  // namespace gw
