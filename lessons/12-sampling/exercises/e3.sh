#!/usr/bin/env bash
# Lesson 12, exercise 3: additive presence and frequency penalties (model/penalties.h) with tests.
source lessons/exercise.sh
check_program e3_check
checked=$OUTPUT
[ -f tests/test_penalties.cpp ] || fail "write your own tests in tests/test_penalties.cpp"
build "$BUILD/tests/test_penalties"
run "$BUILD/tests/test_penalties"
pass "$checked; tests/test_penalties.cpp passes"
