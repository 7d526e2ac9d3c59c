#!/usr/bin/env bash
# check_layers.sh — includes point one way, down (docs/layout.md): a file in src/L or
# include/L may include only headers of layer L and of the layers before it.
#   core < kernels < model < train < walks < perf < report < serve      (cli may include anything)
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A rank=([core]=0 [kernels]=1 [model]=2 [train]=3 [walks]=4 [perf]=5 [report]=6 [serve]=7)
bad=0 checked=0
for f in src/*/*.cpp src/*/*.h include/*/*.h; do
    layer=$(basename "$(dirname "$f")")
    [ "$layer" = cli ] && continue
    [ -n "${rank[$layer]:-}" ] || { echo "check_layers: $f is in no known layer"; bad=$((bad + 1)); continue; }
    while read -r inc; do
        checked=$((checked + 1))
        to=${inc%%/*}
        [ "$inc" = "$to" ] && continue  # a private header beside the file (picture_canvas.h)
        if [ -z "${rank[$to]:-}" ]; then
            echo "check_layers: $f includes \"$inc\", which is in no layer"; bad=$((bad + 1))
        elif [ "${rank[$to]}" -gt "${rank[$layer]}" ] || { [ "${rank[$to]}" -eq "${rank[$layer]}" ] && [ "$to" != "$layer" ]; }; then
            echo "check_layers: $f ($layer) includes \"$inc\" ($to): includes must point down"; bad=$((bad + 1))
        fi
    done < <(sed -nE 's/^#include "([^"]+)".*/\1/p' "$f")
done
echo "layers: $checked includes checked, $bad pointing the wrong way"
[ "$bad" -eq 0 ]
