#!/usr/bin/env bash
# Lesson 17, exercise 1 — the backward of SiLU: silu_ref and silu_backward_ref (float64) in
# kernels/gelu.{h,cpp}. Run from the repository root with BUILD set to the build folder
# (make check-exercise L=17 E=1). Compiles a small checker against the library and exits 0 only
# when silu_ref is x * sigmoid(x) and silu_backward_ref adds the gradient that central
# differences of silu_ref give (relative error <= 1e-6, as the tests' bar).
set -euo pipefail
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/libgptwalk.a"
dir="$BUILD/exercises"
mkdir -p "$dir"
cat >"$dir/17-e1.cpp" <<'EOF'
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
            std::printf("e1: FAIL: silu_ref(%g) = %g, but x * sigmoid(x) = %g\n", x[i], out[i], x[i] / (1 + std::exp(-x[i])));
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
        std::printf("e1: FAIL: at x = %g the backward gives %g, central differences %g (relative error %.1e)\n",
                    x[e.worst], dx[e.worst], fd[e.worst], e.relative());
        return 1;
    }
    std::vector<double> twice = dx;
    gw::silu_backward_ref(twice.data(), x.data(), r.data(), n);
    for (size_t i = 0; i < x.size(); i++)
        if (twice[i] != 2 * dx[i]) {
            std::printf("e1: FAIL: a second call should ADD the gradient again (dx += ...), not overwrite it\n");
            return 1;
        }
    std::printf("e1: PASS: silu_backward_ref agrees with central differences (relative error %.0e)\n", e.relative());
    return 0;
}
EOF
if ! g++ -std=c++17 -O1 -Iinclude "$dir/17-e1.cpp" -o "$dir/17-e1" "$BUILD/libgptwalk.a" \
     $(sed -n 2p "$BUILD/openblas.flags") -lstb -lpthread -lm 2>"$dir/17-e1.log"; then
    echo "e1: FAIL: the checker does not compile (see $dir/17-e1.log): are silu_ref and silu_backward_ref"
    echo "    declared in include/kernels/gelu.h as the exercise says?"
    exit 1
fi
"$dir/17-e1"
