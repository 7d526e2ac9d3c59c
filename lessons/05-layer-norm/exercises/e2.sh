#!/usr/bin/env bash
# Lesson 05, exercise 2: the one-pass variance in float, behind --one-pass.
source lessons/exercise.sh
build "$BUILD/lessons/05-layer-norm"
run "$BUILD/lessons/05-layer-norm" --one-pass
one=$(grep -m1 '^one-pass variance' <<<"$OUTPUT" | sed 's/.*: *//')
two=$(grep -m1 '^two-pass variance' <<<"$OUTPUT" | sed 's/.*: *//')
[ "$(wc -w <<<"$one")" -eq 3 ] && [ "$(wc -w <<<"$two")" -eq 3 ] ||
    fail "with --one-pass the demo must print 'one-pass variance ...: A B C' and 'two-pass variance ...: X Y Z'"
# U(-0.1, 0.1) has variance 0.2^2 / 12 = 0.00333; a sample of 768 is within 10% of it
# (its standard error is about 0.00333 * sqrt(0.8 / 768) = 1.1e-4), so the two-pass values
# must lie in [0.0029, 0.0038]; the one-pass ones, in float near 1e8 where floats are 8 apart,
# must be off by far more than the variance itself in at least one row.
awk -v one="$one" -v two="$two" 'BEGIN {
    split(one, a, " "); split(two, b, " "); bad = 0
    for (i = 1; i <= 3; i++) {
        if (b[i] < 0.0029 || b[i] > 0.0038) exit 1
        d = a[i] - b[i]; if (d < 0) d = -d; if (d > 1) bad = 1
    }
    exit bad ? 0 : 2
}'
case $? in
    0) ;;
    1) fail "the two-pass variances ($two) are not those of 10000 + U(-0.1, 0.1) (about 0.0033)" ;;
    *) fail "the one-pass variances ($one) are all close to the true ones: compute them in float, one pass, as sum(x^2)/C - mean^2" ;;
esac
default_output_unchanged
pass "two-pass: $two; one pass in float: $one -- rounding noise thousands of times the variance"
