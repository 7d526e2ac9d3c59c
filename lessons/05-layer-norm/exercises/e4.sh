#!/usr/bin/env bash
# Lesson 05, exercise 4: RMSNorm (kernels/rmsnorm.h), a scalar reference and an AVX2 kernel, with tests.
source lessons/exercise.sh
coursework e4_check test_rmsnorm
