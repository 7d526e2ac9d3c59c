#!/usr/bin/env bash
# Lesson 08, exercise 3: taking tokens back out of the KV cache (model/rollback.h) with tests.
source lessons/exercise.sh
check_program e3_check
checked=$OUTPUT
[ -f tests/test_rollback.cpp ] || fail "write your own tests in tests/test_rollback.cpp"
build "$BUILD/tests/test_rollback"
run "$BUILD/tests/test_rollback"
pass "$checked; tests/test_rollback.cpp passes"
