// perf/roofline.cpp — measure this machine's memory-read and matrix-product ceilings, and
// count what a prefill and a decode step need of each (lesson 15).
#include "perf/roofline.h"

#include <algorithm>
#include <chrono>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "core/cpu.h"
#include "core/parallel.h"
#include "core/tensor.h"
#include "kernels/linear.h"

namespace gw {

// The fastest of `repeats` timed calls of fn, in seconds: a ceiling is a best case.
template <class Fn>
static double best_seconds(int repeats, Fn fn) {
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
        auto t0 = std::chrono::steady_clock::now();
        fn();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

// Sum of n floats, reading each once: the loop's only job is to pull memory in. Four
// independent sums keep several loads in flight (one sum would wait on its own adds).
static float sum_ref(const float* x, int64_t n) {
    float s[4] = {0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; k++) s[k] += x[i + k];
    for (; i < n; i++) s[0] += x[i];
    return s[0] + s[1] + s[2] + s[3];
}

#if defined(__x86_64__)
// The same with 32 floats (two cache lines) a round on CPUs with AVX2: a scalar loop
// cannot issue loads fast enough to reach the memory's speed on recent machines.
__attribute__((target("avx2"))) static float sum_avx2(const float* x, int64_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(x + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(x + i + 24));
    }
    alignas(32) float lane[8];
    _mm256_store_ps(lane, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    float s = sum_ref(x + i, n - i);
    for (float v : lane) s += v;
    return s;
}
#endif

static float read_all(const float* x, int64_t n) {
#if defined(__x86_64__)
    if (isa_supported(Isa::Avx2)) return sum_avx2(x, n);
#endif
    return sum_ref(x, n);
}

Roofline measure_roofline(ThreadTeam& team, int repeats, int64_t read_bytes) {
    Roofline roof;
    const int parts = team.size();

    // Memory: each member streams its own contiguous block; best of `repeats` passes.
    const int64_t n = std::max<int64_t>(read_bytes / int64_t(sizeof(float)), 1);
    FloatBuffer buf(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; i++) buf[size_t(i)] = float(i & 7);  // touch every page first
    std::vector<float> sink(static_cast<size_t>(parts));
    const double read_s = best_seconds(repeats, [&] {
        team.run(parts, [&](int, int64_t i) {
            Range b = share(n, parts, int(i), 16);
            sink[size_t(i)] += read_all(buf.data() + b.begin, b.size());
        });
    });
    roof.read_gb_s = double(n) * sizeof(float) / read_s / 1e9;

    // Arithmetic: a square product big enough for OpenBLAS's best kernel, cut into column
    // blocks like a prefill's products (model/forward.cpp, Ops::linear).
    const int64_t d = 1024;
    const size_t dd = static_cast<size_t>(d * d);
    FloatBuffer a(dd), w(dd), c(dd);
    for (int64_t i = 0; i < d * d; i++) {
        a[size_t(i)] = float(i % 13) * 0.01f;
        w[size_t(i)] = float(i % 7) * 0.01f;
    }
    const double gemm_s = best_seconds(repeats, [&] {
        team.run(parts, [&](int, int64_t i) {
            Range cols = share(d, parts, int(i), 16);
            linear_columns(c.data(), a.data(), w.data(), nullptr, d, d, d, cols.begin, cols.end);
        });
    });
    roof.gemm_gflop_s = 2.0 * double(d) * double(d) * double(d) / gemm_s / 1e9;
    return roof;
}

double prefill_flops(const Config& cfg, int64_t T) {
    const double C = double(cfg.n_embd), L = double(cfg.n_layer), V = double(cfg.vocab_size);
    const double t = double(T);
    const double qkv = 2 * C * 3 * C, rest = 2 * (C * C + C * 4 * C + 4 * C * C);  // per row
    // Causal attention of rows at positions 0..T-1: row i sees i + 1 keys, 4C FLOPs each.
    const double attn_all = 4 * C * t * (t + 1) / 2, attn_last = 4 * C * t;
    const double layers = (L - 1) * (t * (qkv + rest) + attn_all)  // all rows
                          + t * qkv + attn_last + rest;            // the last layer
    return layers + 2 * C * V;                                     // + the LM head, one row
}

double decode_bytes(const Config& cfg, int64_t pos, WType weights) {
    const double C = double(cfg.n_embd), L = double(cfg.n_layer), V = double(cfg.vocab_size);
    const double matrices = L * 12 * C * C + V * C;  // c_attn, attn c_proj, c_fc, mlp c_proj; wte
    const double f32 = double(cfg.parameter_count()) - matrices - double(cfg.n_positions - 1) * C;
    const double kv = 2 * L * double(pos + 1) * C;
    return matrices * wtype_bytes_per_weight(weights) + (f32 + kv) * sizeof(float);
}

}  // namespace gw
