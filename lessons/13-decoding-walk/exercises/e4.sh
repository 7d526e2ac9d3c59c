#!/usr/bin/env bash
# Lesson 13, exercise 4: beam search (model/beam_search.h), its walks replayed, with tests.
source lessons/exercise.sh
check_program e4_check
checked=$OUTPUT
[ -f tests/test_beam_search.cpp ] || fail "write your own tests in tests/test_beam_search.cpp"
build "$BUILD/tests/test_beam_search"
run "$BUILD/tests/test_beam_search"
pass "$checked; tests/test_beam_search.cpp passes"
