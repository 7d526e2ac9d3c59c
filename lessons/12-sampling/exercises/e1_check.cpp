// e1_check.cpp — lesson 12, exercise 1: after the demo's prompt, in double from the logits,
//   line 1: min-p 0.5: how many tokens it keeps, and the first three renormalised probabilities;
//   line 2: temperature 0.25: the first three probabilities of softmax(z / 0.25).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

#include "exercise_check.h"  // exercise::run_prompt


int main() {
    const std::vector<float> z = exercise::run_prompt("Elizabeth looked at her sister, and", false).logits;
    const double zmax = *std::max_element(z.begin(), z.end());
    auto probs = [&](double t) {  // softmax(z / t), sorted, most probable first
        std::vector<double> p(z.size());
        double sum = 0;
        for (size_t v = 0; v < z.size(); v++) sum += (p[v] = std::exp((z[v] - zmax) / t));
        for (double& x : p) x /= sum;
        std::sort(p.begin(), p.end(), std::greater<double>());
        return p;
    };
    const std::vector<double> p = probs(1.0);
    double kept = 0;
    size_t n = 0;
    while (n < p.size() && p[n] >= 0.5 * p[0]) kept += p[n++];
    std::printf("%zu %.3f %.3f %.3f\n", n, p[0] / kept, p[1] / kept, p[2] / kept);
    const std::vector<double> q = probs(0.25);
    std::printf("%.3f %.3f %.3f\n", q[0], q[1], q[2]);
    return 0;
}
