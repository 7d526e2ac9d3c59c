// perf/roofline.h — the two ceilings of this machine that bound the forward pass (lesson 15).
//
// A step of the model either waits for arithmetic or for memory:
//   time >= FLOPs / (multiply-adds per second)   and   time >= bytes read / (bytes per second)
// Prefill does ~170 multiply-adds per weight byte read (each weight serves every prompt
// row), so its ceiling is arithmetic; a decode step uses each weight once (2 FLOPs per
// 4-byte weight), so its ceiling is memory. This module measures both ceilings here and
// now, with the same threads the model uses, and counts the FLOPs and bytes of a step.
#pragma once
#include <cstdint>

#include "core/weight_formats.h"
#include "model/config.h"

namespace gw {

class ThreadTeam;

struct Roofline {
    double read_gb_s = 0;     // streaming read of a buffer far larger than the caches (best run)
    double gemm_gflop_s = 0;  // OpenBLAS sgemm, 1024 x 1024 x 1024, through linear.h (best run)
};

// Measures both with the team's threads (each member reads / multiplies its own block).
// Allocates `read_bytes` (default 128 MiB) for the duration of the call.
Roofline measure_roofline(ThreadTeam& team, int repeats = 5, int64_t read_bytes = int64_t(128) << 20);

// FLOPs of one prefill of T tokens as gw::forward performs it when only the last logits
// are asked for: every layer's products for all T rows, except the last layer, which
// after its keys and values runs only the last row (model/forward.cpp); causal attention
// (2 FLOPs per key per channel for the scores, 2 for the weighted values); the LM head
// for the last row. Layer norm, GELU and softmax are left out (a few percent).
double prefill_flops(const Config& c, int64_t T);

// Bytes a decode step at position `pos` must read from memory: every weight once (the
// big matrices in `weights`' type, model/weights.h, the rest as F32), the whole wte for
// the LM head but one row of wpe, and the KV cache's keys and values for positions 0..pos.
double decode_bytes(const Config& c, int64_t pos, WType weights = WType::F32);

}  // namespace gw
