#!/usr/bin/env bash
# Lesson 13, exercise 2: is the newline's lead at step 8 content or prior? (a prediction)
source lessons/exercise.sh
answer
build "$BUILD/lessons/13-decoding-walk"
run "$BUILD/lessons/13-decoding-walk" --at 8
row=$(awk '/^== 3\./ {on = 1} on && /<- chosen/ {print $2, $3; exit}' <<<"$OUTPUT")
[ -n "$row" ] || fail "the demo's stage 3 no longer marks the chosen token"
want=$(awk -v r="$row" 'BEGIN {split(r, a, " "); print (a[1] > a[2] ? "content" : "prior")}')
same "your prediction (content or prior)" "$ANSWER" "$want"
pass "at step 8 the newline's logit is content ${row% *} plus prior ${row#* }: the context decides"
