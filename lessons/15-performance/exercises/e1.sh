#!/usr/bin/env bash
# Lesson 15, exercise 1: GPT-2 124M's prefill FLOP/byte with a 16-token prompt (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/15-performance"
run "$BUILD/lessons/15-performance" --counts --tokens 16
want=$(awk '$1 == "gpt2-124M" {print $5}' <<<"$OUTPUT")
same "your FLOP/byte" "$ANSWER" "$want" 0.051
pass "a 16-token prefill of GPT-2 124M does $want FLOPs per byte, less than 16 x 0.49: wte serves one row only"
