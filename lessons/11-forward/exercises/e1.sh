#!/usr/bin/env bash
# Lesson 11, exercise 1: p(␣clouds) / p(␣world) from their logits alone (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/11-forward"
run "$BUILD/lessons/11-forward"
want=$(awk '/^== 4\./ {on = 1} on && $2 == "[␣clouds]" {a = $3} on && $2 == "[␣world]" {b = $3} END {printf "%.2f", exp(a - b)}' <<<"$OUTPUT")
# From logits printed to 3 decimals: exp of a difference known to 0.001 is known to 0.1%.
same "your ratio" "$ANSWER" "$want" 0.011
pass "exp(logit difference) = $want: the softmax's ratios are the exponentials of logit gaps"
