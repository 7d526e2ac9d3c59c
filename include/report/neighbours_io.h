// report/neighbours_io.h — the table and JSON record of `gptwalk neighbours`: one token's
// nearest token vectors by cosine and by dot product, side by side (neighbours.h computes them).
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "walks/neighbours.h"

namespace gw {

class Tokenizer;

// Tokens as text::token_label (report/text.h): "␣the", or "#id" without a tokenizer.
void print_neighbours(std::FILE* out, const TokenNeighbours& n, const Tokenizer* tok, const std::string& model_dir);
// The record of `gptwalk neighbours --json` (and of the explorer's /api/neighbours).
std::string token_neighbours_json(const TokenNeighbours& n, const Tokenizer* tok, const std::string& model_dir);
// A neighbour list as JSON, [{"id", "text", "dot", "cosine", "norm"}, ...]: the form every
// record uses (the decoding walk's nearest tokens too).
std::string neighbour_list_json(const std::vector<Neighbour>& list, const Tokenizer* tok);

}  // namespace gw
