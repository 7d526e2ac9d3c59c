// test_tensor.cpp — shapes, owned buffers, typed weight views and reading them as F32.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"
#include "perf/bench.h"  // memory_use
#include "testing.h"

using namespace gw;

TEST_CASE("FloatBuffer: zero-filled and 64-byte aligned for every size, moves keep the data") {
    for (size_t n = 1; n <= 100; n++) {
        FloatBuffer b(n);
        CHECK(reinterpret_cast<uintptr_t>(b.data()) % 64 == 0);
        CHECK(b.size() == n);
        for (size_t i = 0; i < n; i++) CHECK(b[i] == 0.0f);
    }
    FloatBuffer big(size_t(1) << 20);  // 4 MiB: from mmap
    CHECK(reinterpret_cast<uintptr_t>(big.data()) % 64 == 0);
    big[123] = 5.0f;
    const float* p = big.data();
    FloatBuffer moved = std::move(big);
    CHECK(moved.data() == p);
    CHECK(moved[123] == 5.0f);
    CHECK(big.size() == 0);
}

TEST_CASE("a large buffer costs memory only where it is written") {
    // 256 MiB, of which the first 8 MiB are written: the resident set grows by ~8 MiB, not
    // 256, whether the system gives 4 KiB or 2 MiB pages (a write commits a whole page).
    const size_t n = size_t(64) << 20;
    const size_t before = memory_use().rss;
    FloatBuffer b(n);
    for (size_t i = 0; i < (size_t(2) << 20); i += 1024) b[i] = 1.0f;  // 8 MiB of floats, every 4 KiB
    const size_t grown = memory_use().rss - before;
    CHECK(grown < (size_t(64) << 20));  // far below 256 MiB, sanitizers' shadow memory included
    CHECK(b[size_t(2) << 20] == 0.0f);  // fresh pages read as zero
}

TEST_CASE("WeightView: bytes per type, f32() only for F32 views") {
    std::vector<float> m(6 * 64, 0.5f);
    WeightView w = f32_view(m.data(), {6, 64}, "m");
    CHECK(w.type == WType::F32);
    CHECK(w.bytes() == 6 * 64 * 4);
    CHECK(w.f32() == m.data());
    w.type = WType::BF16;
    CHECK(w.bytes() == 6 * 64 * 2);
    CHECK_THROWS_AS(w.f32(), Error);
    w.type = WType::Q8;  // 64 int8 values and two F16 scales a row
    CHECK(w.bytes() == 6 * 64 + 6 * 2 * 2);
    w.transposed = true;  // stored (64, 6): one short block of 6 per stored row
    CHECK(w.stored_rows() == 64);
    CHECK(w.stored_cols() == 6);
    CHECK(w.bytes() == 6 * 64 + 64 * 1 * 2);
}

TEST_CASE("read_row_f32 and AsF32 read every type exactly, transposed Q8 included") {
    const int64_t R = 5, C = 40;  // two Q8 blocks a row, the second short
    std::vector<float> values = testing::random_floats(size_t(R * C), 3);
    // BF16 and F16: the rounded values; the view of each.
    std::vector<uint16_t> bf(values.size()), hf(values.size());
    for (size_t i = 0; i < values.size(); i++) bf[i] = f32_to_bf16(values[i]), hf[i] = f32_to_f16(values[i]);
    // Q8 of the (R, C) matrix stored transposed, (C, R): blocks run down each column.
    std::vector<float> column(static_cast<size_t>(R));
    std::vector<int8_t> q(size_t(R * C));
    std::vector<uint16_t> d(size_t(C * q8_blocks(R)));
    for (int64_t c = 0; c < C; c++) {
        for (int64_t r = 0; r < R; r++) column[size_t(r)] = values[size_t(r * C + c)];
        quantize_q8_row(&q[size_t(c * R)], &d[size_t(c * q8_blocks(R))], column.data(), R);
    }
    for (WType t : {WType::F32, WType::BF16, WType::F16, WType::Q8}) {
        CAPTURE(std::string(wtype_name(t)));
        WeightView w = f32_view(values.data(), {R, C}, "w");
        w.type = t;
        if (t == WType::BF16) w.data = bf.data();
        if (t == WType::F16) w.data = hf.data();
        if (t == WType::Q8) w.data = q.data(), w.scales = d.data(), w.transposed = true;
        AsF32 all(w);
        CHECK((all.data() == values.data()) == (t == WType::F32));  // F32: no copy
        std::vector<float> row(static_cast<size_t>(C));
        for (int64_t r = 0; r < R; r++) {
            read_row_f32(row.data(), w, r);
            for (int64_t c = 0; c < C; c++) {
                const float x = values[size_t(r * C + c)];
                float want = x;
                if (t == WType::BF16) want = bf16_to_f32(f32_to_bf16(x));
                if (t == WType::F16) want = f16_to_f32(f32_to_f16(x));
                if (t == WType::Q8) want = f16_to_f32(d[size_t(c * q8_blocks(R))]) * float(q[size_t(c * R + r)]);
                CHECK(row[size_t(c)] == want);
                CHECK(all.row(r)[c] == want);
                CHECK(stored_weight(w, w.transposed ? c : r, w.transposed ? r : c) == want);
            }
        }
        CHECK_THROWS_AS(read_row_f32(row.data(), w, R), Error);  // no row R
    }
}

TEST_CASE("weight type names") {
    for (WType t : {WType::F32, WType::BF16, WType::F16, WType::Q8}) CHECK(parse_wtype(wtype_name(t)) == t);
    CHECK_THROWS_AS(parse_wtype("int8"), UsageError);
    CHECK(wtype_bytes_per_weight(WType::Q8) == 34.0 / 32.0);
}
