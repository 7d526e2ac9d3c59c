// Lesson 17, exercise 2: the check's own program (lessons/17-backward/exercises/e2.sh).
// It checks mse_loss (kernels/crossentropy.h) against the formula and
// central differences, and prints one line (exit 1 on failure).
#include <cmath>
#include <cstdio>
#include <vector>

#include "kernels/crossentropy.h"
#include "train/gradcheck.h"

int main() {
    std::vector<double> pred = {0.5, -1.25, 2.0, 0.0, 3.5};
    const std::vector<double> target = {1.0, -1.0, 0.5, 0.25, 3.0};
    const int64_t n = int64_t(pred.size());
    std::vector<double> d(pred.size(), 123.0);  // garbage: a loss WRITES its gradient
    double want = 0;
    for (size_t i = 0; i < pred.size(); i++) want += (pred[i] - target[i]) * (pred[i] - target[i]) / double(n);
    const double got = gw::mse_loss(d.data(), pred.data(), target.data(), n);
    if (std::fabs(got - want) > 1e-14) {
        std::printf("mse_loss returned %g, want (1/n) sum (pred - target)^2 = %g\n", got, want);
        return 1;
    }
    std::vector<double> scratch(pred.size());
    auto loss = [&] { return gw::mse_loss(scratch.data(), pred.data(), target.data(), n); };
    const std::vector<double> fd = gw::central_differences(loss, pred, 1e-5);
    const gw::GradError e = gw::compare_gradients(d, fd);
    if (!(e.relative() <= 1e-6)) {
        std::printf("dpred[%zu] = %g, central differences %g (relative error %.1e)\n", e.worst, d[e.worst],
                    fd[e.worst], e.relative());
        return 1;
    }
    std::printf("mse_loss and its gradient agree with central differences (relative error %.0e)\n",
                e.relative());
    return 0;
}
