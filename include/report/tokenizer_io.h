// report/tokenizer_io.h — the JSON record of a tokenization with its work shown: the pieces
// of text, each piece's bytes and merges with their ranks, and the tokens (model/tokenizer.h
// computes the EncodeWork; `gptwalk tokenize --show-work` prints the same stages as text).
#pragma once
#include <string>

#include "model/tokenizer.h"

namespace gw {

// The record of `gptwalk tokenize --json` and of the explorer's /api/tokenize.
std::string tokenization_json(const EncodeWork& work, const Tokenizer& tok, const std::string& model_dir);

}  // namespace gw
