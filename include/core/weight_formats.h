// core/weight_formats.h — how a weight is stored: F32, BF16, F16 or Q8 blocks (lessons 02, 16).
//
// Decode reads every weight once per token, so its speed is set by bytes per weight
// (lesson 15). The four formats, bit by bit:
//   F32  : sign 1 | exponent 8 (bias 127) | mantissa 23     4 bytes; what the math is done in
//   BF16 : sign 1 | exponent 8 (bias 127) | mantissa 7      2 bytes; the top half of an F32:
//          F32's range, 8 significant bits: rounding moves a value by up to 2^-8 (~0.4%) of itself
//   F16  : sign 1 | exponent 5 (bias 15)  | mantissa 10     2 bytes; IEEE binary16: largest
//          finite 65504, 11 significant bits down to 2^-14: up to 2^-11 (~0.05%) in that range
//   Q8   : blocks of kQ8Block = 32 consecutive weights of one stored row, each block one
//          F16 scale d (2 bytes) and 32 int8 values q in [-127, 127] (32 bytes):
//          weight = d * q, 34 bytes per 32 weights = 1.0625 bytes a weight.
//          d = F16(amax / 127) with amax the block's largest |weight|, then
//          q = round_to_nearest_even(w / d) clamped to [-127, 127]: the error of each
//          weight is at most d/2 (+ the F16 rounding of d), i.e. up to amax/254, relative
//          to the block's largest weight rather than to itself.
// Widening (BF16/F16 -> F32) is exact; narrowing rounds to nearest, ties to even, as the
// hardware and PyTorch do, so our F16 files match theirs bit for bit.
// Every formula here is repeated independently in tools/reference/gpt2_ref.py (numpy),
// whose float64 forward pass with the same rounded weights is the tests' oracle.
#pragma once
#include <cstdint>
#include <string_view>

namespace gw {

// The storage types a weight matrix may have in memory (--weights f32|bf16|f16|q8).
enum class WType { F32, BF16, F16, Q8 };
const char* wtype_name(WType t);          // "f32", "bf16", "f16", "q8"
WType parse_wtype(std::string_view name);  // the names above; throws UsageError otherwise
double wtype_bytes_per_weight(WType t);    // 4, 2, 2, 1.0625

// ---- half precision (exact widening, round-to-nearest-even narrowing)
float f16_to_f32(uint16_t h);
float bf16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);   // beyond +-65504 (after rounding): +-inf
uint16_t f32_to_bf16(float f);
constexpr float kF16Max = 65504.0f;  // the largest finite F16

// ---- Q8 blocks
constexpr int64_t kQ8Block = 32;
constexpr int64_t q8_blocks(int64_t n) { return (n + kQ8Block - 1) / kQ8Block; }  // last may be short
// The largest |weight| a Q8 block can hold: its scale amax/127 must be a finite F16.
constexpr float kQ8MaxAbs = kF16Max * 127.0f;

// One stored row of n weights -> n values q and q8_blocks(n) F16 scales, as described
// above (a short last block uses its own amax). x must be finite with |x| <= kQ8MaxAbs
// (the loader checks first and names the tensor).
void quantize_q8_row(int8_t* q, uint16_t* scales, const float* x, int64_t n);
// Back to F32: out[i] = d * q[i]. Exact: a 7-bit q times an 11-bit d fits F32's 24 bits.
void dequantize_q8_row(float* out, const int8_t* q, const uint16_t* scales, int64_t n);

}  // namespace gw
