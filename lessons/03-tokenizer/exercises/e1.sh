#!/usr/bin/env bash
# Lesson 03, exercise 1: the pieces of "DON'T don't" (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/03-tokenizer"
run "$BUILD/lessons/03-tokenizer" --text "DON'T don't"
want=$(sed -n 's/^\([0-9]*\) pieces: /\1 /p' <<<"$OUTPUT")
# A space inside a piece may be written ␣ (as the demo prints it) or _.
same "your pieces" "${ANSWER//_/␣}" "$want"
pass "the pre-tokenizer cuts \"DON'T don't\" into $want"
