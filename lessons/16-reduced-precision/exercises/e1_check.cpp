// e1_check.cpp — lesson 16, exercise 1: the check's own numbers for stage 1's gpt2-124M row.
// decode_bytes (src/perf/roofline.cpp) counts a decode step's bytes at a position; this prints
// them for GPT-2 124M at the position given (argv[1]) in stage 1's format: f32 MB, 16-bit MB,
// q8 MB, then the 16-bit and q8 speed limits over f32.
#include <cstdio>
#include <cstdlib>

#include "perf/random_checkpoint.h"  // gpt2_config
#include "perf/roofline.h"           // decode_bytes

int main(int argc, char** argv) {
    if (argc != 2) {
        std::printf("usage: e1_check POSITION\n");
        return 1;
    }
    const long long pos = std::atoll(argv[1]);
    const gw::Config c = gw::gpt2_config("124M");
    const double f32 = gw::decode_bytes(c, pos, gw::WType::F32), h = gw::decode_bytes(c, pos, gw::WType::F16),
                 q8 = gw::decode_bytes(c, pos, gw::WType::Q8);
    std::printf("%.1f %.1f %.1f %.2fx, %.2fx\n", f32 / 1e6, h / 1e6, q8 / 1e6, f32 / h, f32 / q8);
    return 0;
}
