#!/usr/bin/env bash
# Lesson 00, exercise 4: a new command, `gptwalk hello`, that prints the parameter count.
source lessons/exercise.sh
build "$BUILD/gptwalk"
gw="$BUILD/gptwalk"
status=0
"$gw" hello >"$SCRATCH/out" 2>"$SCRATCH/err" </dev/null || status=$?
[ "$status" -eq 0 ] || fail "\`gptwalk hello\` exited with status $status: $(head -n 1 "$SCRATCH/err")"
run "$gw" inspect
want=$(sed -n 's/^parameters \([0-9]*\).*/\1/p' <<<"$OUTPUT")
grep -qw -- "$want" "$SCRATCH/out" || fail "\`gptwalk hello\` prints '$(head -n 1 "$SCRATCH/out")', not the parameter count $want"
run "$gw" hello --model tests/fixtures/forward/f32
run "$gw" inspect --model tests/fixtures/forward/f32
other=$(sed -n 's/^parameters \([0-9]*\).*/\1/p' <<<"$OUTPUT")
"$gw" hello --model tests/fixtures/forward/f32 2>/dev/null | grep -qw -- "$other" ||
    fail "\`gptwalk hello --model DIR\` does not print that model's count ($other): does it read --model?"
status=0
"$gw" hello --help >"$SCRATCH/out" 2>"$SCRATCH/err" </dev/null || status=$?
[ "$status" -eq 0 ] && [ -s "$SCRATCH/out" ] || fail "\`gptwalk hello --help\` must print its usage and exit 0 (exit $status)"
status=0
"$gw" hello --bogus >"$SCRATCH/out" 2>"$SCRATCH/err" </dev/null || status=$?
[ "$status" -eq 2 ] && [ "$(wc -l <"$SCRATCH/err")" -eq 1 ] ||
    fail "\`gptwalk hello --bogus\` must be a usage error: exit 2 and one line on stderr (got exit $status)"
pass "gptwalk hello prints $want, answers --help and refuses a bad flag"
