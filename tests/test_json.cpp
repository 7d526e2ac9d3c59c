// test_json.cpp — the JSON reader: values, escapes, limits and error positions.
#include <doctest/doctest.h>

#include <string>

#include "core/error.h"
#include "core/json.h"

using gw::JsonValue;
using gw::parse_json;

static std::string error_of(const std::string& text, gw::JsonLimits limits = {}) {
    try {
        parse_json(text, "t.json", limits);
    } catch (const gw::Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST_CASE("scalars, arrays and objects") {
    JsonValue v = parse_json(R"( {"a": 1, "b": [true, false, null], "c": -2.5e3, "d": "x"} )", "t");
    REQUIRE(v.is_object());
    REQUIRE(v.members.size() == 4);
    CHECK(v.members[0].first == "a");  // file order kept
    CHECK(v.find("a")->is_integer);
    CHECK(v.find("a")->integer == 1);
    const JsonValue& b = *v.find("b");
    REQUIRE(b.items.size() == 3);
    CHECK(b.items[0].boolean == true);
    CHECK(b.items[1].kind == JsonValue::Kind::Bool);
    CHECK(b.items[2].is_null());
    CHECK(v.find("c")->number == -2500.0);
    CHECK_FALSE(v.find("c")->is_integer);
    CHECK(v.find("d")->text == "x");
    CHECK(v.find("zz") == nullptr);
}

TEST_CASE("integers are exact up to int64") {
    JsonValue v = parse_json("[548105171, 9007199254740993, -9223372036854775808, 1e2, 99999999999999999999]", "t");
    CHECK(v.items[0].integer == 548105171);
    CHECK(v.items[1].integer == 9007199254740993LL);  // 2^53 + 1: a double would round it
    CHECK(v.items[2].integer == INT64_MIN);
    CHECK_FALSE(v.items[3].is_integer);  // written with an exponent
    CHECK_FALSE(v.items[4].is_integer);  // too big for int64, still a number
    CHECK(v.items[4].number == doctest::Approx(1e20));
}

TEST_CASE("string escapes, including surrogate pairs") {
    JsonValue v = parse_json(R"(["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u4e2d", "\ud83d\ude00", "Ġthe"])", "t");
    CHECK(v.items[0].text == "\"\\/\b\f\n\r\t");
    CHECK(v.items[1].text == "A\xC3\xA9\xE4\xB8\xAD");     // A, é, 中
    CHECK(v.items[2].text == "\xF0\x9F\x98\x80");           // U+1F600 from a surrogate pair
    CHECK(v.items[3].text == "\xC4\xA0the");                // raw UTF-8 passes through
}

TEST_CASE("errors name the source, line and column") {
    CHECK(error_of("{\n  \"a\": tru\n}") == "t.json: line 2, column 8: expected a value (object, array, string, number, true, false or null)");
    CHECK(error_of("") == "t.json: line 1, column 1: unexpected end of input, expected a value");
    CHECK(error_of("[1, 2") == "t.json: line 1, column 6: expected ',' or ']' in array");
    CHECK(error_of("{\"a\":1, \"a\":2}") == "t.json: line 1, column 9: duplicate key \"a\"");
    CHECK(error_of("[1] x").find("unexpected characters after the JSON value") != std::string::npos);
    CHECK(error_of("\"abc").find("unterminated string") != std::string::npos);
    CHECK(error_of("\"a\x01\"").find("control character") != std::string::npos);
    CHECK(error_of("\"\\x\"").find("unknown escape '\\x'") != std::string::npos);
    // Found by fuzz_config and fuzz_tokenizer_files: a duplicate key, and the byte after a
    // backslash, were echoed raw (here DEL and ESC).
    CHECK(error_of("{\"a\x7f\": 1, \"a\x7f\": 2}").find("duplicate key \"a\\u007f\"") != std::string::npos);
    CHECK(error_of("\"\\\x1b\"").find("unknown escape '\\\\u001b'") != std::string::npos);
    CHECK(error_of("\"\\ud83d\"").find("high surrogate without a low surrogate") != std::string::npos);
    CHECK(error_of("\"\\ude00\"").find("lone low surrogate") != std::string::npos);
    CHECK(error_of("\"\\u12g4\"").find("bad hex digit") != std::string::npos);
    CHECK(error_of("\"\xC3\x28\"").find("invalid UTF-8") != std::string::npos);
    CHECK(error_of("\"\xC0\xAF\"").find("invalid UTF-8") != std::string::npos);    // overlong '/'
    CHECK(error_of("\"\xED\xA0\x80\"").find("invalid UTF-8") != std::string::npos);  // encoded surrogate
    CHECK(error_of("01").find("unexpected characters") != std::string::npos);  // leading zero
    CHECK(error_of("1.").find("digit expected after '.'") != std::string::npos);
    CHECK(error_of("-").find("bad number") != std::string::npos);
    CHECK(error_of("1e999").find("out of range") != std::string::npos);
    CHECK(error_of("{1:2}").find("expected a string key") != std::string::npos);
    CHECK(error_of("nul").find("expected a value") != std::string::npos);
}

TEST_CASE("limits: depth and size are bounded, no stack overflow") {
    std::string deep(100000, '[');
    CHECK(error_of(deep).find("nesting deeper than 64 levels") != std::string::npos);
    std::string ok = std::string(64, '[') + std::string(64, ']');
    CHECK_NOTHROW(parse_json(ok, "t"));
    std::string too_deep = std::string(65, '[') + std::string(65, ']');
    CHECK_THROWS_AS(parse_json(too_deep, "t"), gw::Error);
    gw::JsonLimits small;
    small.max_bytes = 10;
    CHECK(error_of("[1,2,3,4,5,6]", small).find("more than the limit of 10") != std::string::npos);
}

TEST_CASE("limits: the number of values is bounded (a huge flat array is refused)") {
    gw::JsonLimits few;
    few.max_values = 4;  // the array itself and three numbers
    CHECK_NOTHROW(parse_json("[1, 2, 3]", "t", few));
    CHECK(error_of("[1, 2, 3, 4]", few).find("more than 4 values") != std::string::npos);
    CHECK(error_of("{\"a\": {\"b\": [1, 2]}}", few).find("more than 4 values") != std::string::npos);
    // the default: 2^20 values, far above encoder.json's 50,258
    std::string big = "[0";
    for (int i = 0; i < (1 << 20); i++) big += ",0";
    big += "]";
    CHECK(error_of(big).find("more than 1048576 values") != std::string::npos);
}

TEST_CASE("writing: quote and numbers round-trip through the reader") {
    std::string s = "tab\t \"q\" back\\ nl\n \x01 é";
    JsonValue v = parse_json(gw::json_quote(s), "t");
    CHECK(v.text == s);
    CHECK(gw::json_quote("a\xFF" "b") == "\"a\\ufffdb\"");  // invalid byte -> U+FFFD
    for (double x : {0.1, -3.0, 1e-30, 123456789.125, 3.4028234663852886e38}) {
        CHECK(parse_json(gw::json_number(x), "t").number == x);
    }
    CHECK(gw::json_number(0.0 / 0.0) == "null");
}

TEST_CASE("quoted and printable: strings from files cannot break a message's line or drive a terminal") {
    using gw::printable;
    using gw::quoted;
    CHECK(quoted("wte.weight") == "\"wte.weight\"");
    CHECK(quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(quoted("h.0\n\x1b[31mred\r\t") == "\"h.0\\n\\u001b[31mred\\r\\t\"");
    CHECK(quoted("del\x7f") == "\"del\\u007f\"");
    CHECK(quoted("csi\xC2\x9B" "2J") == "\"csi\\u009b2J\"");  // U+009B: C1 CSI, an escape on some terminals
    CHECK(quoted("nbsp\xC2\xA0\xC3\xA9") == "\"nbsp\xC2\xA0\xC3\xA9\"");  // U+00A0, U+00E9: printable, kept
    CHECK(quoted("bad\xff\xC3") == "\"bad\\xFF\\xC3\"");                   // not UTF-8: shown as bytes
    CHECK(quoted(std::string(300, 'x'), 4) == "\"xxxx\"...");
    CHECK(quoted("\xE2\x82\xAC\xE2\x82\xAC", 4) == "\"\xE2\x82\xAC\xE2\x82\xAC\"");  // a character is never split
    // json_quote keeps JSON's rules: C1 and DEL pass, a bad byte becomes U+FFFD.
    CHECK(gw::json_quote("\x7f\xC2\x9B\xff") == "\"\x7f\xC2\x9B\\ufffd\"");
    // printable: a whole message, its quotes left alone.
    CHECK(printable("say \"hi\"\nthen \x1b[2J") == "say \"hi\"\\nthen \\u001b[2J");
}
