#!/usr/bin/env bash
# Lesson 12, exercise 3: additive presence and frequency penalties (model/penalties.h) with tests.
source lessons/exercise.sh
coursework e3_check test_penalties
