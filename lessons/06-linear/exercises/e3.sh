#!/usr/bin/env bash
# Lesson 06, exercise 3: the rank of " acknowledged" after "It is a truth universally", behind --rank-of.
source lessons/exercise.sh
answer
build "$BUILD/lessons/06-linear" "$BUILD/lessons/11-forward"
run "$BUILD/lessons/06-linear" --rank-of " acknowledged"
got=$(sed -n 's/^rank of .*: \([0-9]*\)$/\1/p' <<<"$OUTPUT")
[ -n "$got" ] || fail "with --rank-of TOKEN, stage 4 must print 'rank of TOKEN ...: N'"
# Lesson 11's demo ranks every next token of its prompt from its own forward pass.
run "$BUILD/lessons/11-forward" --prompt "It is a truth universally acknowledged" -n 0
want=$(sed -n 's/.*after \[␣universally\] *next \[␣acknowledged\] .*rank *\([0-9]*\)$/\1/p' <<<"$OUTPUT")
same "the rank your code prints" "$got" "$want"
same "your prediction (is it in the top 10?)" "$ANSWER" "$( [ "$want" -le 10 ] && echo yes || echo no)"
default_output_unchanged
pass "␣acknowledged ranks $want after \"universally\": your code and lesson 11's forward pass agree"
