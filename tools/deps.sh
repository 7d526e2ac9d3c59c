#!/usr/bin/env bash
# deps.sh check FLAGS_FILE | install — the system packages gptwalk builds against.
#
#   check FILE  find OpenBLAS (header AND library), doctest, stb and cpp-httplib; write
#               OpenBLAS's compiler flags to line 1 of FILE and its linker flags to line 2,
#               cpp-httplib's to lines 3 and 4 (the Makefile reads them). Exit 1 with a
#               one-line hint if anything is missing.
#   install     apt-get install what is missing (sudo when not root); no-op when all is there.
#
# Why OpenBLAS is probed by compiling AND linking a call to openblas_set_num_threads:
# another BLAS's cblas.h (netlib's reference BLAS, from libblas-dev, is on many Debian
# machines) has the same name and the same cblas_sgemm, so "a cblas.h exists" proves
# nothing. Had we built against netlib, every matrix product would run at reference speed
# without a word. OpenBLAS's own header declares openblas_set_num_threads; netlib's does
# not, and only libopenblas defines it. On Debian, cblas.h is an alternative that may
# point at netlib even when OpenBLAS is installed, so OpenBLAS's own include folder is
# tried before the default one.
#
# Why cpp-httplib (the explorer's server, serve/) is probed for its flags: upstream ships one
# header that holds everything, but Debian's libcpp-httplib-dev ships the declarations and a
# compiled library (libcpp-httplib.so) built with OpenSSL, zlib and Brotli support. Those
# three CPPHTTPLIB_*_SUPPORT macros change the layout of its classes, so our code must be
# compiled with the same ones the library was, or a Client would read the wrong fields.
# The package's cpp-httplib.pc says which: it is read with pkg-config, or directly when
# pkg-config is absent (a fresh machine has no pkg-config); a header-only copy needs none.
#
# Environment: CXX (default g++), CXXFLAGS and LDFLAGS are used by every probe;
# SYSROOT (default empty) is put before every folder tried (cross builds: tools/check_arm64.sh).
set -euo pipefail
CXX=${CXX:-g++}
CXXFLAGS=${CXXFLAGS:-}
LDFLAGS=${LDFLAGS:-}
SYSROOT=${SYSROOT:-}
mode=${1:-}
flags_file=${2:-}
hint="install OpenBLAS (its cblas.h and libopenblas), doctest, stb, cpp-httplib and curl with your package manager (Debian/Ubuntu: make deps; Fedora: openblas-devel doctest-devel stb-devel cpp-httplib-devel; macOS/Homebrew: openblas doctest stb cpp-httplib)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# compiles (and links, with a main) the C++ in $1 with the flags that follow; quiet.
builds() {
    local src=$1; shift
    printf '%s\n' "$src" >"$tmp/probe.cpp"
    # shellcheck disable=SC2086  # CXXFLAGS/LDFLAGS are lists of flags
    "$CXX" $CXXFLAGS "$tmp/probe.cpp" -o "$tmp/probe" "$@" $LDFLAGS >/dev/null 2>&1
}

openblas_probe='#include <cblas.h>
int main() { openblas_set_num_threads(1); float a = 1, b = 2, c = 0;
             cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1);
             return c == 2.0f ? 0 : 1; }'

# Prints "CFLAGS<newline>LIBS" for the first OpenBLAS that compiles and links; fails if none.
find_openblas() {
    local triplet candidates=() dir lib
    triplet=$("$CXX" -dumpmachine 2>/dev/null || echo unknown)
    # Debian/Ubuntu keep each OpenBLAS flavour in its own folder (header and library side
    # by side); Fedora uses /usr/include/openblas; last, whatever the compiler finds alone.
    for flavour in openblas-pthread openblas-openmp openblas-serial; do
        candidates+=("$SYSROOT/usr/include/$triplet/$flavour|$SYSROOT/usr/lib/$triplet/$flavour")
    done
    # pkg-config's answer (where it knows OpenBLAS) comes next, then Fedora's folder, then
    # whatever the compiler finds by itself.
    if [ -z "$SYSROOT" ] && command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openblas 2>/dev/null; then
        candidates+=("pkg-config|")
    fi
    candidates+=("$SYSROOT/usr/include/openblas|" "|")
    for c in "${candidates[@]}"; do
        dir=${c%%|*} lib=${c#*|}
        local cflags="" libs="-lopenblas"
        if [ "$dir" = pkg-config ]; then
            cflags=$(pkg-config --cflags openblas) libs=$(pkg-config --libs openblas)
        elif [ -n "$dir" ]; then
            [ -f "$dir/cblas.h" ] || continue
            cflags="-I$dir"
        fi
        if [ -n "$lib" ] && [ -d "$lib" ]; then libs="-L$lib -lopenblas"; fi
        # shellcheck disable=SC2086
        if builds "$openblas_probe" $cflags $libs -lpthread; then printf '%s\n%s\n' "$cflags" "$libs"; return 0; fi
    done
    return 1
}

# cpp-httplib's "Cflags" or "Libs" line ($1) from its pkg-config file, variables expanded.
httplib_pc_line() {
    local triplet pc
    if [ -z "$SYSROOT" ] && command -v pkg-config >/dev/null 2>&1 && pkg-config --exists cpp-httplib 2>/dev/null; then
        if [ "$1" = Cflags ]; then pkg-config --cflags cpp-httplib; else pkg-config --libs cpp-httplib; fi
        return 0
    fi
    triplet=$("$CXX" -dumpmachine 2>/dev/null || echo unknown)
    for pc in "$SYSROOT/usr/lib/$triplet/pkgconfig/cpp-httplib.pc" "$SYSROOT/usr/lib/pkgconfig/cpp-httplib.pc" \
              "$SYSROOT/usr/lib64/pkgconfig/cpp-httplib.pc" "$SYSROOT/usr/share/pkgconfig/cpp-httplib.pc"; do
        [ -f "$pc" ] || continue
        # Only the folders need expanding: -I/-L of the system's own folders (dropped: the
        # compiler looks there anyway, and under SYSROOT they would name the host's).
        sed -n "s/^$1: *//p" "$pc" | tr ' ' '\n' | grep -v -e '^-I' -e '^-L' | tr '\n' ' '
        return 0
    done
    return 1
}

httplib_probe='#include <httplib.h>
int main() { httplib::Server server; httplib::Client client("http://127.0.0.1:1");
             return server.is_valid() && client.is_valid() ? 0 : 1; }'

# Prints "CFLAGS<newline>LIBS" for a cpp-httplib that compiles and links: the packaged
# library with the flags its .pc file gives, else a header-only copy.
find_httplib() {
    local cflags libs
    if cflags=$(httplib_pc_line Cflags) && libs=$(httplib_pc_line Libs); then
        # shellcheck disable=SC2086
        if builds "$httplib_probe" $cflags $libs -lpthread; then printf '%s\n%s\n' "$cflags" "$libs"; return 0; fi
    fi
    if builds "$httplib_probe" -lpthread; then printf '\n\n'; return 0; fi
    return 1
}

# Debian/Ubuntu package for each missing piece.
missing=()
openblas_flags=$(find_openblas) || missing+=(libopenblas-dev)
builds '#include <doctest/doctest.h>
int main() {}' -c || missing+=(doctest-dev)
# stb: the header and the compiled implementations (libstb) that come with it.
builds '#include <stb/stb_image_write.h>
int main() { return stbi_write_png_compression_level < 0; }' -lstb || missing+=(libstb-dev)
httplib_flags=$(find_httplib) || missing+=(libcpp-httplib-dev)
# curl: `make weights` downloads with it, and its test serves files on 127.0.0.1.
command -v curl >/dev/null 2>&1 || missing+=(curl)

case "$mode" in
check)
    [ -n "$flags_file" ] || { echo "usage: tools/deps.sh check FLAGS_FILE | install" >&2; exit 2; }
    if [ ${#missing[@]} -ne 0 ]; then
        echo "missing: ${missing[*]} — run 'make deps' (Debian/Ubuntu), or $hint" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$flags_file")"
    printf '%s\n%s\n' "$openblas_flags" "$httplib_flags" >"$flags_file.tmp" && mv "$flags_file.tmp" "$flags_file"
    ;;
install)
    [ ${#missing[@]} -eq 0 ] && exit 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "missing: ${missing[*]} — no apt-get here: $hint" >&2
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
    # Installed does not mean found (a cblas.h alternative set by hand, say): probe again.
    if ! find_openblas >/dev/null; then
        echo "libopenblas-dev is installed but no OpenBLAS cblas.h + libopenblas compiles and links with $CXX; $hint" >&2
        exit 1
    fi
    ;;
*)
    echo "usage: tools/deps.sh check FLAGS_FILE | install" >&2
    exit 2
    ;;
esac
