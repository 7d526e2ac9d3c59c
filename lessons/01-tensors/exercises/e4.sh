#!/usr/bin/env bash
# Lesson 01, exercise 4: strided views (include/core/strided.h) and their test suite.
source lessons/exercise.sh
check_program e4_check  # first: it fails at once while the module is missing
build "$BUILD/lessons/01-tensors"
default_output_unchanged
coursework e4_check test_strided
