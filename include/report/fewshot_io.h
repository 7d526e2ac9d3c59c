// report/fewshot_io.h — showing a few-shot walk: a table, a JSON record, a picture.
//
// fewshot.h computes the record; these functions only print or draw it. Every number
// in the table is in the JSON too.
#pragma once
#include <cstdio>
#include <string>

#include "report/picture.h"
#include "walks/fewshot.h"

namespace gw {

class Tokenizer;

void print_fewshot(std::FILE* out, const FewshotWalk& walk, const Tokenizer& tok,
                   const std::string& model_dir);
std::string fewshot_json(const FewshotWalk& walk, const Tokenizer& tok, const std::string& model_dir);
// Three panels against k: the answer's rank (log scale), its probability, cos(c_t, e_answer).
Image fewshot_picture(const FewshotWalk& walk, const Tokenizer& tok);

}  // namespace gw
