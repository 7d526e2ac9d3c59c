#!/usr/bin/env bash
# Lesson 10, exercise 3: the logit lens after every block, behind --lens.
source lessons/exercise.sh
build "$BUILD/lessons/10-block" "$BUILD/lessons/14-encoding-walk"
run "$BUILD/lessons/10-block" --lens
got=$(grep '^lens after block' <<<"$OUTPUT" | sed 's/.*= *//' | xargs)
[ -n "$got" ] || fail "with --lens the demo must print one line per block: 'lens after block L: top TOKEN, p of the final choice = P'"
# Lesson 14 reads the same points with its own logit lens (walks/encoding_walk.cpp): its p column
# at h.L.resid_post. Both print 4 decimals of the same double computation on the same trace.
run "$BUILD/lessons/14-encoding-walk"
want=$(awk '/^== 1\./ {on = 1} /^== 2\./ {on = 0} on && $1 ~ /^h\.[0-9]+\.resid_post$/ {print $7}' <<<"$OUTPUT" | xargs)
same "p of the final choice after each block" "$got" "$want" 0.00011
default_output_unchanged
pass "the lens after each block agrees with lesson 14's: p(.) = $got"
