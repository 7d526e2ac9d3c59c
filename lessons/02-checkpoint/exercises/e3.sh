#!/usr/bin/env bash
# Lesson 02, exercise 3: a file with two overlapping tensors, loaded behind --overlap.
source lessons/exercise.sh
build "$BUILD/lessons/02-checkpoint"
run "$BUILD/lessons/02-checkpoint" --overlap
line=$(grep -E '^  -> .*overlap\.safetensors: .*overlap$' <<<"$OUTPUT" || true)
[ -n "$line" ] || fail "with --overlap, stage 6 must show the loader's error for overlap.safetensors (a line '  -> <tmp>/overlap.safetensors: ... overlap')"
default_output_unchanged
pass "the loader refuses the overlapping tensors:${line#  ->}"
