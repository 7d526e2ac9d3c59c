#!/usr/bin/env bash
# Lesson 15, exercise 2: how many of the (T, T) scores attention_heads computes per head for
# T = 128, with row blocks of 16, 32, 128 and 1024 (a prediction, from reading the code).
source lessons/exercise.sh
answer
# attention_heads (src/kernels/attention.cpp) runs, for a fresh prompt (pos0 = 0), one
# product per block of rows [r0, r1) against keys 0 .. r1 - 1: rows * r1 scores. The loop
# below is that loop, counting instead of multiplying.
grep -q 'const int64_t keys = pos0 + r1;' src/kernels/attention.cpp ||
    fail "attention_heads no longer computes rows x (pos0 + r1) scores per block: this check must follow it"
want=$(awk 'BEGIN {
    T = 128; split("16 32 128 1024", R, " ")
    for (b = 1; b <= 4; b++) { n = 0; for (r0 = 0; r0 < T; r0 += R[b]) { r1 = (r0 + R[b] < T) ? r0 + R[b] : T; n += (r1 - r0) * r1 }; printf "%d ", n }
}' | xargs)
same "your counts (blocks of 16, 32, 128, 1024)" "$ANSWER" "$want"
pass "T = 128: $want scores per head; the full square is 16384, the causal triangle 8256"
