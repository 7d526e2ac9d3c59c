// fuzz_safetensors.cpp — libFuzzer target: the safetensors header parser must reject
// any malformed file with a gw::Error whose message is one printable line; whatever it
// accepts must lie inside the bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/error.h"
#include "core/json.h"
#include "model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        gw::SafetensorsIndex index = gw::parse_safetensors(data, size, "fuzz.safetensors");
        for (const gw::TensorInfo& t : index.tensors) {
            // Accepted tensors must point inside the buffer: touch their first and last byte.
            if (t.end < t.begin || t.data < data || t.data + (t.end - t.begin) > data + size) std::abort();
            volatile uint8_t sink = 0;
            if (t.end > t.begin) sink = uint8_t(t.data[0] ^ t.data[t.end - t.begin - 1]);
            (void)sink;
        }
    } catch (const gw::Error& e) {
        if (gw::printable(e.what()) != e.what()) std::abort();  // a control character reached a message
    }
    return 0;
}
