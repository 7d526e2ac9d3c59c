#!/usr/bin/env bash
# run_all.sh BUILD_DIR TEST_BINARY... — runs every doctest suite from the repository
# root, prints each suite's result and one closing line "tests: N passed, M failed".
# Exits non-zero if any suite fails or crashes. TEST_RUNNER (environment, default empty)
# is put before each binary: tools/check_arm64.sh runs them under qemu-aarch64 that way.
set -u
runner=${TEST_RUNNER:-}
build=$1; shift
passed=0; failed=0; bad_suites=()
for bin in "$@"; do
  name=$(basename "$bin")
  # shellcheck disable=SC2086  # the runner is a command and its arguments
  out=$($runner "$bin" --no-intro 2>&1); rc=$?
  line=$(grep -E '^\[doctest\] test cases:' <<<"$out" | tail -1)
  p=$(sed -nE 's/.*\| *([0-9]+) passed.*/\1/p' <<<"$line"); p=${p:-0}
  f=$(sed -nE 's/.*\| *([0-9]+) failed.*/\1/p' <<<"$line"); f=${f:-0}
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a crash or exit without a summary counts
  passed=$((passed + p)); failed=$((failed + f))
  if [ $rc -ne 0 ]; then
    bad_suites+=("$name"); echo "$out" | grep -v '^\[doctest\] \(test cases\|assertions\|Status\)' | tail -40
    printf '%-28s FAILED (exit %d)\n' "$name" "$rc"
  else
    printf '%-28s %s\n' "$name" "${line#\[doctest\] }"
    grep -E '^(SKIPPED|skipped):' <<<"$out" || true
  fi
done
echo "tests: $passed passed, $failed failed"
[ ${#bad_suites[@]} -eq 0 ] || { echo "failed suites: ${bad_suites[*]}"; exit 1; }
