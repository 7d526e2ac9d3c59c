// core/weight_formats.cpp — the weight formats' conversions and Q8 blocks (lessons 02, 16).
// The bit layouts and the Q8 recipe are described in the header.
#include "core/weight_formats.h"

#include <algorithm>  // std::min
#include <cmath>      // std::fabs, std::nearbyint
#include <cstring>    // memcpy

#include "core/error.h"

namespace gw {

const char* wtype_name(WType t) {
    switch (t) {
        case WType::F32: return "f32";
        case WType::BF16: return "bf16";
        case WType::F16: return "f16";
        case WType::Q8: return "q8";
    }
    return "?";
}

WType parse_wtype(std::string_view name) {
    for (WType t : {WType::F32, WType::BF16, WType::F16, WType::Q8})
        if (name == wtype_name(t)) return t;
    throw UsageError(cat("unknown weight type '", name, "': choose f32, bf16, f16 or q8"));
}

double wtype_bytes_per_weight(WType t) {
    switch (t) {
        case WType::F32: return 4.0;
        case WType::BF16:
        case WType::F16: return 2.0;
        case WType::Q8: return double(2 + kQ8Block) / double(kQ8Block);  // scale + 32 values
    }
    return 0.0;
}

// ---------------------------------------------------------------- half precision

static uint32_t bits_of(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

static float float_of(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

float f16_to_f32(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F;
    uint32_t mant = h & 0x3FF;
    if (exp == 0x1F) return float_of(sign | 0x7F800000 | (mant << 13));  // inf, NaN (payload kept)
    if (exp != 0) return float_of(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    if (mant == 0) return float_of(sign);  // +-0
    // Subnormal: value = mant * 2^-24. Shift the leading 1 up to bit 10 (the
    // implicit bit of a normal number); each shift lowers the exponent by one.
    int e = -14;
    while ((mant & 0x400) == 0) {
        mant <<= 1;
        e--;
    }
    return float_of(sign | uint32_t(e + 127) << 23 | ((mant & 0x3FF) << 13));
}

float bf16_to_f32(uint16_t h) { return float_of(uint32_t(h) << 16); }

// Rounds q + rem/2^shift to an integer, ties to even (shift >= 1).
static uint32_t round_shifted(uint32_t m, int shift) {
    uint32_t q = m >> shift;
    uint32_t rem = m & ((1u << shift) - 1);
    uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    return q;
}

uint16_t f32_to_f16(float f) {
    uint32_t u = bits_of(f);
    uint16_t sign = uint16_t((u >> 16) & 0x8000);
    uint32_t a = u & 0x7FFFFFFF;
    if (a > 0x7F800000) return sign | 0x7E00 | uint16_t((a >> 13) & 0x3FF);  // NaN stays NaN (quiet)
    // 65520 = 0x477FF000 is halfway between 65504 (the largest F16) and 65536;
    // ties go to the even neighbour, which is 65536, i.e. infinity.
    if (a >= 0x477FF000) return sign | 0x7C00;
    uint32_t e = a >> 23;
    if (e < 113) {  // below 2^-14, the smallest normal F16: result is subnormal or 0
        if (e < 102) return sign;  // below 2^-25 (half the smallest subnormal): rounds to 0
        uint32_t m = (a & 0x7FFFFF) | 0x800000;  // value = m * 2^(e-150); unit = 2^-24
        return sign | uint16_t(round_shifted(m, int(126 - e)));
    }
    // Normal: re-bias the exponent, drop 13 mantissa bits with rounding. A carry out of
    // the mantissa correctly bumps the exponent.
    uint32_t h = ((e - 112) << 10) | ((a >> 13) & 0x3FF);
    uint32_t rem = a & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;
    return sign | uint16_t(h);
}

uint16_t f32_to_bf16(float f) {
    uint32_t u = bits_of(f);
    if ((u & 0x7FFFFFFF) > 0x7F800000) return uint16_t((u >> 16) | 0x0040);  // NaN stays NaN
    return uint16_t(round_shifted(u, 16));  // overflow past the largest finite lands on inf
}

// ---------------------------------------------------------------- Q8 blocks

void quantize_q8_row(int8_t* q, uint16_t* scales, const float* x, int64_t n) {
    for (int64_t b = 0; b * kQ8Block < n; b++) {
        const int64_t i0 = b * kQ8Block, i1 = std::min(n, i0 + kQ8Block);
        float amax = 0.0f;
        for (int64_t i = i0; i < i1; i++) amax = std::fmax(amax, std::fabs(x[i]));
        // The division and both roundings are float operations with one correct result,
        // so numpy's float32 arithmetic (tools/reference) reproduces every bit.
        const uint16_t d16 = f32_to_f16(amax / 127.0f);
        const float d = f16_to_f32(d16);
        scales[b] = d16;
        for (int64_t i = i0; i < i1; i++) {
            // d rounded down may put amax / d a hair above 127: clamp. d == 0 (a block
            // of zeros, or one below F16's smallest scale) gives q = 0.
            const float r = d > 0.0f ? std::nearbyint(x[i] / d) : 0.0f;  // ties to even
            q[i] = int8_t(std::fmax(-127.0f, std::fmin(127.0f, r)));
        }
    }
}

void dequantize_q8_row(float* out, const int8_t* q, const uint16_t* scales, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = f16_to_f32(scales[i / kQ8Block]) * float(q[i]);
}

}  // namespace gw
