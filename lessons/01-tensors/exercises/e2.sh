#!/usr/bin/env bash
# Lesson 01, exercise 2: which row and column of G change when only the last token does (a prediction).
source lessons/exercise.sh
answer
build "$BUILD/lessons/01-tensors"
g_of() { awk '/^G = a a\^T/ {on = 1; next} /^same as copying/ {on = 0} on' <<<"$OUTPUT"; }
run "$BUILD/lessons/01-tensors"
before=$(g_of)
run "$BUILD/lessons/01-tensors" --prompt "It is a lie"
after=$(g_of)
[ -n "$before" ] && [ "$(wc -l <<<"$before")" -eq "$(wc -l <<<"$after")" ] || fail "the demo's G has changed shape"
# The rows in which every entry changed; and every changed entry must lie in such a row or
# such a column (G is symmetric: row i and column i hold the same dot products).
changed=$(paste -d'|' <(echo "$before") <(echo "$after") | awk -F'|' '{
        n = split($1, a, " "); split($2, b, " "); all = 1
        for (j = 1; j <= n; j++) if (a[j] != b[j]) { diff[NR - 1, j - 1] = 1 } else all = 0
        if (all) whole[NR - 1] = 1
    } END {
        for (k in diff) { split(k, ij, SUBSEP); if (!(ij[1] in whole) && !(ij[2] in whole)) { print "elsewhere"; exit } }
        for (i in whole) printf "%s ", i
    }' | xargs)
same "the index you predicted" "$ANSWER" "$changed"
pass "only row $ANSWER and column $ANSWER of G change: the dot products that involve the last token"
