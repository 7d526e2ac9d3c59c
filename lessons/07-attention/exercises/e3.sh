#!/usr/bin/env bash
# Lesson 07, exercise 3: grouped-query attention (kernels/gqa.h) with its tests.
source lessons/exercise.sh
coursework e3_check test_gqa
