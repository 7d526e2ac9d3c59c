// report/position_kernels_io.h — table, JSON and picture of position kernels (position_kernels.h).
#pragma once
#include <cstdio>
#include <string>

#include "report/picture.h"
#include "walks/position_kernels.h"

namespace gw {

// The summary table: per head, self-bias from positions alone and on text, the offset
// profile's first values, and a flag on negative self-bias; then the parameter-free contrast.
void print_position_kernels(FILE* out, const PositionKernels& pk);
std::string position_kernels_json(const PositionKernels& pk);
// Heatmaps of every head's kernel and of parameter-free attention, the offset profiles,
// and the self-bias of each head.
Image position_kernels_picture(const PositionKernels& pk);

}  // namespace gw
