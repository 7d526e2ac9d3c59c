// serve/request.cpp — typed, bounded reads of a request's JSON fields.
#include "request.h"

#include <cmath>

namespace gw {

// Each request is small (ExplorerLimits): these bound what the parser may build from it.
constexpr int kMaxRequestDepth = 8;                 // {"paths": [[1, 2]]} is 3 deep
constexpr size_t kMaxRequestValues = size_t(1) << 18;  // 64 paths of 1024 ids are 65,600 values

JsonValue parse_request(std::string_view body, size_t max_bytes) {
    if (body.size() > max_bytes)
        throw RequestError(cat("the request body has ", body.size(), " bytes; the limit is ", max_bytes));
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        JsonValue empty;
        empty.kind = JsonValue::Kind::Object;
        return empty;
    }
    JsonLimits limits;
    limits.max_bytes = max_bytes;
    limits.max_depth = kMaxRequestDepth;
    limits.max_values = kMaxRequestValues;
    JsonValue v;
    try {
        v = parse_json(body, "the request body", limits);
    } catch (const Error& e) {
        throw RequestError(e.what());  // "the request body: line 1, column 9: ..."
    }
    if (!v.is_object())
        throw RequestError(cat("the request body must be a JSON object, got ", json_kind_name(v.kind)));
    return v;
}

void check_fields(const JsonValue& obj, std::initializer_list<std::string_view> known) {
    for (const auto& [name, value] : obj.members) {
        bool ok = false;
        for (std::string_view k : known) ok = ok || name == k;
        if (ok) continue;
        std::string list;
        for (std::string_view k : known) list += cat(list.empty() ? "" : ", ", k);
        throw RequestError(cat("unknown field ", json_quote(name), " (this request takes: ", list, ")"));
    }
}

const JsonValue* optional_field(const JsonValue& obj, std::string_view key) {
    const JsonValue* v = obj.find(key);
    return v && !v->is_null() ? v : nullptr;
}

static const JsonValue& required(const JsonValue& obj, std::string_view key) {
    const JsonValue* v = optional_field(obj, key);
    if (!v) throw RequestError(cat(key, ": missing"));
    return *v;
}

// A JSON number that is a whole number in [lo, hi] (1.0 counts; 1.5 and 1e300 do not).
static int64_t whole(const JsonValue& v, std::string_view key, int64_t lo, int64_t hi) {
    const bool is_whole = v.is_number() && (v.is_integer || (std::isfinite(v.number) && v.number == std::floor(v.number) &&
                                                            std::fabs(v.number) < 9.0e15));
    const int64_t x = !is_whole ? 0 : v.is_integer ? v.integer : int64_t(v.number);
    if (!is_whole || x < lo || x > hi) {
        const std::string got = v.is_number() ? json_number(v.number) : json_kind_name(v.kind);
        throw RequestError(cat(key, ": expected a whole number in [", lo, ", ", hi, "], got ", got));
    }
    return x;
}

int64_t int_field(const JsonValue& obj, std::string_view key, int64_t lo, int64_t hi) {
    return whole(required(obj, key), key, lo, hi);
}

int64_t int_field(const JsonValue& obj, std::string_view key, int64_t fallback, int64_t lo, int64_t hi) {
    const JsonValue* v = optional_field(obj, key);
    return v ? whole(*v, key, lo, hi) : fallback;
}

double real_field(const JsonValue& obj, std::string_view key, double fallback, double lo, double hi) {
    const JsonValue* v = optional_field(obj, key);
    if (!v) return fallback;
    if (!v->is_number() || !(v->number >= lo && v->number <= hi)) {
        const std::string got = v->is_number() ? json_number(v->number) : json_kind_name(v->kind);
        throw RequestError(cat(key, ": expected a number in [", lo, ", ", hi, "], got ", got));
    }
    return v->number;
}

bool bool_field(const JsonValue& obj, std::string_view key, bool fallback) {
    const JsonValue* v = optional_field(obj, key);
    if (!v) return fallback;
    if (v->kind != JsonValue::Kind::Bool) throw RequestError(cat(key, ": expected true or false, got ", json_kind_name(v->kind)));
    return v->boolean;
}

std::string text_field(const JsonValue& obj, std::string_view key, size_t max_bytes) {
    const JsonValue& v = required(obj, key);
    if (!v.is_string()) throw RequestError(cat(key, ": expected a string, got ", json_kind_name(v.kind)));
    if (v.text.size() > max_bytes)
        throw RequestError(cat(key, ": ", v.text.size(), " bytes of text; the limit is ", max_bytes));
    return v.text;
}

std::vector<int> ids_field(const JsonValue& obj, std::string_view key, int64_t V, int64_t max_count) {
    return ids_value(required(obj, key), std::string(key), V, max_count);
}

std::vector<int> ids_value(const JsonValue& v, const std::string& key, int64_t V, int64_t max_count) {
    if (!v.is_array()) throw RequestError(cat(key, ": expected an array of token ids, got ", json_kind_name(v.kind)));
    if (v.items.empty()) throw RequestError(cat(key, ": empty; give at least one token id"));
    if (int64_t(v.items.size()) > max_count)
        throw RequestError(cat(key, ": ", v.items.size(), " token ids; at most ", max_count, " fit"));
    std::vector<int> ids;
    for (size_t i = 0; i < v.items.size(); i++) ids.push_back(int(whole(v.items[i], cat(key, "[", i, "]"), 0, V - 1)));
    return ids;
}

}  // namespace gw
