// test_safetensors.cpp — half-precision conversions (hand-worked bit patterns), writing
// and reading back, and a hostile header for every check the reader makes.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "core/error.h"
#include "core/mapped_file.h"
#include "model/safetensors.h"
#include "testing.h"

using namespace gw;
using gw::testing::TempDir;

namespace {

uint32_t bits(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    return u;
}
float from_bits(uint32_t u) {
    float x;
    std::memcpy(&x, &u, 4);
    return x;
}

// A file made of an 8-byte little-endian length, the header text, and the data bytes.
std::string st_bytes(const std::string& header, const std::string& data, uint64_t len) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; i++) out[size_t(i)] = char((len >> (8 * i)) & 0xFF);
    return out + header + data;
}
std::string st_bytes(const std::string& header, const std::string& data = "") {
    return st_bytes(header, data, header.size());
}

// Opens the file, returning the error message ("" if it opened).
std::string open_error(const std::string& path) {
    try {
        SafetensorsFile f(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

// Writes `contents` to a fresh file and returns open_error for it.
std::string error_for(const TempDir& dir, const std::string& contents) {
    std::string path = dir.file("t.safetensors");
    testing::write_text_file(path, contents);
    std::string msg = open_error(path);
    CHECK_MESSAGE(msg.find(path + ": ") == 0, "message should start with the path: ", msg);
    return msg;
}

const std::string k16zeros(16, '\0');

}  // namespace

TEST_CASE("f16 -> f32 widening, hand-worked bit patterns") {
    CHECK(f16_to_f32(0x3C00) == 1.0f);         // 0 01111 0000000000 = 2^0
    CHECK(f16_to_f32(0xC000) == -2.0f);        // 1 10000 0000000000 = -2^1
    CHECK(f16_to_f32(0x3555) == 0.333251953125f);  // 0 01101 0101010101: 2^-2 * (1 + 341/1024)
    CHECK(f16_to_f32(0x7BFF) == 65504.0f);     // largest finite: 2^15 * (2 - 2^-10)
    CHECK(f16_to_f32(0x0400) == std::ldexp(1.0f, -14));  // smallest normal
    CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
    CHECK(f16_to_f32(0x03FF) == std::ldexp(1023.0f, -24));  // largest subnormal
    CHECK(f16_to_f32(0x8001) == -std::ldexp(1.0f, -24));
    CHECK(bits(f16_to_f32(0x0000)) == 0x00000000u);
    CHECK(bits(f16_to_f32(0x8000)) == 0x80000000u);  // -0 keeps its sign
    CHECK(f16_to_f32(0x7C00) == std::numeric_limits<float>::infinity());
    CHECK(f16_to_f32(0xFC00) == -std::numeric_limits<float>::infinity());
    CHECK(bits(f16_to_f32(0x7E00)) == 0x7FC00000u);  // quiet NaN, payload moved up 13 bits
    CHECK(bits(f16_to_f32(0x7C01)) == 0x7F802000u);  // signalling NaN keeps its payload
}

TEST_CASE("f32 -> f16 narrowing rounds to nearest, ties to even") {
    CHECK(f32_to_f16(1.0f) == 0x3C00);
    CHECK(f32_to_f16(-2.0f) == 0xC000);
    CHECK(f32_to_f16(0.1f) == 0x2E66);  // 0.1 = 1.6 * 2^-4; 0.6 * 1024 = 614.4 -> 614 = 0x266
    CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);      // tie -> even (1.0)
    CHECK(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);  // tie between 0x3C01/0x3C02 -> even
    CHECK(f32_to_f16(from_bits(0x3F801001)) == 0x3C01);  // just above the tie -> up
    CHECK(f32_to_f16(65504.0f) == 0x7BFF);
    CHECK(f32_to_f16(65519.0f) == 0x7BFF);   // below the midpoint 65520
    CHECK(f32_to_f16(65520.0f) == 0x7C00);   // the midpoint ties to the even side: infinity
    CHECK(f32_to_f16(1e6f) == 0x7C00);
    CHECK(f32_to_f16(-1e6f) == 0xFC00);
    CHECK(f32_to_f16(std::ldexp(1.0f, -14)) == 0x0400);  // smallest normal
    CHECK(f32_to_f16(std::ldexp(1.0f, -24)) == 0x0001);  // smallest subnormal
    CHECK(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);  // tie between 0 and 2^-24 -> even (0)
    CHECK(f32_to_f16(std::ldexp(1.0f, -25) * 1.0000001f) == 0x0001);  // above the tie
    CHECK(f32_to_f16(3 * std::ldexp(1.0f, -25)) == 0x0002);  // 1.5 units: tie -> even (2)
    CHECK(f32_to_f16(std::ldexp(1023.5f, -24)) == 0x0400);  // rounds up into the normals
    CHECK(f32_to_f16(1e-10f) == 0x0000);
    CHECK(f32_to_f16(-1e-10f) == 0x8000);
    CHECK(f32_to_f16(from_bits(0x00000001)) == 0x0000);  // F32 subnormal
    CHECK(f32_to_f16(std::numeric_limits<float>::infinity()) == 0x7C00);
    uint16_t nan = f32_to_f16(std::numeric_limits<float>::quiet_NaN());
    CHECK((nan & 0x7C00) == 0x7C00);
    CHECK((nan & 0x03FF) != 0);
    CHECK((f32_to_f16(from_bits(0x7F800001)) & 0x03FF) != 0);  // payload only in low bits: still NaN
}

TEST_CASE("bf16 conversions, hand-worked") {
    CHECK(bf16_to_f32(0x3F80) == 1.0f);
    CHECK(bf16_to_f32(0xC000) == -2.0f);
    CHECK(bf16_to_f32(0x7F80) == std::numeric_limits<float>::infinity());
    CHECK(bf16_to_f32(0x0001) == std::ldexp(1.0f, -133));  // smallest subnormal: 2^-126 * 2^-7
    CHECK(f32_to_bf16(1.0f) == 0x3F80);
    CHECK(f32_to_bf16(0.1f) == 0x3DCD);  // 0x3DCCCCCD: low half 0xCCCD > 0x8000 -> up
    CHECK(f32_to_bf16(from_bits(0x3F808000)) == 0x3F80);  // tie -> even
    CHECK(f32_to_bf16(from_bits(0x3F818000)) == 0x3F82);  // tie -> even (up)
    CHECK(f32_to_bf16(from_bits(0x3F808001)) == 0x3F81);
    CHECK(f32_to_bf16(65504.0f) == 0x4780);  // 0x477FE000 rounds up to 65536
    CHECK(f32_to_bf16(std::numeric_limits<float>::max()) == 0x7F80);  // rounds past the top: inf
    CHECK(f32_to_bf16(-std::numeric_limits<float>::infinity()) == 0xFF80);
    CHECK(f32_to_bf16(from_bits(0x7FC00000)) == 0x7FC0);
    CHECK((f32_to_bf16(from_bits(0x7F800001)) & 0x007F) != 0);  // NaN with low payload stays NaN
}

TEST_CASE("every half value survives widening then narrowing") {
    for (uint32_t h = 0; h < 0x10000; h++) {
        float f = f16_to_f32(uint16_t(h)), b = bf16_to_f32(uint16_t(h));
        if (std::isnan(f)) CHECK(std::isnan(f16_to_f32(f32_to_f16(f))));
        else if (f32_to_f16(f) != h) FAIL_CHECK("f16 ", h, " came back as ", f32_to_f16(f));
        if (std::isnan(b)) CHECK(std::isnan(bf16_to_f32(f32_to_bf16(b))));
        else if (f32_to_bf16(b) != h) FAIL_CHECK("bf16 ", h, " came back as ", f32_to_bf16(b));
    }
}

TEST_CASE("write then read: names, shapes, offsets, bytes, padding, metadata") {
    TempDir dir;
    std::string path = dir.file("m.safetensors");
    write_safetensors(path,
                      {make_tensor("a", DType::F32, {2, 3}, {1, 2, 3, 4, 5, 6}),
                       make_tensor("b", DType::F16, {3}, {1.0f, -2.0f, 0.1f}),
                       make_tensor("c", DType::BF16, {1}, {1.0f}),
                       make_tensor("empty", DType::F32, {0, 4}, {})},
                      {{"format", "pt"}});
    std::string raw = read_file(path);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | uint8_t(raw[size_t(i)]);
    CHECK(n % 8 == 0);  // padded like the reference writer
    CHECK(raw.size() == 8 + n + 24 + 6 + 2);
    std::string header = raw.substr(8, size_t(n));
    CHECK(header.find_last_not_of(' ') == header.rfind('}'));  // padding is spaces after the JSON

    SafetensorsFile f(path);
    REQUIRE(f.tensors().size() == 4);
    CHECK(f.metadata().at("format") == "pt");
    const TensorInfo* a = f.find("a");
    REQUIRE(a);
    CHECK(a->dtype == DType::F32);
    CHECK(a->shape == Shape{2, 3});
    CHECK(a->begin == 0);
    CHECK(a->end == 24);
    float a5;
    std::memcpy(&a5, a->data + 20, 4);
    CHECK(a5 == 6.0f);
    const TensorInfo* b = f.find("b");
    REQUIRE(b);
    CHECK(b->begin == 24);
    CHECK(b->data[0] == 0x00);  // 1.0 = 0x3C00, little-endian
    CHECK(b->data[1] == 0x3C);
    CHECK(b->data[4] == 0x66);  // 0.1 = 0x2E66
    CHECK(b->data[5] == 0x2E);
    CHECK(f.find("c")->data[1] == 0x3F);
    CHECK(f.find("empty")->shape.numel() == 0);
    CHECK(f.find("nope") == nullptr);
    CHECK(std::string(dtype_name(DType::BF16)) == "BF16");
    CHECK(dtype_size(DType::F16) == 2);
}

TEST_CASE("file-level errors: empty, short, bad header length") {
    TempDir dir;
    CHECK(error_for(dir, "").find("empty") != std::string::npos);
    CHECK(error_for(dir, "abcde").find("too short") != std::string::npos);
    std::string msg = error_for(dir, st_bytes("{}", "", 1000));
    CHECK(msg.find("header length 1000 exceeds the file size") != std::string::npos);
    msg = error_for(dir, st_bytes("{}", "", uint64_t(1) << 40));
    CHECK(msg.find("absurd") != std::string::npos);
    msg = error_for(dir, st_bytes("{}", "", ~uint64_t(0)));  // 2^64 - 1: no wrap-around
    CHECK(msg.find("absurd") != std::string::npos);
    std::string missing = dir.file("missing.safetensors");
    CHECK(open_error(missing).find(missing + ": cannot open") == 0);
}

TEST_CASE("a header with no tensors is a valid (empty) file") {
    TempDir dir;
    std::string path = dir.file("e.safetensors");
    testing::write_text_file(path, st_bytes("{}      "));
    CHECK(open_error(path) == "");
}

TEST_CASE("header JSON errors: not JSON, not an object, too deep, duplicate names") {
    TempDir dir;
    CHECK(error_for(dir, st_bytes("{\"a\": ")).find("line 1") != std::string::npos);
    CHECK(error_for(dir, st_bytes("[1, 2]")).find("not a JSON object (got array)") != std::string::npos);
    std::string deep = "{\"a\":" + std::string(1000, '[') + std::string(1000, ']') + "}";
    CHECK(error_for(dir, st_bytes(deep)).find("nesting deeper") != std::string::npos);
    std::string entry = R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})";
    std::string msg = error_for(dir, st_bytes("{\"x\":" + entry + ",\"x\":" + entry + "}", "abcd"));
    CHECK(msg.find("duplicate key \"x\"") != std::string::npos);
}

TEST_CASE("entry errors: dtype, shape, offsets, fields") {
    TempDir dir;
    auto one = [&](const std::string& entry, const std::string& data = k16zeros) {
        return error_for(dir, st_bytes("{\"w\":" + entry + "}", data));
    };
    auto has = [](const std::string& msg, const std::string& part) {
        bool ok = msg.find(part) != std::string::npos;
        CHECK_MESSAGE(ok, "'", part, "' not in: ", msg);
        CHECK_MESSAGE(msg.find("tensor 'w'") != std::string::npos, "tensor not named: ", msg);
    };
    has(one(R"({"dtype":"Q4","shape":[2],"data_offsets":[0,16]})"), "unsupported dtype \"Q4\"");
    // the other safetensors dtypes are read for their layout: I64 is 8 bytes an element
    has(one(R"({"dtype":"I64","shape":[2],"data_offsets":[0,8]})"), "of I64 needs 16 bytes");
    has(one(R"({"dtype":"BOOL","shape":[4],"data_offsets":[0,8]})"), "of BOOL needs 4 bytes");
    has(one(R"({"dtype":7,"shape":[2],"data_offsets":[0,16]})"), "dtype must be a string");
    has(one(R"({"dtype":"F32","shape":[-2,2],"data_offsets":[0,16]})"), "negative");
    has(one(R"({"dtype":"F32","shape":[2.0,2],"data_offsets":[0,16]})"), "must be an integer");
    has(one(R"({"dtype":"F32","shape":"4","data_offsets":[0,16]})"), "shape must be an array");
    has(one(R"({"dtype":"F32","shape":[1,1,1,2,2],"data_offsets":[0,16]})"), "5 dims");
    has(one(R"({"dtype":"F32","shape":[0,4],"data_offsets":[0,16]})"), "no elements but");
    has(one(R"({"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]})"), "overflows");
    has(one(R"({"dtype":"F16","shape":[3037000500,3037000500],"data_offsets":[0,16]})"), "overflows");
    has(one(R"({"dtype":"F32","shape":[4],"data_offsets":[0,24]})"), "run past the end");
    has(one(R"({"dtype":"F32","shape":[4],"data_offsets":[16,0]})"), "reversed");
    has(one(R"({"dtype":"F32","shape":[4],"data_offsets":[0,12]})"), "hold 12 bytes, but shape (4,) of F32 needs 16");
    has(one(R"({"dtype":"F32","shape":[4],"data_offsets":[0]})"), "data_offsets must be an array [begin, end]");
    has(one(R"({"dtype":"F32","shape":[4],"data_offsets":[-1,15]})"), "negative");
    has(one(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16.5]})"), "must be an integer");
    has(one(R"({"dtype":"F32","shape":[4]})"), "missing \"data_offsets\"");
    has(one(R"({"shape":[4],"data_offsets":[0,16]})"), "missing \"dtype\"");
    has(one(R"({"dtype":"F32","data_offsets":[0,16]})"), "missing \"shape\"");
    has(one(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16],"extra":1})"), "unknown field \"extra\"");
    has(one(R"([1])"), "expected an object");
    // Zero elements in zero bytes is fine, even with an absurd other dim.
    std::string path = dir.file("ok.safetensors");
    testing::write_text_file(path, st_bytes(R"({"w":{"dtype":"F32","shape":[0,4611686018427387904],"data_offsets":[0,0]}})"));
    CHECK(open_error(path) == "");
    testing::write_text_file(path, st_bytes(R"({"w":{"dtype":"F32","shape":[4611686018427387904,4,0],"data_offsets":[0,0]}})"));
    CHECK(open_error(path) == "");
}

TEST_CASE("overlapping tensors and a truncated data section") {
    TempDir dir;
    std::string two = R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                      R"("b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})";
    std::string msg = error_for(dir, st_bytes(two, std::string(24, '\0')));
    CHECK(msg.find("tensors 'a' [0, 16) and 'b' [8, 24) overlap") != std::string::npos);
    // Out of header order but not overlapping: fine (the data may be laid out in any order).
    std::string swapped = R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[16,32]},)"
                          R"("b":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
    std::string path = dir.file("ok.safetensors");
    testing::write_text_file(path, st_bytes(swapped, std::string(32, '\0')));
    CHECK(open_error(path) == "");

    // A valid file cut short: the last tensor's bytes are missing.
    std::string full = dir.file("full.safetensors");
    write_safetensors(full, {make_tensor("a", DType::F32, {4}, {1, 2, 3, 4}),
                             make_tensor("b", DType::F32, {4}, {5, 6, 7, 8})});
    std::string raw = read_file(full);
    msg = error_for(dir, raw.substr(0, raw.size() - 8));
    CHECK(msg.find("tensor 'b'") != std::string::npos);
    CHECK(msg.find("run past the end of the data section") != std::string::npos);
}

TEST_CASE("__metadata__ must map strings to strings") {
    TempDir dir;
    std::string msg = error_for(dir, st_bytes(R"({"__metadata__":{"format":1}})"));
    CHECK(msg.find("__metadata__ value for \"format\" must be a string") != std::string::npos);
    msg = error_for(dir, st_bytes(R"({"__metadata__":["pt"]})"));
    CHECK(msg.find("__metadata__ must be an object") != std::string::npos);
}
