// report/path_tree_io.h — the JSON record of a tree of explored decoding paths
// (walks/path_tree.h computes it; the explorer draws it as a tree and a 2-D map).
#pragma once
#include <string>

#include "walks/path_tree.h"

namespace gw {

class Tokenizer;

// Tokens as text::token_label (report/text.h): "␣the", or "#id" without a tokenizer.
std::string path_tree_json(const PathTree& tree, const Tokenizer* tok, const std::string& model_dir);

}  // namespace gw
