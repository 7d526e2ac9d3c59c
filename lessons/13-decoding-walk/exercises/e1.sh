#!/usr/bin/env bash
# Lesson 13, exercise 1: the greedy walk's log P under the model (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/13-decoding-walk"
run "$BUILD/lessons/13-decoding-walk" --temperature 0
want=$(sed -n "s/^log P(path) = \([-0-9.]*\) nats under the model's own softmax.*/\1/p" <<<"$OUTPUT")
sampled=$(sed -n 's/^log P(path) = \([-0-9.]*\) nats under the sampler.*/\1/p' <<<"$OUTPUT")
same "your log P(path) under the model" "$ANSWER" "$want" 0.0001
pass "the greedy walk has log P = $want under the model, and $sampled under the (greedy) sampler"
