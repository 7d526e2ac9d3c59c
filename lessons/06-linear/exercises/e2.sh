#!/usr/bin/env bash
# Lesson 06, exercise 2: the same product from an nn.Linear-shaped (OC, IC) copy of W, behind --transposed-weight.
source lessons/exercise.sh
build "$BUILD/lessons/06-linear"
run "$BUILD/lessons/06-linear" --transposed-weight
line=$(grep -m1 '^y from W transposed' <<<"$OUTPUT" || true)
[ -n "$line" ] || fail "with --transposed-weight, stage 1 must print 'y from W transposed ..., ldb = N: max |diff| X'"
ldb=$(sed -n 's/.*ldb = \([0-9]*\).*/\1/p' <<<"$line")
diff=$(sed 's/.*max |diff| *//' <<<"$line")
same "ldb" "$ldb" "$(sed -n 's/^h.0.mlp.c_fc.weight in the file: (\([0-9]*\), .*/\1/p' <<<"$OUTPUT")"
# Two float orders of the same 193-term sums, each within 1e-4 of the exact one (stage 3's
# bound, from float_sum_error): within 2e-4 of each other. A wrong ldb or transpose is off by O(1).
awk -v d="$diff" 'BEGIN {exit !(d + 0 <= 2e-4 && d ~ /^[0-9.eE+-]+$/)}' || fail "y from the transposed copy differs from stage 1's by $diff (more than 2e-4)"
default_output_unchanged
pass "y from the (OC, IC) copy, b_transposed = true, ldb = $ldb: max |diff| $diff"
