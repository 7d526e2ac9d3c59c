#!/usr/bin/env bash
# Lesson 10, exercise 1: at layer 0, does attention or the MLP add the longer vector? (a prediction)
source lessons/exercise.sh
answer
build "$BUILD/lessons/10-block"
run "$BUILD/lessons/10-block" --prompt "In the beginning God created the"
row=$(awk '/^== 1\./ {on = 1} on && $1 == "0" {print $3, $4; exit}' <<<"$OUTPUT")
want=$(awk -v r="$row" 'BEGIN {split(r, a, " "); print (a[2] > a[1] ? "mlp" : "attn")}')
same "your prediction (attn or mlp)" "$ANSWER" "$want"
pass "layer 0 adds |attn| ${row% *} and |mlp| ${row#* }: the $want is longer"
