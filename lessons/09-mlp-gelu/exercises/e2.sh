#!/usr/bin/env bash
# Lesson 09, exercise 2: the MLP with ReLU instead of GELU, behind --relu.
source lessons/exercise.sh
build "$BUILD/lessons/09-mlp-gelu"
check_program e2_check
want=$OUTPUT
run "$BUILD/lessons/09-mlp-gelu" --relu
got=$(grep -m1 '^with ReLU instead' <<<"$OUTPUT" | sed 's/.*= *//')
[ -n "$got" ] || fail "with --relu, stage 2 must print 'with ReLU instead: |mlp_out change| / |mlp_out| = X'"
# Printed with two significant digits (%.1e): within 5% of the check's own value.
awk -v g="$got" -v w="$want" 'BEGIN {d = g - w; if (d < 0) d = -d; exit !(d <= 0.05 * w)}' ||
    fail "your |mlp_out change| / |mlp_out| is $got, but the MLP with ReLU changes it by $want"
default_output_unchanged
pass "with ReLU, layer 3's mlp_out moves by $got of its length (GELU's erf form: 1.1e-03)"
