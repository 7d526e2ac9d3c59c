// test_weight_formats.cpp — the Q8 block format (core/weight_formats.h), by hand and by its bounds.
// (The F16 and BF16 conversions, which moved here from model/safetensors, are tested in
// tests/test_safetensors.cpp, where they were written.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "core/weight_formats.h"
#include "testing.h"

using namespace gw;

TEST_CASE("Q8 blocks: the format by hand") {
    // One block: amax 2.54 -> d = F16(2.54 / 127 = 0.02) = 0.0200042724609375 (0x251F),
    // q = round(x / d): 2.54 -> 126.97 -> 127, -1 -> -49.99 -> -50, 0.01 -> 0.4999 -> 0.
    std::vector<float> x(32, 0.0f);
    x[0] = 2.54f, x[1] = -1.0f, x[2] = 0.01f;
    int8_t q[32];
    uint16_t d[1];
    quantize_q8_row(q, d, x.data(), 32);
    CHECK(d[0] == 0x251F);
    CHECK(f16_to_f32(d[0]) == 0.0200042724609375f);
    CHECK(q[0] == 127);
    CHECK(q[1] == -50);
    CHECK(q[2] == 0);
    CHECK(q[3] == 0);
    // Ties go to even: with amax 127 the scale is exactly 1, and 2.5 -> 2, 3.5 -> 4, -0.5 -> -0.
    std::vector<float> ties = {127.0f, 2.5f, 3.5f, -0.5f};
    int8_t qt[4];
    uint16_t dt[1];
    quantize_q8_row(qt, dt, ties.data(), 4);  // one short block
    CHECK(f16_to_f32(dt[0]) == 1.0f);
    CHECK(qt[1] == 2);
    CHECK(qt[2] == 4);
    CHECK(qt[3] == 0);
    // A zero block: scale 0, values 0; reading back gives zeros.
    std::vector<float> zeros(40, 0.0f), back(40, 1.0f);
    int8_t qz[40];
    uint16_t dz[2];
    quantize_q8_row(qz, dz, zeros.data(), 40);
    dequantize_q8_row(back.data(), qz, dz, 40);
    for (float v : back) CHECK(v == 0.0f);
}

TEST_CASE("Q8 blocks: every value within half a step of its block's scale, blocks independent") {
    for (int64_t n : {1, 31, 32, 33, 100, 768}) {
        CAPTURE(n);
        std::vector<float> x = testing::hostile_floats(static_cast<size_t>(n), uint64_t(n), false), back(static_cast<size_t>(n));
        std::vector<int8_t> q(static_cast<size_t>(n));
        std::vector<uint16_t> d(static_cast<size_t>(q8_blocks(n)));
        quantize_q8_row(q.data(), d.data(), x.data(), n);
        dequantize_q8_row(back.data(), q.data(), d.data(), n);
        for (int64_t i = 0; i < n; i++) {
            const int64_t b = i / kQ8Block;
            float amax = 0;
            for (int64_t j = b * kQ8Block; j < std::min(n, (b + 1) * kQ8Block); j++) amax = std::fmax(amax, std::fabs(x[static_cast<size_t>(j)]));
            const double step = f16_to_f32(d[static_cast<size_t>(b)]);
            // Half a step, or (clamped at 127, when d rounded down) up to amax - 127 d.
            const double bound = std::max(step / 2, double(amax) - 127 * step) * (1 + 1e-6);
            CHECK(std::fabs(double(back[static_cast<size_t>(i)]) - double(x[static_cast<size_t>(i)])) <= bound);
            CHECK(std::abs(int(q[static_cast<size_t>(i)])) <= 127);
            // d q is exact in float: an 11-bit scale times a 7-bit integer.
            CHECK(double(back[static_cast<size_t>(i)]) == step * double(q[static_cast<size_t>(i)]));
        }
    }
}

