#!/usr/bin/env bash
# Lesson 17, exercise 2 — the gradient of a squared error: mse_loss in kernels/crossentropy.{h,cpp}.
# Run from the repository root with BUILD set to the build folder (make check-exercise L=17 E=2).
# Exits 0 only when mse_loss returns (1/n) sum (pred - target)^2 and writes the gradient that
# central differences of that loss give (relative error <= 1e-6).
set -euo pipefail
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/libgptwalk.a"
dir="$BUILD/exercises"
mkdir -p "$dir"
cat >"$dir/17-e2.cpp" <<'EOF'
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
        std::printf("e2: FAIL: mse_loss returned %g, want (1/n) sum (pred - target)^2 = %g\n", got, want);
        return 1;
    }
    std::vector<double> scratch(pred.size());
    auto loss = [&] { return gw::mse_loss(scratch.data(), pred.data(), target.data(), n); };
    const std::vector<double> fd = gw::central_differences(loss, pred, 1e-5);
    const gw::GradError e = gw::compare_gradients(d, fd);
    if (!(e.relative() <= 1e-6)) {
        std::printf("e2: FAIL: dpred[%zu] = %g, central differences %g (relative error %.1e)\n", e.worst, d[e.worst],
                    fd[e.worst], e.relative());
        return 1;
    }
    std::printf("e2: PASS: mse_loss and its gradient agree with central differences (relative error %.0e)\n",
                e.relative());
    return 0;
}
EOF
if ! g++ -std=c++17 -O1 -Iinclude "$dir/17-e2.cpp" -o "$dir/17-e2" "$BUILD/libgptwalk.a" \
     $(sed -n 2p "$BUILD/openblas.flags") -lstb -lpthread -lm 2>"$dir/17-e2.log"; then
    echo "e2: FAIL: the checker does not compile (see $dir/17-e2.log): is mse_loss declared in"
    echo "    include/kernels/crossentropy.h as the exercise says?"
    exit 1
fi
"$dir/17-e2"
