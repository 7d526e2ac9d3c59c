#!/usr/bin/env python3
"""tokenizer_ref.py — an independent, plain-Python GPT-2 byte-level BPE tokenizer that
writes the golden fixture tests/test_tokenizer.cpp checks the C++ tokenizer against.

Needs only Debian's /usr/bin/python3 and its `regex` module (python3-regex), the same
regular-expression engine GPT-2's encoder uses; it shares no code with src/model/tokenizer.cpp.

    # the fixture (reads the shipped tokenizer files and a few KB of the corpora)
    /usr/bin/python3 tools/reference/tokenizer_ref.py fixtures weights/tiny-gpt2 \\
        /work/shared/data/corpus tests/fixtures/tokenizer/cases.json
    # token ids of a file, one per line (or just their number with --count)
    /usr/bin/python3 tools/reference/tokenizer_ref.py encode weights/tiny-gpt2 FILE [--count]

Text is bytes, not necessarily UTF-8: it is decoded with 'surrogateescape', so each byte
that is not part of a valid UTF-8 sequence becomes one lone surrogate U+DC80..U+DCFF,
which the pattern sees as neither letter, number nor space; each pre-token is encoded
back with 'surrogateescape', giving exactly its original bytes.
"""
import base64
import json
import random
import sys

import regex

# GPT-2's pre-tokenizer pattern, as published in openai/gpt-2 src/encoder.py.
PATTERN = regex.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def byte_alphabet():
    """byte -> printable character. Bytes that are already printable Latin-1 (other than
    space) stand for themselves; the remaining 68 get chr(256), chr(257), ... in byte order."""
    printable = [b for b in range(256)
                 if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF]
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


class Reference:
    def __init__(self, model_dir):
        with open(f"{model_dir}/encoder.json", encoding="utf-8") as f:
            self.ids = json.load(f)
        with open(f"{model_dir}/vocab.bpe", encoding="utf-8") as f:
            lines = f.read().split("\n")
        assert lines[0].startswith("#version"), "vocab.bpe: expected a #version line"
        pairs = [tuple(line.split(" ")) for line in lines[1:] if line]
        self.rank = {pair: r for r, pair in enumerate(pairs)}
        assert len(self.rank) == len(pairs), "vocab.bpe: a merge is listed twice"
        self.alphabet = byte_alphabet()

    @staticmethod
    def pretokenize(data):
        text = data.decode("utf-8", "surrogateescape")
        return [p.encode("utf-8", "surrogateescape") for p in PATTERN.findall(text)]

    def merge(self, piece):
        """Byte-pair merging of one pre-token: start from one symbol per byte; repeatedly
        take the adjacent pair with the lowest rank and join every occurrence of it, left
        to right; stop when no adjacent pair is a known merge."""
        symbols = [self.alphabet[b] for b in piece]
        while len(symbols) > 1:
            ranked = [(self.rank[p], p) for p in zip(symbols, symbols[1:]) if p in self.rank]
            if not ranked:
                break
            _, (left, right) = min(ranked)
            joined, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == left and symbols[i + 1] == right:
                    joined.append(left + right)
                    i += 2
                else:
                    joined.append(symbols[i])
                    i += 1
            symbols = joined
        return symbols

    def encode(self, data):
        ids, memo = [], {}  # memo: pre-token -> its ids (prose repeats words a lot)
        for piece in self.pretokenize(data):
            if piece not in memo:
                memo[piece] = [self.ids[s] for s in self.merge(piece)]
            ids.extend(memo[piece])
        return ids


def fixture_cases(corpus_dir):
    """(name, bytes) pairs: hand-picked cases for each branch of the pattern and each script,
    real prose, invalid UTF-8, and seeded random mixtures of all of these."""
    u = lambda s: s.encode("utf-8")
    cases = [
        ("empty", b""),
        ("hello world", u("Hello world")),
        ("space hello world", u(" Hello world")),
        ("hello comma world", u("Hello, world!")),
        ("two newlines", u("\n\n")),
        ("contractions lower", u("don't we'll it's they're I've I'd you'll she'd")),
        ("contractions upper", u("DON'T WE'LL IT'S I'M THEY'RE YOU'VE")),
        ("contractions mixed", u("I'M sure it'S Don'T we'Ll 'tis 're'''s 's ''t x'y")),
        ("apostrophes only", u("' '' ''' 's's ' s")),
        ("spaces", u("a  b   c    d \t e\t\tf ")),
        ("spaces runs", u("    leading and trailing    ")),
        ("tabs and newlines", u("line1\n\tindented\n\n\n  x\t\n\t")),
        ("crlf", u("first line\r\nsecond line\r\n\r\nthird\r\n")),
        ("only spaces", u("     ")),
        ("only newline", u("\n")),
        ("unicode spaces", u("a\u00a0b\u3000c\u2028d\u2003 e \u00a0 f\u0085g\u001fh\u000bi")),
        ("digits", u("3 14 159 2653 58979 3238462643383279502884197169399375105820974944")),
        ("numbers mixed", u("pi=3.14159, e=2.71828; 1,000,000 vs 1e9 and x2y3 v1.2.3 42nd")),
        ("unicode numbers", u("\u00bd \u2167 \u0663\u0664 \u0968\u0969 \u2460\u2461 \uff11\uff12 \u00b2")),
        ("punctuation runs", u("Wait... what?!?! (yes) [no] {maybe} <tag/> --- *** ### @@ $$ %% ^^ && ~~ `` ||")),
        ("symbols", u("a+b=c; x->y; f(x)=x**2 // comment /* c */ #include <x.h> \\n \\\\")),
        ("endoftext plain", u("before<|endoftext|>after <|endoftext|> <|endoftext|>")),
        ("accented latin", u("Café naïve résumé Ångström façade Über straße Œuvre")),
        ("decomposed accents", u("Cafe\u0301 nai\u0308ve e\u0301le\u0300ve \u0301alone")),
        ("cyrillic", u("Привет, мир! Съешь же ещё этих мягких французских булок.")),
        ("greek", u("Γειά σου Κόσμε· ξεσκεπάζω την ψυχοφθόρα βδελυγμία.")),
        ("cjk", u("你好，世界！日本語のテキストと한국어 텍스트。漢字かなカナ")),
        ("devanagari", u("नमस्ते दुनिया, यह एक परीक्षण है। क्षत्रिय")),
        ("arabic", u("مرحبا بالعالم، هذا اختبار. العربية ١٢٣")),
        ("hebrew thai", u("שלום עולם สวัสดีชาวโลก")),
        ("emoji", u("I ❤️ 🍕! 😀😃😄 👍🏽 🇫🇷 🏳️‍🌈")),
        ("emoji zwj", u("👨‍👩‍👧‍👦 family 👩🏾‍💻 coder 🧑‍🤝‍🧑 ❤️‍🔥")),
        ("emoji skin tones", u("👋🏻👋🏼👋🏽👋🏾👋🏿 ok")),
        ("combining marks", u("Z\u0351\u036b\u0343a\u0306\u0301lg\u0312o\u0300 \u20dd\u0300 x\u034f\u034fy")),
        ("control characters", bytes(range(0, 32)) + b"\x7f" + u("\u0080\u009f\ufeff\u200b")),
        ("all bytes", bytes(range(256))),
        ("invalid utf8 lone bytes", b"abc\x80def\xff \xfe\xfe hi\xc0\xaf"),
        ("invalid utf8 truncated", b"caf\xc3 na\xe2\x82 \xf0\x9f\x98 end\xe2"),
        ("invalid utf8 overlong and surrogates", b"\xc0\x80 \xe0\x80\xaf \xed\xa0\x80 \xed\xbf\xbf x"),
        ("invalid utf8 out of range", b"\xf4\x90\x80\x80 \xf5\x80\x80\x80 \xf8\x88\x80\x80\x80 ok"),
        ("invalid utf8 mixed with spaces", b" \x80 \x80\x80  \x80\n\x80\t \xc3\xa9\x80\xc3"),
        ("noncharacters", u("\ufffe\uffff\U0010ffff\U0001fffe end")),
    ]
    for name in ("austen", "kjv", "tinyshakespeare"):
        with open(f"{corpus_dir}/{name}.txt", "rb") as f:
            data = f.read()
        start = len(data) // 3
        start = data.index(b"\n", start) + 1
        cases.append((f"prose {name}", data[start:start + 2500]))

    # Random mixtures of the pieces each branch of the pattern cares about (fixed seed).
    pieces = ["a", "Z", "é", "ж", "中", "1", "٣", "½", " ", "  ", "\t", "\n", "\r\n", "\u00a0",
              "\u3000", "'", "'s", "'t", "'re", "'ll", "'d", "'m", "'ve", "!", "?", ".", ",",
              "<|", "|>", "\u0301", "😀", "\u200d", "👍🏽", "\ufe0f", "the", " the", "ing"]
    raw = [b"\x80", b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf0\x9f"]
    rng = random.Random(20240601)
    for k in range(40):
        parts = []
        for _ in range(rng.randint(1, 60)):
            if rng.random() < 0.1:
                parts.append(rng.choice(raw))
            else:
                parts.append(u(rng.choice(pieces)))
        cases.append((f"random mixture {k}", b"".join(parts)))
    return cases


def write_fixtures(model_dir, corpus_dir, out_path):
    ref = Reference(model_dir)
    b64 = lambda b: base64.b64encode(b).decode("ascii")
    out = []
    for name, data in fixture_cases(corpus_dir):
        out.append({
            "name": name,
            "text_b64": b64(data),
            "pretokens_b64": [b64(p) for p in ref.pretokenize(data)],
            "ids": ref.encode(data),
        })
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("{\"cases\": [\n")
        f.write(",\n".join(json.dumps(c, ensure_ascii=True) for c in out))
        f.write("\n]}\n")
    print(f"{out_path}: {len(out)} cases, {sum(len(c['ids']) for c in out)} ids")


def main(argv):
    if len(argv) == 5 and argv[1] == "fixtures":
        write_fixtures(argv[2], argv[3], argv[4])
    elif len(argv) in (4, 5) and argv[1] == "encode":
        with open(argv[3], "rb") as f:
            ids = Reference(argv[2]).encode(f.read())
        print(len(ids) if argv[4:] == ["--count"] else "\n".join(map(str, ids)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
