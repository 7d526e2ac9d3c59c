// report/encoding_walk_io.h — printing, JSON and pictures of the encoding-walk records
// (encoding_walk.h computes them; this module only shows them).
//
// Printing is split into sections so a demo can pause between them (--step).
// Tokens are quoted (text::quoted_token, report/text.h): "' the'", or "#id" without a tokenizer.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "report/picture.h"
#include "walks/encoding_walk.h"

namespace gw {

class Tokenizer;

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
