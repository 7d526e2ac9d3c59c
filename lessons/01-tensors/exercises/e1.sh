#!/usr/bin/env bash
# Lesson 01, exercise 1: where head 5's block of columns starts (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/01-tensors"
run "$BUILD/lessons/01-tensors" --head 5
same "your prediction" "$ANSWER" "$(sed -n 's/.*a = x\.data() + \([0-9]*\).*/\1/p' <<<"$OUTPUT")"
pass "head 5's block starts at column $ANSWER: a = x.data() + $ANSWER"
