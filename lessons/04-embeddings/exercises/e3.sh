#!/usr/bin/env bash
# Lesson 04, exercise 3: the mean cosine over pairs of the 100 longest and 100 shortest token vectors, behind --pairs.
source lessons/exercise.sh
build "$BUILD/lessons/04-embeddings"
check_program e3_check
want=$OUTPUT
run "$BUILD/lessons/04-embeddings" --pairs
got="$(grep -m1 'the 100 longest' <<<"$OUTPUT" | sed 's/.*: *//') $(grep -m1 'the 100 shortest' <<<"$OUTPUT" | sed 's/.*: *//')"
# Both in double; printed to 4 decimals: one unit in the last place, and a hair for the order of the sums.
same "the mean cosines (longest, shortest)" "$got" "$want" 0.00011
default_output_unchanged
pass "mean cosine of the 100 longest token vectors ${want% *}, of the 100 shortest ${want#* }"
