#!/usr/bin/env bash
# Lesson 11, exercise 3: stage 4's probabilities from scaled logits, behind --scale-logits.
source lessons/exercise.sh
build "$BUILD/lessons/11-forward"
tokens() { awk '/^== 4\./ {on = 1} /^the token most aligned/ {on = 0} on && $1 ~ /^[0-9]+$/ {print $2}' <<<"$OUTPUT" | xargs; }
run "$BUILD/lessons/11-forward"
before=$(tokens)
run "$BUILD/lessons/11-forward" --scale-logits 2
same "the ranking with doubled logits" "$(tokens)" "$before"
got=$(awk '/^== 4\./ {on = 1} on && $1 ~ /^[1-3]$/ {printf "%s ", $4}' <<<"$OUTPUT" | xargs)
check_program e3_check
# The check's double softmax and the demo's, on logits from two forward passes that agree to
# kForwardOrderAtol (2e-5, tests/testing.h): probabilities within ~1e-5, printed to 4 decimals.
same "the top three probabilities with doubled logits" "$got" "$OUTPUT" 0.00012
default_output_unchanged
pass "doubling the logits keeps the ranking and sharpens the top three to $got"
