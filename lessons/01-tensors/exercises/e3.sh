#!/usr/bin/env bash
# Lesson 01, exercise 3: G again from a transposed copy of the block, behind --transposed.
source lessons/exercise.sh
build "$BUILD/lessons/01-tensors"
for prompt in "It is a truth" "Elizabeth looked at her sister"; do
    run "$BUILD/lessons/01-tensors" --transposed --prompt "$prompt"
    g=$(awk '/^G = a a\^T/ {on = 1; next} /^same as copying/ {on = 0} on' <<<"$OUTPUT")
    g2=$(awk '/^G from a transposed copy/ {on = 1; next} on && !/^ *-?[0-9]/ {on = 0} on' <<<"$OUTPUT")
    [ -n "$g2" ] || fail "with --transposed the demo must print 'G from a transposed copy ...' and then G's rows"
    [ "$(wc -l <<<"$g2")" -eq "$(wc -l <<<"$g")" ] || fail "the second G has $(wc -l <<<"$g2") rows, the first $(wc -l <<<"$g")"
    # Printed to 3 decimals; the two products add the same 32 terms in other orders (a few
    # float roundings apart), so a printed digit may differ by one unit across a rounding edge.
    same "G from the transposed copy" "$(echo $g2)" "$(echo $g)" 0.0011
done
default_output_unchanged
pass "G from the (HS, T) copy with ldb = T equals G in place, and the default output is unchanged"
