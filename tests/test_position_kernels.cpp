// test_position_kernels.cpp — position-only attention kernels: hand-worked pieces, an
// independent plain-loop recomputation, the Cauchy–Schwarz contrast, and `walk positions`.
#include <doctest/doctest.h>
#include <stb/stb_image.h>  // stbi_load (implementation lives in libstb)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/mapped_file.h"
#include "kernels/layernorm.h"
#include "testing.h"
#include "walks/encoding_walk.h"
#include "walks/position_kernels.h"

using namespace gw;
using gw::testing::kFloatU;

TEST_CASE("causal row softmax, self-bias and offset means, worked by hand") {
    // scores [[0, 5], [0, ln 3]]: row 0 sees only itself -> [1, 0]; row 1 -> [1/4, 3/4]
    const float scores[4] = {0.0f, 5.0f, 0.0f, std::log(3.0f)};
    float k[4];
    causal_softmax_rows(k, scores, 2);
    CHECK(k[0] == 1.0f);  // a one-entry softmax: exp(0) / exp(0), exact; masked: exactly 0
    CHECK(k[1] == 0.0f);
    CHECK(k[2] == doctest::Approx(0.25).epsilon(1e-6));
    CHECK(k[3] == doctest::Approx(0.75).epsilon(1e-6));
    std::vector<double> b = self_bias(k, 2, 2);  // [1 - 1, 0.75 - 1/2]
    CHECK(b[0] == 0.0);
    CHECK(b[1] == doctest::Approx(0.25).epsilon(1e-6));
    CHECK(mean_self_bias(b) == doctest::Approx(0.25).epsilon(1e-6));
    CHECK(mean_self_bias({0.0}) == 0.0);
    // 3 x 3 kernel: m(0) = (1 + .5 + .2)/3, m(1) = (.5 + .3)/2, m(2) = .5
    const float k3[9] = {1, 0, 0, 0.5f, 0.5f, 0, 0.5f, 0.3f, 0.2f};
    std::vector<double> m = offset_means(k3, 3);  // doubles of floats such as 0.3f: ~1e-8 off, in 1e-6
    CHECK(m[0] == doctest::Approx(1.7 / 3).epsilon(1e-6));
    CHECK(m[1] == doctest::Approx(0.4).epsilon(1e-6));
    CHECK(m[2] == doctest::Approx(0.5).epsilon(1e-6));
}

// Rows of equal length: by Cauchy–Schwarz each row's largest score is its own, so
// a(i,i) >= 1/(i+1), b(i) >= 0. In float the scores x_i . x_j / sqrt(d) are each off by at most
// float_sum_error(d, |x_i||x_j| / sqrt(d)) = gamma_d sqrt(d) (|x| = sqrt(d)), and the scaling
// below leaves the squared lengths ~4u apart (4u sqrt(d) on s_ij - s_ii); score errors of e
// move b(i) by at most 2e (a(i,i) = 1 / sum_j exp(s_ij - s_ii)), and softmax's rounding adds
// 2u. So b(i) >= -(6 gamma_d sqrt(d) + 2u), which covers all three: ~2e-4 at d = 64. The
// unequal-length case below has b = -0.23.
TEST_CASE("parameter-free attention: self-bias >= 0 when rows have equal length, not otherwise") {
    for (int64_t n : {1, 2, 5, 17, 40})
        for (int64_t d : {2, 8, 64})
            for (uint64_t seed = 1; seed <= 3; seed++) {
                CAPTURE(n);
                CAPTURE(d);
                std::vector<float> x = gw::testing::random_floats(size_t(n * d), seed * 1000 + uint64_t(n * d));
                for (int64_t i = 0; i < n; i++) {  // every row scaled to length sqrt(d)
                    double len = 0;
                    for (int64_t c = 0; c < d; c++) len += double(x[size_t(i * d + c)]) * x[size_t(i * d + c)];
                    for (int64_t c = 0; c < d; c++) x[size_t(i * d + c)] *= float(std::sqrt(double(d) / len));
                }
                std::vector<float> k(size_t(n * n));
                free_attention_kernel(k.data(), x.data(), n, d, 1.0f / std::sqrt(float(d)));
                const double slack = 6 * gw::testing::float_sum_error(d, std::sqrt(double(d))) + 2 * kFloatU;
                for (double b : self_bias(k.data(), n, n)) CHECK(b >= -slack);
            }
    // Cauchy–Schwarz needs the equal lengths: x0 = (2, 0), x1 = (1, 0) gives row 1 the scores
    // (2, 1), so a(1,1) = e / (e² + e) = 1 / (1 + e) < 1/2.
    const float x[4] = {2, 0, 1, 0};
    float k[4];
    free_attention_kernel(k, x, 2, 2, 1.0f);
    CHECK(k[3] == doctest::Approx(1.0 / (1.0 + std::exp(1.0))).epsilon(1e-5));
    CHECK(self_bias(k, 2, 2)[1] < 0);
}

// One entry of head h's kernel recomputed with plain loops, straight from the formula.
static double kernel_entry(const Checkpoint& m, int64_t layer, int64_t h, int64_t i, int64_t j) {
    const int64_t C = m.config.n_embd, HS = C / m.config.n_head, V = m.config.vocab_size;
    const LayerWeights& w = m.w.h[size_t(layer)];
    const AsF32 wte(m.w.wte), c_attn(w.c_attn_w);  // (V, C), (C, 3C)
    std::vector<double> mean_tok(static_cast<size_t>(C), 0.0);
    for (int64_t v = 0; v < V; v++)
        for (int64_t c = 0; c < C; c++) mean_tok[size_t(c)] += wte.row(v)[c] / double(V);
    auto qk = [&](int64_t pos, int64_t offset) {  // q (offset 0) or k (offset C) of head h at pos
        std::vector<float> x(static_cast<size_t>(C)), n(static_cast<size_t>(C));
        for (int64_t c = 0; c < C; c++) x[size_t(c)] = m.w.wpe[pos * C + c] + float(mean_tok[size_t(c)]);
        layernorm_ref(n.data(), nullptr, nullptr, x.data(), w.ln_1_w, w.ln_1_b, 1, C, m.config.layer_norm_epsilon);
        std::vector<double> out(static_cast<size_t>(HS));
        for (int64_t e = 0; e < HS; e++) {
            const int64_t col = offset + h * HS + e;
            double s = w.c_attn_b[col];
            for (int64_t c = 0; c < C; c++) s += double(n[size_t(c)]) * c_attn.row(c)[col];
            out[size_t(e)] = s;
        }
        return out;
    };
    std::vector<double> q = qk(i, 0), s(static_cast<size_t>(i + 1));
    double mx = -1e300, sum = 0;
    for (int64_t jj = 0; jj <= i; jj++) {
        std::vector<double> k = qk(jj, C);
        double d = 0;
        for (int64_t e = 0; e < HS; e++) d += q[size_t(e)] * k[size_t(e)];
        s[size_t(jj)] = d / std::sqrt(double(HS));
        mx = std::max(mx, s[size_t(jj)]);
    }
    for (double& v : s) sum += (v = std::exp(v - mx));
    return s[size_t(j)] / sum;
}

TEST_CASE("position kernels of the shipped model and the fixtures") {
    for (const char* dir : {"weights/tiny-gpt2", "tests/fixtures/forward/bf16_oddheads"}) {
        CAPTURE(dir);
        auto m = load_checkpoint(dir);
        const int64_t NH = m->config.n_head, n = std::min<int64_t>(12, m->config.n_positions);
        for (int64_t layer = 0; layer < m->config.n_layer; layer++) {
            CAPTURE(layer);
            PositionKernels pk = position_kernels(*m, layer, n);
            REQUIRE(int64_t(pk.heads.size()) == NH);
            CHECK(pk.content.find("mean token vector") != std::string::npos);
            for (const HeadKernel& h : pk.heads) {
                for (int64_t i = 0; i < n; i++) {
                    double s = 0;
                    for (int64_t j = 0; j < n; j++) {
                        float a = h.kernel[size_t(i * n + j)];
                        if (j > i) CHECK(a == 0.0f);
                        s += a;
                    }
                    CHECK(std::fabs(s - 1.0) <= 3 * kFloatU);  // every row sums to 1: softmax_ref, 2u + u^2
                }
                CHECK(h.self_bias[0] == 0.0);
                // one term, the same float widened: the same value
                CHECK(h.offset_mean[size_t(n - 1)] == doctest::Approx(h.kernel[size_t((n - 1) * n)]));
                CHECK(std::isnan(h.text_mean_self_bias));  // no text measured yet
            }
            // Not a theorem here: ε makes the layer-normed rows' lengths differ slightly, and
            // then a row's own score need not be its largest. These rows' b(i) are all
            // >= 0.011 (i >= 1; b(0) = 0 exactly), 10^4 times the float error above.
            for (double b : pk.free_self_bias) CHECK(b >= -1e-6);
            // Independent recomputation of a few entries: plain double loops from the same float
            // layer-normed rows, against float products (scores off by ~C u |terms|, weights by
            // about as much relatively); 1e-4 (1 + a) is ~400x the worst seen.
            for (int64_t h : {int64_t(0), NH - 1})
                for (auto ij : {std::pair<int64_t, int64_t>{n - 1, 0}, {n - 1, n - 2}, {5, 5}})
                    CHECK(pk.heads[size_t(h)].kernel[size_t(ij.first * n + ij.second)] ==
                          doctest::Approx(kernel_entry(*m, layer, h, ij.first, ij.second)).epsilon(1e-4));
        }
        CHECK_THROWS_AS(position_kernels(*m, m->config.n_layer, n), Error);
        CHECK_THROWS_AS(position_kernels(*m, 0, m->config.n_positions + 1), Error);
    }
}

TEST_CASE("self-bias measured on text reads the traced attention diagonal") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    std::istringstream in(read_file("tests/fixtures/forward/f32/ids.txt"));
    std::vector<int> ids;
    for (int id; in >> id;) ids.push_back(id);  // 32 ids
    Trace tr = traced_forward(*m, ids, best_isa());
    PositionKernels pk = position_kernels(*m, 1, 8);
    measure_on_text(pk, *m, tr);
    const int64_t T = int64_t(ids.size());
    CHECK(pk.text_tokens == T);
    const std::vector<float>& pat = tr.at("h.1.attn_pattern").data;
    for (const HeadKernel& h : pk.heads) {
        REQUIRE(int64_t(h.text_self_bias.size()) == T);
        double sum = 0;
        for (int64_t i = 0; i < T; i++) {
            double want = pat[size_t((h.head * T + i) * T + i)] - 1.0 / double(i + 1);
            CHECK(h.text_self_bias[size_t(i)] == doctest::Approx(want).epsilon(1e-12));  // same formula
            if (i > 0) sum += want;
        }
        CHECK(h.text_mean_self_bias == doctest::Approx(sum / double(T - 1)));
    }
    CHECK(pk.free_text_mean_self_bias >= 0);
}

// ---------------------------------------------------------------- the command

static int gptwalk(const std::string& args, std::string* out) {
    return gw::testing::run_command("timeout 120 " + gw::testing::shell_quote(gw::testing::gptwalk_binary()) +
                                        " " + args + " </dev/null",
                                    out);
}

TEST_CASE("walk positions: table, JSON with the printed numbers, PNG, errors") {
    gw::testing::TempDir tmp;
    const std::string js = tmp.file("p.json"), png = tmp.file("p.png");
    std::string out;
    REQUIRE(gptwalk("walk positions --layer 1 --span 10 --json " + js + " --png " + png, &out) == 0);
    INFO(out);
    CHECK(out.find("mean token vector (mean row of wte) added to every position vector") != std::string::npos);
    CHECK(out.find("our own formalisation") != std::string::npos);
    CHECK(out.find("Pride and Prejudice") != std::string::npos);  // the default text was measured
    JsonValue j = parse_json(read_file(js), js);
    CHECK(j.find("layer")->integer == 1);
    CHECK(j.find("n")->integer == 10);
    const JsonValue& heads = *j.find("heads");
    REQUIRE(heads.items.size() == 6);
    for (const JsonValue& h : heads.items) {
        char want[96];
        std::snprintf(want, sizeof want, "%-6lld%-+12.4f%-+10.4f", (long long)h.find("head")->integer,
                      h.find("mean_self_bias")->number, h.find("text_mean_self_bias")->number);
        CHECK(out.find(std::string("\n") + want) != std::string::npos);
        CHECK(h.find("kernel")->items.size() == 100);
    }
    const std::string wrote = "wrote " + png + " (";
    size_t at = out.find(wrote);
    REQUIRE(at != std::string::npos);
    int want_w = 0, want_h = 0, w = 0, h = 0, ch = 0;
    REQUIRE(std::sscanf(out.c_str() + at + wrote.size(), "%d x %d", &want_w, &want_h) == 2);
    unsigned char* data = stbi_load(png.c_str(), &w, &h, &ch, 0);
    REQUIRE(data != nullptr);
    stbi_image_free(data);
    CHECK(w == want_w);
    CHECK(h == want_h);

    // A model folder without a tokenizer: no text unless ids are given.
    REQUIRE(gptwalk("walk positions --model tests/fixtures/forward/f32", &out) == 0);
    CHECK(out.find("no text measured") != std::string::npos);
    REQUIRE(gptwalk("walk positions --model tests/fixtures/forward/f32 --prompt-ids 1,2,3,4", &out) == 0);
    CHECK(out.find("4-token text") != std::string::npos);

    for (const std::string args : {"walk positions --layer 8", "walk positions --span 0", "walk positions --span 257",
                                   "walk positions --layer x", "walk positions --bogus", "walk positions extra"}) {
        CAPTURE(args);
        CHECK(gptwalk(args, &out) == 2);
        CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    }
}
