#!/usr/bin/env bash
# Exercise 2 of lesson 16: --truncate adds the block's mean relative BF16 error, rounded
# and truncated, after stage 2's BF16 line; the default output stays as it was.
# Run from the repository root with BUILD set to the build folder.
set -euo pipefail
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/lessons/16-reduced-precision"
demo="$BUILD/lessons/16-reduced-precision"
out=$("$demo" --no-timing --truncate) || { echo "e2: the demo refused --truncate"; exit 1; }
# The shipped model's wte[262][0..31], stored F16: rounding's errors nearly cancel (+4.5e-4 of
# 2^-8 = 3.9e-3 at most), truncation's all point towards zero.
want="BF16 over the block of 32: mean relative error rounded +4.51e-04, truncated -2.80e-03"
grep -A1 "^BF16  " <<<"$out" | grep -qxF "$want" || { echo "e2: expected, right after the BF16 line: '$want'"; exit 1; }
if "$demo" --no-timing | grep -qF "mean relative error"; then echo "e2: the default output changed"; exit 1; fi
echo "e2: correct"
