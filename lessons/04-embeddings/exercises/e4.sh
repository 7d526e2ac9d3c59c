#!/usr/bin/env bash
# Lesson 04, exercise 4: sinusoidal position encodings in stage 4, behind --sinusoidal.
source lessons/exercise.sh
build "$BUILD/lessons/04-embeddings"
run "$BUILD/lessons/04-embeddings" --sinusoidal --png "$SCRATCH/sin.png"
rows=$(awk '/^== 4\./ {on = 1; next} on && $1 == "d" {print $3, $4, $5}' <<<"$OUTPUT")
[ "$(wc -l <<<"$rows")" -ge 6 ] || fail "with --sinusoidal, stage 4 must print its table (d = 1 ... 64) as before"
[ -s "$SCRATCH/sin.png" ] || fail "with --sinusoidal --png FILE, the demo must draw the heatmap of the sinusoids"
C=$(sed -n 's/.*same C = \([0-9]*\) dimensional.*/\1/p' <<<"$OUTPUT")
# For sinusoids p_i . p_j = sum_k cos((i - j) w_k), w_k = 10000^(-2k/C), and |p_i|^2 = C/2,
# so both columns must be (2/C) sum_k cos(d w_k). Printed to 3 decimals: one unit of slack.
while read -r d a b; do
    want=$(awk -v d="$d" -v C="$C" 'BEGIN { s = 0; for (k = 0; k < C / 2; k++) s += cos(d * exp(-(2 * k / C) * log(10000))); printf "%.3f %.3f", 2 * s / C, 2 * s / C }')
    same "the cosines at d = $d (from position 0, from 64)" "$a $b" "$want" 0.0011
done <<<"$rows"
default_output_unchanged
pass "sinusoidal positions: cos(p_i, p_i+d) depends on d alone, as the formula says (d = 1: $(head -n 1 <<<"$rows" | cut -d' ' -f2))"
