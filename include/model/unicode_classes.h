// model/unicode_classes.h — checking and decoding UTF-8, and the three character classes of GPT-2's
// pre-tokenizer pattern.
//
// The pattern (see pretoken_end() in tokenizer.cpp) only asks, of each code point,
// "is it \p{L} (a letter), \p{N} (a number), \s (white space), or none of these?".
// src/model/unicode_classes.cpp answers from a table of code-point ranges that
// tools/gen_unicode_tables.py generated with Python's `regex` module.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gw {

enum class CharClass : uint8_t {
    Other,   // neither letter, number nor space: punctuation, symbols, marks, controls,
             // surrogates, unassigned code points (and, in the tokenizer, invalid UTF-8 bytes)
    Letter,  // \p{L}
    Number,  // \p{N}
    Space,   // \s
};

CharClass char_class(uint32_t cp);  // cp in 0..0x10FFFF; anything larger is Other

// Length (1..4) of the well-formed UTF-8 character at s[i] (i < s.size()), setting *cp;
// 0 if s[i] does not start one; -1 if s ends inside what is so far a well-formed
// character. Well-formed is Unicode's table 3-7, what Python's strict decoder accepts:
// no overlong forms, no surrogates, nothing past U+10FFFF.
int utf8_char(std::string_view s, size_t i, uint32_t* cp);

// True when s is well-formed UTF-8 (as above); otherwise *bad_offset (if given) is the
// offset of the first byte that does not start a well-formed character.
bool is_valid_utf8(std::string_view s, size_t* bad_offset = nullptr);

}  // namespace gw
