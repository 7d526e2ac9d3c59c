#!/usr/bin/env bash
# Lesson 17, exercise 2 — the gradient of a squared error: mse_loss in kernels/crossentropy.{h,cpp}.
# Run from the repository root with BUILD set to the build folder (make check-exercise L=17 E=2).
# Its own program (exercises/e2_check.cpp) passes only when mse_loss returns (1/n) sum (pred - target)^2 and writes the gradient that
# central differences of that loss give (relative error <= 1e-6).
source lessons/exercise.sh
check_program e2_check
result=$OUTPUT
default_output_unchanged
pass "$result"
