// cli/tokenize.cpp — `gptwalk tokenize`: text -> tokens, with or without the work shown.
#include <cstdio>
#include <iostream>

#include "cli.h"
#include "core/error.h"
#include "core/mapped_file.h"
#include "model/tokenizer.h"
#include "report/tokenizer_io.h"

namespace gw {

static std::vector<Flag> tokenize_flags() {
    return {{"--model", "DIR", "folder with the tokenizer files (default: the shipped tiny model)"},
            {"--text", "STR", "the text to tokenize"},
            {"--file", "PATH", "tokenize a file's bytes exactly (no newline stripping)"},
            {"--ids-only", "", "print just the ids, separated by single spaces, on one line"},
            {"--show-work", "", "print every stage: pieces, bytes, merges with their ranks, ids (up to 4096 bytes)"},
            {"--json", "FILE", "write every stage as a JSON record, as --show-work keeps them (the explorer's /api/tokenize)"},
            {"--raw-bytes", "", "accept text that is not valid UTF-8 (each bad byte is its own piece)"}};
}

static int run_tokenize(const Args& args) {
    if (args.has("--text") == args.has("--file"))
        throw UsageError("tokenize: give exactly one of --text or --file");
    std::string dir = model_dir(args);
    std::string text = args.has("--file") ? read_file(args.str("--file")) : args.str("--text");
    size_t bad = 0;
    if (!args.has("--raw-bytes") && !is_valid_utf8(text, &bad))
        fail(args.has("--file") ? args.str("--file") : std::string("--text"),
             ": not valid UTF-8 (bad byte at offset ", bad, "); add --raw-bytes to tokenize the bytes anyway");
    auto tok = need_tokenizer(dir, "to tokenize text");
    // --show-work and --json keep the piece after every round of merges, so a word of n bytes
    // needs up to n^2 ids of memory. They are for reading: a page of text at most.
    constexpr size_t kShowWorkBytes = 4096;
    for (const char* flag : {"--show-work", "--json"})
        if (args.has(flag) && text.size() > kShowWorkBytes)
            fail(flag, " keeps every merge of every piece: give it at most ", kShowWorkBytes,
                 " bytes of text (this is ", text.size(), "); without it, any length is fine");
    const std::vector<int> ids = args.has("--show-work") ? std::vector<int>() : tok->encode(text);
    if (args.has("--show-work")) {
        print_encode_work(std::cout, *tok, tok->encode_show_work(text));
        std::cout.flush();
    } else if (args.has("--ids-only")) {
        for (size_t i = 0; i < ids.size(); i++) std::printf("%s%d", i ? " " : "", ids[i]);
        std::printf("\n");
    } else {
        std::printf("%5s  %6s  %s\n", "#", "id", "token");
        for (size_t i = 0; i < ids.size(); i++)
            std::printf("%5zu  %6d  %s\n", i, ids[i], tok->token_display(ids[i]).c_str());
        std::printf("%zu tokens from %zu bytes\n", ids.size(), text.size());
    }
    if (args.has("--json")) write_output(args.str("--json"), tokenization_json(tok->encode_show_work(text), *tok, dir), "JSON");
    return 0;
}

const Command kTokenizeCommand = {"tokenize", "show how GPT-2's byte-level BPE cuts text into tokens",
                                  "(--text STR | --file PATH) [--ids-only | --show-work] [--json FILE]",
                                  tokenize_flags, run_tokenize};

}  // namespace gw
