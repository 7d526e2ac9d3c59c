#!/usr/bin/env bash
# check_lessons.sh BUILD — runs every checked command in lessons/*/README.md and
# compares its output with the lesson's (see tools/check_lessons.cpp for the format);
# checks that every source path a lesson names exists, and that every built demo refuses
# a bad command line the way lessons/lesson.h promises: exit 2, exactly one line on
# stderr, nothing on stdout.
set -euo pipefail
build=$1
shopt -s nullglob
readmes=(lessons/README.md lessons/*/README.md)
[ ${#readmes[@]} -gt 0 ] || { echo "no lessons found"; exit 1; }
# Every file a lesson points at (outside its Exercises, which name files the student
# writes) must exist: a moved or renamed module fails here, not in a student's hands.
# Globs must match something; <placeholders> and weights/gpt2* (made by `make weights`)
# are not files of the repository.
missing=0 found=0
for readme in "${readmes[@]}"; do
    while read -r path; do
        case $path in *"<"*|weights/gpt2*) continue ;; esac
        if compgen -G "$path" >/dev/null; then  # a glob must match; a plain path must exist
            found=$((found + 1))
        else
            echo "FAIL: $readme names $path, which does not exist"
            missing=$((missing + 1))
        fi
    done < <(awk '/^## Exercises/ {skip = 1; next} /^## / {skip = 0} !skip' "$readme" |
             grep -oE '`(src|include|tests|tools|lessons|docs|weights|fuzz)/[^` ]*`' | tr -d '`' | sort -u)
done
echo "source paths named by the lessons: $found found, $missing missing"
[ "$missing" -eq 0 ] || exit 1

"$build/tools/check_lessons" "$build" "${readmes[@]}"

demos=("$build"/lessons/*)
[ ${#demos[@]} -gt 0 ] || { echo "no lesson demos built in $build/lessons"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad_args=("--no-such-flag" "--model")  # an unknown flag; a value flag without its value
passed=0 failed=0
for demo in "${demos[@]}"; do
    [[ -f $demo && -x $demo ]] || continue  # a built program, not a stray file
    for arg in "${bad_args[@]}"; do
        status=0
        "$demo" "$arg" </dev/null >"$tmp/out" 2>"$tmp/err" || status=$?
        err_lines=$(wc -l <"$tmp/err")
        out_bytes=$(wc -c <"$tmp/out")
        if [ "$status" -eq 2 ] && [ "$err_lines" -eq 1 ] && [ "$out_bytes" -eq 0 ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "FAIL: $demo $arg: exit $status (want 2), $err_lines stderr lines (want 1)," \
                 "$out_bytes stdout bytes (want 0)"
        fi
    done
done
echo "lesson demos refusing bad flags: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
