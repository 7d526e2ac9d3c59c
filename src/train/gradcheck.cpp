// train/gradcheck.cpp — central differences and how far a gradient is from them (lesson 17).
#include "train/gradcheck.h"

#include <algorithm>
#include <cmath>

namespace gw {

std::vector<double> central_differences(const std::function<double()>& f, std::vector<double>& x, double h) {
    std::vector<double> fd(x.size());
    for (size_t i = 0; i < x.size(); i++) {
        const double keep = x[i];
        x[i] = keep + h;
        const double up = f();
        x[i] = keep - h;
        const double down = f();
        x[i] = keep;
        fd[i] = (up - down) / (2 * h);
    }
    return fd;
}

GradError compare_gradients(const std::vector<double>& g, const std::vector<double>& fd) {
    GradError e;
    for (size_t i = 0; i < fd.size() && i < g.size(); i++) {
        e.max_fd = std::max(e.max_fd, std::fabs(fd[i]));
        const double err = std::fabs(g[i] - fd[i]);
        if (!std::isnan(e.max_err) && !(err <= e.max_err)) {  // a NaN is the worst, and stays
            e.max_err = err;
            e.worst = i;
        }
    }
    return e;
}

}  // namespace gw
