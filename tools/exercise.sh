#!/usr/bin/env bash
# tools/exercise.sh — the lessons' coursework machinery (make check-exercise, test-exercises, handout).
#
#   tools/exercise.sh check BUILD L E   run lessons/L-*/exercises/eE.sh from the repository root
#                                       with BUILD set, and print one line: PASS or FAIL, and why
#   tools/exercise.sh test BUILD        for every exercise: its check FAILS on the unmodified tree
#                                       and PASSES with lessons/NN-*/solutions/eK.patch applied
#   tools/exercise.sh handout BUILD     BUILD/handout.tar.gz: the tracked files without solutions
#
# `test` never touches the working tree: it copies the tracked and untracked (not ignored)
# files, and BUILD's compiled objects with their times, into BUILD/exercises/tree, and works
# there. After each exercise it puts back every file the patch or the build changed (each
# file newer than a marker made before the patch), so the next exercise starts from the
# unmodified tree again, and each exercise recompiles only what its own patch touches.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: tools/exercise.sh check BUILD L E | test BUILD | handout BUILD" >&2; exit 2; }

# The check script of lesson L (a number, 3 or 03), exercise E; exits 2 when there is none.
script_of() {
    local l e
    [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]] || { echo "check-exercise: give L=NN and E=K as numbers, e.g. make check-exercise L=03 E=2" >&2; exit 2; }
    l=$(printf '%02d' "$((10#$1))")
    e=$((10#$2))
    shopt -s nullglob
    local found=(lessons/"$l"-*/exercises/e"$e".sh)
    [ ${#found[@]} -eq 1 ] || { echo "check-exercise: lesson $l has no exercise $e (no lessons/$l-*/exercises/e$e.sh)" >&2; exit 2; }
    echo "${found[0]}"
}

# run_check BUILD SCRIPT LOG — runs one check (10 minutes at most); its status, output in LOG.
run_check() {
    local status=0
    BUILD=$1 timeout 600 bash "$2" >"$3" 2>&1 || status=$?
    return "$status"
}

# The label of a check script: "lesson 03 exercise 2".
label() {
    local lesson
    lesson=$(basename "$(dirname "$(dirname "$1")")")
    echo "lesson ${lesson%%-*} exercise $(basename "$1" .sh | tr -d e)"
}

check() {
    local build=$1 script log status=0 reason
    script=$(script_of "$2" "$3")
    mkdir -p "$build/exercises/logs"
    log="$build/exercises/logs/check.log"
    run_check "$build" "$script" "$log" || status=$?
    reason=$(tail -n 1 "$log")
    if [ "$status" -eq 0 ]; then
        echo "PASS $(label "$script"): $reason"
    else
        [ "$status" -eq 124 ] && reason="the check ran for more than 10 minutes"
        echo "FAIL $(label "$script"): ${reason:-the check stopped without saying why (log: $log)}"
        return 1
    fi
}

# Puts back, in the scratch tree, every file newer than the marker: the original's copy
# (with its time) where the scratch copy came from one, else the file goes (the build's
# exercises/ folder, never copied, goes too); then every path the patch names, in case it
# deleted one.
restore() {
    local tree=$1 marker=$2 patch=$3 build=$4 copied=$5 f
    while IFS= read -r -d '' f; do
        f=${f#"$tree"/}
        if [[ $f != "$build"/exercises/* ]] && [ -f "$f" ] &&
            { [[ $f == "$build"/* ]] || grep -qxF -- "$f" "$copied"; }; then
            cp -p "$f" "$tree/$f"
        else
            rm -f "$tree/$f"
        fi
    done < <(find "$tree" -newer "$marker" -type f -print0)
    while IFS= read -r f; do
        if [ -f "$f" ] && [ ! -f "$tree/$f" ]; then
            mkdir -p "$tree/$(dirname "$f")"
            cp -p "$f" "$tree/$f"
        fi
    done < <(git apply --numstat "$patch" 2>/dev/null | cut -f3)
    return 0
}

test_all() {
    local build=$1
    [[ $build != /* && $build != *..* ]] || { echo "test-exercises: BUILD must be a folder inside the repository (got $build)" >&2; exit 2; }
    shopt -s nullglob
    local scripts=(lessons/*/exercises/e*.sh)
    [ ${#scripts[@]} -gt 0 ] || { echo "test-exercises: no exercises found"; exit 1; }
    local root=$PWD start=$SECONDS
    local tree="$build/exercises/tree" logs="$PWD/$build/exercises/logs"
    rm -rf "$tree"
    mkdir -p "$tree/$build" "$logs"
    # The repository as it is now (tracked and untracked files, not ignored ones), and the
    # compiled objects, with their modification times, so nothing is rebuilt that need not be.
    local copied="$build/exercises/copied.list"
    git ls-files -co --exclude-standard >"$copied"
    tr '\n' '\0' <"$copied" | tar --null -T - --format=posix -cf - | tar -xf - -C "$tree"
    (cd "$build" && tar --format=posix -cf - --ignore-failed-read obj tests lessons tools gptwalk libgptwalk.a \
        openblas.flags 2>/dev/null) | tar -xf - -C "$tree/$build"
    echo "test-exercises: scratch copy in $tree ($((SECONDS - start)) s)"
    local passed=0 failed=0 skipped=0 script lesson e patch t0 status
    for script in "${scripts[@]}"; do
        lesson=$(dirname "$(dirname "$script")")
        e=$(basename "$script" .sh)
        patch="$lesson/solutions/$e.patch"
        t0=$SECONDS
        if [ ! -f "$patch" ]; then
            echo "SKIP $(label "$script"): no $patch (a handout without solutions?)"
            skipped=$((skipped + 1))
            continue
        fi
        local why=""
        local marker="$tree/.exercise-marker"
        touch "$marker"
        sleep 0.01
        status=0
        (cd "$tree" && run_check "$build" "$script" "$logs/$(basename "$lesson")-$e.unmodified.log") || status=$?
        if [ "$status" -eq 0 ]; then
            why="its check passes on the unmodified tree"
        elif [ "$status" -ne 1 ]; then
            why="its check stopped with status $status on the unmodified tree (want 1, a clean FAIL): $(tail -n 1 "$logs/$(basename "$lesson")-$e.unmodified.log")"
        elif ! (cd "$tree" && GIT_CEILING_DIRECTORIES=$root/$build/exercises git apply "$root/$patch") \
            2>"$logs/$(basename "$lesson")-$e.apply.log"; then
            why="$patch does not apply: $(head -n 1 "$logs/$(basename "$lesson")-$e.apply.log")"
        else
            status=0
            (cd "$tree" && run_check "$build" "$script" "$logs/$(basename "$lesson")-$e.solved.log") || status=$?
            [ "$status" -eq 0 ] || why="its check fails with the reference solution: $(tail -n 1 "$logs/$(basename "$lesson")-$e.solved.log")"
        fi
        restore "$tree" "$marker" "$patch" "$build" "$copied"
        if [ -z "$why" ]; then
            echo "ok   $(label "$script") ($((SECONDS - t0)) s)"
            passed=$((passed + 1))
        else
            echo "FAIL $(label "$script"): $why"
            failed=$((failed + 1))
        fi
    done
    echo "exercises: $passed passed, $failed failed, $skipped without a solution ($((SECONDS - start)) s)"
    [ "$failed" -eq 0 ]
}

handout() {
    local build=$1 out
    out="$build/handout.tar.gz"
    mkdir -p "$build"
    git ls-files -z | grep -zv '^lessons/[^/]*/solutions/' | tar --null -T - -czf "$out"
    echo "wrote $out: the tracked files without lessons/*/solutions/ (the same as: rm -r lessons/*/solutions)"
}

[ $# -ge 2 ] || usage
case $1 in
    check) [ $# -eq 4 ] || usage; check "$2" "$3" "$4" ;;
    test) test_all "$2" ;;
    handout) handout "$2" ;;
    *) usage ;;
esac
