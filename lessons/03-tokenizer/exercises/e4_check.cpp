// e4_check.cpp — lesson 03, exercise 4: the check's own test of encode_with_special
// (include/model/special_tokens.h). Each expected list is built from Tokenizer::encode of
// the plain pieces and eot_id(), independently of the student's splitting.
#include <cstdio>
#include <string>
#include <vector>

#include "model/model_dir.h"
#include "model/special_tokens.h"
#include "model/tokenizer.h"

int main() {
    const gw::Tokenizer tok(gw::default_model_dir());
    const std::string eot = "<|endoftext|>";
    // Each case: the pieces between special tokens ("" = none there), joined by eot.
    const std::vector<std::vector<std::string>> cases = {
        {"a", "b"}, {"", "x"}, {"x", ""}, {"", ""}, {"", "", "Hello world"}, {"no special token here"},
        {"a <|endoftext", "b"}, {"<|endoftext|", ""}, {"one", " two", "\nthree"}, {""}};
    for (const auto& pieces : cases) {
        std::string text;
        std::vector<int> want;
        for (size_t i = 0; i < pieces.size(); i++) {
            if (i) {
                text += eot;
                want.push_back(tok.eot_id());
            }
            text += pieces[i];
            for (int id : tok.encode(pieces[i])) want.push_back(id);
        }
        const std::vector<int> got = gw::encode_with_special(tok, text);
        if (got != want) {
            std::string g, w;
            for (int id : got) g += " " + std::to_string(id);
            for (int id : want) w += " " + std::to_string(id);
            std::printf("encode_with_special(\"%s\") gives%s, want%s\n", text.c_str(), g.c_str(), w.c_str());
            return 1;
        }
    }
    std::printf("encode_with_special: %zu texts, with <|endoftext|> at the ends, twice in a row, cut short\n",
                cases.size());
    return 0;
}
