#!/usr/bin/env bash
# Exercise 1 of lesson 16: --position P moves stage 1's count; the default stays at 128.
# Run from the repository root with BUILD set to the build folder.
set -euo pipefail
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/lessons/16-reduced-precision"
demo="$BUILD/lessons/16-reduced-precision"
squeeze() { tr -s ' '; }
out=$("$demo" --no-timing --position 1000) || { echo "e1: the demo refused --position 1000"; exit 1; }
grep -qF "1. Bytes a decode step reads (at position 1000)" <<<"$out" || { echo "e1: stage 1's title does not say position 1000"; exit 1; }
# GPT-2 124M at position 1000: the KV cache (2 x 12 x 1001 x 768 floats, 73.8 MB) stays F32.
want="gpt2-124M 568.4 321.4 205.5 1.77x, 2.77x"
squeeze <<<"$out" | grep -qF "$want" || { echo "e1: expected the line '$want'"; exit 1; }
"$demo" --no-timing | grep -qF "1. Bytes a decode step reads (at position 128)" || { echo "e1: the default output changed"; exit 1; }
echo "e1: correct"
