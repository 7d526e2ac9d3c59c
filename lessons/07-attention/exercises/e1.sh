#!/usr/bin/env bash
# Lesson 07, exercise 1: attention without the 1/sqrt(HS) scale, behind --no-scale.
source lessons/exercise.sh
build "$BUILD/lessons/07-attention"
run "$BUILD/lessons/07-attention" --no-scale
row=$(awk '/^== 3\./ {on = 1} on && /^last row :/ {print; exit}' <<<"$OUTPUT" | sed 's/^last row ://; s/ *sum .*//')
diff=$(awk '/^== 3\./ {on = 1} on && /^against the trace/ {print; exit}' <<<"$OUTPUT" | sed 's/.*max |diff| \([0-9.e+-]*\) (last row).*/\1/')
[ -n "$row" ] && [ -n "$diff" ] || fail "the demo's stage 3 no longer prints the last row and its comparison with the trace"
# Unscaled, the scores are sqrt(32) = 5.7 times larger: ' smiled' (j = 10) leads by 12.6
# instead of 2.2, so it takes exp(12.6) ~ 3e5 times any other key's weight: >= 0.999 of the row.
top=$(awk '{print $11}' <<<"$row")
awk -v t="$top" -v d="$diff" 'BEGIN {exit !(t >= 0.999 && d >= 0.1)}' ||
    fail "with --no-scale the last row should put (almost) all weight on j = 10 (got $top) and differ from the trace (got $diff)"
default_output_unchanged
pass "without the scale the last row is one-hot on ' smiled' ($top), and $diff away from the trained model's pattern"
