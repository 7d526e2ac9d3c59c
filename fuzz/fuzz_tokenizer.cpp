// fuzz_tokenizer.cpp — libFuzzer target: for ANY bytes (valid UTF-8 or not), encoding
// must not crash and decode(encode(x)) must give back exactly x; the streaming
// decoder must agree with decode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "model/tokenizer.h"

// libFuzzer calls the target millions of times: load GPT-2's vocabulary once.
// (A global is fine in a fuzz harness; library code has none.)
static std::unique_ptr<gw::Tokenizer> tokenizer;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* dir = std::getenv("GPTWALK_FUZZ_TOKENIZER");  // set by tools/fuzz.sh
    tokenizer = std::make_unique<gw::Tokenizer>(dir ? dir : "weights/tiny-gpt2");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<int> ids = tokenizer->encode(text);
    if (tokenizer->decode(ids) != text) std::abort();
    gw::StreamDecoder stream(*tokenizer);
    std::string streamed;
    for (int id : ids) streamed += stream.push(id);
    streamed += stream.flush();
    if (streamed != text) std::abort();
    return 0;
}
