#!/usr/bin/env bash
# Lesson 07, exercise 2: the layer and head with the lowest entropy at the last position (a search).
source lessons/exercise.sh
answer
build "$BUILD/lessons/07-attention"
best=""
for l in $(seq 0 7); do
    run "$BUILD/lessons/07-attention" --layer "$l"
    best+=$(awk -v l="$l" '/^== 5\./ {on = 1} on && /^head [0-9]+:/ {h = $2; sub(":", "", h); for (i = 1; i <= NF; i++) if ($i == "entropy") print $(i + 1), l, h}' <<<"$OUTPUT")$'\n'
done
want=$(sort -g <<<"$best" | awk 'NF {print $2, $3; exit}')
same "your layer and head" "$ANSWER" "$want"
pass "layer ${want% *}, head ${want#* } is the most focused at the last position (entropy $(sort -g <<<"$best" | awk 'NF {print $1; exit}') nats)"
