// core/json.cpp — a bounded recursive-descent JSON reader (RFC 8259).
//
// Recursion depth is capped by JsonLimits::max_depth, so a hostile "[[[[..." fails
// with an error instead of overflowing the stack. Strings are validated as UTF-8
// and their escapes decoded, \uD83D\uDE00 surrogate pairs included.
#include "core/json.h"

#include <charconv>  // std::from_chars
#include <cmath>     // std::isfinite
#include <cstdio>    // snprintf
#include <cstring>
#include <unordered_set>

#include "core/error.h"

namespace gw {

const JsonValue* JsonValue::find(std::string_view key) const {
    for (const auto& m : members)
        if (m.first == key) return &m.second;
    return nullptr;
}

const char* json_kind_name(JsonValue::Kind kind) {
    switch (kind) {
        case JsonValue::Kind::Null: return "null";
        case JsonValue::Kind::Bool: return "boolean";
        case JsonValue::Kind::Number: return "number";
        case JsonValue::Kind::String: return "string";
        case JsonValue::Kind::Array: return "array";
        case JsonValue::Kind::Object: return "object";
    }
    return "?";
}

namespace {

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_sequence_length(std::string_view s, size_t i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    size_t n;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
    else return 0;
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; k++) {
        if ((b(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;  // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;                        // surrogate
    if (cp > 0x10FFFF) return 0;
    return n;
}

class Parser {
public:
    Parser(std::string_view text, const std::string& source, JsonLimits limits)
        : s_(text), source_(source), limits_(limits) {}

    JsonValue parse_document() {
        if (s_.size() > limits_.max_bytes)
            fail(source_, ": JSON document is ", s_.size(), " bytes, more than the limit of ",
                 limits_.max_bytes);
        skip_ws();
        JsonValue v = parse_value(0);
        skip_ws();
        if (pos_ != s_.size()) error("unexpected characters after the JSON value");
        return v;
    }

private:
    std::string_view s_;
    const std::string& source_;
    JsonLimits limits_;
    size_t pos_ = 0;
    size_t values_ = 0;  // parsed so far, against limits_.max_values

    [[noreturn]] void error(const std::string& what) const { error_at(pos_, what); }
    [[noreturn]] void error_at(size_t at, const std::string& what) const {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < at && i < s_.size(); i++) {
            if (s_[i] == '\n') line++, col = 1;
            else col++;
        }
        fail(source_, ": line ", line, ", column ", col, ": ", what);
    }

    bool at_end() const { return pos_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[pos_]; }

    void skip_ws() {
        while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            pos_++;
    }

    void expect(char c) {
        if (peek() != c || at_end()) error(cat("expected '", c, "'"));
        pos_++;
    }

    JsonValue parse_value(int depth) {
        if (at_end()) error("unexpected end of input, expected a value");
        if (++values_ > limits_.max_values)
            error(cat("more than ", limits_.max_values, " values: refusing to build a larger tree"));
        char c = peek();
        if (c == '{' || c == '[') {
            if (depth >= limits_.max_depth)
                error(cat("nesting deeper than ", limits_.max_depth, " levels"));
            return c == '{' ? parse_object(depth + 1) : parse_array(depth + 1);
        }
        if (c == '"') {
            JsonValue v;
            v.kind = JsonValue::Kind::String;
            v.text = parse_string();
            return v;
        }
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
        if (match_word("true")) return make_bool(true);
        if (match_word("false")) return make_bool(false);
        if (match_word("null")) return JsonValue{};
        error("expected a value (object, array, string, number, true, false or null)");
    }

    bool match_word(const char* w) {
        size_t n = std::strlen(w);
        if (s_.substr(pos_, n) != w) return false;
        pos_ += n;
        return true;
    }

    static JsonValue make_bool(bool b) {
        JsonValue v;
        v.kind = JsonValue::Kind::Bool;
        v.boolean = b;
        return v;
    }

    JsonValue parse_object(int depth) {
        JsonValue v;
        v.kind = JsonValue::Kind::Object;
        expect('{');
        skip_ws();
        if (peek() == '}') return pos_++, v;
        // A hash set of the keys so far: encoder.json has 50,257 keys, and a linear
        // search for duplicates would make loading it quadratic (seconds, not ms).
        std::unordered_set<std::string> seen;
        for (;;) {
            skip_ws();
            size_t key_at = pos_;
            if (peek() != '"') error("expected a string key");
            std::string key = parse_string();
            if (!seen.insert(key).second) error_at(key_at, cat("duplicate key ", quoted(key)));
            skip_ws();
            expect(':');
            skip_ws();
            JsonValue item = parse_value(depth);
            v.members.emplace_back(std::move(key), std::move(item));
            skip_ws();
            if (peek() == ',') { pos_++; continue; }
            if (peek() == '}') { pos_++; return v; }
            error("expected ',' or '}' in object");
        }
    }

    JsonValue parse_array(int depth) {
        JsonValue v;
        v.kind = JsonValue::Kind::Array;
        expect('[');
        skip_ws();
        if (peek() == ']') return pos_++, v;
        for (;;) {
            skip_ws();
            v.items.push_back(parse_value(depth));
            skip_ws();
            if (peek() == ',') { pos_++; continue; }
            if (peek() == ']') { pos_++; return v; }
            error("expected ',' or ']' in array");
        }
    }

    uint32_t parse_hex4() {
        if (pos_ + 4 > s_.size()) error("truncated \\u escape");
        uint32_t cp = 0;
        for (int k = 0; k < 4; k++) {
            char h = s_[pos_++];
            cp <<= 4;
            if (h >= '0' && h <= '9') cp |= uint32_t(h - '0');
            else if (h >= 'a' && h <= 'f') cp |= uint32_t(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') cp |= uint32_t(h - 'A' + 10);
            else error("bad hex digit in \\u escape");
        }
        return cp;
    }

    std::string parse_string() {
        size_t start = pos_;
        expect('"');
        std::string out;
        for (;;) {
            if (at_end()) error_at(start, "unterminated string");
            unsigned char c = static_cast<unsigned char>(s_[pos_]);
            if (c == '"') { pos_++; return out; }
            if (c < 0x20) error("control character in string (must be escaped)");
            if (c == '\\') {
                pos_++;
                if (at_end()) error_at(start, "unterminated string");
                char e = s_[pos_++];
                switch (e) {
                    case '"': out += '"'; break;
                    case '\\': out += '\\'; break;
                    case '/': out += '/'; break;
                    case 'b': out += '\b'; break;
                    case 'f': out += '\f'; break;
                    case 'n': out += '\n'; break;
                    case 'r': out += '\r'; break;
                    case 't': out += '\t'; break;
                    case 'u': {
                        uint32_t cp = parse_hex4();
                        if (cp >= 0xDC00 && cp <= 0xDFFF) error("lone low surrogate in \\u escape");
                        if (cp >= 0xD800 && cp <= 0xDBFF) {  // high surrogate: a low one must follow
                            if (s_.substr(pos_, 2) != "\\u") error("high surrogate without a low surrogate");
                            pos_ += 2;
                            uint32_t lo = parse_hex4();
                            if (lo < 0xDC00 || lo > 0xDFFF) error("high surrogate without a low surrogate");
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        }
                        append_utf8(out, cp);
                        break;
                    }
                    default: error(cat("unknown escape '\\", printable(std::string(1, e)), "'"));  // e may be any byte
                }
                continue;
            }
            size_t n = utf8_sequence_length(s_, pos_);
            if (n == 0) error("invalid UTF-8 in string");
            out.append(s_.substr(pos_, n));
            pos_ += n;
        }
    }

    JsonValue parse_number() {
        size_t start = pos_;
        bool integral = true;
        if (peek() == '-') pos_++;
        if (peek() == '0') pos_++;
        else if (peek() >= '1' && peek() <= '9') while (peek() >= '0' && peek() <= '9') pos_++;
        else error("bad number");
        if (peek() == '.') {
            integral = false;
            pos_++;
            if (!(peek() >= '0' && peek() <= '9')) error("bad number: digit expected after '.'");
            while (peek() >= '0' && peek() <= '9') pos_++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos_++;
            if (peek() == '+' || peek() == '-') pos_++;
            if (!(peek() >= '0' && peek() <= '9')) error("bad number: digit expected in exponent");
            while (peek() >= '0' && peek() <= '9') pos_++;
        }
        const char* b = s_.data() + start;
        const char* e = s_.data() + pos_;
        JsonValue v;
        v.kind = JsonValue::Kind::Number;
        auto r = std::from_chars(b, e, v.number);
        if (r.ec == std::errc::result_out_of_range) error_at(start, "number out of range");
        if (r.ec != std::errc() || r.ptr != e) error_at(start, "bad number");
        if (integral) {
            auto ri = std::from_chars(b, e, v.integer);
            v.is_integer = (ri.ec == std::errc() && ri.ptr == e);
        }
        return v;
    }
};

}  // namespace

JsonValue parse_json(std::string_view text, const std::string& source, JsonLimits limits) {
    return Parser(text, source, limits).parse_document();
}

namespace {

// "\u001b" for a control character.
void append_u_escape(std::string& out, uint32_t cp) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(cp));
    out += buf;
}

// s with C0 controls escaped as JSON escapes them, and '"' and '\\' too when `quotes`. For
// a terminal (`for_terminal`), DEL and U+0080..U+009F are escaped too, and a byte that is not
// UTF-8 shows as \xNN; for JSON it becomes U+FFFD, since JSON text must be valid UTF-8.
// Stops after max_bytes of s (and sets *cut).
std::string escape(std::string_view s, bool for_terminal, bool quotes, size_t max_bytes, bool* cut) {
    std::string out;
    size_t i = 0;
    for (; i < s.size() && i < max_bytes; i++) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const size_t n = utf8_sequence_length(s, i);
            const unsigned char c1 = n == 2 ? static_cast<unsigned char>(s[i + 1]) : 0;
            if (n == 0 && for_terminal) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(c));
                out += buf;
            } else if (n == 0) {
                out += "\\ufffd";
            } else if (for_terminal && c == 0xC2 && c1 <= 0x9F) {
                append_u_escape(out, c1);  // U+0080..U+009F: a C1 control (U+009B is CSI)
                i += 1;
            } else {
                out.append(s.substr(i, n)), i += n - 1;
            }
        } else if (quotes && (c == '"' || c == '\\')) {
            out += '\\', out += char(c);
        } else if (c == '\n' || c == '\r' || c == '\t') {
            out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t";
        } else if (c < 0x20 || (for_terminal && c == 0x7F)) {
            append_u_escape(out, c);
        } else {
            out += char(c);
        }
    }
    *cut = i < s.size();
    return out;
}

}  // namespace

std::string json_quote(std::string_view s) {
    bool cut = false;
    return "\"" + escape(s, false, true, s.size(), &cut) + "\"";
}

std::string quoted(std::string_view s, size_t max_bytes) {
    bool cut = false;
    const std::string e = escape(s, true, true, max_bytes, &cut);
    return "\"" + e + (cut ? "\"..." : "\"");
}

std::string printable(std::string_view s) {
    bool cut = false;
    return escape(s, true, false, s.size(), &cut);
}

std::string json_number(double x) {
    if (!std::isfinite(x)) return "null";
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest form that round-trips
    return std::string(buf, r.ptr);
}

}  // namespace gw
