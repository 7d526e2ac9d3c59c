// report/fidelity_io.h — the weight types' fidelity record (perf/fidelity.h) as text and JSON.
#pragma once
#include <cstdio>
#include <string>

#include "perf/fidelity.h"

namespace gw {

// A table, a row per type: bytes a weight, the model's size, the logit error against F32
// (max and RMS, with F32's logit range for scale), top-1 agreement, and the greedy run.
void print_fidelity(std::FILE* out, const FidelityResult& r);
// One JSON document: the model, the prompt and continuation, one record per type.
std::string fidelity_json(const FidelityResult& r);

}  // namespace gw
