// report/finetune_io.h — showing the fine-tuning walk (walks/finetune.h): a table, a JSON
// record and a picture. The walk computes every number; these only print or draw them.
#pragma once
#include <cstdio>
#include <string>

#include "report/picture.h"
#include "walks/finetune.h"

namespace gw {

class Tokenizer;

void print_finetune(std::FILE* out, const FinetuneWalk& walk, const Tokenizer& tok, const std::string& model_dir);
std::string finetune_json(const FinetuneWalk& walk, const Tokenizer& tok, const std::string& model_dir);
// Five panels: rank against k in context beside the tuned 0-shot rank; the logit-lens rank
// along the query's walk before and after; how far each layer moved; log p before against
// after for the query, held-out and trained pairs; the fine-tuning's loss.
Image finetune_picture(const FinetuneWalk& walk, const Tokenizer& tok);

}  // namespace gw
