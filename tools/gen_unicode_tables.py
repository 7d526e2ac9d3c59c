#!/usr/bin/env python3
"""gen_unicode_tables.py — rewrites the table in src/model/unicode_classes.cpp: the character
classes that GPT-2's pre-tokenizer pattern uses (\\p{L}, \\p{N}, \\s) as compact
code-point ranges. Only the lines between "// BEGIN GENERATED TABLE" and
"// END GENERATED TABLE" are replaced; the code around them is written by hand.

    /usr/bin/python3 tools/gen_unicode_tables.py src/model/unicode_classes.cpp

Development time only: the C++ build never runs Python. The classes are not derived from
UnicodeData.txt but measured: every code point 0..0x10FFFF is tested with Python's
third-party `regex` module (the one GPT-2's encoder.py uses, here Debian's python3-regex),
so the C++ scanner agrees with tools/reference/tokenizer_ref.py exactly, including
whatever Unicode version that module bundles.
"""
import sys

import regex

LETTER = regex.compile(r"\p{L}")
NUMBER = regex.compile(r"\p{N}")
SPACE = regex.compile(r"\s")
CLASS_NAMES = (1, 2, 3)  # letter, number, space (0 = other)


def class_of(cp):
    ch = chr(cp)  # surrogates included: Python strings may hold them (surrogateescape does)
    found = [c for c, rx in ((1, LETTER), (2, NUMBER), (3, SPACE)) if rx.match(ch)]
    assert len(found) <= 1, f"U+{cp:04X} is in more than one class"
    return found[0] if found else 0  # 0 = other


def ranges():
    """Maximal runs [first, last] of one class other than 'other', in code-point order."""
    out, start, cls = [], 0, class_of(0)
    for cp in range(1, 0x110000):
        c = class_of(cp)
        if c != cls:
            if cls:
                out.append((start, cp - 1, cls))
            start, cls = cp, c
    if cls:
        out.append((start, 0x10FFFF, cls))
    return out


BEGIN = "// BEGIN GENERATED TABLE"
END = "// END GENERATED TABLE"


def table_text():
    table = ranges()
    counts = {c: sum(last - first + 1 for first, last, k in table if k == c) for c in CLASS_NAMES}
    lines = [BEGIN,
             f"// By tools/gen_unicode_tables.py with Python {sys.version.split()[0]}, regex {regex.__version__}.",
             f"// {len(table)} ranges: {counts[1]} letters, {counts[2]} numbers, {counts[3]} spaces;",
             "// a code point in none of them is 'other'.",
             "constexpr CodeRange kRanges[] = {"]
    short = {1: "L", 2: "N", 3: "S"}
    line = "   "
    for first, last, cls in table:
        item = f" {{0x{first:X}, 0x{last:X}, {short[cls]}}},"
        if len(line) + len(item) > 100:
            lines.append(line)
            line = "   "
        line += item
    lines += [line, "};", END]
    return "\n".join(lines)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_unicode_tables.py src/model/unicode_classes.cpp")
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + table_text() + tail)


if __name__ == "__main__":
    main()
