#!/usr/bin/env bash
# Lesson 16, exercise 2: --truncate prints, right after stage 2's BF16 line, the mean relative
# error of BF16 rounded and truncated over the weight's block of 32; and a prediction of which
# is near zero and which sign the other has.
source lessons/exercise.sh
answer
build "$BUILD/lessons/16-reduced-precision"
check_program e2_check   # line 1: the expected line; line 2: "<nearer zero> <truncation's sign>"
want_line=$(sed -n 1p <<<"$OUTPUT")
want_answer=$(sed -n 2p <<<"$OUTPUT")
run "$BUILD/lessons/16-reduced-precision" --no-timing --truncate
got=$(grep -A1 '^BF16  ' <<<"$OUTPUT" | sed -n 2p | tr -d ,)
# Numbers within 1e-5, one unit of truncation's last printed digit: a solution that sums in
# float rather than double may move a last digit; a wrong block or a wrong formula moves more.
same "the line after stage 2's BF16 line" "$got" "$(tr -d , <<<"$want_line")" 1e-5
default_output_unchanged
same "your prediction (which is nearer zero, then the sign of the other)" "$ANSWER" "$want_answer"
pass "rounding's errors cancel over the block; truncation's all point towards zero ($want_answer)"
