// train/optimizer.cpp — AdamW, SGD, clipping and the learning-rate schedule (lesson 18).
#include "train/optimizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/simd.h"  // the AVX2 / AVX-512 intrinsics

namespace gw {

const char* optimizer_name(OptimizerKind kind) { return kind == OptimizerKind::AdamW ? "adamw" : "sgd"; }

double learning_rate(const OptimizerConfig& c, int64_t step) {
    if (step < c.warmup) return c.lr * double(step + 1) / double(c.warmup);
    const double ratio = double(step - c.warmup) / double(std::max<int64_t>(1, c.steps - c.warmup));
    const double kPi = 3.14159265358979323846;
    return c.min_lr + 0.5 * (1.0 + std::cos(kPi * std::min(1.0, ratio))) * (c.lr - c.min_lr);
}

OptimizerState make_optimizer_state(const ParamLayout& layout, const OptimizerConfig& config) {
    OptimizerState s;
    if (config.kind == OptimizerKind::AdamW) {
        s.m = FloatBuffer(layout.total);
        s.v = FloatBuffer(layout.total);
    }
    return s;
}

namespace {
// The flat buffer is cut into this many chunks, whatever the team's size, so that sums over it
// add the same partial sums in the same order on any number of threads.
constexpr int64_t kChunks = 64;
}  // namespace

double gradient_norm(const float* g, size_t n, ThreadTeam& team) {
    std::vector<double> part(size_t(kChunks), 0.0);
    team.run(kChunks, [&](int, int64_t i) {
        const Range r = share(int64_t(n), int(kChunks), int(i));
        double s = 0;
        for (int64_t j = r.begin; j < r.end; j++) s += double(g[j]) * double(g[j]);
        part[size_t(i)] = s;
    });
    double sum = 0;
    for (double s : part) sum += s;
    return std::sqrt(sum);
}

// ---------------------------------------------------------------- the AdamW element loop
// For j in [0, n):  m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2;
//                   p -= lr ((m c1) / (sqrt(v c2) + eps) + wd p),   g = grads[j] * scale
// The vector versions do the same float operations in the same order (sqrt and division
// correctly rounded in all three); the compiler may fuse a multiply and an add of the vector
// versions into one FMA, one rounding fewer, so they agree with the scalar loop to a few
// float ulps (tests/test_optimizer.cpp).
struct AdamW {
    float lr, wd, scale, b1, b2, c1, c2, eps;
};

static void adamw_ref(float* p, const float* g, float* m, float* v, size_t n, const AdamW& k) {
    for (size_t j = 0; j < n; j++) {
        const float gj = g[j] * k.scale;
        m[j] = k.b1 * m[j] + (1.0f - k.b1) * gj;
        v[j] = k.b2 * v[j] + (1.0f - k.b2) * (gj * gj);
        const float step = (m[j] * k.c1) / (std::sqrt(v[j] * k.c2) + k.eps);
        p[j] -= k.lr * (step + k.wd * p[j]);
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void adamw_avx2(float* p, const float* g, float* m, float* v, size_t n,
                                                           const AdamW& k) {
    const __m256 lr = _mm256_set1_ps(k.lr), wd = _mm256_set1_ps(k.wd), scale = _mm256_set1_ps(k.scale);
    const __m256 b1 = _mm256_set1_ps(k.b1), b2 = _mm256_set1_ps(k.b2), c1 = _mm256_set1_ps(k.c1);
    const __m256 c2 = _mm256_set1_ps(k.c2), eps = _mm256_set1_ps(k.eps);
    const __m256 one_b1 = _mm256_set1_ps(1.0f - k.b1), one_b2 = _mm256_set1_ps(1.0f - k.b2);
    const size_t body = n - n % 8;
    for (size_t j = 0; j < body; j += 8) {
        const __m256 gj = _mm256_mul_ps(_mm256_loadu_ps(g + j), scale);
        const __m256 mj = _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(m + j)), _mm256_mul_ps(one_b1, gj));
        const __m256 vj = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v + j)),
                                        _mm256_mul_ps(one_b2, _mm256_mul_ps(gj, gj)));
        const __m256 step = _mm256_div_ps(_mm256_mul_ps(mj, c1), _mm256_add_ps(_mm256_sqrt_ps(_mm256_mul_ps(vj, c2)), eps));
        const __m256 pj = _mm256_loadu_ps(p + j);
        _mm256_storeu_ps(m + j, mj);
        _mm256_storeu_ps(v + j, vj);
        _mm256_storeu_ps(p + j, _mm256_sub_ps(pj, _mm256_mul_ps(lr, _mm256_add_ps(step, _mm256_mul_ps(wd, pj)))));
    }
    adamw_ref(p + body, g + body, m + body, v + body, n - body, k);
}

__attribute__((target("avx512f"))) static void adamw_avx512(float* p, const float* g, float* m, float* v, size_t n,
                                                            const AdamW& k) {
    const __m512 lr = _mm512_set1_ps(k.lr), wd = _mm512_set1_ps(k.wd), scale = _mm512_set1_ps(k.scale);
    const __m512 b1 = _mm512_set1_ps(k.b1), b2 = _mm512_set1_ps(k.b2), c1 = _mm512_set1_ps(k.c1);
    const __m512 c2 = _mm512_set1_ps(k.c2), eps = _mm512_set1_ps(k.eps);
    const __m512 one_b1 = _mm512_set1_ps(1.0f - k.b1), one_b2 = _mm512_set1_ps(1.0f - k.b2);
    const size_t body = n - n % 16;
    for (size_t j = 0; j < body; j += 16) {
        const __m512 gj = _mm512_mul_ps(_mm512_loadu_ps(g + j), scale);
        const __m512 mj = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_loadu_ps(m + j)), _mm512_mul_ps(one_b1, gj));
        const __m512 vj = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_loadu_ps(v + j)),
                                        _mm512_mul_ps(one_b2, _mm512_mul_ps(gj, gj)));
        const __m512 step = _mm512_div_ps(_mm512_mul_ps(mj, c1), _mm512_add_ps(_mm512_sqrt_ps(_mm512_mul_ps(vj, c2)), eps));
        const __m512 pj = _mm512_loadu_ps(p + j);
        _mm512_storeu_ps(m + j, mj);
        _mm512_storeu_ps(v + j, vj);
        _mm512_storeu_ps(p + j, _mm512_sub_ps(pj, _mm512_mul_ps(lr, _mm512_add_ps(step, _mm512_mul_ps(wd, pj)))));
    }
    adamw_ref(p + body, g + body, m + body, v + body, n - body, k);
}
#endif

static void adamw(Isa isa, float* p, const float* g, float* m, float* v, size_t n, const AdamW& k) {
#if defined(__x86_64__)
    if (isa == Isa::Avx512) return adamw_avx512(p, g, m, v, n, k);
    if (isa == Isa::Avx2) return adamw_avx2(p, g, m, v, n, k);
#endif
    adamw_ref(p, g, m, v, n, k);
}

UpdateStats optimizer_update(float* params, const float* grads, OptimizerState& state, const ParamLayout& layout,
                             const OptimizerConfig& c, ThreadTeam& team, Isa isa, TrainTimes* times) {
    const auto start = std::chrono::steady_clock::now();
    UpdateStats st;
    st.grad_norm = gradient_norm(grads, layout.total, team);
    if (!std::isfinite(st.grad_norm)) return st;
    if (c.clip > 0 && c.clip / (st.grad_norm + 1e-6) < 1) st.clip_scale = c.clip / (st.grad_norm + 1e-6);
    st.lr = learning_rate(c, state.step);
    state.step += 1;
    // Per-step constants, in float for the element loop (the bias corrections in double first).
    AdamW k{float(st.lr), 0.0f, float(st.clip_scale), float(c.beta1), float(c.beta2),
            float(1.0 / (1.0 - std::pow(c.beta1, double(state.step)))),
            float(1.0 / (1.0 - std::pow(c.beta2, double(state.step)))), float(c.eps)};
    const bool sgd = c.kind == OptimizerKind::Sgd;
    team.run(kChunks, [&](int, int64_t i) {
        const Range r = share(int64_t(layout.total), int(kChunks), int(i));
        for (const ParamTensor& t : layout.tensors) {  // the tensors this chunk overlaps
            const size_t lo = std::max(size_t(r.begin), t.offset), hi = std::min(size_t(r.end), t.offset + t.size);
            if (lo >= hi) continue;
            if (sgd) {
                for (size_t j = lo; j < hi; j++) params[j] -= k.lr * (grads[j] * k.scale);
                continue;
            }
            AdamW kt = k;
            kt.wd = t.decay ? float(c.weight_decay) : 0.0f;
            adamw(isa, params + lo, grads + lo, state.m.data() + lo, state.v.data() + lo, hi - lo, kt);
        }
    });
    if (times) times->optimizer += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return st;
}

}  // namespace gw
