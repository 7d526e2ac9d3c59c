// test_tokenizer_io.cpp — the tokenization record (report/tokenizer_io.h): every stage of
// Tokenizer::encode_show_work, readable back, consistent with itself and with encode().
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/json.h"
#include "model/tokenizer.h"
#include "report/tokenizer_io.h"

using namespace gw;

static std::vector<int> ints(const JsonValue& a) {
    std::vector<int> v;
    for (const JsonValue& x : a.items) v.push_back(int(x.integer));
    return v;
}

TEST_CASE("the tokenization record: pieces, bytes, merges and tokens, as encode() cuts the text") {
    Tokenizer tok("weights/tiny-gpt2");
    // Words, a contraction, digits, punctuation, spaces, a newline, a tab and two-byte characters.
    const std::string text = "Hello, wörld! It's 1234 tokens\n  \tend";
    JsonValue j = parse_json(tokenization_json(tok.encode_show_work(text), tok, "weights/tiny-gpt2"), "tok.json");
    CHECK(j.find("kind")->text == "tokenization");
    CHECK(j.find("text")->text == text);
    const std::vector<int> ids = tok.encode(text);
    CHECK(ints(*j.find("ids")) == ids);

    std::string joined;
    std::vector<int> from_pieces;
    const JsonValue& pieces = *j.find("pieces");
    for (const JsonValue& p : pieces.items) {
        const std::string& piece = p.find("text")->text;
        joined += piece;
        // one byte token per byte to start with, then each merge shortens the row by at least one
        std::vector<int> symbols = ints(*p.find("initial"));
        REQUIRE(p.find("bytes")->items.size() == piece.size());
        REQUIRE(symbols.size() == piece.size());
        for (size_t b = 0; b < piece.size(); b++) {
            CHECK(p.find("bytes")->items[b].integer == int(uint8_t(piece[b])));
            CHECK(tok.token_bytes(symbols[b]) == piece.substr(b, 1));
        }
        for (const JsonValue& m : p.find("merges")->items) {
            const std::vector<int> after = ints(*m.find("symbols"));
            CHECK(after.size() < symbols.size());
            CHECK(tok.token_bytes(int(m.find("merged")->integer)) ==
                  tok.token_bytes(int(m.find("left")->integer)) + tok.token_bytes(int(m.find("right")->integer)));
            symbols = after;
        }
        CHECK(ints(*p.find("ids")) == symbols);  // the last merge's row is the piece's tokens
        for (int id : symbols) from_pieces.push_back(id);
    }
    CHECK(joined == text);
    CHECK(from_pieces == ids);
    const JsonValue& tokens = *j.find("tokens");
    REQUIRE(tokens.items.size() == ids.size());
    for (size_t i = 0; i < ids.size(); i++) {
        CHECK(tokens.items[i].find("id")->integer == ids[i]);
        const int64_t k = tokens.items[i].find("piece")->integer;
        REQUIRE(k >= 0);
        REQUIRE(k < int64_t(pieces.items.size()));
        CHECK(tokens.items[i].find("text")->text == tok.token_display(ids[i]));
    }
    // " wörld" is one piece whose characters are two bytes each in UTF-8: 7 bytes, 6 characters.
    CHECK(pieces.items[2].find("text")->text == " wörld");
    CHECK(pieces.items[2].find("bytes")->items.size() == 7);
    CHECK(pieces.items[2].find("mapped")->text == "Ġw" + byte_to_unicode(0xC3) + byte_to_unicode(0xB6) + "rld");
}

TEST_CASE("gpt2's merges of 'Hello', rank by rank") {
    // The steps lesson 03 shows for "Hello" (its `tokenize --show-work` block, checked by
    // make test-lessons; the tokenizer itself is checked against tools/reference/tokenizer_ref.py):
    // l+l first (rank 41), then e+ll (439), ell+o (10853), H+ello (15240): by rank, not left to right.
    Tokenizer tok("weights/tiny-gpt2");
    JsonValue j = parse_json(tokenization_json(tok.encode_show_work("Hello"), tok, "m"), "hello.json");
    const JsonValue& merges = *j.find("pieces")->items[0].find("merges");
    std::vector<std::string> made;
    for (const JsonValue& m : merges.items) made.push_back(m.find("text")->text);
    CHECK(made == std::vector<std::string>{"ll", "ell", "ello", "Hello"});
    std::vector<int> ranks;
    for (const JsonValue& m : merges.items) ranks.push_back(int(m.find("rank")->integer));
    CHECK(ranks == std::vector<int>{41, 439, 10853, 15240});
}
