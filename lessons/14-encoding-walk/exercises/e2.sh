#!/usr/bin/env bash
# Lesson 14, exercise 2: switch one head off (--ablate L,H) and watch the walk.
source lessons/exercise.sh
build "$BUILD/lessons/14-encoding-walk"
walk_rows() { awk '/^== 1\./ {on = 1} /^== 2\./ {on = 0} on && $1 ~ /^(embed|h\.[0-9]+\.resid_(mid|post))$/' <<<"$OUTPUT"; }
# Stage 4's row of a layer: layer L, six mean weights, '|', six writes (source 4 is field 14).
writes() { awk -v l="$1" '/^== 4\./ {on = 1} on && $1 == "layer" && $2 == l && $9 == "|" {print $14; exit}' <<<"$OUTPUT"; }
run "$BUILD/lessons/14-encoding-walk"
before=$(walk_rows)
before_writes=$(writes 6)
run "$BUILD/lessons/14-encoding-walk" --ablate 6,5
after=$(walk_rows)
after_writes=$(writes 6)
[ "$(wc -l <<<"$after")" -eq 17 ] || fail "with --ablate 6,5, stage 1 must still print its 17 points"
# Every point before layer 6's attention keeps |h|, rank and p (fields 2, rank, p) exactly:
# nothing before it changed. cos(h, h_L) and KL move, since h_L moved.
keep() { awk '{if ($1 == "embed") print $1, $2, $5, $6; else print $1, $2, $6, $7}' <<<"$1" | head -n 12; }
[ "$(keep "$before")" = "$(keep "$after")" ] || fail "the points up to h.5.resid_post must keep their |h|, rank and p"
[ "$(sed -n 14p <<<"$before" | awk '{print $2}')" != "$(sed -n 14p <<<"$after" | awk '{print $2}')" ] ||
    fail "h.6.resid_mid must change when layer 6's head 5 is switched off"
# What position 4 writes through layer 6's heads (a sum of norms over heads) loses exactly
# head 5's term, which gptwalk walk encode lists: [2.66] for ' universally'@4.
build "$BUILD/gptwalk"
run "$BUILD/gptwalk" walk encode --prompt "It is a truth universally acknowledged" --kernels ref
head5=$(awk '/^layer 6 / {on = 1; next} /^layer 7 / {on = 0} on && $1 == "head" && $2 == "5"' <<<"$OUTPUT" |
        grep -o "' universally'@4 [0-9.]* \[[0-9.]*\]" | sed 's/.*\[\(.*\)\]/\1/')
want=$(awk -v a="$before_writes" -v h="$head5" 'BEGIN {printf "%.2f", a - h}')
# Three numbers printed to 2 decimals: up to 0.015 apart.
same "what ' universally' writes in layer 6 without head 5" "$after_writes" "$want" 0.016
default_output_unchanged
pass "without layer 6's head 5, ' universally' writes $after_writes there ($before_writes - $head5); everything before layer 6 is unchanged"
