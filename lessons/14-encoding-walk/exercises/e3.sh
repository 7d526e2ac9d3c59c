#!/usr/bin/env bash
# Lesson 14, exercise 3: position kernels with rotary positions (walks/rope_kernels.h) and tests.
source lessons/exercise.sh
coursework e3_check test_rope_kernels
