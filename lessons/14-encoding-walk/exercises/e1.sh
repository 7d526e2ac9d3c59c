#!/usr/bin/env bash
# Lesson 14, exercise 1: |xhat| of h.0.ln_1 with layer_norm_epsilon 0.001 (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/14-encoding-walk"
model_copy layer_norm_epsilon 0.001
run "$BUILD/lessons/14-encoding-walk" --model "$MODEL_COPY"
want=$(awk '$1 == "h.0.ln_1" {print $4; exit}' <<<"$OUTPUT")
# By hand from stage 3's rounded std (0.0562, so var ~ 0.00315): sqrt(C var / (var + eps))
# comes to 12.07 give or take 0.01; the demo computes it from the exact variance.
same "your |xhat|" "$ANSWER" "$want" 0.015
pass "with eps = 0.001, |xhat| of h.0.ln_1 is $want: the embedding's small variance is now only 3 eps"
