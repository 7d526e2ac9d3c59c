// test_gelu.cpp — GELU: hand-worked values for gelu_ref and gelu_exact_ref, special
// values, then every vector kernel against gelu_ref over many lengths and inputs.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"    // cat
#include "kernels/gelu.h"
#include "testing.h"

using namespace gw;
using gw::testing::check_close;

static float gelu1(float x) {
    float y;
    gelu_ref(&y, &x, 1);
    return y;
}

// Hand values from Python's double math, against gelu_ref's double result rounded once to
// float (u = 6e-8 relative): epsilon 1e-7 (1e-6 where 1 + tanh u cancels, at x = -3).
TEST_CASE("gelu_ref and gelu_exact_ref: hand-worked values") {
    // Expected values evaluated independently with Python's math module:
    //   0.5*x*(1 + math.tanh(math.sqrt(2/math.pi)*(x + 0.044715*x**3)))   (tanh form)
    //   0.5*x*(1 + math.erf(x/math.sqrt(2)))                               (exact form)
    CHECK(gelu1(0.0f) == 0.0f);
    CHECK(gelu1(1.0f) == doctest::Approx(0.8411919906082768).epsilon(1e-7));
    CHECK(gelu1(-1.0f) == doctest::Approx(-0.15880800939172324).epsilon(1e-7));
    CHECK(gelu1(0.5f) == doctest::Approx(0.34571400982514394).epsilon(1e-7));
    CHECK(gelu1(3.0f) == doctest::Approx(2.996362607918227).epsilon(1e-7));
    CHECK(gelu1(-3.0f) == doctest::Approx(-0.0036373920817729943).epsilon(1e-6));
    const float x[3] = {1.0f, -1.0f, 0.0f};
    float y[3];
    gelu_exact_ref(y, x, 3);
    CHECK(y[0] == doctest::Approx(0.8413447460685429).epsilon(1e-7));  // Phi(1) = 0.8413447461
    CHECK(y[1] == doctest::Approx(-0.15865525393145707).epsilon(1e-7));
    CHECK(y[2] == 0.0f);

    // u is odd in x, so gelu(x) - gelu(-x) = 0.5x(1 + tanh u) + 0.5x(1 - tanh u) = x.
    // Each gelu is rounded to float (u |gelu| <= u |x|): 2u |x| ~ 1.2e-7 |x| at most.
    for (float v : testing::random_floats(50, 3, -4.0f, 4.0f))
        CHECK(double(gelu1(v)) - double(gelu1(-v)) == doctest::Approx(v).epsilon(1e-6));

    // In place.
    float z[2] = {1.0f, 0.0f};
    gelu_ref(z, z, 2);
    CHECK(z[0] == doctest::Approx(0.8411919906082768).epsilon(1e-7));
}

TEST_CASE("gelu_ref: large and special inputs") {
    CHECK(gelu1(INFINITY) == INFINITY);
    CHECK(gelu1(-INFINITY) == 0.0f);  // the limit (the bare formula gives -inf * 0 = NaN)
    CHECK(std::isnan(gelu1(NAN)));
    CHECK(gelu1(1e4f) == 1e4f);        // tanh u = 1: gelu(x) = x
    CHECK(gelu1(-1e4f) == 0.0f);       // tanh u = -1: gelu(x) = 0
    CHECK(gelu1(FLT_MAX) == FLT_MAX);  // x^3 is formed in double: no overflow
    CHECK(gelu1(-FLT_MAX) == 0.0f);
    CHECK(gelu1(1e-30f) == doctest::Approx(5e-31).epsilon(1e-6));  // ~ x/2 near 0
}

// ---------------------------------------------------------------- vector vs reference

// Tolerance, vector kernel vs gelu_ref: |got - want| <= kAtol + kRtol |want|.
// The vector kernels form u in float (relative error ~3 eps, eps = 2^-24) and
// exp(-2u) turns an argument error into a relative error of the same size, so
// gelu is off by a relative ~|2u| 3 eps + ~4 eps from exp, the add and the divide.
// kRtol = 4e-6 covers |2u| up to ~20 (worst seen: 12 ulp, 1.4e-6, for |gelu| > 1e-3);
// kAtol = 1e-8 covers larger |2u|, where x < 0 and |gelu| < |x| e^{-20} is tiny.
// gelu is elementwise: the AVX-512 kernel does the same operations on 16 lanes as the AVX2 one
// on 8, so it gives the same bits as AVX2, and these margins hold for it too.
constexpr float kRtol = 4e-6f;
constexpr float kAtol = 1e-8f;

static std::vector<int64_t> sweep_lengths() {
    std::vector<int64_t> n;
    for (int64_t i = 1; i <= 40; i++) n.push_back(i);
    for (int64_t i : {64, 127, 768, 1024, 1600, 3072, 50257}) n.push_back(i);
    return n;
}

// Random: U(-6, 6), where gelu bends. Wide: U(-30, 30), deep into both tails.
// Large: U(-1e4, 1e4), where x^3 overflows a float. Equal: every entry 0.5.
enum class Input { Random, Wide, Large, Equal };
static const char* input_name(Input k) {
    switch (k) {
        case Input::Random: return "random";
        case Input::Wide: return "wide";
        case Input::Large: return "large";
        case Input::Equal: return "equal";
    }
    return "?";
}

static std::vector<float> make_input(Input kind, int64_t n, uint64_t seed) {
    switch (kind) {
        case Input::Random: return testing::random_floats(size_t(n), seed, -6.0f, 6.0f);
        case Input::Wide: return testing::random_floats(size_t(n), seed, -30.0f, 30.0f);
        case Input::Large: return testing::random_floats(size_t(n), seed, -1e4f, 1e4f);
        case Input::Equal: return std::vector<float>(size_t(n), 0.5f);
    }
    return {};
}

struct Kernel {
    Isa isa;
    void (*fn)(float*, const float*, int64_t);
};
static const Kernel kKernels[] = {{Isa::Avx2, gelu_avx2}, {Isa::Avx512, gelu_avx512}};

// Runs k on x at `offset` floats past a 64-byte boundary, out of place or in place, with
// NaN guards around the row (testing::run_guarded_row), and compares with want.
static bool check_case(const Kernel& k, const std::vector<float>& x, const std::vector<float>& want,
                       int64_t offset, bool in_place, const std::string& what) {
    const testing::GuardedRow r = testing::run_guarded_row(k.fn, x, offset, in_place);
    bool ok = check_close(r.out, want, kAtol, kRtol, what);
    if (r.wrote_outside) {
        FAIL_CHECK(what << ": wrote outside the row at index " << r.outside_index);
        ok = false;
    }
    return ok;
}

TEST_CASE("gelu vector kernels equal gelu_ref: lengths, inputs, offsets, in place") {
    for (const Kernel& k : kKernels) {
        if (!isa_supported(k.isa)) {
            MESSAGE(cat("skipping gelu_", isa_name(k.isa), ": the CPU lacks those instructions"));
            continue;
        }
        int failures = 0;
        uint64_t seed = 1;
        for (int64_t n : sweep_lengths())
            for (Input kind : {Input::Random, Input::Wide, Input::Large, Input::Equal}) {
                std::vector<float> x = make_input(kind, n, seed++);
                std::vector<float> want(x.size());
                gelu_ref(want.data(), x.data(), n);
                for (int64_t offset : {0, 1, 3})
                    for (bool in_place : {false, true}) {
                        std::string what =
                            cat("gelu_", isa_name(k.isa), " ", input_name(kind), " n=", n,
                                " offset=", offset, in_place ? " in place" : "");
                        if (!check_case(k, x, want, offset, in_place, what) && ++failures >= 5)
                            FAIL("stopping after 5 failing cases");
                    }
            }
    }
}

TEST_CASE("gelu vector kernels: special values in every lane position") {
    const float specials[] = {INFINITY, -INFINITY, NAN,     0.0f,   -0.0f, FLT_MAX,
                              -FLT_MAX, 1e30f,     -1e30f,  1e4f,   -1e4f, -10.0f,
                              -5.5f,    1e-40f,    -1e-40f, 1e-30f, 2.5f};
    const int64_t ns = int64_t(sizeof specials / sizeof specials[0]);
    for (const Kernel& k : kKernels) {
        if (!isa_supported(k.isa)) {
            MESSAGE(cat("skipping gelu_", isa_name(k.isa), ": the CPU lacks those instructions"));
            continue;
        }
        // Each length 1..40 starts the cycle of specials at a different place, so every
        // special lands in every lane of the full vectors and of the masked tail.
        for (int64_t n = 1; n <= 40; n++) {
            const size_t len = static_cast<size_t>(n);
            std::vector<float> x(len), want(len), got(len);
            for (int64_t i = 0; i < n; i++) x[size_t(i)] = specials[(i + n) % ns];
            gelu_ref(want.data(), x.data(), n);
            k.fn(got.data(), x.data(), n);
            for (int64_t i = 0; i < n; i++) {
                float g = got[size_t(i)], w = want[size_t(i)];
                bool ok =
                    std::isnan(w)
                        ? std::isnan(g)
                        : (g == w || std::fabs(double(g) - w) <= kAtol + kRtol * std::fabs(w));
                if (!ok)
                    FAIL_CHECK("gelu_" << isa_name(k.isa) << "(" << x[size_t(i)] << ") = " << g
                                       << ", want " << w << " (n=" << n << ", i=" << i << ")");
            }
        }
    }
}

// The dispatcher calls the very function it names on the same input: the same bits (==).
TEST_CASE("gelu dispatcher: each set runs its own kernel") {
    std::vector<float> x = testing::random_floats(100, 7, -5.0f, 5.0f);
    std::vector<float> a(100), b(100);
    gelu_ref(a.data(), x.data(), 100);
    gelu(Isa::Ref, b.data(), x.data(), 100);
    CHECK(a == b);
    for (const Kernel& k : kKernels) {
        if (!isa_supported(k.isa)) continue;
        k.fn(a.data(), x.data(), 100);
        gelu(k.isa, b.data(), x.data(), 100);
        CHECK(a == b);
    }
}

// ---------------------------------------------------------------- backward (lesson 17)

using gw::testing::check_gradients;
using gw::testing::weighted_sum;
using gw::testing::widen;

TEST_CASE("gelu backward: float64 against central differences of the float64 forward") {
    const int64_t n = 64;
    std::vector<double> x = widen(testing::random_floats(size_t(n), 31, -5, 5));
    const std::vector<double> r = widen(testing::random_floats(size_t(n), 32));
    std::vector<double> out(static_cast<size_t>(n)), dx(size_t(n), 0.0);
    auto loss = [&] {
        gelu_ref(out.data(), x.data(), n);
        return weighted_sum(out, r);
    };
    gelu_backward_ref(dx.data(), x.data(), r.data(), n);
    check_gradients(loss, {{"x", &x, dx}});
    // Hand-worked: gelu'(0) = 0.5 (tanh 0 = 0, and the second term has the factor x = 0).
    double zero = 0, one = 1, d = 0;
    gelu_backward_ref(&d, &zero, &one, 1);
    CHECK(d == 0.5);
}

// The vector kernels against the float64 reference, element by element. Their gelu' is
// s + 2 x s (1 - s) u' with e = exp(-2u) from simd.h (<= 2 ulp), after -2u is formed in
// float (a relative error of a few u, so e is off by about |2u| * 3u relative), then ~8
// roundings. Each of the two terms is thus within (12 + 4 |2u|) u of its own size, and
// the product with dout and the addition into dx add 2u of the result:
//   |got - want| <= |dout| (|s| + |2 x s (1 - s) u'|) (12 + 4 |2u|) u + 2u |want| + 1e-30
// where s and the second term come from the float64 formula. A wrong sign or a lost term is
// off by the size of a term, far more; an exp off by one lane's input too.
TEST_CASE("gelu backward vector kernels equal the float64 reference, and add into dx") {
    struct K {
        Isa isa;
        void (*fn)(float*, const float*, const float*, int64_t);
    };
    for (K k : {K{Isa::Avx2, gelu_backward_avx2}, K{Isa::Avx512, gelu_backward_avx512}}) {
        if (!isa_supported(k.isa)) {
            MESSAGE(cat("skipping gelu_backward_", isa_name(k.isa), ": the CPU lacks those instructions"));
            continue;
        }
        for (int64_t n : {1, 7, 8, 9, 15, 16, 17, 33, 768, 3072}) {
            for (float range : {3.0f, 12.0f, 40.0f}) {
                CAPTURE(isa_name(k.isa)); CAPTURE(n); CAPTURE(range);
                const auto x = testing::random_floats(size_t(n), 40 + uint64_t(n), -range, range);
                const auto g = testing::random_floats(size_t(n), 41 + uint64_t(n));
                const auto d0 = testing::random_floats(size_t(n), 42 + uint64_t(n));
                std::vector<float> got = d0;
                k.fn(got.data(), x.data(), g.data(), n);
                std::vector<double> want = widen(d0);
                gelu_backward_ref(want.data(), widen(x).data(), widen(g).data(), n);
                int64_t bad = -1;
                for (int64_t i = 0; i < n && bad < 0; i++) {
                    const double v = x[size_t(i)], u = 0.7978845608028654 * (v + 0.044715 * v * v * v);
                    const double s = 0.5 * (1 + std::tanh(u));
                    const double term2 = v * 0.5 * (1 - std::tanh(u) * std::tanh(u)) * 0.7978845608028654 *
                                         (1 + 3 * 0.044715 * v * v);
                    const double tol = std::fabs(g[size_t(i)]) * (std::fabs(s) + std::fabs(term2)) *
                                           (12 + 4 * std::fabs(2 * u)) * testing::kFloatU +
                                       2 * testing::kFloatU * std::fabs(want[size_t(i)]) + 1e-30;
                    if (!(std::fabs(got[size_t(i)] - want[size_t(i)]) <= tol)) bad = i;
                }
                if (bad >= 0)
                    FAIL_CHECK("index " << bad << ": x " << x[size_t(bad)] << ", got " << got[size_t(bad)]
                                        << ", want " << want[size_t(bad)]);
            }
        }
    }
}
