#!/usr/bin/env bash
# Lesson 09, exercise 1: GELU(1) by hand, and the sign of tanh form - erf form at x = 3 (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/09-mlp-gelu"
run "$BUILD/lessons/09-mlp-gelu"
g1=$(awk '/^== 1\./ {on = 1} on && $1 == "1.0" {print $2; exit}' <<<"$OUTPUT")
d3=$(awk '/^== 1\./ {on = 1} on && $1 == "3.0" {print $4; exit}' <<<"$OUTPUT")
sign=$(awk -v d="$d3" 'BEGIN {print (d + 0 > 0 ? "+" : "-")}')
# GELU(1) to three decimals: the table's six, rounded, give the answer +- half a unit.
same "your GELU(1) and sign" "$ANSWER" "$(awk -v g="$g1" 'BEGIN {printf "%.3f", g}') $sign" 0.0006
pass "GELU(1) = $g1 and tanh form - erf form at x = 3 is $d3: as you worked out"
