#!/usr/bin/env bash
# Lesson 01, exercise 4: strided views (include/core/strided.h) and their test suite.
source lessons/exercise.sh
check_program e4_check
checked=$OUTPUT
[ -f tests/test_strided.cpp ] || fail "write your own tests in tests/test_strided.cpp"
build "$BUILD/tests/test_strided"
run "$BUILD/tests/test_strided"
build "$BUILD/lessons/01-tensors"
default_output_unchanged
pass "$checked; tests/test_strided.cpp passes"
