#!/usr/bin/env bash
# Lesson 16, exercise 1: --position P moves stage 1's count (default 128), and a prediction of
# Q8's speed limit over F32 for GPT-2 124M at position 1000.
source lessons/exercise.sh
answer
build "$BUILD/lessons/16-reduced-precision"
check_program e1_check 1000   # decode_bytes at position 1000, in stage 1's format
want=$OUTPUT
run "$BUILD/lessons/16-reduced-precision" --no-timing --position 1000
grep -qF "1. Bytes a decode step reads (at position 1000)" <<<"$OUTPUT" ||
    fail "with --position 1000, stage 1's title must say '(at position 1000)'"
got=$(awk '$1 == "gpt2-124M" { $1 = ""; print }' <<<"$OUTPUT" | xargs)
same "stage 1's gpt2-124M row at position 1000" "$got" "$want"
default_output_unchanged
# "roughly": within 0.1 of the printed ratio (2 digits), the KV cache's share worked out by hand.
q8=$(awk '{ sub(/x$/, "", $5); print $5 }' <<<"$want")
same "your prediction of q8's speed limit over f32 at position 1000" "$ANSWER" "$q8" 0.1
pass "at position 1000 the F32 KV cache is a larger share of each step: q8's limit over f32 is ${q8}x"
