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

// ---------------------------------------------------------------- backward (lesson 17)

using gw::testing::check_gradients;
using gw::testing::weighted_sum;
using gw::testing::widen;

TEST_CASE("linear and lm_head backward: float64 against central differences") {
    const int64_t T = 3, IC = 4, OC = 5, V = 6;
    std::vector<double> inp = widen(random_floats(size_t(T * IC), 61));
    std::vector<double> w = widen(random_floats(size_t(IC * OC), 62));
    std::vector<double> b = widen(random_floats(size_t(OC), 63));
    const std::vector<double> r = widen(random_floats(size_t(T * OC), 64));
    std::vector<double> out(size_t(T * OC));
    auto loss = [&] {  // out = inp · w + b by plain loops, in double
        for (int64_t t = 0; t < T; t++)
            for (int64_t o = 0; o < OC; o++) {
                double s = b[size_t(o)];
                for (int64_t i = 0; i < IC; i++) s += inp[size_t(t * IC + i)] * w[size_t(i * OC + o)];
                out[size_t(t * OC + o)] = s;
            }
        return weighted_sum(out, r);
    };
    std::vector<double> dinp(size_t(T * IC), 0.0), dw(size_t(IC * OC), 0.0), db(size_t(OC), 0.0);
    linear_backward_ref(dinp.data(), dw.data(), db.data(), r.data(), inp.data(), w.data(), T, IC, OC);
    check_gradients(loss, {{"inp", &inp, dinp}, {"w", &w, dw}, {"b", &b, db}});

    // The tied head: logits = x · wte^T.
    std::vector<double> x = widen(random_floats(size_t(T * IC), 65));
    std::vector<double> wte = widen(random_floats(size_t(V * IC), 66));
    const std::vector<double> rl = widen(random_floats(size_t(T * V), 67));
    std::vector<double> logits(size_t(T * V));
    auto head_loss = [&] {
        for (int64_t t = 0; t < T; t++)
            for (int64_t v = 0; v < V; v++) {
                double s = 0;
                for (int64_t c = 0; c < IC; c++) s += x[size_t(t * IC + c)] * wte[size_t(v * IC + c)];
                logits[size_t(t * V + v)] = s;
            }
        return weighted_sum(logits, rl);
    };
    std::vector<double> dx(size_t(T * IC), 0.0), dwte(size_t(V * IC), 0.0);
    lm_head_backward_ref(dx.data(), dwte.data(), rl.data(), x.data(), wte.data(), T, IC, V);
    check_gradients(head_loss, {{"x", &x, dx}, {"wte", &wte, dwte}});
}

TEST_CASE("matmul_at equals matmul_at_ref: strides, alpha, beta") {
    for (int64_t M : {1, 5, 40}) {
        for (int64_t N : {1, 17, 96}) {
            for (int64_t K : {1, 9, 130}) {
                CAPTURE(M); CAPTURE(N); CAPTURE(K);
                const int64_t lda = M + 2, ldb = N + 3, ldc = N + 1;  // a stored (K, M), b (K, N)
                auto a = random_floats(size_t(K * lda), 70 + uint64_t(M));
                auto b = random_floats(size_t(K * ldb), 71 + uint64_t(N));
                auto c0 = random_floats(size_t(M * ldc), 72);
                std::vector<float> got = c0, want = c0, terms = abs_of(c0);
                matmul_at(got.data(), ldc, a.data(), lda, b.data(), ldb, M, N, K, 0.5f, 0.75f);
                matmul_at_ref(want.data(), ldc, a.data(), lda, b.data(), ldb, M, N, K, 0.5f, 0.75f);
                matmul_at_ref(terms.data(), ldc, abs_of(a).data(), lda, abs_of(b).data(), ldb, M, N, K, 0.5f, 0.75f);
                // As for matmul: K products and beta c, then alpha, beta and the reference's rounding.
                check_close(got, want, float(float_sum_error(K + 4, max_abs(terms))), 0.0f);
            }
        }
    }
}

TEST_CASE("linear and lm_head backward through OpenBLAS equal the float64 loops; pieces add up") {
    const int64_t T = 37, IC = 48, OC = 80, V = 101;
    const auto inp = random_floats(size_t(T * IC), 81), w = random_floats(size_t(IC * OC), 82);
    const auto g = random_floats(size_t(T * OC), 83);
    const auto dinp0 = random_floats(size_t(T * IC), 84), dw0 = random_floats(size_t(IC * OC), 85),
               db0 = random_floats(size_t(OC), 86);
    std::vector<float> dinp = dinp0, dw = dw0, db = db0;
    linear_backward(dinp.data(), dw.data(), db.data(), g.data(), inp.data(), w.data(), T, IC, OC);
    std::vector<double> dinp64 = widen(dinp0), dw64 = widen(dw0), db64 = widen(db0);
    linear_backward_ref(dinp64.data(), dw64.data(), db64.data(), widen(g).data(), widen(inp).data(),
                        widen(w).data(), T, IC, OC);
    // Each entry is a float sum: dinp of OC products plus the old value, dw of T products
    // plus the old value, db of T terms plus the old value (float_sum_error, testing.h),
    // compared with the exact double value: + u |want| for nothing else. Inputs are in
    // [-1, 1], so each sum of |terms| is at most its count + 1.
    const auto narrow = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
    check_close(dinp, narrow(dinp64), float(float_sum_error(OC + 2, OC + 1.0)), 0, "dinp");
    check_close(dw, narrow(dw64), float(float_sum_error(T + 2, T + 1.0)), 0, "dw");
    check_close(db, narrow(db64), float(float_sum_error(T + 2, T + 1.0)), 0, "db");
    // Rows and columns shared out as a team would: dinp in two blocks of rows, dw and db in
    // three blocks of columns. db adds row after row in every piece: the same bits. The
    // products may run other OpenBLAS kernels for narrower blocks: the same bound.
    std::vector<float> dinp2 = dinp0, dw2 = dw0, db2 = db0;
    linear_backward_input(dinp2.data(), g.data(), w.data(), 20, IC, OC);
    linear_backward_input(dinp2.data() + 20 * IC, g.data() + 20 * OC, w.data(), T - 20, IC, OC);
    for (auto [c0, c1] : {std::pair<int64_t, int64_t>{0, 32}, {32, 48}, {48, OC}})
        linear_backward_weight(dw2.data(), db2.data(), g.data(), inp.data(), T, IC, OC, c0, c1);
    check_close(dinp2, narrow(dinp64), float(float_sum_error(OC + 2, OC + 1.0)), 0, "dinp in rows");
    check_close(dw2, narrow(dw64), float(float_sum_error(T + 2, T + 1.0)), 0, "dw in columns");
    CHECK(db2 == db);

    // The tied head, with wte (V, IC) and dlogits (T, V).
    const auto wte = random_floats(size_t(V * IC), 87), dl = random_floats(size_t(T * V), 88);
    std::vector<float> dx = dinp0, dwte(size_t(V * IC), 0.0f);
    lm_head_backward_input(dx.data(), dl.data(), wte.data(), T, IC, V);
    lm_head_backward_weight(dwte.data(), dl.data(), inp.data(), T, IC, V, 0, 50);
    lm_head_backward_weight(dwte.data(), dl.data(), inp.data(), T, IC, V, 50, V);
    std::vector<double> dx64 = widen(dinp0), dwte64(dwte.size(), 0.0);
    lm_head_backward_ref(dx64.data(), dwte64.data(), widen(dl).data(), widen(inp).data(), widen(wte).data(),
                         T, IC, V);
    check_close(dx, narrow(dx64), float(float_sum_error(V + 2, V + 1.0)), 0, "dx");
    check_close(dwte, narrow(dwte64), float(float_sum_error(T + 2, T + 1.0)), 0, "dwte");
}
