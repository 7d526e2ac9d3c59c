// Lesson 17, exercise 1: the check's own program (lessons/17-backward/exercises/e1.sh).
// It checks silu_ref and silu_backward_ref (kernels/gelu.h) against the formula and
// central differences, and prints one line (exit 1 on failure).
#include <cmath>
#include <cstdio>
#include <vector>

#include "kernels/gelu.h"
#include "train/gradcheck.h"

int main() {
    std::vector<double> x = {-4, -1.5, -0.3, 0, 0.2, 0.9, 2.5, 6};
    const std::vector<double> r = {0.3, -1, 0.7, 1.2, -0.4, 0.5, -0.8, 0.9};  // dL/d out
    const int64_t n = int64_t(x.size());
    std::vector<double> out(x.size()), dx(x.size(), 0.0);
    gw::silu_ref(out.data(), x.data(), n);
    for (size_t i = 0; i < x.size(); i++)
        if (std::fabs(out[i] - x[i] / (1 + std::exp(-x[i]))) > 1e-14) {
            std::printf("silu_ref(%g) = %g, but x * sigmoid(x) = %g\n", x[i], out[i], x[i] / (1 + std::exp(-x[i])));
            return 1;
        }
    gw::silu_backward_ref(dx.data(), x.data(), r.data(), n);
    auto loss = [&] {
        gw::silu_ref(out.data(), x.data(), n);
        double s = 0;
        for (size_t i = 0; i < out.size(); i++) s += out[i] * r[i];
        return s;
    };
    const std::vector<double> fd = gw::central_differences(loss, x, 1e-5);
    const gw::GradError e = gw::compare_gradients(dx, fd);
    if (!(e.relative() <= 1e-6)) {
        std::printf("at x = %g the backward gives %g, central differences %g (relative error %.1e)\n",
                    x[e.worst], dx[e.worst], fd[e.worst], e.relative());
        return 1;
    }
    std::vector<double> twice = dx;
    gw::silu_backward_ref(twice.data(), x.data(), r.data(), n);
    for (size_t i = 0; i < x.size(); i++)
        if (twice[i] != 2 * dx[i]) {
            std::printf("a second call should ADD the gradient again (dx += ...), not overwrite it\n");
            return 1;
        }
    std::printf("silu_backward_ref agrees with central differences (relative error %.0e)\n", e.relative());
    return 0;
}
