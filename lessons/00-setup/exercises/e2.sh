#!/usr/bin/env bash
# Lesson 00, exercise 2: how many tokens -n 300 produces (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/00-setup"
run "$BUILD/lessons/00-setup" -n 300
line=$(grep -E '^[0-9]+ new tokens; stopped' <<<"$OUTPUT")
same "your prediction" "$ANSWER" "${line%% *}"
pass "the demo stops after $ANSWER new tokens ($line)"
