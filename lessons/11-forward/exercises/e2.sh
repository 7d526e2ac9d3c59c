#!/usr/bin/env bash
# Lesson 11, exercise 2: the first token the model predicts after "ROMEO:" (a guess).
source lessons/exercise.sh
answer
build "$BUILD/lessons/11-forward"
run "$BUILD/lessons/11-forward" --prompt "ROMEO:" -n 1
step0=$(grep -m1 '^  step 0:' <<<"$OUTPUT")
want=$(sed 's/.*-> \[\(.*\)\] *p .*/\1/' <<<"$step0")
same "your guess" "${ANSWER//_/␣}" "$want"
pass "after \"ROMEO:\" the model predicts [$want] with ${step0##* p }: a play's speaker name is followed by a new line"
