#!/usr/bin/env bash
# Lesson 00, exercise 1: the first two new ids after "In the beginning" (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/00-setup"
run "$BUILD/lessons/00-setup" --prompt "In the beginning" -n 2
same "your prediction" "$ANSWER" "$(sed -n 's/^new ids: //p' <<<"$OUTPUT")"
pass "the demo's first two new ids are $ANSWER, as you predicted"
