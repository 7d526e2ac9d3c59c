#!/usr/bin/env bash
# Lesson 03, exercise 3: what each push holds back when streaming "🧬" (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/03-tokenizer"
run "$BUILD/lessons/03-tokenizer" --stream "🧬"
same "the bytes held after each push" "$ANSWER" "$(sed -n 's/.*holds \([0-9]*\) byte(s)$/\1/p' <<<"$OUTPUT" | xargs)"
pass "the stream holds $ANSWER bytes after each push, as you predicted"
