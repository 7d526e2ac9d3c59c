#!/usr/bin/env bash
# Lesson 05, exercise 1: |x^| of the last token with eps = 0.003 (a prediction from the formula).
source lessons/exercise.sh
answer
build "$BUILD/lessons/05-layer-norm"
run "$BUILD/lessons/05-layer-norm" --eps 0.003
want=$(awk '/^== 2\./ {on = 1} /^== 3\./ {on = 0} on && $1 ~ /^[0-9]+$/ {last = $5} END {print last}' <<<"$OUTPUT")
# From stage 1's rounded variance (0.00315) the formula gives 9.917; the demo's exact
# variance gives its own value a few thousandths away: 0.01 accepts the formula, not a guess.
same "your |x^|" "$ANSWER" "$want" 0.01
pass "|x^| is $want with eps = 0.003: sqrt(C) * sqrt(var / (var + eps)), eps is about the variance"
