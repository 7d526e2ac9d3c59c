// report/bench_io.h — the benchmark's record (perf/bench.h) as JSON and as readable text.
#pragma once
#include <cstdio>
#include <string>

#include "perf/bench.h"
#include "perf/train_bench.h"

namespace gw {

// One JSON object on one line (tools/bench.sh reads its fields with sed): medians as
// "load_s", "prefill_tok_s", "decode_tok_s", each with "_min" / "_max" companions, plus
// memory ("peak_rss_mb", "expected_mb", ...), the roofline's ceilings when measured, and
// each op's share of the prefill and decode time.
std::string bench_json(const BenchResult& r);
// The same as readable text, a line per measurement.
void print_bench(std::FILE* out, const BenchResult& r);

// The training benchmark (perf/train_bench.h): one JSON object on one line ("train_tok_s"
// with "_min" / "_max", "cpu_tok_s", memory, and "shares": each op's share of the update's
// time, forward ops as "fwd_<op>", backward as "bwd_<op>", then "loss" and "optimizer"), and as text.
std::string train_bench_json(const TrainBenchResult& r);
void print_train_bench(std::FILE* out, const TrainBenchResult& r);

}  // namespace gw
