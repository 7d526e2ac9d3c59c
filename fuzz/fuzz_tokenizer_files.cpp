// fuzz_tokenizer_files.cpp — libFuzzer target: the tokenizer's two files from any bytes
// (vocab.json, a NUL byte, then merges.txt) must load or be refused with a gw::Error whose
// message is one printable line; a tokenizer that loads must round-trip any text exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/json.h"
#include "model/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const size_t nul = bytes.find('\0');
    const std::string vocab = bytes.substr(0, nul), merges = nul == std::string::npos ? "" : bytes.substr(nul + 1);
    try {
        const gw::Tokenizer tok = gw::Tokenizer::from_text(vocab, merges, "vocab.json", "merges.txt");
        if (tok.vocab_size() < 256) std::abort();  // every byte has a token
        for (const std::string& text : {std::string("Hello, world! aaaa abab"), merges, bytes}) {
            if (tok.decode(tok.encode(text)) != text) std::abort();
        }
    } catch (const gw::Error& e) {
        if (gw::printable(e.what()) != e.what()) std::abort();  // a control character reached a message
    }
    return 0;
}
