#!/usr/bin/env bash
# Lesson 00, exercise 3: the first greedy token with layer_norm_epsilon 0.1 (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/00-setup"
# A copy of the shipped model whose only change is the epsilon (the big files are links).
model="$SCRATCH/tg"
mkdir -p "$model"
for f in weights/tiny-gpt2/*; do ln -s "$PWD/$f" "$model/"; done
rm "$model/config.json"
sed 's/"layer_norm_epsilon": *[0-9.eE+-]*/"layer_norm_epsilon": 0.1/' weights/tiny-gpt2/config.json >"$model/config.json"
grep -q '"layer_norm_epsilon": 0.1' "$model/config.json" || fail "could not set layer_norm_epsilon in the copy"
run "$BUILD/lessons/00-setup" --model "$model" -n 1
same "your prediction" "$ANSWER" "$(sed -n 's/^new ids: //p' <<<"$OUTPUT")"
pass "with epsilon 0.1 the first greedy token is id $ANSWER, as you predicted"
