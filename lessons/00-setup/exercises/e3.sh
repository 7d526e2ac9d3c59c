#!/usr/bin/env bash
# Lesson 00, exercise 3: the first greedy token with layer_norm_epsilon 0.1 (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/00-setup"
# A copy of the shipped model whose only change is the epsilon (the big files are links).
model_copy layer_norm_epsilon 0.1
run "$BUILD/lessons/00-setup" --model "$MODEL_COPY" -n 1
same "your prediction" "$ANSWER" "$(sed -n 's/^new ids: //p' <<<"$OUTPUT")"
pass "with epsilon 0.1 the first greedy token is id $ANSWER, as you predicted"
