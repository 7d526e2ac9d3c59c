// test_convert.cpp — widening, narrowing and quantizing many weights at a time (kernels/convert.h).
//
// Every vector kernel must give exactly the bits of the scalar conversions in
// core/weight_formats.h: widening is exact, and narrowing and quantizing are correctly
// rounded (to nearest, ties to even) in both, so == is the right test. The inputs cover
// every rounding case: ties, values a hair either side of them, subnormals, overflow to
// infinity, infinities and NaNs.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/cpu.h"
#include "kernels/convert.h"
#include "testing.h"

using namespace gw;
using gw::testing::random_floats;

namespace {
float float_of(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// For every 16-bit pattern h: the F32 values whose rounding to 16 bits is hardest. For BF16,
// h's own F32 and the F32s just below, at and just above the tie with the next pattern;
// for F16, its widened value and the ties and near-ties with its neighbours.
std::vector<float> rounding_cases(WType type) {
    std::vector<float> v;
    for (uint32_t h = 0; h < 65536; h++) {
        if (type == WType::BF16) {
            for (uint32_t low : {0x0000u, 0x7FFFu, 0x8000u, 0x8001u, 0xFFFFu}) v.push_back(float_of(h << 16 | low));
        } else {
            const float a = f16_to_f32(uint16_t(h)), b = f16_to_f32(uint16_t(h + 1));
            if (!std::isfinite(a)) {
                v.push_back(a);
                continue;
            }
            const float tie = float((double(a) + double(b)) / 2);  // exact: F16 has 11 bits
            v.push_back(a);
            if (std::isfinite(b)) {
                v.push_back(tie);
                v.push_back(std::nextafter(tie, 0.0f));
                v.push_back(std::nextafter(tie, INFINITY * tie));
            }
        }
    }
    for (float x : {65504.0f, 65519.99f, 65520.0f, 1e6f, 3e38f, -3e38f, 1e-8f, 2.98e-8f, 2.99e-8f, 6e-8f})
        v.push_back(x);
    return v;
}
}  // namespace

TEST_CASE("narrow_row: every kernel set gives the scalar conversion's bits") {
    for (WType type : {WType::BF16, WType::F16}) {
        CAPTURE(std::string(wtype_name(type)));
        std::vector<float> x = rounding_cases(type);
        const std::vector<float> r = random_floats(1000, 5, -70000.0f, 70000.0f);
        x.insert(x.end(), r.begin(), r.end());
        std::vector<uint16_t> want(x.size());
        narrow_row_ref(want.data(), type, x.data(), int64_t(x.size()));
        for (Isa isa : testing::supported_isas()) {
            CAPTURE(std::string(isa_name(isa)));
            for (int64_t offset : {0, 3}) {  // unaligned in and out, and a tail of n % 8
                const int64_t n = int64_t(x.size()) - offset;
                std::vector<uint16_t> got(size_t(n) + 1, 0xABCD);
                narrow_row(isa, got.data(), type, x.data() + offset, n);
                CHECK(got[size_t(n)] == 0xABCD);
                int64_t bad = 0;
                for (int64_t i = 0; i < n; i++) bad += got[size_t(i)] != want[size_t(i + offset)];
                CHECK(bad == 0);
            }
        }
    }
}

TEST_CASE("quantize_q8: every kernel set gives quantize_q8_row's bits") {
    for (int64_t n : {1, 31, 32, 33, 64, 100, 768, 3072}) {
        CAPTURE(n);
        std::vector<float> x = testing::hostile_floats(size_t(n), uint64_t(n), true);
        // Exact ties in one block: with amax 127 the scale is 1, so x / d = x.
        if (n >= 64)
            for (int64_t i = 32; i < 64; i++) x[size_t(i)] = i == 32 ? 127.0f : float(i % 9) - 4.5f;
        std::vector<int8_t> want_q(static_cast<size_t>(n));
        std::vector<uint16_t> want_d(size_t(q8_blocks(n)));
        quantize_q8_row(want_q.data(), want_d.data(), x.data(), n);
        for (Isa isa : testing::supported_isas()) {
            CAPTURE(std::string(isa_name(isa)));
            std::vector<int8_t> q(size_t(n) + 1, 99);
            std::vector<uint16_t> d(want_d.size() + 1, 0xABCD);
            quantize_q8(isa, q.data(), d.data(), x.data(), n);
            CHECK(q[size_t(n)] == 99);
            CHECK(d[want_d.size()] == 0xABCD);
            q.pop_back();
            d.pop_back();
            CHECK(q == want_q);
            CHECK(d == want_d);
        }
    }
}

TEST_CASE("widen_rows: every kernel set gives the exact stored values") {
    for (WType type : {WType::BF16, WType::F16, WType::Q8}) {
        for (int64_t cols : {int64_t(1), int64_t(17), int64_t(32), int64_t(70), int64_t(768)}) {
            CAPTURE(std::string(wtype_name(type)));
            CAPTURE(cols);
            const int64_t rows = 3;
            testing::StoredWeights w = testing::store_weights(type, testing::hostile_floats(static_cast<size_t>(rows * cols), uint64_t(cols), true), rows, cols, 3);
            for (int64_t c0 : {int64_t(0), cols > 32 ? int64_t(32) : int64_t(0), cols / 3}) {
                const int64_t n = cols - c0;
                for (Isa isa : testing::supported_isas()) {
                    CAPTURE(std::string(isa_name(isa)));
                    CAPTURE(c0);
                    std::vector<float> got(static_cast<size_t>(2 * n + 1), 42.0f);
                    widen_rows(isa, got.data(), w.view, 1, 3, c0, n);  // rows 1 and 2
                    CHECK(got[static_cast<size_t>(2 * n)] == 42.0f);
                    for (int64_t r = 0; r < 2; r++)
                        for (int64_t c = 0; c < n; c++)
                            REQUIRE(got[static_cast<size_t>(r * n + c)] == w.f32[static_cast<size_t>((r + 1) * cols + c0 + c)]);
                }
            }
        }
    }
}

