# lessons/exercise.sh — what every exercise check shares (sourced by lessons/NN-name/exercises/eK.sh).
#
# A check is a bash script run from the repository root with BUILD set to the build folder
# (`make check-exercise L=NN E=K` does both). It builds what it needs with `build`, runs it,
# and ends with `pass REASON` (exit 0) only for a correct solution; anything else ends with
# `fail REASON` (exit 1). The reason is the last line it prints: check-exercise shows it.
#
#   source lessons/exercise.sh
#   answer                                     # the prediction -> $ANSWER
#   build "$BUILD/lessons/00-setup"
#   run "$BUILD/lessons/00-setup" --prompt "In the beginning" -n 2     # its stdout -> $OUTPUT
#   same "your prediction" "$ANSWER" "$(sed -n 's/^new ids: //p' <<<"$OUTPUT")"
#   pass "your prediction is what the demo prints"
#
# Call the helpers directly, never inside $(...): `fail` must end the check itself, not a
# subshell. Prediction exercises read the student's answer from lessons/NN-name/answers/eK.txt;
# the expected value comes from running the program, never from a number typed into the check.
set -uo pipefail
: "${BUILD:=build}"

# The lesson folder and the exercise, from the path of the script that sourced us.
EXERCISE_SCRIPT=${BASH_SOURCE[1]}
LESSON_DIR=$(dirname "$(dirname "$EXERCISE_SCRIPT")")   # lessons/NN-name
EXERCISE=$(basename "$EXERCISE_SCRIPT" .sh)              # eK
LOG_DIR="$BUILD/exercises/logs"
mkdir -p "$LOG_DIR"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

pass() { echo "$*"; exit 0; }
fail() { echo "$*"; exit 1; }

# build TARGET... — make the targets (quietly); on a compile error, fail naming its first line.
build() {
    local log="$LOG_DIR/$(basename "$LESSON_DIR")-$EXERCISE.build.log"
    if ! make -s --no-print-directory BUILD="$BUILD" "$@" >"$log" 2>&1; then
        local first
        first=$(grep -m1 -E 'error|Error' "$log" || tail -n 1 "$log")
        fail "does not build: ${first:0:200} (whole log: $log)"
    fi
}

# run PROGRAM ARGS... — its stdout in $OUTPUT; fails naming the command when it exits non-zero.
run() {
    local status=0
    OUTPUT=$("$@" 2>"$SCRATCH/stderr" </dev/null) || status=$?
    [ "$status" -eq 0 ] || fail "\`$*\` exited with status $status: $(head -n 1 "$SCRATCH/stderr")"
}

# answer — the student's prediction in $ANSWER: lessons/NN-name/answers/eK.txt on one line,
# without comments (# to the end of a line).
answer() {
    local file="$LESSON_DIR/answers/$EXERCISE.txt"
    [ -f "$file" ] || fail "no answer yet: write your prediction in $file (see the exercise)"
    ANSWER=$(sed -e 's/#.*//' "$file" | tr -s ' \t\n' '   ' | sed -e 's/^ //' -e 's/ $//')
    [ -n "$ANSWER" ] || fail "$file holds no answer yet (only comments)"
}

# same WHAT GOT WANT [TOL] — word by word; numbers may differ by TOL (default 0: exact).
same() {
    local what=$1 got=$2 want=$3 tol=${4:-0}
    [ -n "$want" ] || fail "the check found nothing to compare $what with (did the program's output change?)"
    if ! awk -v got="$got" -v want="$want" -v tol="$tol" 'BEGIN {
            n = split(got, g, " "); m = split(want, w, " ")
            if (n != m) exit 1
            for (i = 1; i <= n; i++) {
                num = "^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$"
                if (g[i] ~ num && w[i] ~ num) { d = g[i] - w[i]; if (d < 0) d = -d; if (d > tol + 0) exit 1 }
                else if (g[i] != w[i]) exit 1
            }
        }'; then
        fail "$what: got '$got', but the program gives '$want'"
    fi
}

# number_in TEXT — the first number in the text.
number_in() { grep -oE -- '[-+]?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?' <<<"$1" | head -n 1; }

# default_output_unchanged — the lesson's checked blocks (its README and any part pages)
# still print what they show: an exercise that adds a flag must leave the default alone.
default_output_unchanged() {
    build "$BUILD/tools/check_lessons"
    local pages=("$LESSON_DIR"/*.md) result
    if ! result=$("$BUILD/tools/check_lessons" "$BUILD" "${pages[@]}"); then
        fail "the lesson's shown output changed (it must stay as it was): $(grep -m1 -v '^lessons:' <<<"$result")"
    fi
}

# check_program NAME ARGS... — builds lessons/NN-name/exercises/NAME.cpp (the check's own test
# of the solution, linked with the library) and runs it; its output in $OUTPUT. When it
# fails, so does the check, with the program's last line as the reason.
check_program() {
    local name=$1 status=0
    shift
    local bin="$BUILD/exercises/checks/$(basename "$LESSON_DIR")/exercises/$name"
    build "$bin"
    OUTPUT=$("$bin" "$@" 2>&1 </dev/null) || status=$?
    [ "$status" -eq 0 ] || fail "$(tail -n 1 <<<"$OUTPUT")"
}

# coursework CHECK SUITE — the end of an exercise that adds a module: the check's own test
# program (lessons/NN-name/exercises/CHECK.cpp) must pass, and so must the student's own
# suite, tests/SUITE.cpp; then the check passes, saying what was checked.
coursework() {
    local checked
    check_program "$1"
    checked=$OUTPUT
    [ -f "tests/$2.cpp" ] || fail "write your own tests in tests/$2.cpp"
    build "$BUILD/tests/$2"
    run "$BUILD/tests/$2"
    pass "$checked; tests/$2.cpp passes"
}

# model_copy KEY VALUE — $MODEL_COPY: the shipped model with one number of config.json changed
# (the other files are symbolic links, so nothing large is copied).
model_copy() {
    MODEL_COPY="$SCRATCH/model-$1"
    mkdir -p "$MODEL_COPY"
    local f
    for f in weights/tiny-gpt2/*; do ln -sf "$PWD/$f" "$MODEL_COPY/"; done
    rm "$MODEL_COPY/config.json"
    sed "s/\"$1\": *[0-9.eE+-]*/\"$1\": $2/" weights/tiny-gpt2/config.json >"$MODEL_COPY/config.json"
    grep -q "\"$1\": $2" "$MODEL_COPY/config.json" || fail "could not set $1 in a copy of config.json"
}
