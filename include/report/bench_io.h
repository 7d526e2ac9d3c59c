// report/bench_io.h — the benchmark's record (perf/bench.h) as JSON and as readable text.
#pragma once
#include <cstdio>
#include <string>

#include "perf/bench.h"

namespace gw {

// One JSON object on one line (tools/bench.sh reads its fields with sed): medians as
// "load_s", "prefill_tok_s", "decode_tok_s", each with "_min" / "_max" companions, plus
// memory ("peak_rss_mb", "expected_mb", ...), the roofline's ceilings when measured, and
// each op's share of the prefill and decode time.
std::string bench_json(const BenchResult& r);
// The same as readable text, a line per measurement.
void print_bench(std::FILE* out, const BenchResult& r);

}  // namespace gw
