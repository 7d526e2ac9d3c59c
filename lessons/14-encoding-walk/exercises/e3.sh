#!/usr/bin/env bash
# Lesson 14, exercise 3: position kernels with rotary positions (walks/rope_kernels.h) and tests.
source lessons/exercise.sh
check_program e3_check
checked=$OUTPUT
[ -f tests/test_rope_kernels.cpp ] || fail "write your own tests in tests/test_rope_kernels.cpp"
build "$BUILD/tests/test_rope_kernels"
run "$BUILD/tests/test_rope_kernels"
pass "$checked; tests/test_rope_kernels.cpp passes"
