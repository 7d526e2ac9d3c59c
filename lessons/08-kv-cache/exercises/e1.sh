#!/usr/bin/env bash
# Lesson 08, exercise 1: positions pushed through the model for 100 new tokens, with and without the cache (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/08-kv-cache"
run "$BUILD/lessons/08-kv-cache" -n 100
with=$(sed -n 's/^with the cache: *\([0-9]*\).*/\1/p' <<<"$OUTPUT")
without=$(sed -n 's/^without the cache: *\([0-9]*\).*/\1/p' <<<"$OUTPUT")
same "your counts (with, without)" "$ANSWER" "$with $without"
pass "100 tokens after a 6-token prompt: $with positions with the cache, $without without"
