// report/walk_json.h — private helpers for writing the walk records as JSON (src/*_io.cpp only).
//
// Records are small (hundreds of numbers), so they are built as strings: an object is
// a list of "key": value fields, an array a list of values. Numbers go through
// json_number (shortest round-trip form; NaN and infinities become null).
#pragma once
#include <string>
#include <vector>

#include "core/json.h"

namespace gw::walk_json {

inline std::string field(const std::string& key, const std::string& value) {
    return json_quote(key) + ": " + value;
}
inline std::string num(double x) { return json_number(x); }
inline std::string str(const std::string& utf8) { return json_quote(utf8); }

inline std::string join(const std::vector<std::string>& parts, const char* open, const char* close,
                        const std::string& sep) {
    std::string s = open;
    for (size_t i = 0; i < parts.size(); i++) s += (i ? sep : std::string()) + parts[i];
    return s + close;
}
inline std::string object(const std::vector<std::string>& fields) { return join(fields, "{", "}", ", "); }
// An object with one field per line (the top level of a file, for people who open it).
inline std::string object_lines(const std::vector<std::string>& fields) {
    return join(fields, "{\n  ", "\n}\n", ",\n  ");
}
inline std::string array(const std::vector<std::string>& items) { return join(items, "[", "]", ", "); }
inline std::string array_lines(const std::vector<std::string>& items) {
    return join(items, "[\n    ", "\n  ]", ",\n    ");
}
inline std::string ints(const std::vector<int>& ids) {
    std::vector<std::string> s;
    for (int id : ids) s.push_back(std::to_string(id));
    return array(s);
}

}  // namespace gw::walk_json
