// serve/request.h — reading a request's JSON body, every field typed and bounded (private to
// src/serve/: only api.cpp reads requests).
//
// A problem is a RequestError, answered with HTTP 400 and one line that names the field:
//   "steps: expected a whole number in [1, 64], got 100"
// Unknown fields are refused too: a misspelt "stpes" would otherwise be ignored in silence
// and the request answered with the default.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace gw {

struct RequestError : Error {
    using Error::Error;
};

// The body as a JSON object (an empty body is an empty object). max_bytes bounds it.
JsonValue parse_request(std::string_view body, size_t max_bytes);
// Refuses any member of obj not named in `known`.
void check_fields(const JsonValue& obj, std::initializer_list<std::string_view> known);

// Each reader returns the fallback when the field is absent (or null); the ones without a
// fallback require the field.
int64_t int_field(const JsonValue& obj, std::string_view key, int64_t lo, int64_t hi);
int64_t int_field(const JsonValue& obj, std::string_view key, int64_t fallback, int64_t lo, int64_t hi);
double real_field(const JsonValue& obj, std::string_view key, double fallback, double lo, double hi);
bool bool_field(const JsonValue& obj, std::string_view key, bool fallback);
std::string text_field(const JsonValue& obj, std::string_view key, size_t max_bytes);
// A non-empty array of token ids, each in [0, V), at most max_count of them; `name` in messages.
std::vector<int> ids_value(const JsonValue& v, const std::string& name, int64_t V, int64_t max_count);
std::vector<int> ids_field(const JsonValue& obj, std::string_view key, int64_t V, int64_t max_count);
// The member, if present and not null; else nullptr.
const JsonValue* optional_field(const JsonValue& obj, std::string_view key);

}  // namespace gw
