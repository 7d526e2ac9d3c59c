#!/usr/bin/env bash
# Lesson 12, exercise 2: locally typical sampling (model/typical.h) with tests.
source lessons/exercise.sh
coursework e2_check test_typical
