#!/usr/bin/env bash
# Lesson 19, exercise 2 — more held out: `gptwalk walk finetune --held-out N`.
# Run from the repository root with BUILD set to the build folder (make check-exercise L=19 E=2).
# One update with --held-out 5: the table of section 3 must list 5 held-out pairs and 13
# trained ones, none of them the same pair, and the query is never trained on.
set -euo pipefail
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/gptwalk"
dir="$BUILD/exercises"
mkdir -p "$dir"
if ! "$BUILD/gptwalk" walk finetune --steps 1 --batch 2 --seq 16 -k 0 --held-out 5 >"$dir/19-e2.txt" 2>&1; then
    echo "e2: FAIL: gptwalk walk finetune --held-out 5: $(tail -1 "$dir/19-e2.txt")"
    exit 1
fi
pairs() { sed -n "s/^$1 *\\([a-z]* -> [a-z]*\\) .*/\\1/p" "$dir/19-e2.txt"; }
held=$(pairs "held out" | sort) trained=$(pairs trained | sort)
[ "$(echo "$held" | grep -c .)" -eq 5 ] || { echo "e2: FAIL: $(echo "$held" | grep -c .) held-out pairs listed, want 5"; exit 1; }
[ "$(echo "$trained" | grep -c .)" -eq 13 ] || { echo "e2: FAIL: $(echo "$trained" | grep -c .) trained pairs listed, want 13"; exit 1; }
both=$(comm -12 <(echo "$held") <(echo "$trained"))
[ -z "$both" ] || { echo "e2: FAIL: trained AND held out: $both"; exit 1; }
if echo "$trained" | grep -qx "seven -> eight"; then echo "e2: FAIL: the query is trained on"; exit 1; fi
echo "e2: PASS: 5 pairs held out, 13 trained, none in both"
