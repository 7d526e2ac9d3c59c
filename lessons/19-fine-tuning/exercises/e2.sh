#!/usr/bin/env bash
# Lesson 19, exercise 2 — more held out: `gptwalk walk finetune --held-out N`.
# Run from the repository root with BUILD set to the build folder (make check-exercise L=19 E=2).
# One update with --held-out 5: the table of section 3 must list 5 held-out pairs and 13
# trained ones, none of them the same pair, and the query is never trained on.
source lessons/exercise.sh
build "$BUILD/gptwalk"
dir=$SCRATCH  # removed when the check ends
if ! "$BUILD/gptwalk" walk finetune --steps 1 --batch 2 --seq 16 -k 0 --held-out 5 >"$dir/19-e2.txt" 2>&1; then
    fail "gptwalk walk finetune --held-out 5: $(tail -1 "$dir/19-e2.txt")"
fi
pairs() { sed -n "s/^$1 *\\([a-z]* -> [a-z]*\\) .*/\\1/p" "$dir/19-e2.txt"; }
held=$(pairs "held out" | sort) trained=$(pairs trained | sort)
[ "$(echo "$held" | grep -c .)" -eq 5 ] || fail "$(echo "$held" | grep -c .) held-out pairs listed, want 5"
[ "$(echo "$trained" | grep -c .)" -eq 13 ] || fail "$(echo "$trained" | grep -c .) trained pairs listed, want 13"
both=$(comm -12 <(echo "$held") <(echo "$trained"))
[ -z "$both" ] || fail "trained AND held out: $both"
if echo "$trained" | grep -qx "seven -> eight"; then fail "the query is trained on"; fi
pass "5 pairs held out, 13 trained, none in both"
