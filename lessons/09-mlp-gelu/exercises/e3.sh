#!/usr/bin/env bash
# Lesson 09, exercise 3: GPT-2 1.5B's MLP parameters and their share of the model (a count).
source lessons/exercise.sh
answer
build "$BUILD/lessons/09-mlp-gelu"
run "$BUILD/lessons/09-mlp-gelu"
want=$(awk '/^gpt2 1.5B/ {sub("%", "", $NF); print $5, $NF}' <<<"$OUTPUT")
same "your count and share (%)" "$ANSWER" "$want" 0.05
pass "GPT-2 1.5B's MLPs hold ${want% *} parameters, ${want#* }% of all"
