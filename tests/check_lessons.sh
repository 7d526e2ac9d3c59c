#!/usr/bin/env bash
# check_lessons.sh BUILD — runs every checked command in the lessons' pages
# (lessons/README.md, lessons/*/*.md) and compares its output with the lesson's (see
# tools/check_lessons.cpp for the format); checks that running them changed no file of the
# repository (`git status` before and after), that no command shown in a lesson writes an
# output file outside build/ or /tmp, that every source path a lesson names exists, and
# that every built demo answers --help (exit 0, usage on stdout, nothing on stderr) and
# refuses a bad command line the way lessons/lesson.h promises: exit 2, exactly one line
# on stderr, nothing on stdout. It also checks the glossary (order, links) and that every
# exercise a lesson describes has its check (lessons/NN-name/exercises/eK.sh) and back.
set -euo pipefail
build=$1
shopt -s nullglob
readmes=(lessons/README.md lessons/*/*.md)
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

# The glossary: headings in alphabetical order (letters and digits, case ignored), and every
# link to one of its terms, from a lesson or from the glossary itself, names a heading
# (anchors as GitHub makes them: lower case, punctuation dropped, spaces as hyphens).
glossary=lessons/GLOSSARY.md
if [ -f "$glossary" ]; then
    slugs=$(sed -n 's/^### //p' "$glossary" | tr 'A-Z' 'a-z' | sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g')
    keys=$(sed -n 's/^### //p' "$glossary" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]//g')
    if [ "$keys" != "$(sort <<<"$keys")" ]; then
        echo "FAIL: $glossary: the headings are not in alphabetical order"
        exit 1
    fi
    bad=0 links=0
    while IFS=: read -r file target; do
        links=$((links + 1))
        if ! grep -qxF -- "${target#*#}" <<<"$slugs"; then
            echo "FAIL: $file links to $target, which is no heading of $glossary"
            bad=$((bad + 1))
        fi
    done < <(grep -oE 'GLOSSARY\.md#[a-z0-9_-]+' "${readmes[@]}" /dev/null | sed 's/:GLOSSARY\.md/:GLOSSARY.md/';
             grep -oE '\]\(#[a-z0-9_-]+\)' "$glossary" | sed -e 's/^](/x/' -e 's/)$//' | sed "s|^x|$glossary:GLOSSARY.md|")
    echo "glossary links: $links, $bad broken"
    [ "$bad" -eq 0 ] || exit 1
fi

# Every "### Exercise K" of a lesson's pages has its check, lessons/NN-name/exercises/eK.sh,
# and says how to run it; every check belongs to an exercise the pages describe.
unmatched=0 exercises=0
for dir in lessons/[0-9][0-9]-*/; do
    dir=${dir%/}
    nn=$(basename "$dir" | cut -c1-2)
    described=$(sed -n 's/^### Exercise \([0-9][0-9]*\) .*/\1/p' "$dir"/*.md | sort -n | xargs)
    checked=$(for f in "$dir"/exercises/e*.sh; do [ -f "$f" ] && basename "$f" .sh | tr -d e; done | sort -n | xargs)
    [ -z "$described$checked" ] && continue
    if [ "$described" != "$checked" ]; then
        echo "FAIL: $dir describes exercises [$described] but has checks for [$checked] (exercises/eK.sh)"
        unmatched=$((unmatched + 1))
    fi
    for k in $described; do
        exercises=$((exercises + 1))
        grep -q "make check-exercise L=$nn E=$k\b" "$dir"/*.md ||
            { echo "FAIL: $dir: exercise $k never says 'make check-exercise L=$nn E=$k'"; unmatched=$((unmatched + 1)); }
    done
done
echo "exercises described and checked: $exercises, $unmatched mismatched"
[ "$unmatched" -eq 0 ] || exit 1

# Lesson commands write pictures and other files under build/ (or /tmp), never into the
# repository: an output flag followed by any other path is a mistake a student would copy.
writers=$(grep -nE -- '--(png|json|out|dump-trace) +[^ `]+' "${readmes[@]}" |
          grep -vE -- '--(png|json|out|dump-trace) +(build/|/tmp/|\$|<|[A-Z]+\b|FILE|DIR|PATH)' || true)
if [ -n "$writers" ]; then
    echo "FAIL: a lesson command writes outside build/ or /tmp:"
    echo "$writers"
    exit 1
fi

# Running the checked commands must leave the repository as it was.
in_git=0
git rev-parse --is-inside-work-tree >/dev/null 2>&1 && in_git=1
[ "$in_git" -eq 1 ] && before=$(git status --porcelain --untracked-files=all)
"$build/tools/check_lessons" "$build" "${readmes[@]}"
if [ "$in_git" -eq 1 ]; then
    after=$(git status --porcelain --untracked-files=all)
    if [ "$before" != "$after" ]; then
        echo "FAIL: running the lessons' commands changed the repository (git status):"
        diff <(echo "$before") <(echo "$after") || true
        exit 1
    fi
    echo "lesson commands left the repository unchanged (git status)"
else
    echo "not a git checkout: the check that lesson commands change no file is skipped"
fi

demos=("$build"/lessons/*)
[ ${#demos[@]} -gt 0 ] || { echo "no lesson demos built in $build/lessons"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad_args=("--no-such-flag" "--model")  # an unknown flag; a value flag without its value
passed=0 failed=0
for demo in "${demos[@]}"; do
    [[ -f $demo && -x $demo ]] || continue  # a built program, not a stray file
    status=0
    "$demo" --help </dev/null >"$tmp/out" 2>"$tmp/err" || status=$?
    if [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ] && head -n 1 "$tmp/out" | grep -q '^usage: '; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $demo --help: exit $status (want 0), $(wc -l <"$tmp/err") stderr lines (want 0)," \
             "first line '$(head -n 1 "$tmp/out")' (want 'usage: ...')"
    fi
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
echo "lesson demos answering --help and refusing bad flags: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
