// test_crossentropy.cpp — the next-token loss: hand-worked rows, central differences of
// the float64 reference, and the fast (vector softmax) version against it.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/error.h"  // cat
#include "kernels/crossentropy.h"
#include "testing.h"

using namespace gw;
using gw::testing::check_close;
using gw::testing::kFloatU;
using gw::testing::random_floats;
using gw::testing::widen;

TEST_CASE("crossentropy_ref: hand-worked rows") {
    // Equal logits over V = 4: p = 1/4 each, loss = log 4, gradient p - onehot.
    const float z[4] = {2, 2, 2, 2};
    const int y = 1;
    float loss = 0, d[4];
    crossentropy_ref(d, &loss, z, &y, 1, 4, 1.0);
    CHECK(loss == doctest::Approx(std::log(4.0)).epsilon(1e-7));
    CHECK(d[0] == 0.25f);  // exp(0) / 4 and 0.25 - 0: exact
    CHECK(d[1] == -0.75f);
    // logits (0, ln 3): p = (1/4, 3/4); target 1: loss = -log(3/4); dloss scales the gradient.
    const float z2[2] = {0, float(std::log(3.0))};
    crossentropy_ref(d, &loss, z2, &y, 1, 2, 0.5);
    CHECK(loss == doctest::Approx(-std::log(0.75)).epsilon(1e-6));
    CHECK(d[0] == doctest::Approx(0.5 * 0.25).epsilon(1e-6));
    CHECK(d[1] == doctest::Approx(0.5 * (0.75 - 1)).epsilon(1e-6));
}

TEST_CASE("crossentropy backward: float64 against central differences") {
    const int64_t T = 3, V = 7;
    std::vector<double> z = widen(random_floats(size_t(T * V), 101, -3, 3));
    const int targets[T] = {2, 0, 6};
    const double dloss = 1.0 / double(T);  // the mean over rows
    std::vector<double> losses(static_cast<size_t>(T)), d(size_t(T * V));
    auto mean_loss = [&] {
        crossentropy_ref(nullptr, losses.data(), z.data(), targets, T, V, dloss);
        return (losses[0] + losses[1] + losses[2]) * dloss;
    };
    crossentropy_ref(d.data(), losses.data(), z.data(), targets, T, V, dloss);
    testing::check_gradients(mean_loss, {{"logits", &z, d}});
}

// The fast version: softmax_lse (vector exp, <= 2 ulp, of x - m rounded once: |x - m| u) and
// sums in double. Its loss, lse - z[y], is within (3 + max|z - m|) u of the double one, plus u
// of the loss for the float result; each p is within (3 + max|z - m|) u relative, then one
// product with dloss and the subtraction at the target: 2u more of |dloss|.
TEST_CASE("crossentropy: every kernel set equals the float64 reference, in place too; a far target stays finite") {
    const int64_t T = 4, V = 1001;
    auto z = random_floats(size_t(T * V), 102, -8, 8);
    const int targets[T] = {0, 500, 1000, 77};
    z[size_t(3 * V + 77)] = -190.0f;  // p ~ e^-198: 0 in float, but the loss is finite: ~198
    const float dloss = 0.25f;
    std::vector<double> want_loss(static_cast<size_t>(T)), want_d(size_t(T * V));
    crossentropy_ref(want_d.data(), want_loss.data(), widen(z).data(), targets, T, V, dloss);
    CHECK(want_loss[3] > 190);
    for (Isa isa : {Isa::Ref, Isa::Avx2, Isa::Avx512}) {
        if (!isa_supported(isa)) continue;
        CAPTURE(isa_name(isa));
        const double spread = 16 + 190;  // the largest |z - m| in any row
        std::vector<float> losses(static_cast<size_t>(T)), d(size_t(T * V)), in_place = z, losses2(static_cast<size_t>(T));
        crossentropy(isa, d.data(), losses.data(), z.data(), targets, T, V, dloss);
        crossentropy(isa, in_place.data(), losses2.data(), in_place.data(), targets, T, V, dloss);
        for (int64_t t = 0; t < T; t++)
            CHECK(std::fabs(losses[size_t(t)] - want_loss[size_t(t)]) <=
                  (3 + spread) * kFloatU + kFloatU * std::fabs(want_loss[size_t(t)]));
        std::vector<float> want_f(want_d.begin(), want_d.end());
        check_close(d, want_f, float(2 * kFloatU * dloss), float((3 + spread) * kFloatU), "dlogits");
        CHECK(in_place == d);  // the same calls: reading z[y] first makes in place safe
        CHECK(losses2 == losses);
        std::vector<float> only(static_cast<size_t>(T));
        crossentropy(isa, nullptr, only.data(), z.data(), targets, T, V, dloss);
        CHECK(only == losses);
    }
}
