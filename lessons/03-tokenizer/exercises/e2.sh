#!/usr/bin/env bash
# Lesson 03, exercise 2: greedy longest match against BPE, behind --longest-match.
source lessons/exercise.sh
build "$BUILD/lessons/03-tokenizer"
first=""
for word in herself " enjoyments" " unbelievable" "Darcy"; do
    check_program e2_check "$word"
    want=$OUTPUT
    first=${first:-$want}
    run "$BUILD/lessons/03-tokenizer" --word "$word" --longest-match
    got=$(grep '^longest match:' <<<"$OUTPUT" || true)
    [ -n "$got" ] || fail "with --longest-match, stage 3 must print a line 'longest match: TOKEN TOKEN ...'"
    same "longest match for '$word'" "$got" "$want"
done
default_output_unchanged
pass "longest match agrees with the check's own on 4 words (herself: ${first#longest match: })"
