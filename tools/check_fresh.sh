#!/usr/bin/env bash
# shellcheck disable=SC2317  # the helpers run through step (indirectly), which shellcheck cannot follow
# check_fresh.sh [plain|netlib|all] — proves the README's two commands work on a fresh
# Debian 12 (bookworm), as it promises, by running them verbatim in throwaway roots.
#
#   plain   apt-get install build-essential git python3, nothing else
#   netlib  the same plus libblas-dev: netlib's reference BLAS, whose cblas.h is not
#           OpenBLAS's; a build that picked it up would fail or silently run slowly
#   all     both, one after the other (the default)
#
# Each variant gets its own root, unpacked from a bare `debootstrap --variant=minbase` root
# cached as a tarball (build/fresh/bookworm-base.tar.gz, or $FRESH_CACHE). The commit under
# test is HEAD of the repository this script lives in, cloned into /root/gptwalk:
# uncommitted changes are NOT tested. The commands are read from the ```sh block under
# "## Two commands" in that commit's README.md and run with chroot in a clean environment,
# so nothing installed or set on this machine leaks in. Two deliberate additions:
# MAKEFLAGS=-j$(nproc), so the compiles use every core as CI's other steps do (a user would
# type plain `make`; serial, this check takes far longer), and OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE, passed through when set: Debian 12's OpenBLAS crashes without them on
# some CPUs.
#
# Needs root (debootstrap, mount, chroot) and deb.debian.org. Logs: build/fresh/<variant>.log.
# A failed variant's root stays in build/fresh/ (nothing mounted in it); a passed one goes.
set -euo pipefail
die() { echo "check_fresh.sh: $*" >&2; exit 1; }
exec 3>&2   # the terminal's stderr, for messages that must not end up in a step's log
case ${1:-all} in
  plain|netlib) variants=("$1") ;;
  all) variants=(plain netlib) ;;
  *) echo "usage: tools/check_fresh.sh [plain|netlib|all]" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, mount and chroot need it)"
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; } >/dev/null ||
  die "could not install debootstrap with apt-get"

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
sha=$(git -C "$repo" rev-parse HEAD)
fresh=$repo/build/fresh
cache=${FRESH_CACHE:-$fresh/bookworm-base.tar.gz}
mirror=http://deb.debian.org/debian
mkdir -p "$fresh" "$(dirname "$cache")"
# One run at a time per checkout: everything mounted under build/fresh/ is then ours.
exec 9>"$fresh/lock"
flock -n 9 || die "another check_fresh.sh is running in $repo"

# The README's commands, comments stripped (so a command must not itself contain '#').
mapfile -t commands < <(git -C "$repo" show "$sha:README.md" | awk '
  /^## Two commands/ { in_section = 1; next }
  in_section && /^## / { exit }
  in_section && /^```sh/ { in_block = 1; next }
  in_block && /^```/ { exit }
  in_block { sub(/[ \t]*#.*/, ""); if ($0 != "") print }')
[ ${#commands[@]} -gt 0 ] || die "no commands in the \`\`\`sh block under '## Two commands' in README.md"
clean_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
           LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "MAKEFLAGS=-j$(nproc)")
for v in OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; do if [[ -v $v ]]; then clean_env+=("$v=${!v}"); fi; done
mounts_under() { awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r; }
mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# Stops whatever still runs inside our roots (a daemon a package started, a hung test),
# then unmounts everything under build/fresh/, deepest first. Runs on every exit.
unmount_all() {
  local p m
  for p in /proc/[0-9]*; do
    if [[ $(readlink "$p/root" 2>/dev/null) == "$fresh"/* ]]; then kill -KILL "${p#/proc/}" 2>/dev/null || true; fi
  done
  mounts_under "$fresh" | while IFS= read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
  [ -z "$(mounts_under "$fresh")" ] || echo "check_fresh.sh: still mounted under $fresh (see /proc/mounts)" >&3
}
partial=""
trap 'unmount_all; [ -z "$partial" ] || rm -f "$partial"' EXIT
trap 'echo "check_fresh.sh: interrupted" >&3; exit 130' INT
trap 'echo "check_fresh.sh: terminated" >&3; exit 143' TERM

remove_root() {
  [ -e "$1" ] || return 0
  [ -z "$(mounts_under "$1")" ] || { echo "refusing to remove $1: something is still mounted under it" >&2; return 1; }
  rm -rf --one-file-system "$1"
}

# step NAME COMMAND... — runs COMMAND with its output in $log, prints how long it took.
step() {
  local name=$1 t0=$SECONDS; shift
  echo "== $name" >>"$log"
  if "$@" >>"$log" 2>&1 </dev/null; then
    printf '  [%s] %-22s %s\n' "$variant" "$name" "$(mmss $((SECONDS - t0)))"
  else
    echo "== $name failed: exit $?" >>"$log"
    printf '  [%s] %-22s FAILED after %s\n' "$variant" "$name" "$(mmss $((SECONDS - t0)))"
    failed_step=$name; return 1
  fi
}

# The tarball is written under another name, then renamed: an interrupted run leaves no cache.
make_base() {
  local root=$fresh/root-base
  remove_root "$root" && debootstrap --variant=minbase bookworm "$root" "$mirror" &&
    rm -f "$root"/var/cache/apt/archives/*.deb && partial=$cache.partial.$$ &&
    tar -C "$root" --numeric-owner -czf "$partial" . && mv "$partial" "$cache" && partial="" &&
    remove_root "$root"
}

# A fresh install lists the updates and security suites too; minbase lists only bookworm.
# No service may start inside the root (policy-rc.d); /dev, /proc and /sys are what
# compilers, apt and OpenBLAS's CPU detection read. /dev is a slave copy, so nothing
# unmounted in the root is unmounted on this machine.
unpack_root() {
  local r=$1
  remove_root "$r" && mkdir -p "$r" && tar -C "$r" --numeric-owner -xpzf "$cache" &&
    cp -L /etc/resolv.conf "$r/etc/resolv.conf" &&
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s-security bookworm-security main\n' \
      "$mirror" "$mirror" "$mirror" >"$r/etc/apt/sources.list" &&
    printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d" && chmod +x "$r/usr/sbin/policy-rc.d" &&
    mount -t proc proc "$r/proc" && mount -t sysfs -o ro sysfs "$r/sys" &&
    mount --rbind /dev "$r/dev" && mount --make-rslave "$r/dev"
}
in_root() { env -i "${clean_env[@]}" /usr/sbin/chroot "$1" /bin/sh -ec "$2"; }

# The exact commit, even when HEAD is detached and on no branch. git checkout exits 0 with
# files it could not write (an object missing), so the tree is checked clean afterwards.
clone_head() {
  local d=$1/root/gptwalk
  if git clone -q --no-checkout "$repo" "$d" && git -C "$d" fetch -q origin "$sha" &&
    git -C "$d" checkout -q --detach "$sha" && [ -z "$(git -C "$d" status --porcelain)" ]; then return 0; fi
  echo "the clone of $sha failed or is incomplete" >&2; return 1
}

# run_variant NAME EXTRA_PACKAGE... — every step is chained, since errexit is off in here.
run_variant() {
  variant=$1; shift
  local r=$fresh/root-$variant t0=$SECONDS cmd
  log=$fresh/$variant.log failed_step=""
  : >"$log"
  echo "[$variant] root $r, log $log"
  step "unpack" unpack_root "$r" || return 1
  step "apt-get install" in_root "$r" "apt-get update -qq && apt-get install -y -qq build-essential git python3 $*" || return 1
  step "clone ${sha:0:10}" clone_head "$r" || return 1
  for cmd in "${commands[@]}"; do step "$cmd" in_root "$r" "cd /root/gptwalk && $cmd" || return 1; done
  unmount_all && step "remove root" remove_root "$r" || return 1
  echo "[$variant] passed in $(mmss $((SECONDS - t0)))"
}

echo "check_fresh: commit ${sha:0:12}; README's commands: $(printf "'%s' " "${commands[@]}")"
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] || echo "note: uncommitted changes are not tested"
t_all=$SECONDS variant=base log=$fresh/base.log
unmount_all && remove_root "$fresh/root-base"   # what a killed run may have left
if [ -f "$cache" ]; then
  echo "  [base] reusing $cache"
else
  : >"$log"
  step "debootstrap + tarball" make_base || { tail -n 30 "$log"; die "making the base root failed; log $log"; }
fi

summary="" status=0
for v in "${variants[@]}"; do
  extra=""; [ "$v" = netlib ] && extra=libblas-dev
  if run_variant "$v" $extra; then summary+="$v passed, "; continue; fi
  unmount_all
  echo "---- last lines of $log"; tail -n 40 "$log"; echo "----"
  echo "[$v] FAILED at step '$failed_step'; log $log, root kept in $fresh/root-$v"
  summary+="$v FAILED at '$failed_step', " status=1
done
echo "check_fresh: ${summary}total $(mmss $((SECONDS - t_all)))"
exit $status
