#!/usr/bin/env bash
# Lesson 07, exercise 3: grouped-query attention (kernels/gqa.h) with its tests.
source lessons/exercise.sh
check_program e3_check
checked=$OUTPUT
[ -f tests/test_gqa.cpp ] || fail "write your own tests in tests/test_gqa.cpp"
build "$BUILD/tests/test_gqa"
run "$BUILD/tests/test_gqa"
pass "$checked; tests/test_gqa.cpp passes"
