#!/usr/bin/env bash
# Lesson 08, exercise 3: taking tokens back out of the KV cache (model/rollback.h) with tests.
source lessons/exercise.sh
coursework e3_check test_rollback
