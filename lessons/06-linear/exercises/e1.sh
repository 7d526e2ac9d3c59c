#!/usr/bin/env bash
# Lesson 06, exercise 1: the FLOPs and weight bytes of stage 1's product (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/06-linear"
run "$BUILD/lessons/06-linear"
shape=$(sed -n 's/^x = h.0.ln_2 (T, C) = (\([0-9]*\), \([0-9]*\))  ->  y (T, 4C) = ([0-9]*, \([0-9]*\))$/\1 \2 \3/p' <<<"$OUTPUT")
[ -n "$shape" ] || fail "the demo's stage 1 no longer prints the shapes this check reads"
want=$(awk -v s="$shape" 'BEGIN {split(s, d, " "); printf "%d %d", 2 * d[1] * d[2] * d[3], 4 * d[2] * d[3]}')
same "your FLOPs and bytes" "$ANSWER" "$want"
pass "2 T IC OC = ${want% *} FLOPs on 4 IC OC = ${want#* } bytes of weights: $(awk -v s="$want" 'BEGIN {split(s, d, " "); printf "%.1f", d[1] / d[2]}') FLOPs per byte"
