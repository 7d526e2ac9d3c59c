// kernels/convert.h — weights from one storage type to another, many at a time (lesson 16).
//
// The conversions of core/weight_formats.h, vectorized: widening stored weights to F32
// for the sgemm of a prefill (kernels/linear.h: a panel at a time), and narrowing F32 to
// BF16 / F16 or quantizing it to Q8 blocks when --weights converts a checkpoint at load
// (model/weights.cpp), where the scalar conversions would take seconds for GPT-2.
// Every result is exactly the scalar one (widening is exact; narrowing and quantizing
// round to nearest even, division and all, in both), so each _ref twin is the function
// of core/weight_formats.h applied element by element, and the tests compare with ==.
#pragma once
#include <cstdint>

#include "core/cpu.h"
#include "core/tensor.h"

namespace gw {

// out (r1 - r0, cols) = stored rows [r0, r1), columns [c0, c0 + cols) of w, as F32, rows
// `cols` floats apart. Any type; Q8 a whole block at a time when c0 starts a block (the
// prefill's panels do), otherwise element by element.
void widen_rows(Isa isa, float* out, const WeightView& w, int64_t r0, int64_t r1, int64_t c0, int64_t cols);
void widen_rows_ref(float* out, const WeightView& w, int64_t r0, int64_t r1, int64_t c0, int64_t cols);

// out (n) = x (n) as BF16 or F16 bits (f32_to_bf16 / f32_to_f16). AVX2 and AVX-512 share
// the AVX2 kernel: it already converts faster than a file is read.
void narrow_row(Isa isa, uint16_t* out, WType type, const float* x, int64_t n);
void narrow_row_ref(uint16_t* out, WType type, const float* x, int64_t n);

// quantize_q8_row (core/weight_formats.h) with the same bits: x finite, |x| <= kQ8MaxAbs.
void quantize_q8(Isa isa, int8_t* q, uint16_t* scales, const float* x, int64_t n);

}  // namespace gw
