#!/usr/bin/env bash
# Lesson 02, exercise 2: GPT-2 small's parameter count from the formula (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/09-mlp-gelu"
run "$BUILD/lessons/09-mlp-gelu"
same "your count" "$ANSWER" "$(awk '/^gpt2 124M/ {print $7}' <<<"$OUTPUT")"
pass "GPT-2 small has $ANSWER parameters, as you counted"
