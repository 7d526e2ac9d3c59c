// test_vecmath.cpp — the walks' small vector arithmetic, worked by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/vecmath.h"

using namespace gw;

// Small integers: dot and norm are exact in double (==); the cosines are one or two double
// roundings from the fractions, inside Approx's default 1.2e-5.
TEST_CASE("dot, norm, cosine") {
    float a[3] = {1, 2, 2}, b[3] = {2, 0, 0}, z[3] = {0, 0, 0};
    CHECK(dot(a, b, 3) == 2.0);
    CHECK(norm(a, 3) == 3.0);
    CHECK(cosine(a, b, 3) == doctest::Approx(1.0 / 3.0));
    CHECK(cosine(a, a, 3) == doctest::Approx(1.0));
    CHECK(cosine(a, z, 3) == 0.0);  // defined as 0, not NaN
}

TEST_CASE("max_abs_diff: the largest difference, and NaN is never hidden") {
    const float a[] = {1.0f, -2.0f, 3.5f}, b[] = {1.5f, -2.25f, 3.5f};
    CHECK(max_abs_diff(a, b, 3) == 0.5);
    CHECK(max_abs_diff(a, a, 3) == 0.0);
    const float c[] = {NAN, 0.0f, 9.0f};
    CHECK(std::isnan(max_abs_diff(a, c, 3)));
    CHECK(std::isnan(max_abs_diff(c, a, 3)));
}

TEST_CASE("top-k and rank") {
    float x[5] = {0.5f, 3.0f, -1.0f, 3.0f, 2.0f};
    CHECK(top_k_indices(x, 5, 3) == std::vector<int>{1, 3, 4});  // tie: lower index first
    CHECK(top_k_indices(x, 5, 10).size() == 5);
    CHECK(rank_of(x, 5, 1) == 1);
    CHECK(rank_of(x, 5, 3) == 1);  // tied for first
    CHECK(rank_of(x, 5, 4) == 3);
    CHECK(rank_of(x, 5, 2) == 5);
}

TEST_CASE("softmax, entropy, KL") {
    float z[2] = {0.0f, float(std::log(3.0))};
    auto p = softmax_probs(z, 2);
    CHECK(p[0] == doctest::Approx(0.25));
    CHECK(p[1] == doctest::Approx(0.75));
    CHECK(entropy_nats({0.5, 0.5}) == doctest::Approx(std::log(2.0)));
    CHECK(entropy_nats({1.0, 0.0}) == 0.0);
    CHECK(kl_divergence(p, p) == doctest::Approx(0.0));
    // KL([.5 .5] || [.25 .75]) = .5 ln 2 + .5 ln(2/3)
    CHECK(kl_divergence({0.5, 0.5}, p) == doctest::Approx(0.5 * std::log(2.0) + 0.5 * std::log(2.0 / 3.0)));
}

TEST_CASE("PCA recovers the axes of points on a tilted plane") {
    // points a*u + b*v with u, v orthonormal in 4-D, a spread more than b
    const double s = 1.0 / std::sqrt(2.0);
    float u[4] = {float(s), float(s), 0, 0}, v[4] = {0, 0, float(s), float(-s)};
    std::vector<std::vector<float>> pts;
    for (int i = -3; i <= 3; i++)
        for (int j = -1; j <= 1; j++) {
            std::vector<float> p(4);
            for (int k = 0; k < 4; k++) p[size_t(k)] = float(3.0 * i * u[k] + 1.0 * j * v[k] + 0.5);
            pts.push_back(p);
        }
    std::vector<const float*> ptrs;
    for (auto& p : pts) ptrs.push_back(p.data());
    Projection2D fit = pca_2d(ptrs, 4);
    CHECK(fit.explained[0] + fit.explained[1] == doctest::Approx(1.0));  // the data is 2-D
    CHECK(fit.explained[0] > fit.explained[1]);
    std::vector<float> a1(fit.axes.begin(), fit.axes.begin() + 4);
    // a1: the double axis rounded to float (6e-8), power iteration stopped at 1e-10 change
    CHECK(std::fabs(cosine(a1.data(), u, 4)) == doctest::Approx(1.0).epsilon(1e-6));
    double x, y;
    project_2d(fit, pts[0].data(), 4, &x, &y);
    CHECK(x == doctest::Approx(fit.xy[0]));
    CHECK(y == doctest::Approx(fit.xy[1]));
}

TEST_CASE("checksum changes with any bit") {
    std::vector<float> w = {1.0f, 2.0f, 3.0f};
    uint64_t h = checksum_floats(w.data(), 3);
    CHECK(h == checksum_floats(w.data(), 3));
    w[1] = std::nextafter(2.0f, 3.0f);
    CHECK(h != checksum_floats(w.data(), 3));
}
