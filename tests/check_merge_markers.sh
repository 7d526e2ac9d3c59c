#!/usr/bin/env bash
# check_merge_markers.sh — no file of the repository holds a merge's conflict markers (a line
# that starts "<<<<<<< " or ">>>>>>> "): git commits them without complaint, and in a
# script or a lesson they fail far from the merge that left them.
set -euo pipefail
cd "$(dirname "$0")/.."
found=$(grep -rIlE '^(<<<<<<<|>>>>>>>) ' --exclude-dir=.git --exclude-dir=build --exclude-dir=node_modules . || true)
if [ -n "$found" ]; then
    echo "check_merge_markers: conflict markers left in: $(echo "$found" | tr '\n' ' ')"
    exit 1
fi
echo "merge markers: none"
