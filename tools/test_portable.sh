#!/usr/bin/env bash
# test_portable.sh BUILD — run the test suite and the lesson checks as other machines would.
#
# The suite must be true on every CPU, not only on this one. Two passes, each with the
# kernels' instruction sets capped (GPTWALK_MAX_ISA, read by src/core/cpu.cpp) and OpenBLAS made
# to use an older core's kernels (OPENBLAS_CORETYPE), both for that pass only:
#   avx2 + Haswell   a machine without AVX-512 (most laptops; OpenBLAS's AVX2 kernels)
#   ref  + Prescott  a machine with no vector unit we use (scalar twins; OpenBLAS's SSE3 kernels)
# Lowering OpenBLAS's core is safe on any x86-64; raising it above what the CPU has is not,
# so a core already set lower by the environment is kept. Off x86-64 the variables change
# nothing, and this script says so and runs the suite once.
set -euo pipefail
build=${1:?usage: tools/test_portable.sh BUILD}

# OpenBLAS cores that are Haswell's or newer; any other setting found is kept as it is.
haswell_or_newer="Haswell Zen SkylakeX Cooperlake SapphireRapids"

# runs make test and make test-lessons with GPTWALK_MAX_ISA=$1 and OPENBLAS_CORETYPE=$2.
pass() {
    local cap=$1 core=$2 found=${OPENBLAS_CORETYPE:-}
    if [ -n "$found" ] && [[ " $haswell_or_newer " != *" $found "* ]]; then
        core=$found  # already an older core than we would ask for (or one we do not know)
    fi
    echo "== GPTWALK_MAX_ISA=$cap OPENBLAS_CORETYPE=$core"
    local start=$SECONDS
    GPTWALK_MAX_ISA=$cap OPENBLAS_CORETYPE=$core make --no-print-directory BUILD="$build" test
    GPTWALK_MAX_ISA=$cap OPENBLAS_CORETYPE=$core make --no-print-directory BUILD="$build" test-lessons
    echo "== GPTWALK_MAX_ISA=$cap OPENBLAS_CORETYPE=$core: passed in $((SECONDS - start)) s"
}

if [ "$(uname -m)" != x86_64 ]; then
    echo "not x86-64: no instruction sets to cap here; running the suite once"
    make --no-print-directory BUILD="$build" test test-lessons
    exit 0
fi
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    pass avx2 Haswell
else
    echo "== skipped GPTWALK_MAX_ISA=avx2 OPENBLAS_CORETYPE=Haswell: this CPU has no AVX2+FMA (Haswell would raise the core)"
fi
pass ref Prescott
