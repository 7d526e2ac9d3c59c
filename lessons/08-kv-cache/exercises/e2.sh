#!/usr/bin/env bash
# Lesson 08, exercise 2: GPT-2 124M's cache with one key/value head, in bytes (a prediction).
source lessons/exercise.sh
answer
check_program e2_check
same "your cache size in bytes" "$ANSWER" "$OUTPUT"
pass "one kv head: $OUTPUT bytes ($(awk -v b="$OUTPUT" 'BEGIN {printf "%g", b / 1048576}') MiB), a twelfth of the 72 MiB of twelve"
