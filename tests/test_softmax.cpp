// test_softmax.cpp — softmax: hand-worked rows for softmax_ref, then every vector
// kernel against softmax_ref over many lengths, inputs, misalignments and in place.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"       // cat
#include "kernels/softmax.h"
#include "testing.h"

using namespace gw;
using gw::testing::check_close;

static std::vector<float> softmax_of(std::vector<float> x) {
    std::vector<float> out(x.size());
    softmax_ref(out.data(), x.data(), int64_t(x.size()));
    return out;
}

TEST_CASE("softmax_ref: hand-worked rows") {
    // exp(ln 3) = 3, so [0, ln 3] -> [1, 3] / 4. softmax_ref's double result is rounded to float
    // twice (u = 6e-8 relative each), and float(ln 3) is ln 3 to 2e-8, which moves the pair by
    // ~1e-8: 1e-7 holds all of it (worst seen 1.5e-8). The 0-tolerance rows are exact: exp(0) = 1,
    // and 1/2, 1/4 are exact in float.
    check_close(softmax_of({0.0f, float(std::log(3.0))}), {0.25f, 0.75f}, 1e-7f, 0, "[0, ln 3]");
    check_close(softmax_of({2.0f, 2.0f, 2.0f, 2.0f}), {0.25f, 0.25f, 0.25f, 0.25f}, 0, 0, "equal");
    check_close(softmax_of({7.5f}), {1.0f}, 0, 0, "one entry");
    // Without subtracting the max, exp(1e4) would overflow to inf and give inf/inf.
    check_close(softmax_of({1e4f, 1e4f}), {0.5f, 0.5f}, 0, 0, "large equal");
    // Shift invariance: [1, 2, 3] and [101, 102, 103] give e^{0,1,2} / (1 + e + e^2).
    const double z = 1 + std::exp(1.0) + std::exp(2.0);
    std::vector<float> want = {float(1 / z), float(std::exp(1.0) / z), float(std::exp(2.0) / z)};
    check_close(softmax_of({1.0f, 2.0f, 3.0f}), want, 1e-7f, 0, "[1, 2, 3]");
    check_close(softmax_of({101.0f, 102.0f, 103.0f}), want, 1e-7f, 0, "[101, 102, 103]");
    // The causal mask: -inf entries get exactly 0, the rest share the mass.
    std::vector<float> masked = softmax_of({-INFINITY, 0.0f, -INFINITY, 0.0f});
    CHECK(masked[0] == 0.0f);
    CHECK(masked[2] == 0.0f);
    check_close(masked, {0.0f, 0.5f, 0.0f, 0.5f}, 0, 0, "masked");
    // Every entry masked: no valid entry, all zeros (not NaN).
    check_close(softmax_of({-INFINITY, -INFINITY, -INFINITY}), {0.0f, 0.0f, 0.0f}, 0, 0,
                "all masked");
    // n = 0 writes nothing.
    float untouched = 42.0f;
    softmax_ref(&untouched, &untouched, 0);
    CHECK(untouched == 42.0f);
    // In place.
    std::vector<float> x = {0.0f, float(std::log(3.0))};
    softmax_ref(x.data(), x.data(), 2);
    check_close(x, {0.25f, 0.75f}, 1e-7f, 0, "in place");
}

// ---------------------------------------------------------------- vector vs reference

// Tolerance, vector kernel vs softmax_ref: |got - want| <= kAtol + kRtol |want|.
// kRtol = 1e-6 (about 8 float ulps): exp is within 2 ulp (tests/test_simd.cpp), the
//   sum is accumulated in double by both, and 1/sum and the product add one rounding
//   each, so ~4 ulp is expected; a wrong lane or a missed entry is off by far more.
// kAtol = 3e-8: the vector kernels form d = x - m in float (the reference in double).
//   When d is inexact it is off by <= |d| 2^-24, which scales e^d by a relative
//   |d| 2^-24: an absolute error <= max_d |d| e^{-|d|} 2^-24 = 2^-24 / e ~ 2.2e-8.
constexpr float kRtol = 1e-6f;
constexpr float kAtol = 3e-8f;

// Every length through 40 (every tail size of both widths, with and without full
// vectors) and GPT-2's sizes: 64, head size; 127, odd; 768, 1024, 1600, 3072; 50257, vocab.
static std::vector<int64_t> sweep_lengths() {
    std::vector<int64_t> n;
    for (int64_t i = 1; i <= 40; i++) n.push_back(i);
    for (int64_t i : {64, 127, 768, 1024, 1600, 3072, 50257}) n.push_back(i);
    return n;
}

enum class Input { Random, Large, Equal, Masked, AllMasked };
static const char* input_name(Input k) {
    switch (k) {
        case Input::Random: return "random";
        case Input::Large: return "large";
        case Input::Equal: return "equal";
        case Input::Masked: return "masked";
        case Input::AllMasked: return "all-masked";
    }
    return "?";
}

static std::vector<float> make_input(Input kind, int64_t n, uint64_t seed) {
    switch (kind) {
        case Input::Random: return testing::random_floats(size_t(n), seed, -8.0f, 8.0f);
        case Input::Large: return testing::random_floats(size_t(n), seed, -1e4f, 1e4f);
        case Input::Equal: return std::vector<float>(size_t(n), 0.37f);
        case Input::Masked: {  // like a causal row: every third entry and the last quarter masked
            std::vector<float> x = testing::random_floats(size_t(n), seed, -8.0f, 8.0f);
            for (int64_t i = 1; i < n; i++)
                if (i % 3 == 1 || i >= n - n / 4) x[i] = -INFINITY;
            return x;
        }
        case Input::AllMasked: return std::vector<float>(size_t(n), -INFINITY);
    }
    return {};
}

struct Kernel {
    Isa isa;
    void (*fn)(float*, const float*, int64_t);
};
static const Kernel kKernels[] = {{Isa::Avx2, softmax_avx2}, {Isa::Avx512, softmax_avx512}};

// Runs k on x at `offset` floats past a 64-byte boundary, out of place or in place, with
// NaN guards around the row (testing::run_guarded_row), and compares with want.
static bool check_case(const Kernel& k, const std::vector<float>& x, const std::vector<float>& want,
                       int64_t offset, bool in_place, const std::string& what) {
    const testing::GuardedRow r = testing::run_guarded_row(k.fn, x, offset, in_place);
    bool ok = check_close(r.out, want, kAtol, kRtol, what);
    for (int64_t i = 0; i < int64_t(x.size()); i++)  // masked entries get exactly 0
        if (x[size_t(i)] == -INFINITY && r.out[size_t(i)] != 0.0f) {
            FAIL_CHECK(what << ": masked entry " << i << " got " << r.out[size_t(i)]);
            ok = false;
            break;
        }
    if (r.wrote_outside) {
        FAIL_CHECK(what << ": wrote outside the row at index " << r.outside_index);
        ok = false;
    }
    return ok;
}

TEST_CASE("softmax vector kernels equal softmax_ref: lengths, inputs, offsets, in place") {
    const Input inputs[] = {Input::Random, Input::Large, Input::Equal, Input::Masked,
                            Input::AllMasked};
    for (const Kernel& k : kKernels) {
        if (!isa_supported(k.isa)) {
            MESSAGE(
                cat("skipping softmax_", isa_name(k.isa), ": the CPU lacks those instructions"));
            continue;
        }
        int failures = 0;
        uint64_t seed = 1;
        for (int64_t n : sweep_lengths())
            for (Input kind : inputs) {
                std::vector<float> x = make_input(kind, n, seed++);
                std::vector<float> want(x.size());
                softmax_ref(want.data(), x.data(), n);
                for (int64_t offset : {0, 1, 3})
                    for (bool in_place : {false, true}) {
                        std::string what =
                            cat("softmax_", isa_name(k.isa), " ", input_name(kind), " n=", n,
                                " offset=", offset, in_place ? " in place" : "");
                        if (!check_case(k, x, want, offset, in_place, what) && ++failures >= 5)
                            FAIL("stopping after 5 failing cases");
                    }
            }
    }
}

// The dispatcher calls the very function it names on the same input: the same bits (==).
TEST_CASE("softmax dispatcher: each set runs its own kernel") {
    std::vector<float> x = testing::random_floats(100, 7, -5.0f, 5.0f);
    std::vector<float> a(100), b(100);
    softmax_ref(a.data(), x.data(), 100);
    softmax(Isa::Ref, b.data(), x.data(), 100);
    CHECK(a == b);
    for (const Kernel& k : kKernels) {
        if (!isa_supported(k.isa)) continue;
        k.fn(a.data(), x.data(), 100);
        softmax(k.isa, b.data(), x.data(), 100);
        CHECK(a == b);
    }
}

// ---------------------------------------------------------------- backward (lesson 17)

using gw::testing::check_gradients;
using gw::testing::weighted_sum;
using gw::testing::widen;

TEST_CASE("softmax backward: float64 against central differences; masked entries get 0") {
    const int64_t n = 9;
    std::vector<double> x = widen(testing::random_floats(size_t(n), 51, -3, 3));
    const std::vector<double> r = widen(testing::random_floats(size_t(n), 52));
    std::vector<double> y(static_cast<size_t>(n)), dx(size_t(n), 0.0);
    auto loss = [&] {
        softmax_ref(y.data(), x.data(), n);
        return weighted_sum(y, r);
    };
    softmax_ref(y.data(), x.data(), n);
    softmax_backward(dx.data(), y.data(), r.data(), n);
    check_gradients(loss, {{"x", &x, dx}});

    // A masked entry (-inf, probability exactly 0) gets exactly 0, and the gradient of the
    // others is unchanged by it: softmax over [a, b, -inf] is softmax over [a, b] and a 0.
    const double xm[3] = {0.3, -1.2, -INFINITY}, gm[3] = {0.7, -0.4, 5.0};
    double ym[3], dm[3] = {0, 0, 0}, y2[2], d2[2] = {0, 0};
    softmax_ref(ym, xm, 3);
    softmax_backward(dm, ym, gm, 3);
    softmax_ref(y2, xm, 2);
    softmax_backward(d2, y2, gm, 2);
    CHECK(dm[2] == 0.0);
    CHECK(dm[0] == d2[0]);  // the same sums: y[2] * g[2] = 0 adds nothing to the dot product
    CHECK(dm[1] == d2[1]);
}

TEST_CASE("softmax_lse returns log sum exp x, for every kernel set") {
    const auto x = testing::random_floats(1000, 53, -20, 20);
    double m = -INFINITY, sum = 0;
    for (float v : x) m = std::max(m, double(v));
    for (float v : x) sum += std::exp(double(v) - m);
    const double want = m + std::log(sum);
    for (Isa isa : {Isa::Ref, Isa::Avx2, Isa::Avx512}) {
        if (!isa_supported(isa)) continue;
        CAPTURE(isa_name(isa));
        std::vector<float> p(x.size());
        const double got = softmax_lse(isa, p.data(), x.data(), int64_t(x.size()));
        // The sum of e_i in double from float e_i, each within 2 ulp of exp(x_i - m) whose
        // argument was rounded once (|x - m| <= 40: 40u): log(sum) within (3 + 40) u.
        CHECK(std::fabs(got - want) <= 43 * testing::kFloatU);
    }
    std::vector<float> masked = {-INFINITY, -INFINITY}, out(2);
    CHECK(softmax_lse(Isa::Ref, out.data(), masked.data(), 2) == -INFINITY);
}
