// e2_check.cpp — lesson 03, exercise 2: greedy longest-match tokenization of each argument,
// written independently of the student's, printed as the demo must print it:
//   longest match: hers elf
// (tokens as token_display shows them, one space apart).
#include <cstdio>
#include <string>

#include "model/model_dir.h"
#include "model/tokenizer.h"

int main(int argc, char** argv) {
    const gw::Tokenizer tok(gw::default_model_dir());
    for (int a = 1; a < argc; a++) {
        const std::string word = argv[a];
        std::string line = "longest match:";
        for (size_t at = 0; at < word.size();) {
            size_t n = word.size() - at;
            while (n > 1 && tok.token_id(word.substr(at, n)) < 0) n--;  // every single byte is a token
            line += " " + tok.token_display(tok.token_id(word.substr(at, n)));
            at += n;
        }
        std::printf("%s\n", line.c_str());
    }
    return 0;
}
