#!/usr/bin/env bash
# deps.sh check|install — the system packages gptwalk builds against.
#   check:   exit 1 with a hint if a header is missing (used by `make`)
#   install: apt-get install what is missing (sudo when not root); no-op when all is there
set -euo pipefail
CXX=${CXX:-g++}
mode=${1:-check}
# header -> Debian/Ubuntu package
declare -A pkg=(
  ["cblas.h"]=libopenblas-dev
  ["doctest/doctest.h"]=doctest-dev
  ["stb/stb_image_write.h"]=libstb-dev
)
missing=()
for h in "${!pkg[@]}"; do
  if ! echo "#include <$h>" | "$CXX" -x c++ -E - >/dev/null 2>&1; then missing+=("${pkg[$h]}"); fi
done
# curl: `make weights` downloads with it, and its test serves files on 127.0.0.1
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -eq 0 ]; then
  # libstb's compiled implementations (libstb.so) come with the same package
  exit 0
fi
if [ "$mode" = check ]; then
  echo "missing system packages: ${missing[*]} — run 'make deps' (Debian/Ubuntu), or install OpenBLAS, doctest, stb and curl with your package manager (Fedora: openblas-devel doctest-devel stb-devel; macOS/Homebrew: openblas doctest stb)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "no apt-get here: install OpenBLAS (cblas.h + libopenblas), doctest (doctest/doctest.h), stb (stb/*.h + libstb) and curl with your system's package manager" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
