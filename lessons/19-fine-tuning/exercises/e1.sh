#!/usr/bin/env bash
# Lesson 19, exercise 1 — freeze the token vectors: `gptwalk walk finetune --freeze-embeddings`.
# Run from the repository root with BUILD set to the build folder (make check-exercise L=19 E=1).
# Two short updates with the flag: the "wte + wpe" row of section 4 must show no change at all,
# and every block's row a change (so the rest of the model still learns).
source lessons/exercise.sh
build "$BUILD/gptwalk"
dir=$SCRATCH  # removed when the check ends
if ! "$BUILD/gptwalk" walk finetune --steps 2 --batch 2 --seq 16 -k 0 --freeze-embeddings >"$dir/19-e1.txt" 2>&1; then
    fail "gptwalk walk finetune --freeze-embeddings: $(tail -1 "$dir/19-e1.txt")"
fi
embeddings=$(sed -n 's/.*wte + wpe *\([0-9.]*\)$/\1/p' "$dir/19-e1.txt")
blocks=$(sed -n 's/.* h\.[0-9]* *\([0-9.]*\)$/\1/p' "$dir/19-e1.txt" | tr '\n' ' ')
[ -n "$embeddings" ] && [ -n "$blocks" ] || fail "no per-layer table in the output"
why=$(awk -v e="$embeddings" -v b="$blocks" 'BEGIN {
    if (e + 0 != 0) { printf "wte + wpe moved by %s with --freeze-embeddings\n", e; exit 1 }
    n = split(b, v, " "); for (i = 1; i <= n; i++) if (v[i] + 0 == 0) { print "a block did not move at all"; exit 1 }
    printf "the token and position vectors stay as they were; the %d blocks still move\n", n }') || fail "$why"
pass "$why"
