// test_gradcheck.cpp — central differences, worked by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "train/gradcheck.h"

using namespace gw;

TEST_CASE("central differences of x0^3 + 2 x1: off by exactly h^2 for the cube, exact for the line") {
    std::vector<double> x = {2.0, -1.0};
    auto f = [&] { return x[0] * x[0] * x[0] + 2 * x[1]; };
    const double h = 1e-3;
    const std::vector<double> fd = central_differences(f, x, h);
    // ((x+h)^3 - (x-h)^3) / 2h = 3x^2 + h^2: the truncation term h^2/6 f''' with f''' = 6.
    CHECK(fd[0] == doctest::Approx(3 * 4.0 + h * h).epsilon(1e-12));
    CHECK(fd[1] == doctest::Approx(2.0).epsilon(1e-12));
    CHECK(x == std::vector<double>{2.0, -1.0});  // restored
    const GradError e = compare_gradients({12.0, 2.0}, fd);
    CHECK(e.worst == 0);
    CHECK(e.max_fd == doctest::Approx(12.0 + h * h));
    CHECK(e.relative() == doctest::Approx(h * h / (12.0 + h * h)).epsilon(1e-6));
    CHECK(std::isnan(compare_gradients({NAN, 2.0}, fd).max_err));
}
