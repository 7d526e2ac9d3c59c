// fuzz_json.cpp — libFuzzer target: the JSON reader must accept or reject any bytes
// with a gw::Error, never crash, hang or overflow the stack; what it accepts must
// survive a write/read round trip of its strings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "core/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        gw::JsonValue v = gw::parse_json(text, "fuzz");
        if (v.is_string() && gw::parse_json(gw::json_quote(v.text), "again").text != v.text) std::abort();
    } catch (const gw::Error&) {
    }
    return 0;
}
