// demo.cpp — lesson 03: GPT-2's byte-level BPE, one stage at a time.
//
// Stages: text as bytes and the byte alphabet; the pre-tokenizer's pieces; the merge
// loop of one piece, rank by rank; ids and decoding (any bytes round-trip); and
// streaming decode holding back a half-finished UTF-8 character.
//
// usage: build/lessons/03-tokenizer [--model DIR] [--text STR] [--word STR] [--stream STR] [--step]
#include <cstdio>
#include <string>
#include <vector>

#include "core/stepper.h"     // --step
#include "lesson.h"           // lesson::Demo: flags, --step, errors
#include "model/tokenizer.h"  // Tokenizer, pretokenize, byte_to_unicode, StreamDecoder

namespace {

// A piece of text made readable on one line: ' ' as "␣", newline as "\n".
std::string visible(const std::string& s) {
    std::string out;
    for (char c : s) out += c == ' ' ? "\xE2\x90\xA3" : c == '\n' ? "\\n" : std::string(1, c);
    return out;
}

void print_hex(const std::string& bytes) {
    for (unsigned char c : bytes) std::printf(" %02X", c);
}

void run(const std::string& dir, const std::string& text, const std::string& word,
         const std::string& streamed, gw::Stepper& step) {
    const gw::Tokenizer tok(dir);
    std::printf("tokenizer: %d tokens = 256 bytes + %d merges + %s\n", tok.vocab_size(),
                tok.merge_count(), tok.eot_id() >= 0 ? "<|endoftext|>" : "nothing else");

    std::printf("\n== 1. text is bytes; each byte has a printable stand-in ==\n");
    std::printf("text \"%s\" is %zu bytes:", visible(text).c_str(), text.size());
    print_hex(text);
    std::printf("\n");
    for (unsigned char b : {uint8_t(' '), uint8_t('\n'), uint8_t('A'), uint8_t(0xF0)})
        std::printf("  byte %02X -> \"%s\"  (token id %d)\n", b, gw::byte_to_unicode(b).c_str(),
                    tok.token_id(std::string(1, char(b))));
    step.pause("pre-tokenize");

    std::printf("\n== 2. pre-tokenize: cut the text into pieces (merges never cross them) ==\n");
    const std::vector<std::string_view> pieces = gw::pretokenize(text);
    std::printf("%zu pieces:", pieces.size());
    for (std::string_view p : pieces) std::printf(" \"%s\"", visible(std::string(p)).c_str());
    std::printf("\n");
    step.pause("merges, lowest rank first");

    std::printf("\n== 3. merges for \"%s\": join the lowest-ranked adjacent pair, repeat ==\n",
                visible(word).c_str());
    const gw::EncodeWork work = tok.encode_show_work(word);
    for (const gw::PreTokenWork& p : work.pretokens) {
        std::printf("start (one token per byte):");
        for (int id : p.initial) std::printf(" %s", tok.token_display(id).c_str());
        std::printf("\n");
        for (const gw::MergeStep& m : p.merges) {
            std::printf("  rank %5d: %s + %s ->", m.rank, tok.token_display(m.left).c_str(),
                        tok.token_display(m.right).c_str());
            for (int id : m.symbols) std::printf(" %s", tok.token_display(id).c_str());
            std::printf("\n");
        }
        std::printf("no adjacent pair left is a merge: ids");
        for (int id : p.ids) std::printf(" %d", id);
        std::printf("\n");
    }
    step.pause("ids and decoding");

    std::printf("\n== 4. ids, and back to bytes ==\n");
    const std::vector<int> ids = tok.encode(text);
    std::printf("%zu ids:", ids.size());
    for (int id : ids) std::printf(" %d", id);
    std::printf("\nas tokens:");
    for (int id : ids) std::printf(" [%s]", tok.token_display(id).c_str());
    std::printf("\ndecode(encode(text)) == text: %s\n", tok.decode(ids) == text ? "yes" : "no");
    const std::string broken = "caf\xC3";  // "café" cut inside the 2-byte 'é': not valid UTF-8
    const std::vector<int> broken_ids = tok.encode(broken);
    std::printf("invalid UTF-8 \"caf\\xC3\" -> %zu ids, decodes to the same bytes: %s\n",
                broken_ids.size(), tok.decode(broken_ids) == broken ? "yes" : "no");
    step.pause("streaming decode");

    std::printf("\n== 5. streaming \"%s\": a character split across tokens is held back ==\n",
                visible(streamed).c_str());
    gw::StreamDecoder stream(tok);
    size_t in = 0, out = 0;
    for (int id : tok.encode(streamed)) {
        const std::string ready = stream.push(id);
        in += tok.token_bytes(id).size();
        out += ready.size();
        std::printf("  push %5d (bytes", id);
        print_hex(tok.token_bytes(id));
        std::printf(") -> emits \"%s\", holds %zu byte(s)\n", visible(ready).c_str(), in - out);
    }
    std::printf("  flush -> \"%s\"\n", stream.flush().c_str());
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("03-tokenizer", "byte-level BPE: bytes, pre-tokens, merges by rank, ids and back");
    std::string text = "Mr. Darcy's 2 sisters  smiled \xF0\x9F\x99\x82\n";  // ends in 🙂 and a newline
    std::string word = "herself";
    std::string streamed = " \xF0\x9F\xA6\x92";  // " 🦒": U+1F992 is 4 bytes of UTF-8
    demo.text("--text", &text, "STR", "the text followed through stages 1, 2 and 4")
        .text("--word", &word, "STR", "the piece whose merges stage 3 shows")
        .text("--stream", &streamed, "STR", "the text stage 5 decodes token by token");
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, text, word, streamed, step); });
}
