// report/text.cpp — columns, numbers and tokens as text (what every table is made of).
#include "report/text.h"

#include <cinttypes>
#include <cmath>
#include <cstdarg>

#include "model/tokenizer.h"
#include "model/unicode_classes.h"  // utf8_char, is_valid_utf8

namespace gw::text {

// ------------------------------------------------------------------ columns

namespace {

struct Range {
    uint32_t first, last;
};

// Two columns: the large blocks of Unicode's East Asian Width classes W and F
// (EastAsianWidth.txt), not every single code point in them.
constexpr Range kWide[] = {
    {0x1100, 0x115F},    // Hangul Jamo (leading consonants)
    {0x2E80, 0x303E},    // CJK radicals, Kangxi radicals, CJK symbols and punctuation
    {0x3041, 0x33FF},    // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, CJK compatibility
    {0x3400, 0x4DBF},    // CJK unified ideographs extension A
    {0x4E00, 0x9FFF},    // CJK unified ideographs
    {0xA000, 0xA4CF},    // Yi
    {0xAC00, 0xD7A3},    // Hangul syllables
    {0xF900, 0xFAFF},    // CJK compatibility ideographs
    {0xFE30, 0xFE4F},    // CJK compatibility forms
    {0xFF01, 0xFF60},    // fullwidth forms
    {0xFFE0, 0xFFE6},    // fullwidth signs
    {0x1F300, 0x1F64F},  // pictographs and emoticons
    {0x1F900, 0x1F9FF},  // supplemental pictographs
    {0x20000, 0x3FFFD},  // CJK ideographs, planes 2 and 3
};

// No column: marks that combine with the character before them, and zero-width characters.
constexpr Range kZero[] = {
    {0x0300, 0x036F},  // combining diacritical marks
    {0x200B, 0x200F},  // zero-width space, joiners, direction marks
    {0x20D0, 0x20FF},  // combining marks for symbols
    {0xFE00, 0xFE0F},  // variation selectors
    {0xFE20, 0xFE2F},  // combining half marks
};

template <size_t N>
bool in(const Range (&table)[N], uint32_t cp) {
    for (const Range& r : table)
        if (cp >= r.first && cp <= r.last) return true;
    return false;
}

size_t char_width(uint32_t cp) { return in(kZero, cp) ? 0 : in(kWide, cp) ? 2 : 1; }

// Length of the character at s[i]: a byte that starts no well-formed character is one.
size_t char_length(std::string_view s, size_t i, uint32_t* cp) {
    const int n = utf8_char(s, i, cp);
    if (n > 0) return size_t(n);
    *cp = 0xFFFD;  // shown as one replacement character or one escape
    return 1;
}

}  // namespace

size_t display_width(std::string_view s) {
    size_t cols = 0;
    uint32_t cp = 0;
    for (size_t i = 0, n = 0; i < s.size(); i += n) {
        n = char_length(s, i, &cp);
        cols += char_width(cp);
    }
    return cols;
}

std::string pad(std::string_view s, size_t width) {
    const size_t cols = display_width(s);
    return std::string(s) + std::string(cols < width ? width - cols : 0, ' ');
}

std::string cell(std::string_view s, size_t width) { return pad(s, width ? width - 1 : 0) + " "; }

std::string fit(std::string_view s, size_t width) {
    std::string out;
    size_t cols = 0;
    uint32_t cp = 0;
    for (size_t i = 0, n = 0; i < s.size(); i += n) {
        n = char_length(s, i, &cp);
        if (cols + char_width(cp) > width) break;  // whole characters only
        cols += char_width(cp);
        out.append(s.substr(i, n));
    }
    return out + std::string(width - cols, ' ');
}

void put_line(std::FILE* out, std::string line) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::fprintf(out, "%s\n", line.c_str());
}

// ------------------------------------------------------------------ numbers

std::string format(const char* spec, ...) {
    std::va_list args, again;
    va_start(args, spec);
    va_copy(again, args);
    const int n = std::vsnprintf(nullptr, 0, spec, args);  // the length first, then the text
    va_end(args);
    std::string out(n > 0 ? size_t(n) : 0, '\0');
    if (n > 0) std::vsnprintf(out.data(), out.size() + 1, spec, again);
    va_end(again);
    return out;
}

std::string or_dash(const char* spec, double x) { return std::isnan(x) ? "-" : format(spec, x); }
std::string zero_or(const char* spec, double x) { return x == 0.0 ? "0" : format(spec, x); }

std::string hex64(uint64_t x) { return format("0x%016" PRIx64, x); }

// ------------------------------------------------------------------ tokens

std::string token_label(const Tokenizer* tok, int id) {
    return tok ? tok->token_display(id) : "#" + std::to_string(id);
}

std::string quoted_token(const Tokenizer* tok, int id) {
    if (!tok) return "#" + std::to_string(id);
    const std::string d = tok->token_display(id), space = "\xE2\x90\xA3";  // U+2423, the display form of ' '
    std::string out = "'";
    for (size_t i = 0; i < d.size();) {
        const bool is_space = d.compare(i, space.size(), space) == 0;
        out += is_space ? " " : d.substr(i, 1);
        i += is_space ? space.size() : 1;
    }
    return out + "'";
}

// A space drawn as '_' so that " of" and "of" stay distinguishable in a picture.
std::string token_ascii(const Tokenizer* tok, int id, char unprintable) {
    if (!tok) return "#" + std::to_string(id);
    std::string out;
    for (unsigned char ch : tok->token_bytes(id)) {
        if (ch == ' ') out += '_';
        else if (unprintable && ch != '\n' && (ch < 0x20 || ch >= 0x7F)) out += unprintable;
        else out += ascii(std::string(1, char(ch)));
    }
    return out;
}

// ------------------------------------------------------------------ text

std::string ascii(std::string_view bytes) {
    std::string out;
    for (unsigned char ch : bytes) {
        if (ch == '\n') out += "\\n";
        else if (ch == '\t') out += "\\t";
        else if (ch >= 0x20 && ch < 0x7F) out += char(ch);
        else out += format("\\x%02X", ch);
    }
    return out;
}

std::string ids_text(const Tokenizer* tok, const std::vector<int>& ids) {
    if (tok) return tok->decode(ids);
    std::string s;
    for (size_t i = 0; i < ids.size(); i++) s += (i ? " " : "") + std::to_string(ids[i]);
    return s;
}

std::string one_line(const std::string& text) {
    if (!is_valid_utf8(text)) return ascii(text);
    std::string s;
    for (char ch : text) s += ch == '\n' ? std::string("\\n") : std::string(1, ch);
    return s;
}

}  // namespace gw::text
