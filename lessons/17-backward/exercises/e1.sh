#!/usr/bin/env bash
# Lesson 17, exercise 1 — the backward of SiLU: silu_ref and silu_backward_ref (float64) in
# kernels/gelu.{h,cpp}. Run from the repository root with BUILD set to the build folder
# (make check-exercise L=17 E=1). Its own program (exercises/e1_check.cpp) passes only
# when silu_ref is x * sigmoid(x) and silu_backward_ref adds the gradient that central
# differences of silu_ref give (relative error <= 1e-6, as the tests' bar).
source lessons/exercise.sh
check_program e1_check
result=$OUTPUT
default_output_unchanged
pass "$result"
