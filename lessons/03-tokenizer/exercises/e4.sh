#!/usr/bin/env bash
# Lesson 03, exercise 4: <|endoftext|> as a special token (model/special_tokens.h, gptwalk tokenize --special).
source lessons/exercise.sh
build "$BUILD/gptwalk" "$BUILD/lessons/03-tokenizer"
text="a<|endoftext|>b"
run "$BUILD/gptwalk" tokenize --ids-only --text a
a=$OUTPUT
run "$BUILD/gptwalk" tokenize --ids-only --text b
b=$OUTPUT
run "$BUILD/gptwalk" inspect
eot=$(sed -n 's/.*<|endoftext|> = \([0-9]*\).*/\1/p' <<<"$OUTPUT")
run "$BUILD/gptwalk" tokenize --special --ids-only --text "$text"
same "gptwalk tokenize --special" "$OUTPUT" "$a $eot $b"
# Without the flag nothing changes: the ids are the plain text's, as the lesson's demo encodes it.
run "$BUILD/lessons/03-tokenizer" --text "$text"
plain=$(sed -n 's/^[0-9]* ids: //p' <<<"$OUTPUT")
run "$BUILD/gptwalk" tokenize --ids-only --text "$text"
same "gptwalk tokenize without --special" "$OUTPUT" "$plain"
coursework e4_check test_special_tokens
