#!/usr/bin/env bash
# tools/lesson_pictures.sh BUILD — draws again the pictures the lessons show (make lesson-pictures).
#
# The lessons' own commands write their pictures under build/, never into the repository;
# this is the one command that updates the tracked copies in lessons/. Each picture comes
# from the command its lesson names, with the same flags, so a reader can make it again.
# Lesson 15's roofline and lesson 16's speed/error picture are measurements of one machine at
# one moment (they need `make bench`'s random GPT-2 124M checkpoint and minutes of timing):
# they are redrawn only when asked, with ROOFLINE=1, and their lessons say when and where
# they were measured.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
draw() {  # draw FILE COMMAND... — runs the command, which writes FILE
    local file=$1
    shift
    "$@" >/dev/null
    echo "drew $file"
}
draw lessons/architecture.png "$build/lessons/00-setup" --map lessons/architecture.png
draw lessons/04-embeddings/wpe_cosine.png "$build/lessons/04-embeddings" --png lessons/04-embeddings/wpe_cosine.png
draw lessons/07-attention/attention_layer5.png "$build/lessons/07-attention" --png lessons/07-attention/attention_layer5.png
draw lessons/10-block/residual_norms.png "$build/lessons/10-block" --png lessons/10-block/residual_norms.png
draw lessons/13-decoding-walk/walk.png "$build/gptwalk" walk decode --prompt "In the beginning God created the" -n 12 \
    --top-k 40 --seed 1 --kernels ref --png lessons/13-decoding-walk/walk.png
draw lessons/14-encoding-walk/walk.png "$build/gptwalk" walk encode --prompt "It is a truth universally acknowledged" \
    --kernels ref --png lessons/14-encoding-walk/walk.png
if [ "${ROOFLINE:-0}" = 1 ]; then
    [ -f "$build/bench/gpt2-124M-random/config.json" ] || { echo "ROOFLINE=1 needs make bench's checkpoint first" >&2; exit 1; }
    draw lessons/15-performance/roofline.png "$build/lessons/15-performance" --model "$build/bench/gpt2-124M-random" \
        --png lessons/15-performance/roofline.png
    draw lessons/16-reduced-precision/speed_error.png "$build/lessons/16-reduced-precision" \
        --model "$build/bench/gpt2-124M-random" --png lessons/16-reduced-precision/speed_error.png
else
    echo "kept lessons/15-performance/roofline.png and lessons/16-reduced-precision/speed_error.png" \
        "(measurements: ROOFLINE=1 make lesson-pictures redraws them)"
fi
