#!/usr/bin/env bash
# Lesson 05, exercise 4: RMSNorm (kernels/rmsnorm.h), a scalar reference and an AVX2 kernel, with tests.
source lessons/exercise.sh
check_program e4_check
checked=$OUTPUT
[ -f tests/test_rmsnorm.cpp ] || fail "write your own tests in tests/test_rmsnorm.cpp"
build "$BUILD/tests/test_rmsnorm"
run "$BUILD/tests/test_rmsnorm"
pass "$checked; tests/test_rmsnorm.cpp passes"
