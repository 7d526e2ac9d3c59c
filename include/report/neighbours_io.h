// report/neighbours_io.h — the table of `gptwalk neighbours`: one token's nearest token
// vectors by cosine and by dot product, side by side (neighbours.h computes them).
#pragma once
#include <cstdio>
#include <string>

#include "walks/neighbours.h"

namespace gw {

class Tokenizer;

// Tokens as text::token_label (report/text.h): "␣the", or "#id" without a tokenizer.
void print_neighbours(std::FILE* out, const TokenNeighbours& n, const Tokenizer* tok, const std::string& model_dir);

}  // namespace gw
