#!/usr/bin/env bash
# Lesson 04, exercise 1: is cos(x, wte[id]) of " king" higher or lower at t = 4 than at t = 1? (a prediction)
source lessons/exercise.sh
answer
build "$BUILD/lessons/04-embeddings"
run "$BUILD/lessons/04-embeddings" --prompt "The king said the king"
cos_at() { awk -v t="$1" '/^== 2\./ {on = 1} /^== 3\./ {on = 0} on && $1 == t {print $6}' <<<"$OUTPUT"; }
c1=$(cos_at 1)
c4=$(cos_at 4)
[ -n "$c1" ] && [ -n "$c4" ] || fail "the demo's stage 2 table has changed"
want=$(awk -v a="$c1" -v b="$c4" 'BEGIN {print (b > a ? "higher" : "lower")}')
same "your prediction" "$ANSWER" "$want"
pass "cos(x, wte[id]) is $want at t = 4 ($c4) than at t = 1 ($c1): |wpe[4]| is smaller, so x is more the token's own vector"
