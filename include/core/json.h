// core/json.h — a small, bounded JSON reader (and the few writing helpers we need).
//
// Enough for config.json, vocab.json / encoder.json and safetensors headers.
// These files come from strangers, so the reader is attack surface: it limits the
// input size and the nesting depth, rejects duplicate keys, validates UTF-8, and
// reports errors as "<source>: line L, column C: <problem>".
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw {

struct JsonValue {
    enum class Kind { Null, Bool, Number, String, Array, Object };
    Kind kind = Kind::Null;
    bool boolean = false;             // Kind::Bool
    double number = 0.0;              // Kind::Number (always set)
    bool is_integer = false;          // Kind::Number written without '.', 'e' and fits int64
    int64_t integer = 0;              // Kind::Number, exact when is_integer
    std::string text;                 // Kind::String, decoded to UTF-8
    std::vector<JsonValue> items;     // Kind::Array
    std::vector<std::pair<std::string, JsonValue>> members;  // Kind::Object, in file order

    bool is_null() const { return kind == Kind::Null; }
    bool is_object() const { return kind == Kind::Object; }
    bool is_array() const { return kind == Kind::Array; }
    bool is_string() const { return kind == Kind::String; }
    bool is_number() const { return kind == Kind::Number; }
    // The member named key, or nullptr (linear search: objects here are small, or walked in order).
    const JsonValue* find(std::string_view key) const;
};

const char* json_kind_name(JsonValue::Kind kind);  // "null", "number", ... for error messages

struct JsonLimits {
    size_t max_bytes = size_t(64) << 20;  // refuse larger documents outright
    int max_depth = 64;                   // arrays/objects nested deeper than this are refused
    // Values in the whole document. Each parsed value costs ~100 bytes of tree, so a
    // 20 MB header of "0,0,0,..." would otherwise become ~1 GB; encoder.json, the largest
    // JSON we read, has 50,258 values.
    size_t max_values = size_t(1) << 20;
};

// Parses a whole document (surrounding whitespace allowed, nothing else after it).
// Throws gw::Error "<source>: line L, column C: <problem>".
JsonValue parse_json(std::string_view text, const std::string& source, JsonLimits limits = {});

// Writing: a quoted, escaped JSON string; and a number that round-trips (NaN/Inf -> null).
std::string json_quote(std::string_view utf8);
std::string json_number(double x);

// A string from a file (a tensor name, a dtype, a token) as an error message shows it:
// "..." with '"', '\\' and every control character escaped -- \n, \u001b, and also DEL and
// U+0080..U+009F, which some terminals obey as escape sequences -- bytes that are not UTF-8
// as \xNN, and cut after max_bytes ("..." after the closing quote). A hostile string can
// neither break the message's one line nor drive the terminal.
std::string quoted(std::string_view s, size_t max_bytes = 200);
// A whole message line made safe for a terminal: the same escapes, but no quotes added and
// '"' left alone. main() passes every error through it, so no message can span two lines.
std::string printable(std::string_view s);

}  // namespace gw
