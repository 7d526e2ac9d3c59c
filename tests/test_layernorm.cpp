// test_layernorm.cpp — layer norm: hand-worked rows for layernorm_ref, then every
// vector kernel against layernorm_ref over many widths, inputs, misalignments and in place.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>  // memcpy
#include <string>
#include <vector>

#include "core/error.h"         // cat
#include "core/tensor.h"        // FloatBuffer: 64-byte aligned, so offsets +1, +3 are truly unaligned
#include "kernels/layernorm.h"
#include "testing.h"

using namespace gw;
using gw::testing::check_close;

TEST_CASE("layernorm_ref: hand-worked rows") {
    // x = [1, 2, 3, 4]: mean 2.5; deviations -1.5, -0.5, 0.5, 1.5; var (2.25+0.25+0.25+2.25)/4
    // = 1.25; with eps = 0, rstd = 1/sqrt(1.25) = 0.894427191, xhat = deviations * rstd.
    const float x[4] = {1, 2, 3, 4};
    const float ones[4] = {1, 1, 1, 1}, zeros[4] = {0, 0, 0, 0};
    const float xhat[4] = {-1.3416407865f, -0.4472135955f, 0.4472135955f, 1.3416407865f};
    float out[4], mean, rstd;
    layernorm_ref(out, &mean, &rstd, x, ones, zeros, 1, 4, 0.0f);
    // Hand values to 10 digits against one float rounding of a double result (u |x| <= 8e-8
    // here): 1e-6 and 1e-7 relative leave room for both. mean: small integers, exact.
    check_close(out, xhat, 4, 1e-6f, 0, "xhat of [1,2,3,4]");
    CHECK(mean == 2.5f);
    CHECK(rstd == doctest::Approx(0.894427191).epsilon(1e-7));

    // The affine part: out = xhat * w + b, with w = [1, 2, 0.5, -1], b = [0, 1, -1, 2]:
    // -1.3416407865, -0.894427191 + 1, 0.2236067977 - 1, -1.3416407865 + 2.
    const float w[4] = {1, 2, 0.5f, -1}, b[4] = {0, 1, -1, 2};
    const float affine[4] = {-1.3416407865f, 0.1055728090f, -0.7763932023f, 0.6583592135f};
    layernorm_ref(out, nullptr, nullptr, x, w, b, 1, 4, 0.0f);
    check_close(out, affine, 4, 1e-6f, 0, "affine");

    // eps: x = [-1, 1] has var 1; with eps = 3, rstd = 1/sqrt(1 + 3) = 0.5 (all exact in float).
    const float x2[2] = {-1, 1};
    layernorm_ref(out, &mean, &rstd, x2, ones, zeros, 1, 2, 3.0f);
    CHECK(out[0] == -0.5f);
    CHECK(out[1] == 0.5f);
    CHECK(mean == 0.0f);
    CHECK(rstd == 0.5f);

    // Two rows, each normalised on its own; a constant row has var 0 and gives exactly b,
    // with rstd = 1/sqrt(eps) = 1/sqrt(1e-5) = 316.227766.
    const float rows[8] = {1, 2, 3, 4, 10, 10, 10, 10};
    float out2[8], means[2], rstds[2];
    layernorm_ref(out2, means, rstds, rows, w, b, 2, 4, 1e-5f);
    check_close(out2 + 4, b, 4, 0, 0, "constant row");
    CHECK(means[0] == 2.5f);
    CHECK(means[1] == 10.0f);
    CHECK(rstds[1] == doctest::Approx(316.227766).epsilon(1e-6));

    // In place, with mean and rstd skipped.
    float y[4] = {1, 2, 3, 4};
    layernorm_ref(y, nullptr, nullptr, y, ones, zeros, 1, 4, 0.0f);
    check_close(y, xhat, 4, 1e-6f, 0, "in place");
}

// ---------------------------------------------------------------- vector vs reference

// Tolerance, vector kernel vs layernorm_ref (which works in double):
// out: |got - want| <= kAtol + kRtol |want|, with 1e-5 for both. Here |w|, |b| <= 1 and
//   |xhat| <= ~4. The vector kernels sum C/8 (C/16) terms a lane in float; the
//   measured errors of rstd and of the mean relative to the row's spread are ~1e-6,
//   so out is off by ~|xhat| 1e-6 (worst seen: 1.9e-6). 1e-5 leaves a margin of ~5;
//   a wrong lane, a skipped element or a bad tail is off by ~0.1 or more.
// mean: |got - want| <= 4e-6 max|x| (float sums; worst seen 5e-7 max|x|).
// rstd: relative 1e-5 (worst seen 1e-6).
// The vector kernels' float sums run in 8 (AVX2) or 16 (AVX-512) lanes: another order, not
// another size of error. A lane-exact scalar model of layernorm_avx512 (std::fma for its FMAs),
// run over this sweep, stays within 6% of these tolerances (AVX2: 9%).
constexpr float kTol = 1e-5f;
constexpr float kEps = 1e-5f;  // GPT-2's layer_norm_epsilon

static std::vector<int64_t> sweep_widths() {
    std::vector<int64_t> n;
    for (int64_t i = 1; i <= 40; i++) n.push_back(i);
    for (int64_t i : {64, 127, 768, 1024, 1600, 3072, 50257}) n.push_back(i);
    return n;
}

// Random: U(-2, 2). Large: U(-1e4, 1e4). Equal: every row constant (var 0: out is
// exactly b). Offset: 1e4 + U(-0.1, 0.1), where float cannot hold the mean finely.
enum class Input { Random, Large, Equal, Offset };
static const char* input_name(Input k) {
    switch (k) {
        case Input::Random: return "random";
        case Input::Large: return "large";
        case Input::Equal: return "equal";
        case Input::Offset: return "offset";
    }
    return "?";
}

static std::vector<float> make_input(Input kind, int64_t T, int64_t C, uint64_t seed) {
    size_t n = size_t(T * C);
    switch (kind) {
        case Input::Random: return testing::random_floats(n, seed, -2.0f, 2.0f);
        case Input::Large: return testing::random_floats(n, seed, -1e4f, 1e4f);
        case Input::Equal: {
            std::vector<float> x(n);
            for (int64_t t = 0; t < T; t++)
                for (int64_t c = 0; c < C; c++)
                    x[size_t(t * C + c)] = -1234.5678f * float(t + 1) + 0.1f;
            return x;
        }
        case Input::Offset: {
            std::vector<float> x = testing::random_floats(n, seed, -0.1f, 0.1f);
            for (float& v : x) v += 1e4f;
            return x;
        }
    }
    return {};
}

using LayernormFn = void (*)(float*, float*, float*, const float*, const float*, const float*,
                             int64_t, int64_t, float);
struct Kernel {
    Isa isa;
    LayernormFn fn;
};
static const Kernel kKernels[] = {{Isa::Avx2, layernorm_avx2}, {Isa::Avx512, layernorm_avx512}};

// A 64-byte aligned copy of v at `offset` floats, with NaN guards before and after:
// a kernel that reads past a row poisons its result; one that writes there is caught.
static FloatBuffer guarded(const std::vector<float>& v, int64_t offset) {
    FloatBuffer buf(v.size() + size_t(offset) + 16);
    for (size_t i = 0; i < buf.size(); i++) buf[i] = NAN;
    std::memcpy(buf.data() + offset, v.data(), v.size() * sizeof(float));
    return buf;
}

// One input of the sweep and its reference results.
struct Case {
    int64_t T = 0, C = 0;
    std::vector<float> x, w, b;          // (T, C), (C), (C)
    std::vector<float> out, mean, rstd;  // layernorm_ref's: (T, C), (T), (T)
    float max_abs_x = 0;                 // for the mean's tolerance
};

static Case make_case(Input kind, int64_t T, int64_t C, uint64_t seed) {
    Case c;
    c.T = T;
    c.C = C;
    c.x = make_input(kind, T, C, seed);
    c.w = testing::random_floats(size_t(C), seed + 1);
    c.b = testing::random_floats(size_t(C), seed + 2);
    c.out.resize(c.x.size());
    c.mean.resize(static_cast<size_t>(T));
    c.rstd.resize(static_cast<size_t>(T));
    layernorm_ref(c.out.data(), c.mean.data(), c.rstd.data(), c.x.data(), c.w.data(), c.b.data(),
                  T, C, kEps);
    for (float v : c.x) c.max_abs_x = std::max(c.max_abs_x, std::fabs(v));
    return c;
}

// Runs k on the case at `offset` floats past a 64-byte boundary, out of place (with
// mean and rstd) or in place (with nullptr for them), and compares with the reference.
static bool check_case(const Kernel& k, const Case& c, bool exact, int64_t offset, bool in_place,
                       const std::string& what) {
    FloatBuffer xb = guarded(c.x, offset), wb = guarded(c.w, offset), bb = guarded(c.b, offset);
    FloatBuffer ob = guarded(std::vector<float>(c.x.size(), NAN), offset);
    float* out = in_place ? xb.data() + offset : ob.data() + offset;
    std::vector<float> mean(c.mean.size(), NAN), rstd(c.rstd.size(), NAN);
    k.fn(out, in_place ? nullptr : mean.data(), in_place ? nullptr : rstd.data(),
         xb.data() + offset, wb.data() + offset, bb.data() + offset, c.T, c.C, kEps);

    const float tol = exact ? 0.0f : kTol;
    bool ok = check_close(out, c.out.data(), c.T * c.C, tol, tol, what);
    if (!in_place) {
        ok &= check_close(mean, c.mean, 4e-6f * c.max_abs_x, 0, what + " mean");
        ok &= check_close(rstd, c.rstd, 0, 1e-5f, what + " rstd");
    }
    const FloatBuffer& written = in_place ? xb : ob;
    const int64_t n = c.T * c.C;
    for (int64_t i = -offset; i < int64_t(written.size()) - offset; i++)
        if ((i < 0 || i >= n) && !std::isnan(written[size_t(offset + i)])) {
            FAIL_CHECK(what << ": wrote outside the output at index " << i);
            ok = false;
            break;
        }
    return ok;
}

TEST_CASE("layernorm vector kernels equal layernorm_ref: widths, inputs, offsets, in place") {
    const int64_t T = 3;  // several rows: each must use its own statistics
    for (const Kernel& k : kKernels) {
        if (!isa_supported(k.isa)) {
            MESSAGE(
                cat("skipping layernorm_", isa_name(k.isa), ": the CPU lacks those instructions"));
            continue;
        }
        int failures = 0;
        uint64_t seed = 100;
        for (int64_t C : sweep_widths())
            for (Input kind : {Input::Random, Input::Large, Input::Equal, Input::Offset}) {
                Case c = make_case(kind, T, C, seed);
                seed += 3;
                for (int64_t offset : {0, 1, 3})
                    for (bool in_place : {false, true}) {
                        std::string what =
                            cat("layernorm_", isa_name(k.isa), " ", input_name(kind), " C=", C,
                                " offset=", offset, in_place ? " in place" : "");
                        // a constant row gives exactly b, as the reference does
                        bool exact = kind == Input::Equal;
                        if (!check_case(k, c, exact, offset, in_place, what) && ++failures >= 5)
                            FAIL("stopping after 5 failing cases");
                    }
            }
    }
}

// The dispatcher calls the very function it names on the same input: the same bits (==).
TEST_CASE("layernorm dispatcher: each set runs its own kernel") {
    const int64_t T = 2, C = 50;
    std::vector<float> x = testing::random_floats(T * C, 7), w = testing::random_floats(C, 8),
                       b = testing::random_floats(C, 9);
    std::vector<float> a(T * C), c(T * C);
    layernorm_ref(a.data(), nullptr, nullptr, x.data(), w.data(), b.data(), T, C, 1e-5f);
    layernorm(Isa::Ref, c.data(), nullptr, nullptr, x.data(), w.data(), b.data(), T, C, 1e-5f);
    CHECK(a == c);
    for (const Kernel& k : kKernels) {
        if (!isa_supported(k.isa)) continue;
        k.fn(a.data(), nullptr, nullptr, x.data(), w.data(), b.data(), T, C, 1e-5f);
        layernorm(k.isa, c.data(), nullptr, nullptr, x.data(), w.data(), b.data(), T, C, 1e-5f);
        CHECK(a == c);
    }
}

// ---------------------------------------------------------------- backward (lesson 17)

using gw::testing::check_gradients;
using gw::testing::weighted_sum;
using gw::testing::widen;

TEST_CASE("layernorm backward: float64 against central differences of the float64 forward") {
    const int64_t T = 3, C = 7;
    std::vector<double> x = widen(testing::random_floats(size_t(T * C), 11, -2, 2));
    std::vector<double> w = widen(testing::random_floats(size_t(C), 12, 0.5f, 1.5f));
    std::vector<double> b = widen(testing::random_floats(size_t(C), 13, -0.5f, 0.5f));
    const std::vector<double> r = widen(testing::random_floats(size_t(T * C), 14));  // dL/dout
    const double eps = 1e-5;
    std::vector<double> out(size_t(T * C)), mean(static_cast<size_t>(T)), rstd(static_cast<size_t>(T));
    auto loss = [&] {
        layernorm_ref(out.data(), nullptr, nullptr, x.data(), w.data(), b.data(), T, C, eps);
        return weighted_sum(out, r);
    };
    layernorm_ref(out.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), T, C, eps);
    std::vector<double> dx(size_t(T * C), 0.0), dw(size_t(C), 0.0), db(size_t(C), 0.0);
    layernorm_backward(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), mean.data(),
                       rstd.data(), T, C);
    check_gradients(loss, {{"x", &x, dx}, {"w", &w, dw}, {"b", &b, db}});
}

TEST_CASE("layernorm backward: adds into its gradients; float equals the float64 loops to rounding; "
          "shared columns change nothing") {
    const int64_t T = 9, C = 50;
    const auto x = testing::random_floats(size_t(T * C), 21, -3, 3);
    const auto w = testing::random_floats(size_t(C), 22, 0.5f, 1.5f);
    const auto b = testing::random_floats(size_t(C), 23, -0.5f, 0.5f);
    const auto g = testing::random_floats(size_t(T * C), 24);
    std::vector<float> out(size_t(T * C)), mean(static_cast<size_t>(T)), rstd(static_cast<size_t>(T));
    layernorm(best_isa(), out.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), T, C, kEps);
    // Start from nonzero gradients: the backward adds.
    const auto dx0 = testing::random_floats(size_t(T * C), 25), dw0 = testing::random_floats(size_t(C), 26),
               db0 = testing::random_floats(size_t(C), 27);
    std::vector<float> dx = dx0, dw = dw0, db = db0;
    layernorm_backward(dx.data(), dw.data(), db.data(), g.data(), x.data(), w.data(), mean.data(),
                       rstd.data(), T, C);
    // The same loops in float64 on the same (widened, exact) inputs.
    std::vector<double> dx64 = widen(dx0), dw64 = widen(dw0), db64 = widen(db0);
    layernorm_backward(dx64.data(), dw64.data(), db64.data(), widen(g).data(), widen(x).data(),
                       widen(w).data(), widen(mean).data(), widen(rstd).data(), T, C);
    // Both sum in double (errors ~1e-16 of sums below 1e3: 1e-12 absolute), then the float
    // one rounds once; the two roundings (of values 1e-16 apart) differ by at most one ulp, 2u.
    const auto narrow = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
    check_close(dx, narrow(dx64), 1e-12f, float(2 * testing::kFloatU), "dx");
    check_close(dw, narrow(dw64), 1e-12f, float(2 * testing::kFloatU), "dw");
    check_close(db, narrow(db64), 1e-12f, float(2 * testing::kFloatU), "db");
    // Rows in two blocks and columns in three shares give the same bits: the same sums in
    // the same order, by construction.
    std::vector<float> dx2 = dx0, dw2 = dw0, db2 = db0;
    for (int64_t t0 : {int64_t(0), int64_t(4)}) {
        const int64_t rows = t0 == 0 ? 4 : T - 4;
        layernorm_backward_rows(dx2.data() + t0 * C, g.data() + t0 * C, x.data() + t0 * C, w.data(),
                                mean.data() + t0, rstd.data() + t0, rows, C);
    }
    for (auto [c0, c1] : {std::pair<int64_t, int64_t>{0, 16}, {16, 32}, {32, C}})
        layernorm_backward_params(dw2.data(), db2.data(), g.data(), x.data(), mean.data(), rstd.data(),
                                  T, C, c0, c1);
    CHECK(dx2 == dx);
    CHECK(dw2 == dw);
    CHECK(db2 == db);
}
