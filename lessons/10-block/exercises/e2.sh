#!/usr/bin/env bash
# Lesson 10, exercise 2: the final state without one term of its sum, behind --leave-out.
source lessons/exercise.sh
build "$BUILD/lessons/10-block"
check_program e2_check
want=$(xargs <<<"$OUTPUT")
run "$BUILD/lessons/10-block" --leave-out
got="$(grep -m1 '^without h.0.mlp_out' <<<"$OUTPUT" | sed 's/.*= *//') $(grep -m1 '^without h.5.mlp_out' <<<"$OUTPUT" | sed 's/.*= *//')"
# Both in double from the same trace, printed to 3 decimals: one unit of slack.
same "cos(x - term, x) for h.0.mlp_out and h.5.mlp_out" "$got" "$want" 0.0011
default_output_unchanged
pass "leaving out h.0.mlp_out leaves cos ${want% *}, h.5.mlp_out cos ${want#* }: layer 0's MLP shapes more of the final direction"
