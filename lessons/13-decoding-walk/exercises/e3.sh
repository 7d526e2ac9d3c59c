#!/usr/bin/env bash
# Lesson 13, exercise 3: the step length |c_t - c_t-1| as a last column of stage 1, behind --step-length.
source lessons/exercise.sh
build "$BUILD/lessons/13-decoding-walk"
run "$BUILD/lessons/13-decoding-walk" --step-length
rows=$(awk '/^== 1\./ {on = 1} /^text:/ {on = 0} on && $1 ~ /^[0-9]+$/ {print $8, $9, $10}' <<<"$OUTPUT")
[ "$(wc -l <<<"$rows")" -ge 12 ] || fail "with --step-length, stage 1 must keep its 12 rows and add a last column"
# |a - b|^2 = |a|^2 + |b|^2 - 2 |a| |b| cos(a, b), from the printed |c_t| (2 decimals) and cos
# (4 decimals): their rounding moves the result by up to about 0.015 for lengths near 38.
prev=""
while read -r len cos step; do
    if [ -z "$prev" ]; then
        [ "$step" = "-" ] || fail "step 0 has no previous context: its step length must be '-', got '$step'"
    else
        want=$(awk -v a="$len" -v b="$prev" -v c="$cos" 'BEGIN {printf "%.3f", sqrt(a * a + b * b - 2 * a * b * c)}')
        same "the step length after |c_t| = $len" "$step" "$want" 0.02
    fi
    prev=$len
done <<<"$rows"
default_output_unchanged
pass "every step length agrees with |c_t|, |c_t-1| and their cosine: the walk jumps about |c_t| each step"
