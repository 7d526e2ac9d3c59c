#!/usr/bin/env bash
# check_arm64.sh [SUITE...] — build gptwalk for aarch64 and run its doctest suites under
# qemu-user, so that the scalar kernels and the non-x86 side of every `#if` are compiled
# and tested (students use ARM laptops; our CI machines are x86-64).
#
#   1. apt:     installs g++-aarch64-linux-gnu and qemu-user if missing (root; sudo if not).
#   2. sysroot: the arm64 OpenBLAS, gfortran runtime, stb and doctest, unpacked with
#               dpkg -x into build/arm64-sysroot/ (kept, and reused while the package list
#               below is unchanged). The .debs are fetched with apt into a private lists and
#               cache folder, so the host's dpkg architectures and apt state are untouched.
#   3. build:   the project's own Makefile, BUILD=build/arm64, CXX=aarch64-linux-gnu-g++.
#   4. tests:   tests/run_all.sh with TEST_RUNNER=qemu-aarch64 ... (from the repository root).
#
# Suites that run a program (build/arm64/gptwalk, build/arm64/tools/*) do it through
# /bin/sh. Without binfmt_misc the kernel cannot start an aarch64 file, so after each build
# such programs are renamed NAME.aarch64 and NAME becomes a two-line sh script running
# qemu on it (make relinks NAME when its sources change; the next run wraps it again).
# Arguments: suite names (default: $SUITES below). Prints the time of each step.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
triplet=aarch64-linux-gnu
build=build/arm64
sysroot=$root/build/arm64-sysroot
qemu_prefix=/usr/$triplet   # the cross toolchain's arm64 libc, libstdc++ and loader
host_pkgs=("g++-$triplet" qemu-user)
# Compile, link and run: OpenBLAS (header, library, its gfortran runtime), stb, doctest, and
# cpp-httplib: Debian's is a library built with OpenSSL, zlib and Brotli, whose headers its
# header includes and whose libraries it links (tools/deps.sh).
arm64_pkgs=(libopenblas-pthread-dev libopenblas0-pthread libgfortran5 libstb-dev libstb0 doctest-dev
            libcpp-httplib-dev libcpp-httplib0.11 libssl-dev libssl3 zlib1g-dev zlib1g libbrotli-dev libbrotli1)
# Every suite except three, which are left out of the default list (name them to run them):
#   test_roofline               measures memory bandwidth and FLOP/s: ~4 min under qemu, and
#                               emulated speeds mean nothing;
#   test_hostile, test_hostile_cli  ~200 runs of the CLI, 4 at a time, each killed after
#                               20 s (tests/hostile_inputs.h), a limit set for native speed:
#                               on a loaded machine one legitimate run passed it under qemu;
#   test_serve_http             servers in threads and processes, a client stalled on purpose
#                               and signals through the qemu wrapper: not tried under qemu yet.
#   test_gpt2_real is in the list; it skips itself without weights/gpt2/.
SUITES=(test_attention test_bench test_cli test_config test_cpu test_decoding_walk
        test_decoding_walk_io test_download test_encoding_walk test_fewshot test_forward_ref test_gelu
        test_gpt2_real test_json test_kernel_bench test_layernorm test_linear test_model
        test_neighbours test_output_file test_parallel test_path_tree test_picture test_report_text
        test_position_kernels test_random_checkpoint test_safetensors test_sampler test_serve test_simd
        test_softmax test_testing test_tiny_gpt2 test_tokenizer test_tokenizer_io test_vecmath test_weights)
[ $# -gt 0 ] && SUITES=("$@")

start=$(date +%s.%N) step_start=$start
step() {  # step NAME: the time since the previous step
    local now; now=$(date +%s.%N)
    awk -v a="$step_start" -v b="$now" -v n="$1" 'BEGIN { printf "== %-8s %6.1f s\n", n, b - a }'
    step_start=$now
}
sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo

# ---- 1. host packages
missing=()
for p in "${host_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    $sudo apt-get -qq update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -qq -y -o DPkg::Lock::Timeout=600 \
        install --no-install-recommends "${missing[@]}" >/dev/null
fi
step apt

# ---- 2. arm64 sysroot (reused while build/arm64-sysroot/.packages lists the same packages)
if [ "$(cat "$sysroot/.packages" 2>/dev/null)" != "${arm64_pkgs[*]}" ]; then
    rm -rf "$sysroot"
    apt_dir=$root/build/arm64-apt
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/cache" "$sysroot"
    : >"$apt_dir/status"   # an empty dpkg status: nothing counts as installed for arm64
    apt_arm64=(apt-get -qq -o APT::Sandbox::User=root -o APT::Architecture=arm64 -o APT::Architectures=arm64
               -o Dir::State::Lists="$apt_dir/lists" -o Dir::State::status="$apt_dir/status"
               -o Dir::Cache="$apt_dir/cache" -o Dir::Cache::archives="$apt_dir/archives")
    "${apt_arm64[@]}" update
    (cd "$apt_dir/archives" && "${apt_arm64[@]}" download "${arm64_pkgs[@]/%/:arm64}")
    for deb in "$apt_dir"/archives/*.deb; do dpkg -x "$deb" "$sysroot"; done
    rm -rf "$apt_dir"
    echo "${arm64_pkgs[*]}" >"$sysroot/.packages"
fi
step sysroot

# ---- 3. build
libdirs=("$sysroot/usr/lib/$triplet" "$sysroot/usr/lib/$triplet/openblas-pthread")
ldflags="-L${libdirs[0]}"
for d in "${libdirs[@]}"; do ldflags+=" -Wl,-rpath-link,$d"; done
# Cross compilers do not look in the host's /usr/include: the sysroot's is given instead
# (stb/, doctest/, httplib.h; OpenSSL's configuration header sits in the triplet's folder;
# OpenBLAS's own folder is found by tools/deps.sh through SYSROOT).
export SYSROOT=$sysroot CXX=$triplet-g++ LDFLAGS=$ldflags
export CXXFLAGS="-isystem $sysroot/usr/include -isystem $sysroot/usr/include/$triplet"
make --no-print-directory -j"$(nproc)" BUILD=$build CXX="$CXX" CXXFLAGS="$CXXFLAGS" \
    LDFLAGS="$LDFLAGS" all "${SUITES[@]/#/$build/tests/}"
ld_path=$(IFS=:; echo "${libdirs[*]}")
runner="qemu-aarch64 -L $qemu_prefix -E LD_LIBRARY_PATH=$ld_path"
for prog in "$build/gptwalk" "$build"/tools/*; do
    case $prog in *.aarch64|*.o|*.d) continue ;; esac
    if [ ! -f "$prog" ] || [ "$(head -c 4 "$prog" | tail -c 3)" != ELF ]; then continue; fi  # wrapped
    mv -f "$prog" "$prog.aarch64"
    # shellcheck disable=SC2016  # $0 and $@ belong to the wrapper
    printf '#!/bin/sh\nexec %s "$0.aarch64" "$@"\n' "$runner" >"$prog"
    chmod +x "$prog"
    touch -r "$prog.aarch64" "$prog"  # the ELF's time, or make relinks the suites that need it
done
step build

# ---- 4. tests (run_all.sh prints one line a suite and "tests: N passed, M failed")
rc=0
TEST_RUNNER=$runner tests/run_all.sh $build "${SUITES[@]/#/$build/tests/}" || rc=$?
step tests
step_start=$start; step total
exit $rc
