// report/text.h — what every text table is made of: columns padded to a display width,
// printf into a std::string, and the ways a token is written.
//
// Every printout of the walks (report/*_io.cpp) and the lesson demos' tables build their
// rows from these, so a column lines up the same way everywhere and a token looks the
// same in every table. A tokenizer is optional: without one, a token is written "#id".
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace gw {

class Tokenizer;

namespace text {

// ---- columns
// The columns a terminal gives UTF-8 text: one per character ("␣the" is 4, not 6 bytes),
// two for East Asian wide and fullwidth characters (CJK, Hangul, fullwidth forms, most
// emoji), none for combining marks and zero-width characters. A byte that does not start
// a well-formed character counts one. Our own short table of Unicode blocks, not the C
// library's wcwidth(), which answers only after setlocale() (hidden global state).
size_t display_width(std::string_view utf8);
// s followed by spaces up to `width` columns; s as it is when already that wide.
std::string pad(std::string_view s, size_t width);
// A table cell of `width` columns whose last column is always blank: pad(s, width - 1)
// and one space, so a value wider than its column still stays apart from the next one.
std::string cell(std::string_view s, size_t width);
// Exactly `width` columns: s cut at a character boundary if it is wider, then padded.
std::string fit(std::string_view s, size_t width);
// Prints line without its trailing blanks (a padded last cell leaves some), then '\n'.
void put_line(std::FILE* out, std::string line);

// ---- numbers
// printf into a std::string (any length).
std::string format(const char* spec, ...) __attribute__((format(printf, 1, 2)));
// format(spec, x), or "-" when x is NaN: how tables show a value that is undefined
// (a cosine with the previous step, at the first step).
std::string or_dash(const char* spec, double x);
// format(spec, x), or "0" when x is exactly zero: how tables show changes, so that
// "bit-identical" stands out from "tiny".
std::string zero_or(const char* spec, double x);
std::string hex64(uint64_t x);  // "0x00f3..." (16 hex digits): checksums

// ---- tokens
// Two forms for tables, because tables use tokens in two ways:
// in a column of tokens: the tokenizer's display form, "␣the" (a space drawn as U+2423,
// control bytes escaped as \n, \xNN), so that " the" and "the" differ without quotes;
std::string token_label(const Tokenizer* tok, int id);
// in a line of prose or a list: quoted, "' the'" (the space as a space, since the quotes
// show where the token starts and ends; other bytes as in token_label).
std::string quoted_token(const Tokenizer* tok, int id);
// In a picture (the font draws printable ASCII only): "_the" (a space as '_'), "\n",
// other bytes \xNN, or each such byte as `unprintable` when one is given ('?' where
// labels must stay short, as on heatmap axes).
std::string token_ascii(const Tokenizer* tok, int id, char unprintable = 0);

// ---- text
std::string ascii(std::string_view bytes);  // printable ASCII: \n, \t, \xNN for other bytes
std::string ids_text(const Tokenizer* tok, const std::vector<int>& ids);  // decoded, or "1 2 3"
// Text on one line: a newline shown as \n; text that is not valid UTF-8 (a walk may stop
// in the middle of a character) shown as ascii() does.
std::string one_line(const std::string& text);

}  // namespace text
}  // namespace gw
