// report/json_writer.h — how every --json file is written: the walks' records as JSON text.
//
// A record holds at most a few hundred thousand numbers, so it is built as a string: a
// value is its JSON text, an object is made of fields ("key": value), an array of values.
//   json::document({json::field("kind", json::str("decoding_walk")),
//                   json::field("steps", json::lines(steps))})
//
// One layout for every file, for the people who open one:
//   document  the top level, one field per line, a newline at the end;
//   lines     a list of records (steps, runs, heads), one record per line;
//   the rest  on one line: {"id": 262, "text": "␣the"}, [0.5, 1, null].
// Numbers: an integer type is written as an integer (262; a token id stays one); a float or
// double in the shortest form that reads back to the same double (std::to_chars: 0.1,
// 1e-05, 0.699999988079071 for the float 0.7f, widened exactly); NaN and the infinities,
// which JSON cannot hold, as null (cos_prev at the first step has no previous step).
// Strings: UTF-8 with ", \, and control characters escaped; a byte that is not valid
// UTF-8 (half a character, cut between two tokens) becomes U+FFFD (json_quote).
// Every file reads back with gw::parse_json (core/json.h); tests/test_report_text.cpp
// checks that it does, numbers and escapes included.
#pragma once
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/json.h"  // json_quote, json_number

namespace gw::json {

template <typename T>
std::string num(T x) {
    static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, "a number (for bool: json::boolean)");
    if constexpr (std::is_integral_v<T>) return std::to_string(x);
    else return json_number(double(x));
}
inline std::string str(std::string_view utf8) { return json_quote(utf8); }
inline std::string boolean(bool b) { return b ? "true" : "false"; }
inline std::string null() { return "null"; }

inline std::string field(std::string_view key, const std::string& value) { return json_quote(key) + ": " + value; }
std::string object(const std::vector<std::string>& fields);  // {"a": 1, "b": 2}
std::string array(const std::vector<std::string>& items);    // [1, 2]

template <typename T>
std::string numbers(const std::vector<T>& v) {
    std::vector<std::string> items;
    for (const T& x : v) items.push_back(num(x));
    return array(items);
}
std::string strings(const std::vector<std::string>& v);
// An object whose values are all strings: {{"prob", "softmax(logits)[token]"}, ...}, e.g. the
// definitions every record carries beside its numbers.
std::string text_object(const std::vector<std::pair<std::string, std::string>>& key_text);

// The top level of a file: one field per line, indented by two spaces.
std::string document(const std::vector<std::string>& fields);
// One item per line. depth: how deep the list sits, 1 for the value of a top-level field,
// 2 for a list inside a record of such a list; it sets the indentation (two spaces a level).
std::string lines(const std::vector<std::string>& items, int depth = 1);

}  // namespace gw::json
