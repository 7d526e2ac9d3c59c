#!/usr/bin/env bash
# Lesson 18, exercise 1 — a linear schedule: `gptwalk train --schedule cosine|linear`.
# Run from the repository root with BUILD set to the build folder (make check-exercise L=18 E=1).
# Trains a tiny model for 4 updates (no warm-up, lr 1e-3 down to 0) with each schedule and
# reads the learning rates from train_log.json: linear must give 1e-3 (1 - s/4), s = 0..3,
# and the default must still be the cosine, 1e-3 (1 + cos(pi s/4)) / 2.
source lessons/exercise.sh
build "$BUILD/gptwalk"
dir=$SCRATCH  # removed when the check ends
lrs() {  # lrs OUT [FLAGS...] -> the learning rates of OUT/train_log.json, one a line
    local out=$1; shift
    rm -rf "$out"
    "$BUILD/gptwalk" train --config n_layer=1,n_embd=32,n_head=2,n_positions=32 --data lessons/data/pride-and-prejudice-1-10.txt \
        --out "$out" --steps 4 --batch 1 --seq 8 --warmup 0 --lr 1e-3 --min-lr 0 --save-every 0 "$@" >/dev/null || return 1
    sed -n 's/.*"step": [0-9]*, "loss": [^,]*, "lr": \([^,]*\),.*/\1/p' "$out/train_log.json"
}
check() {  # check NAME "want1 want2 ..." "got1 got2 ..."
    local why
    why=$(awk -v name="$1" -v want="$2" -v got="$3" 'BEGIN {
        n = split(want, w, " "); m = split(got, g, " ")
        if (n != m) { printf "%s: %d learning rates in the log, want %d\n", name, m, n; exit 1 }
        for (i = 1; i <= n; i++) if (g[i] - w[i] > 1e-15 || w[i] - g[i] > 1e-15) {
            printf "%s: update %d used lr %s, want %.10g\n", name, i, g[i], w[i]; exit 1 }
    }') || fail "$why"
}
if ! linear=$(lrs "$dir/18-e1-linear" --schedule linear 2>"$dir/18-e1.log"); then
    fail "gptwalk train --schedule linear did not run: $(head -n 1 "$dir/18-e1.log")"
fi
linear=$(echo $linear)  # one line
cosine=$(lrs "$dir/18-e1-cosine" | tr '\n' ' ')
check "--schedule linear" "0.001 0.00075 0.0005 0.00025" "$linear"
check "the default (cosine)" "$(awk 'BEGIN { for (s = 0; s < 4; s++) printf "%.17g ", 1e-3 * (1 + cos(3.141592653589793 * s / 4)) / 2 }')" "$cosine"
pass "--schedule linear lowers the rate in a straight line; the cosine is still the default"
