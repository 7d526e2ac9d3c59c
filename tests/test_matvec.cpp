// test_matvec.cpp — the BF16, F16 and Q8 matrix-vector kernels against their scalar twins.
//
// Every vector kernel (AVX2, AVX-512: each one the CPU has, within GPTWALK_MAX_ISA) is run
// against its _ref twin over many shapes (every length 1..33, then 64, 768, 1024, 3072),
// misaligned rows, and values chosen to hurt (wide magnitudes, cancellation, F16's limits).
// The _ref twins sum in double; the kernels in float, in another order. Their difference
// is bounded by float_sum_error over each output's terms (testing.h): K products, and for
// Q8 one more rounding a block (q . x, then times d) — K + 2 terms cover both, plus the
// rounding of the reference's double to float (|ref| u). Widening is exact: ==.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/cpu.h"
#include "core/error.h"
#include "kernels/matvec.h"
#include "testing.h"

using namespace gw;
using gw::testing::float_sum_error;
using gw::testing::random_floats;

namespace {

// x of n floats at `offset` floats past a 64-byte boundary, NaN after it.
struct Input {
    FloatBuffer buf;
    float* x;
    Input(const std::vector<float>& v, int64_t offset) : buf(v.size() + static_cast<size_t>(offset) + 16) {
        for (size_t i = 0; i < buf.size(); i++) buf[i] = NAN;
        x = buf.data() + offset;
        std::memcpy(x, v.data(), v.size() * sizeof(float));
    }
};

const std::vector<int64_t> kLengths = [] {
    std::vector<int64_t> v;
    for (int64_t n = 1; n <= 33; n++) v.push_back(n);
    for (int64_t n : {64, 768, 1024, 3072}) v.push_back(n);
    return v;
}();

// |got - want| <= float_sum_error(K + 2, sum |x_k w_k|) + |want| u, output by output.
void check_dot(const float* got, const float* want, const std::vector<double>& sum_abs, int64_t K,
               const std::string& what) {
    for (size_t i = 0; i < sum_abs.size(); i++) {
        const double tol = float_sum_error(K + 2, sum_abs[i]) + std::fabs(double(want[i])) * testing::kFloatU;
        if (!(std::fabs(double(got[i]) - double(want[i])) <= tol)) {
            FAIL_CHECK(what << ": output " << i << " got " << got[i] << ", want " << want[i] << " (tolerance " << tol << ")");
            return;
        }
    }
}

}  // namespace

TEST_CASE("matvec_dot: vector kernels against the scalar twin, every type and length") {
    for (WType type : {WType::BF16, WType::F16, WType::Q8}) {
        for (int64_t K : kLengths) {
            const int64_t N = 7;  // a group of 4 and 3 singles: both paths
            CAPTURE(std::string(wtype_name(type)));
            CAPTURE(K);
            for (int64_t offset : {0, 1, 5}) {
                const bool bad = offset == 5;  // hostile values with the odd offset
                testing::StoredWeights w = testing::store_weights(type, bad ? testing::hostile_floats(static_cast<size_t>(N * K), 7, true) : random_floats(static_cast<size_t>(N * K), 3), N, K,
                                 offset);
                const std::vector<float> xv = bad ? testing::hostile_floats(static_cast<size_t>(K), 8, false) : random_floats(static_cast<size_t>(K), 4);
                Input in(xv, offset);
                std::vector<float> want(static_cast<size_t>(N));
                matvec_dot_ref(want.data(), in.x, w.view, 0, N);
                std::vector<double> sum_abs(static_cast<size_t>(N));
                for (int64_t n = 0; n < N; n++)
                    for (int64_t k = 0; k < K; k++)
                        sum_abs[static_cast<size_t>(n)] += std::fabs(double(xv[static_cast<size_t>(k)]) * w.f32[static_cast<size_t>(n * K + k)]);
                for (Isa isa : testing::supported_isas()) {
                    CAPTURE(std::string(isa_name(isa)));
                    std::vector<float> got(static_cast<size_t>(N + 1), 42.0f);
                    matvec_dot(isa, got.data(), in.x, w.view, 0, N);
                    CHECK(got[static_cast<size_t>(N)] == 42.0f);  // nothing written past the outputs
                    check_dot(got.data(), want.data(), sum_abs, K, "matvec_dot");
                    // Any split of the outputs gives the same bits: each output is formed alone.
                    std::vector<float> parts(static_cast<size_t>(N));
                    matvec_dot(isa, parts.data(), in.x, w.view, 0, 2);
                    matvec_dot(isa, parts.data() + 2, in.x, w.view, 2, N);
                    for (int64_t n = 0; n < N; n++) CHECK(parts[static_cast<size_t>(n)] == got[static_cast<size_t>(n)]);
                }
            }
        }
    }
}

TEST_CASE("matvec_rows: vector kernels against the scalar twin, and partials that tile the rows") {
    for (WType type : {WType::BF16, WType::F16}) {
        for (int64_t N : kLengths) {
            for (int64_t K : {int64_t(1), int64_t(6), int64_t(33)}) {
                CAPTURE(std::string(wtype_name(type)));
                CAPTURE(N);
                CAPTURE(K);
                const bool bad = N % 3 == 0;
                testing::StoredWeights w = testing::store_weights(type, bad ? testing::hostile_floats(static_cast<size_t>(K * N), 9, true) : random_floats(static_cast<size_t>(K * N), 5), K, N,
                                 N % 4);
                const std::vector<float> xv = bad ? testing::hostile_floats(static_cast<size_t>(K), 10, false) : random_floats(static_cast<size_t>(K), 6);
                Input in(xv, K % 3);
                std::vector<float> want(static_cast<size_t>(N));
                matvec_rows_ref(want.data(), in.x, w.view, 0, K);
                std::vector<double> sum_abs(static_cast<size_t>(N));
                for (int64_t n = 0; n < N; n++)
                    for (int64_t k = 0; k < K; k++)
                        sum_abs[static_cast<size_t>(n)] += std::fabs(double(xv[static_cast<size_t>(k)]) * w.f32[static_cast<size_t>(k * N + n)]);
                for (Isa isa : testing::supported_isas()) {
                    CAPTURE(std::string(isa_name(isa)));
                    std::vector<float> got(static_cast<size_t>(N + 1), 42.0f), a(static_cast<size_t>(N)), b(static_cast<size_t>(N));
                    matvec_rows(isa, got.data(), in.x, w.view, 0, K);
                    CHECK(got[static_cast<size_t>(N)] == 42.0f);
                    check_dot(got.data(), want.data(), sum_abs, K, "matvec_rows");
                    // Rows [0, k) and [k, K) give partials that add up to the whole.
                    const int64_t k = K / 2;
                    matvec_rows(isa, a.data(), in.x, w.view, 0, k);
                    matvec_rows(isa, b.data(), in.x, w.view, k, K);
                    for (int64_t n = 0; n < N; n++) a[static_cast<size_t>(n)] += b[static_cast<size_t>(n)];
                    check_dot(a.data(), want.data(), sum_abs, K + 1, "partials");
                }
            }
        }
    }
}

TEST_CASE("matvec at GPT-2's sizes: (3072, 768) and (768, 3072)") {
    for (WType type : {WType::BF16, WType::F16, WType::Q8}) {
        CAPTURE(std::string(wtype_name(type)));
        const int64_t N = 3072, K = 768;
        testing::StoredWeights w = testing::store_weights(type, random_floats(static_cast<size_t>(N * K), 11, -0.1f, 0.1f), N, K, 0);
        const std::vector<float> xv = random_floats(static_cast<size_t>(K), 12, -3.0f, 3.0f);
        std::vector<float> want(static_cast<size_t>(N)), got(static_cast<size_t>(N));
        matvec_dot_ref(want.data(), xv.data(), w.view, 0, N);
        std::vector<double> sum_abs(static_cast<size_t>(N));
        for (int64_t n = 0; n < N; n++)
            for (int64_t k = 0; k < K; k++) sum_abs[static_cast<size_t>(n)] += std::fabs(double(xv[static_cast<size_t>(k)]) * w.f32[static_cast<size_t>(n * K + k)]);
        for (Isa isa : testing::supported_isas()) {
            CAPTURE(std::string(isa_name(isa)));
            matvec_dot(isa, got.data(), xv.data(), w.view, 0, N);
            check_dot(got.data(), want.data(), sum_abs, K, "dot (3072, 768)");
            if (type == WType::Q8) continue;
            // The same numbers read as a (768, 3072) [in, out] matrix by the rows form.
            testing::StoredWeights wr = testing::store_weights(type, random_floats(static_cast<size_t>(N * K), 11, -0.1f, 0.1f), K, N, 0);
            std::vector<float> xr = random_floats(static_cast<size_t>(K), 13, -3.0f, 3.0f), wantr(static_cast<size_t>(N)), gotr(static_cast<size_t>(N));
            matvec_rows_ref(wantr.data(), xr.data(), wr.view, 0, K);
            matvec_rows(isa, gotr.data(), xr.data(), wr.view, 0, K);
            std::vector<double> sr(static_cast<size_t>(N));
            for (int64_t n = 0; n < N; n++)
                for (int64_t k = 0; k < K; k++) sr[static_cast<size_t>(n)] += std::fabs(double(xr[static_cast<size_t>(k)]) * wr.f32[static_cast<size_t>(k * N + n)]);
            check_dot(gotr.data(), wantr.data(), sr, K, "rows (768, 3072)");
        }
    }
}

TEST_CASE("a NaN in x reaches every output, through the short last block too") {
    for (WType type : {WType::BF16, WType::F16, WType::Q8}) {
        CAPTURE(std::string(wtype_name(type)));
        const int64_t N = 5, K = 40;
        testing::StoredWeights w = testing::store_weights(type, random_floats(static_cast<size_t>(N * K), 14), N, K, 0);
        std::vector<float> x = random_floats(static_cast<size_t>(K), 15);
        x[37] = NAN;  // in the tail of the second block
        for (Isa isa : testing::supported_isas()) {
            std::vector<float> y(static_cast<size_t>(N));
            matvec_dot(isa, y.data(), x.data(), w.view, 0, N);
            for (float v : y) CHECK(std::isnan(v));
        }
    }
}

TEST_CASE("the kernels refuse a weight of the wrong type or layout") {
    std::vector<float> x(4), y(4);
    std::vector<float> m(16, 1.0f);
    WeightView f32 = f32_view(m.data(), {4, 4}, "m");
    CHECK_THROWS_AS(matvec_dot(Isa::Ref, y.data(), x.data(), f32, 0, 4), Error);
    CHECK_THROWS_AS(matvec_rows(Isa::Ref, y.data(), x.data(), f32, 0, 4), Error);
    testing::StoredWeights q = testing::store_weights(WType::Q8, m, 4, 4, 0);
    CHECK_THROWS_AS(matvec_rows(Isa::Ref, y.data(), x.data(), q.view, 0, 4), Error);
}
