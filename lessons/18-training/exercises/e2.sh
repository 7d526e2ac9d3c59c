#!/usr/bin/env bash
# Lesson 18, exercise 2 — momentum: OptimizerKind::Momentum, m <- 0.9 m + g, w <- w - lr_t m.
# Run from the repository root with BUILD set to the build folder (make check-exercise L=18 E=2).
# Its own program (exercises/e2_check.cpp) runs two updates on known gradients and compares
# every weight with w0 - lr_1 g1 - lr_2 (0.9 g1 + g2); then one update of
# `gptwalk train --optimizer momentum` must run.
source lessons/exercise.sh
check_program e2_check
result=$OUTPUT
build "$BUILD/gptwalk"
run "$BUILD/gptwalk" train --config n_layer=1,n_embd=32,n_head=2,n_positions=32 \
    --data lessons/data/pride-and-prejudice-1-10.txt --out "$SCRATCH/run" --steps 1 --batch 1 --seq 8 \
    --optimizer momentum --save-every 0
pass "$result; gptwalk train --optimizer momentum runs"
