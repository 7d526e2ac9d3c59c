#!/usr/bin/env bash
# Lesson 02, exercise 1: a random BF16 model's wte bytes and small tensors widened (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/02-checkpoint" "$BUILD/tools/make_random_gpt2"
run "$BUILD/tools/make_random_gpt2" --out "$SCRATCH/r" --dtype bf16
run "$BUILD/lessons/02-checkpoint" --model "$SCRATCH/r"
bytes=$(sed -n 's/^check: wte.weight holds .* = \([0-9]*\) bytes$/\1/p' <<<"$OUTPUT")
widened=$(sed -n 's/.* \([0-9]*\) small tensors widened to F32$/\1/p' <<<"$OUTPUT")
same "your prediction (wte's bytes, then the widened tensors)" "$ANSWER" "$bytes $widened"
pass "wte.weight takes $bytes bytes and $widened tensors are widened, as you predicted"
