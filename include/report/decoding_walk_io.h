// report/decoding_walk_io.h — showing decoding walks: text tables, JSON records, PNG pictures.
//
// The walks (decoding_walk.h) compute records; these functions only print or draw them.
// Every number printed is also in the JSON (with full precision), so a reader can check
// the table against the record. A tokenizer is optional: without one, tokens show as #id.
//   decoding_walk_io.cpp    one walk: table, JSON, picture (2-D path, p and entropy per step)
//   decoding_compare_io.cpp --compare (table, JSON, small multiples) and --tree (tree, JSON)
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "report/picture.h"
#include "walks/decoding_walk.h"

namespace gw {

class Tokenizer;

// "temperature 0.7, top-k 40, seed 1", or "greedy (arg max; no randomness)". (Tokens, padding
// and numbers in these tables: report/text.h.)
std::string sampler_text(const SamplerConfig& config);

// ---- one walk ----
// The stages of the table, in order, so --step can pause between them.
enum class DecodingSection { Path, Candidates, Fixed };
void print_decoding_header(std::FILE* out, const DecodingWalk& walk, const Tokenizer* tok,
                           const std::string& model_dir);
void print_decoding_section(std::FILE* out, const DecodingWalk& walk, const Tokenizer* tok,
                            DecodingSection section);
std::string decoding_walk_json(const DecodingWalk& walk, const Tokenizer* tok,
                               const std::string& model_dir);
// Three panels: the 2-D PCA path of c_t and chosen e_t; p(chosen) per step; entropy per step.
Image decoding_walk_picture(const DecodingWalk& walk, const Tokenizer* tok);

// ---- --compare ----
void print_compare(std::FILE* out, const std::vector<StrategyRun>& runs, const Tokenizer* tok);
std::string compare_json(const std::vector<StrategyRun>& runs, const Tokenizer* tok,
                         const std::string& model_dir);
// One panel per strategy: p(chosen) and entropy per step, metrics in the title.
Image compare_picture(const std::vector<StrategyRun>& runs, const Tokenizer* tok);

// ---- --tree ----
void print_tree(std::FILE* out, const WalkTree& tree, const Tokenizer* tok);
std::string tree_json(const WalkTree& tree, const Tokenizer* tok, const std::string& model_dir);

// The footnote lines every printout of ours ends with: which quantities are our own framing.
void print_decoding_notes(std::FILE* out);

}  // namespace gw
