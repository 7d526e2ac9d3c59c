#!/usr/bin/env bash
# Lesson 12, exercise 1: rows for any min-p and temperature in stage 2, behind --min-p and --temperature.
source lessons/exercise.sh
build "$BUILD/lessons/12-sampling"
check_program e1_check
want_minp=$(sed -n 1p <<<"$OUTPUT")
want_temp=$(sed -n 2p <<<"$OUTPUT")
run "$BUILD/lessons/12-sampling" --min-p 0.5 --temperature 0.25
row_of() { grep -m1 "^$1 " <<<"$OUTPUT" || true; }
minp=$(row_of "min-p 0.5")
temp=$(row_of "temperature 0.25")
[ -n "$minp" ] && [ -n "$temp" ] ||
    fail "with --min-p 0.5 --temperature 0.25, stage 2 must add the rows 'min-p 0.5 keeps N tokens ...' and 'temperature 0.25 keeps ...'"
# The row: LABEL keeps N tokens (M% of the plain mass): TOKEN P TOKEN P ...
count=$(sed 's/.* keeps *\([0-9]*\) tokens.*/\1/' <<<"$minp")
firsts() { sed 's/^[^:]*: //' <<<"$1" | awk '{printf "%s %s %s", $2, $4, $6}'; }
# Both from the same logits in double, printed to 3 decimals: one unit of slack.
same "min-p 0.5 (tokens kept, first three probabilities)" "$count $(firsts "$minp")" "$want_minp" 0.0011
same "temperature 0.25 (first three probabilities)" "$(firsts "$temp")" "$want_temp" 0.0011
default_output_unchanged
pass "min-p 0.5 keeps $count tokens ($(firsts "$minp")); temperature 0.25 gives $(firsts "$temp")"
