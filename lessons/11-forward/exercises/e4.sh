#!/usr/bin/env bash
# Lesson 11, exercise 4: build/tools/score, the mean -ln p(next) of any text, in windows.
source lessons/exercise.sh
build "$BUILD/tools/score" "$BUILD/lessons/11-forward"
mean_of() { sed -n 's/.*mean -ln p = \([0-9.]*\).*/\1/p' <<<"$OUTPUT" | head -n 1; }
for prompt in "In the beginning God created the" "ROMEO:"; do
    run "$BUILD/lessons/11-forward" --prompt "$prompt" -n 0
    want=$(mean_of)
    run "$BUILD/tools/score" --text "$prompt"
    got=$(mean_of)
    [ -n "$got" ] || fail "build/tools/score --text TEXT must print '... mean -ln p = X nats ...'"
    # Lesson 11 prints 3 decimals of the same sums from another forward pass (kForwardOrderAtol).
    same "the mean -ln p of \"$prompt\"" "$got" "$want" 0.0011
done
long=""
for i in $(seq 1 40); do long+="It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. "; done
run "$BUILD/tools/score" --text "$long"
got=$(mean_of)
check_program e4_check "$long"
# Windows of 256 over about 1100 tokens: the same forward passes if the windows are the same;
# the mean of ~1100 terms agrees to far better than 1e-4 unless a prediction is lost or repeated.
same "the mean -ln p of a text longer than the context" "$got" "$OUTPUT" 0.0001
status=0
"$BUILD/tools/score" --help >/dev/null 2>&1 || status=$?
[ "$status" -eq 0 ] || fail "build/tools/score --help must exit 0"
pass "score agrees with lesson 11 on two prompts and with the check on a text of $(wc -w <<<"$long") words ($got nats)"
