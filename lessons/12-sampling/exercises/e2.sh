#!/usr/bin/env bash
# Lesson 12, exercise 2: locally typical sampling (model/typical.h) with tests.
source lessons/exercise.sh
check_program e2_check
checked=$OUTPUT
[ -f tests/test_typical.cpp ] || fail "write your own tests in tests/test_typical.cpp"
build "$BUILD/tests/test_typical"
run "$BUILD/tests/test_typical"
pass "$checked; tests/test_typical.cpp passes"
