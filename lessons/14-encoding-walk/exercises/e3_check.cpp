// e3_check.cpp — lesson 14, exercise 3: the check's own test of rope_position_kernel
// (walks/rope_kernels.h) for layer 0 of the shipped model, 32 positions, every head:
//   without the rotation every x_i is the same, so every row is uniform and the self-bias 0;
//   with it, the score s(i, i - d) depends on d alone (RoPE's point), and every score equals
//   this program's own: q and k of the mean token vector from ln_1 and c_attn, rotated, in double.
#include <cmath>
#include <cstdio>
#include <vector>

#include "kernels/layernorm.h"
#include "model/model_dir.h"
#include "model/weights.h"
#include "walks/rope_kernels.h"

int main() {
    auto m = gw::load_checkpoint(gw::default_model_dir());
    const gw::Config& cfg = m->config;
    const int64_t C = cfg.n_embd, V = cfg.vocab_size, NH = cfg.n_head, HS = C / NH, n = 32;
    const gw::LayerWeights& w = m->w.h[0];
    const gw::AsF32 wte(m->w.wte), c_attn(w.c_attn_w);  // (V, C), (C, 3C): widened from the stored type
    std::vector<float> ebar(static_cast<size_t>(C)), xn(static_cast<size_t>(C));
    for (int64_t c = 0; c < C; c++) {
        double s = 0;
        for (int64_t v = 0; v < V; v++) s += wte.data()[v * C + c];
        ebar[size_t(c)] = float(s / double(V));
    }
    gw::layernorm_ref(xn.data(), nullptr, nullptr, ebar.data(), w.ln_1_w, w.ln_1_b, 1, C, cfg.layer_norm_epsilon);
    std::printf("mean self-bias with rotary positions, layer 0:");
    for (int64_t h = 0; h < NH; h++) {
        std::vector<double> q(static_cast<size_t>(HS)), k(static_cast<size_t>(HS));
        for (int64_t d = 0; d < HS; d++) {
            double qs = w.c_attn_b[h * HS + d], ks = w.c_attn_b[C + h * HS + d];
            for (int64_t c = 0; c < C; c++) {
                qs += double(xn[size_t(c)]) * c_attn.data()[c * 3 * C + h * HS + d];
                ks += double(xn[size_t(c)]) * c_attn.data()[c * 3 * C + C + h * HS + d];
            }
            q[size_t(d)] = qs, k[size_t(d)] = ks;
        }
        const gw::RopeKernel plain = gw::rope_position_kernel(*m, 0, h, n, false);
        const gw::RopeKernel rope = gw::rope_position_kernel(*m, 0, h, n, true);
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j <= i; j++)
                if (std::fabs(plain.kernel[size_t(i * n + j)] - 1.0 / double(i + 1)) > 1e-6) {
                    std::printf("\nwithout the rotation every x_i is the same, so row %lld must be uniform (head %lld)\n",
                                (long long)i, (long long)h);
                    return 1;
                }
        if (std::fabs(plain.mean_self_bias) > 1e-6) {
            std::printf("\nwithout the rotation the mean self-bias must be 0, got %g (head %lld)\n", plain.mean_self_bias, (long long)h);
            return 1;
        }
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j <= i; j++) {
                // q rotated by i theta_m, k by j theta_m, pair by pair: the dot product of each
                // pair depends only on (i - j) theta_m.
                double s = 0;
                for (int64_t p = 0; p < HS / 2; p++) {
                    const double theta = std::pow(10000.0, -2.0 * double(p) / double(HS));
                    const double a = double(i) * theta, b = double(j) * theta;
                    const double q0 = q[size_t(2 * p)] * std::cos(a) - q[size_t(2 * p + 1)] * std::sin(a);
                    const double q1 = q[size_t(2 * p)] * std::sin(a) + q[size_t(2 * p + 1)] * std::cos(a);
                    const double k0 = k[size_t(2 * p)] * std::cos(b) - k[size_t(2 * p + 1)] * std::sin(b);
                    const double k1 = k[size_t(2 * p)] * std::sin(b) + k[size_t(2 * p + 1)] * std::cos(b);
                    s += q0 * k0 + q1 * k1;
                }
                s /= std::sqrt(double(HS));
                // Scores of size up to ~20 from float products of C = 192 terms: within 1e-3.
                const double got = rope.scores[size_t(i * n + j)];
                if (!(std::fabs(got - s) <= 1e-3 * (1 + std::fabs(s)))) {
                    std::printf("\nhead %lld: the rotated score s(%lld, %lld) is %g, want %g\n", (long long)h, (long long)i,
                                (long long)j, got, s);
                    return 1;
                }
            }
        for (int64_t d = 0; d < n; d++) {  // the property itself, in the student's own numbers
            double lo = INFINITY, hi = -INFINITY;
            for (int64_t i = d; i < n; i++) {
                lo = std::fmin(lo, rope.scores[size_t(i * n + i - d)]);
                hi = std::fmax(hi, rope.scores[size_t(i * n + i - d)]);
            }
            if (hi - lo > 1e-3 * (1 + std::fabs(hi))) {
                std::printf("\nhead %lld: s(i, i - %lld) spreads over %g as i moves: it must depend on d alone\n", (long long)h,
                            (long long)d, hi - lo);
                return 1;
            }
        }
        std::printf(" %+.3f", rope.mean_self_bias);
    }
    std::printf("; without the rotation every kernel uniform\n");
    return 0;
}
