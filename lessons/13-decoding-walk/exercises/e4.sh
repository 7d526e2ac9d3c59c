#!/usr/bin/env bash
# Lesson 13, exercise 4: beam search (model/beam_search.h), its walks replayed, with tests.
source lessons/exercise.sh
coursework e4_check test_beam_search
