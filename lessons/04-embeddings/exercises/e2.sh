#!/usr/bin/env bash
# Lesson 04, exercise 2: stage 3 ranked by dot product, behind --by-dot.
source lessons/exercise.sh
build "$BUILD/lessons/04-embeddings" "$BUILD/gptwalk"
for word in " king" " Monday" " happy"; do
    run "$BUILD/gptwalk" neighbours "$word" -k 5
    want=$(awk '$1 ~ /^[1-5]$/ && NF == 9 {print $6}' <<<"$OUTPUT" | xargs)
    run "$BUILD/lessons/04-embeddings" --by-dot --word "$word"
    line=$(awk '/^== 3\./ {on = 1; next} /^== 4\./ {on = 0} on && NF > 1' <<<"$OUTPUT" | head -n 1)
    got=$(awk '{for (i = 2; i <= NF; i += 2) printf "%s ", $i}' <<<"$line" | xargs)
    same "the dot-product neighbours of '$word'" "$got" "$want"
    first=${first:-$want}
done
default_output_unchanged
pass "--by-dot lists the same neighbours as gptwalk neighbours' dot-product column (' king': $first)"
