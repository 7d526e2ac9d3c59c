// report/encoding_walk_io.h — printing, JSON and pictures of the encoding-walk records
// (encoding_walk.h computes them; this module only shows them).
//
// Printing is split into sections so a demo can pause between them (--step).
// Token labels come from a Tokenizer when there is one, else "#id".
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "report/picture.h"
#include "walks/encoding_walk.h"

namespace gw {

class Tokenizer;

// "' the'" (quoted, control bytes escaped) or "#464" when tok is nullptr.
std::string quoted_token(const Tokenizer* tok, int id);
// s padded with spaces to `width` characters (UTF-8 aware), for aligned columns.
std::string pad(const std::string& s, size_t width);
// "0" for an exact zero, else printf-style `spec` (e.g. "%.1e"): how tables show changes.
std::string zero_or(double x, const char* spec);
// Prints s without its trailing spaces, then a newline.
void put_line(FILE* out, std::string s);

// ---- the sections of `gptwalk walk encode` ----
void print_walk_header(FILE* out, const EncodingWalk& w, const Tokenizer* tok);
void print_walk_points(FILE* out, const EncodingWalk& w, const Tokenizer* tok);
void print_layer_norms(FILE* out, const EncodingWalk& w);
void print_attention_rows(FILE* out, const EncodingWalk& w, const Tokenizer* tok);
void print_perturbation(FILE* out, const PerturbationRecord& p, const Tokenizer* tok);
void print_notes(FILE* out, const std::vector<std::string>& notes);

// The whole record as one JSON document (perturbation may be nullptr).
std::string encoding_walk_json(const EncodingWalk& w, const PerturbationRecord* p,
                               const Tokenizer* tok);

// All pictures of the walk in one image: logit-lens rank grid, |h| and lens along the walk,
// the PCA path, attention per layer (mean over heads) and the focus heads.
Image encoding_walk_picture(const EncodingWalk& w, const Tokenizer* tok);

}  // namespace gw
