#!/usr/bin/env bash
# Lesson 05, exercise 3: a constant w and zero b in stage 3, behind --constant-w W.
source lessons/exercise.sh
build "$BUILD/lessons/05-layer-norm"
for w in 0.721 2; do
    run "$BUILD/lessons/05-layer-norm" --constant-w "$w"
    xhat=$(awk '/^== 2\./ {on = 1} /^== 3\./ {on = 0} on && $1 ~ /^[0-9]+$/ {last = $5} END {print last}' <<<"$OUTPUT")
    out=$(sed -n 's/^last token: |out| = \([0-9.]*\),.*/\1/p' <<<"$OUTPUT")
    want=$(awk -v w="$w" -v x="$xhat" 'BEGIN {printf "%.4f", w * x}')
    # Both printed to 4 decimals: w times |x^|'s rounding (up to 5e-5 each) plus |out|'s own.
    same "|out| with w = $w and b = 0" "$out" "$want" 0.00016
done
default_output_unchanged
pass "with a constant w and b = 0, |out| = w |x^|: a uniform scaling; the real w and b are not one"
