// fuzz_config.cpp — libFuzzer target: config.json from any bytes must be read or refused
// with a gw::Error whose message is one printable line; what is accepted must be a model
// gptwalk can size: positive sizes, whole heads, within the memory limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "core/json.h"
#include "model/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const gw::Config c = gw::parse_config(gw::parse_json(text, "config.json"), "config.json");
        if (c.n_embd <= 0 || c.n_head <= 0 || c.n_layer <= 0 || c.n_positions <= 0 || c.vocab_size <= 0) std::abort();
        if (c.n_embd % c.n_head != 0 || c.parameter_count() <= 0) std::abort();
        if (c.parameter_count() > gw::kMaxModelBytes / 4) std::abort();
        gw::validate_config(c, "again");  // what parse_config accepts, validate_config accepts
    } catch (const gw::Error& e) {
        if (gw::printable(e.what()) != e.what()) std::abort();  // a control character reached a message
    }
    return 0;
}
