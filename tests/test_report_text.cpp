// test_report_text.cpp — report/text.h (columns, numbers, tokens as text) and
// report/json_writer.h (numbers, escapes and layout, read back with gw::parse_json).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/json.h"
#include "model/tokenizer.h"
#include "report/json_writer.h"
#include "report/text.h"

using namespace gw;

// ---------------------------------------------------------------- columns

TEST_CASE("display width: characters, not bytes; wide and zero-width characters") {
    CHECK(text::display_width("") == 0);
    CHECK(text::display_width("the") == 3);
    // Multi-byte but one column each: the space symbol (3 bytes), é (2), ☃ (3), Greek, Cyrillic.
    CHECK(text::display_width("\xE2\x90\xA3the") == 4);
    CHECK(text::display_width("caf\xC3\xA9") == 4);
    CHECK(text::display_width("\xE2\x98\x83") == 1);
    CHECK(text::display_width("\xCE\xB1\xD0\xB6") == 2);
    // Two columns: CJK ideographs, Hangul, Hiragana, fullwidth forms, emoji.
    CHECK(text::display_width("\xE4\xB8\xAD\xE6\x96\x87") == 4);  // 中文
    CHECK(text::display_width("\xED\x95\x9C") == 2);              // 한
    CHECK(text::display_width("\xE3\x81\x82") == 2);              // あ
    CHECK(text::display_width("\xEF\xBC\xA1") == 2);              // Ａ (fullwidth A)
    CHECK(text::display_width("\xF0\x9F\x98\x80") == 2);          // U+1F600
    // None: a combining accent after its letter, a zero-width space.
    CHECK(text::display_width("e\xCC\x81") == 1);
    CHECK(text::display_width("a\xE2\x80\x8B" "b") == 2);
    // Bytes that start no well-formed character: one column each (they are shown escaped).
    CHECK(text::display_width("\xFF") == 1);
    CHECK(text::display_width("\xE2\x90") == 2);
    CHECK(text::display_width("\x80" "a") == 2);
}

TEST_CASE("pad, cell and fit line columns up by display width") {
    const std::string space = "\xE2\x90\xA3", zhong = "\xE4\xB8\xAD";
    CHECK(text::pad("ab", 5) == "ab   ");
    CHECK(text::pad(space + "the", 6) == space + "the  ");  // 4 columns + 2, not 6 bytes + 0
    CHECK(text::pad(zhong, 4) == zhong + "  ");             // 2 columns + 2
    CHECK(text::pad("abcdef", 3) == "abcdef");              // never cut
    CHECK(text::pad("", 0).empty());
    // cell: the last column stays blank, even for a value as wide as the cell or wider.
    CHECK(text::cell("ab", 4) == "ab  ");
    CHECK(text::cell("abc", 4) == "abc ");
    CHECK(text::cell("abcd", 4) == "abcd ");
    CHECK(text::cell("abcdef", 4) == "abcdef ");
    CHECK(text::cell(space + "x", 4) == space + "x  ");
    // fit: exactly the width, cut between characters (a wide one that would not fit is left out).
    CHECK(text::fit("ab", 4) == "ab  ");
    CHECK(text::fit(space + "the king", 5) == space + "the ");
    CHECK(text::fit(zhong + zhong + zhong, 5) == zhong + zhong + " ");
    CHECK(text::fit("caf\xC3\xA9s", 4) == "caf\xC3\xA9");
    CHECK(text::fit("abc", 0).empty());
    for (const std::string& s : {std::string("x"), space + "of", zhong + "a" + zhong, std::string("caf\xC3\xA9")})
        for (size_t w = 0; w < 8; w++) {
            CAPTURE(s);
            CAPTURE(w);
            CHECK(text::display_width(text::fit(s, w)) == w);
            CHECK(text::display_width(text::pad(s, w)) == std::max(w, text::display_width(s)));
        }
}

TEST_CASE("put_line drops trailing blanks") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    text::put_line(f, "a  b   ");
    text::put_line(f, "   ");
    std::rewind(f);
    char buf[32] = {};
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    CHECK(std::string(buf, n) == "a  b\n\n");
}

// ---------------------------------------------------------------- numbers

TEST_CASE("format, or_dash, zero_or, hex64") {
    CHECK(text::format("%5.2f|%s|%d", 3.14159, "x", 7) == " 3.14|x|7");
    CHECK(text::format("%s", "").empty());
    const std::string big(1000, 'z');
    CHECK(text::format("<%s>", big.c_str()) == "<" + big + ">");  // longer than any fixed buffer
    CHECK(text::or_dash("%.4f", std::nan("")) == "-");
    CHECK(text::or_dash("%14.4f", 0.5) == "        0.5000");
    CHECK(text::zero_or("%.1e", 0.0) == "0");
    CHECK(text::zero_or("%.1e", -0.0) == "0");
    CHECK(text::zero_or("%.1e", 1e-9) == "1.0e-09");
    CHECK(text::hex64(0xf3) == "0x00000000000000f3");
    CHECK(text::hex64(UINT64_MAX) == "0xffffffffffffffff");
}

// ---------------------------------------------------------------- tokens and text

TEST_CASE("tokens: without a tokenizer, #id in every form") {
    CHECK(text::token_label(nullptr, 262) == "#262");
    CHECK(text::quoted_token(nullptr, 262) == "#262");
    CHECK(text::token_ascii(nullptr, 262) == "#262");
    CHECK(text::ids_text(nullptr, {1, 22, 333}) == "1 22 333");
}

TEST_CASE("tokens: the three forms on GPT-2's tokenizer (the shipped model)") {
    const Tokenizer tok("weights/tiny-gpt2");
    const int the = tok.token_id(" the"), nl = tok.token_id("\n"), tab = tok.token_id("\t"),
              byte = tok.token_id("\xE2"), slash = tok.token_id("\\");
    REQUIRE(the >= 0);
    REQUIRE(nl >= 0);
    REQUIRE(tab >= 0);
    REQUIRE(byte >= 0);
    REQUIRE(slash >= 0);
    CHECK(text::token_label(&tok, the) == "\xE2\x90\xA3the");
    CHECK(text::quoted_token(&tok, the) == "' the'");
    CHECK(text::token_ascii(&tok, the) == "_the");
    CHECK(text::token_label(&tok, nl) == "\\n");
    CHECK(text::token_ascii(&tok, nl) == "\\n");
    CHECK(text::token_ascii(&tok, nl, '?') == "\\n");  // a newline stays visible
    CHECK(text::token_ascii(&tok, tab) == "\\t");
    CHECK(text::token_ascii(&tok, tab, '?') == "?");
    CHECK(text::token_label(&tok, byte) == "\\xE2");  // half a character: escaped
    CHECK(text::quoted_token(&tok, byte) == "'\\xE2'");
    CHECK(text::token_ascii(&tok, byte) == "\\xE2");
    CHECK(text::token_ascii(&tok, byte, '?') == "?");
    CHECK(text::token_label(&tok, slash) == "\\\\");
    CHECK(text::ids_text(&tok, {the, nl}) == " the\n");
}

TEST_CASE("ascii and one_line") {
    CHECK(text::ascii("a\nb\t\x01\xC3\xA9") == "a\\nb\\t\\x01\\xC3\\xA9");
    CHECK(text::one_line("in the\nbeginning\n") == "in the\\nbeginning\\n");
    CHECK(text::one_line("caf\xC3\xA9") == "caf\xC3\xA9");    // valid UTF-8 stays as it is
    CHECK(text::one_line("caf\xC3") == "caf\\xC3");            // cut inside a character: escaped
}

// ---------------------------------------------------------------- JSON

static JsonValue read_back(const std::string& text) { return parse_json(text, "written.json"); }

TEST_CASE("json::num: integers as integers, doubles in their shortest round-trip form, non-finite as null") {
    CHECK(json::num(262) == "262");
    CHECK(json::num(int64_t(-5)) == "-5");
    CHECK(json::num(int64_t(100000)) == "100000");  // not 1e+05: an id or a rank stays an integer
    CHECK(json::num(std::numeric_limits<int64_t>::min()) == "-9223372036854775808");
    CHECK(json::num(std::numeric_limits<uint64_t>::max()) == "18446744073709551615");  // a seed, exactly
    CHECK(json::num(0.1) == "0.1");
    CHECK(json::num(2.0) == "2");
    CHECK(json::num(1e-5) == "1e-05");
    CHECK(json::num(0.7f) == "0.699999988079071");  // the float widened exactly, then shortest
    CHECK(json::num(std::nan("")) == "null");
    CHECK(json::num(std::numeric_limits<double>::infinity()) == "null");
    CHECK(json::num(-std::numeric_limits<float>::infinity()) == "null");
    for (double x : {0.1, -3.0, 1e-30, 5e-324, 123456789.125, 1.7976931348623157e308, -0.0, 1.0 / 3.0}) {
        CAPTURE(x);
        const JsonValue v = read_back(json::num(x));
        CHECK(std::memcmp(&v.number, &x, sizeof x) == 0);  // the same bits, sign of zero included
    }
    for (float f : {0.7f, 1e-38f, 3.4028235e38f, -1.5f}) {
        CAPTURE(f);
        CHECK(float(read_back(json::num(f)).number) == f);
    }
    const JsonValue ints = read_back(json::numbers(std::vector<int64_t>{0, 100000, -7, int64_t(1) << 60}));
    REQUIRE(ints.items.size() == 4);
    for (const JsonValue& v : ints.items) CHECK(v.is_integer);
    CHECK(ints.items[3].integer == int64_t(1) << 60);
    const JsonValue holes = read_back(json::numbers(std::vector<float>{1.5f, std::nanf(""), 2.0f}));
    CHECK(holes.items[1].is_null());
    CHECK(holes.items[2].number == 2.0);
}

TEST_CASE("json::str escapes quotes, backslashes and control characters; invalid UTF-8 becomes U+FFFD") {
    const std::string s = "tab\t \"q\" back\\ nl\n cr\r \x01 \x1f caf\xC3\xA9 \xE2\x90\xA3 \xE4\xB8\xAD";
    CHECK(read_back(json::str(s)).text == s);
    CHECK(json::str("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
    CHECK(json::str("\x01") == "\"\\u0001\"");
    CHECK(json::str("a\xFF" "b") == "\"a\\ufffdb\"");
    CHECK(read_back(json::str("\xE2\x90")).text == "\xEF\xBF\xBD\xEF\xBF\xBD");  // each stray byte: U+FFFD
    const JsonValue o = read_back(json::object({json::field("k\"ey\n", json::num(1))}));
    CHECK(o.members[0].first == "k\"ey\n");
}

TEST_CASE("json layout: one line for values, document and lines for people who open the file") {
    CHECK(json::object({json::field("a", json::num(1)), json::field("b", json::array({}))}) == R"({"a": 1, "b": []})");
    CHECK(json::array({json::boolean(true), json::boolean(false), json::null()}) == "[true, false, null]");
    CHECK(json::strings({"x", "y"}) == R"(["x", "y"])");
    CHECK(json::object({}) == "{}");
    CHECK(json::lines({}) == "[]");
    CHECK(json::document({}) == "{}\n");
    CHECK(json::document({json::field("k", json::str("v")), json::field("l", json::lines({json::num(1), json::num(2)}))}) ==
          "{\n  \"k\": \"v\",\n  \"l\": [\n    1,\n    2\n  ]\n}\n");
    CHECK(json::lines({json::num(1), json::num(2)}, 2) == "[\n      1,\n      2\n    ]");

    // A record of every kind of value, nested as the walks nest theirs, reads back whole.
    const std::string doc = json::document({
        json::field("kind", json::str("test")),
        json::field("steps", json::lines({json::object({json::field("p", json::num(0.25)),
                                                        json::field("prev", json::num(std::nan("")))}),
                                          json::object({json::field("heads", json::lines({json::num(7)}, 2))})})),
        json::field("ids", json::numbers(std::vector<int>{262, 198})),
        json::field("ok", json::boolean(true)),
    });
    const JsonValue v = read_back(doc);
    CHECK(v.find("kind")->text == "test");
    const JsonValue& steps = *v.find("steps");
    REQUIRE(steps.items.size() == 2);
    CHECK(steps.items[0].find("p")->number == 0.25);
    CHECK(steps.items[0].find("prev")->is_null());
    CHECK(steps.items[1].find("heads")->items[0].integer == 7);
    CHECK(v.find("ids")->items[1].integer == 198);
    CHECK(v.find("ok")->boolean);
}
