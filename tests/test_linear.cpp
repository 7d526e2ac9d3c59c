// test_linear.cpp — the OpenBLAS products against their plain-loop reference.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "kernels/linear.h"
#include "testing.h"

using namespace gw;
using gw::testing::abs_of;
using gw::testing::check_close;
using gw::testing::float_sum_error;
using gw::testing::max_abs;
using gw::testing::random_floats;

// matmul_ref sums in double and rounds once; OpenBLAS sums in float, in an order that depends
// on the CPU's kernels (and on M: sgemv for one row). Their difference is bounded by
// float_sum_error over each output's terms (testing.h), computed here from |a|, |b|, |c|.
TEST_CASE("matmul_ref on a hand-worked 2x3 . 3x2 product") {
    // [1 2 3; 4 5 6] . [7 8; 9 10; 11 12] = [58 64; 139 154]: small integers, exact in float
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {7, 8, 9, 10, 11, 12}, c[4] = {};
    matmul_ref(c, 2, a, 3, b, 2, 2, 2, 3, false, 1.0f, 0.0f);
    CHECK(c[0] == 58);
    CHECK(c[1] == 64);
    CHECK(c[2] == 139);
    CHECK(c[3] == 154);
    // the same with b stored transposed (2, 3): [7 9 11; 8 10 12]
    float bt[6] = {7, 9, 11, 8, 10, 12}, c2[4] = {};
    matmul_ref(c2, 2, a, 3, bt, 3, 2, 2, 3, true, 1.0f, 0.0f);
    CHECK(std::vector<float>(c2, c2 + 4) == std::vector<float>(c, c + 4));
}

TEST_CASE("matmul equals matmul_ref: gemm and gemv paths, transposes, strides, alpha, beta") {
    for (int64_t M : {1, 2, 7, 33}) {
        for (int64_t N : {1, 5, 64, 129}) {
            for (int64_t K : {1, 3, 48, 200}) {
                for (bool bt : {false, true}) {
                    CAPTURE(M); CAPTURE(N); CAPTURE(K); CAPTURE(bt);
                    int64_t lda = K + 3, ldb = (bt ? K : N) + 2, ldc = N + 1;  // strided views
                    auto a = random_floats(size_t(M * lda), 1 + uint64_t(M));
                    auto b = random_floats(size_t((bt ? N : K) * ldb), 2 + uint64_t(N));
                    auto c0 = random_floats(size_t(M * ldc), 3);
                    std::vector<float> got = c0, want = c0;
                    matmul(got.data(), ldc, a.data(), lda, b.data(), ldb, M, N, K, bt, 0.5f, 0.25f);
                    matmul_ref(want.data(), ldc, a.data(), lda, b.data(), ldb, M, N, K, bt, 0.5f, 0.25f);
                    // K products and beta c: K + 1 terms; the alpha and beta products and the
                    // reference's own rounding: 3 more roundings.
                    std::vector<float> terms = abs_of(c0);
                    matmul_ref(terms.data(), ldc, abs_of(a).data(), lda, abs_of(b).data(), ldb, M, N, K, bt,
                               0.5f, 0.25f);
                    check_close(got, want, float(float_sum_error(K + 4, max_abs(terms))), 0.0f);
                }
            }
        }
    }
}

TEST_CASE("linear adds the bias to x . W with W stored [in, out]; lm_head is x . wte^T") {
    const int64_t T = 5, IC = 24, OC = 40, V = 77;
    auto x = random_floats(size_t(T * IC), 11), w = random_floats(size_t(IC * OC), 12);
    auto b = random_floats(size_t(OC), 13);
    std::vector<float> got(size_t(T * OC)), want(size_t(T * OC));
    linear(got.data(), x.data(), w.data(), b.data(), T, IC, OC);
    linear_ref(want.data(), x.data(), w.data(), b.data(), T, IC, OC);
    std::vector<float> terms(size_t(T * OC));  // |b_j| + sum_i |x_ti w_ij|
    linear_ref(terms.data(), abs_of(x).data(), abs_of(w).data(), abs_of(b).data(), T, IC, OC);
    const float tol = float(float_sum_error(IC + 2, max_abs(terms)));  // IC + 1 terms, + the ref's rounding
    check_close(got, want, tol, 0.0f, "linear");
    // one row by hand: out[0][j] = b[j] + sum_i x[0][i] w[i][j]; linear_ref's double sum is
    // rounded to float once, so it is within u = 6e-8 of s, relatively
    for (int64_t j = 0; j < OC; j++) {
        double s = b[size_t(j)];
        for (int64_t i = 0; i < IC; i++) s += double(x[size_t(i)]) * w[size_t(i * OC + j)];
        CHECK(want[size_t(j)] == doctest::Approx(s).epsilon(1e-6));
    }
    // T == 1 takes the gemv path
    linear(got.data(), x.data(), w.data(), nullptr, 1, IC, OC);
    linear_ref(want.data(), x.data(), w.data(), nullptr, 1, IC, OC);
    check_close(got.data(), want.data(), OC, tol, 0.0f, "linear T=1");
    auto wte = random_floats(size_t(V * IC), 14);
    std::vector<float> logits(size_t(T * V));
    for (int64_t rows : {T, int64_t(1)}) {
        lm_head(logits.data(), x.data(), wte.data(), rows, IC, V);
        for (int64_t t = 0; t < rows; t++)
            for (int64_t v = 0; v < V; v++) {
                double dot = 0, terms_v = 0;
                for (int64_t c = 0; c < IC; c++) {
                    dot += double(x[size_t(t * IC + c)]) * wte[size_t(v * IC + c)];
                    terms_v += std::fabs(double(x[size_t(t * IC + c)]) * wte[size_t(v * IC + c)]);
                }
                CHECK(std::fabs(logits[size_t(t * V + v)] - dot) <= float_sum_error(IC, terms_v));
            }
    }
}
