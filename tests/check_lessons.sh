#!/usr/bin/env bash
# check_lessons.sh BUILD — runs every checked command in lessons/*/README.md and
# compares its output with the lesson's (see tools/check_lessons.cpp for the format).
set -euo pipefail
build=$1
shopt -s nullglob
readmes=(lessons/README.md lessons/*/README.md)
[ ${#readmes[@]} -gt 0 ] || { echo "no lessons found"; exit 1; }
exec "$build/tools/check_lessons" "$build" "${readmes[@]}"
