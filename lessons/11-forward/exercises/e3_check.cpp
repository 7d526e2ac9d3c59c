// e3_check.cpp — lesson 11, exercise 3: the three largest probabilities of softmax(2 z), z the
// logits after the default prompt, in double (what doubling the context vector would give).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "exercise_check.h"  // exercise::run_prompt


int main() {
    const std::vector<float> z = exercise::run_prompt("In the beginning God created the", false).logits;
    const double zmax = *std::max_element(z.begin(), z.end());
    std::vector<double> p(z.size());
    double sum = 0;
    for (size_t v = 0; v < z.size(); v++) sum += (p[v] = std::exp(2 * (z[v] - zmax)));
    std::sort(p.begin(), p.end(), std::greater<double>());
    std::printf("%.4f %.4f %.4f\n", p[0] / sum, p[1] / sum, p[2] / sum);
    return 0;
}
