// report/bench_io.cpp — `gptwalk bench`'s record as JSON and as text.
#include "report/bench_io.h"

#include <algorithm>
#include <utility>

#include "report/json_writer.h"

namespace gw {

// The fields of OpTimes, by name, in print order.
struct OpField {
    const char* name;
    double OpTimes::*field;
};
static const OpField kOpFields[] = {
    {"embed", &OpTimes::embed},         {"layernorm", &OpTimes::layernorm},
    {"matmul", &OpTimes::matmul},       {"attention", &OpTimes::attention},
    {"gelu", &OpTimes::gelu},           {"residual", &OpTimes::residual},
    {"lm_head", &OpTimes::lm_head},
};

static double mb(size_t bytes) { return double(bytes) / (1024.0 * 1024.0); }

// {"layernorm": 0.031, ...}: each op's share of the phase's time (sampling included for decode).
static std::string shares_json(const OpTimes& t, double sampling) {
    const double total = t.total() + sampling;
    auto share = [&](double x) { return json::num(total > 0 ? x / total : 0.0); };
    std::vector<std::string> fields;
    for (const OpField& f : kOpFields) fields.push_back(json::field(f.name, share(t.*f.field)));
    fields.push_back(json::field("sampling", share(sampling)));
    return json::object(fields);
}

// "name": median, "name_min": min, "name_max": max
static void add_stat(std::vector<std::string>& fields, const std::string& name, const Stat& s) {
    fields.push_back(json::field(name, json::num(s.median)));
    fields.push_back(json::field(name + "_min", json::num(s.min)));
    fields.push_back(json::field(name + "_max", json::num(s.max)));
}

std::string bench_json(const BenchResult& r) {
    using json::field, json::num;
    const BenchOptions& o = r.options;
    const Config& c = r.config;
    std::vector<std::string> f = {
        field("model", json::str(r.model_dir)),
        field("n_layer", num(c.n_layer)), field("n_embd", num(c.n_embd)), field("n_head", num(c.n_head)),
        field("vocab_size", num(c.vocab_size)), field("n_positions", num(c.n_positions)),
        field("threads", num(o.threads)), field("threading", json::str(o.openblas_threads ? "openblas" : "team")),
        field("kernels", json::str(isa_name(o.isa))), field("weights", json::str(wtype_name(r.weights_type))),
        field("prompt_tokens", num(o.prompt_tokens)), field("gen_tokens", num(o.gen_tokens)),
        field("repeats", num(o.repeats))};
    add_stat(f, "load_s", r.load_s);
    f.push_back(field("first_prefill_s", num(r.first_prefill_s)));
    add_stat(f, "prefill_tok_s", r.prefill_tok_s);
    add_stat(f, "decode_tok_s", r.decode_tok_s);
    for (std::string s : {field("prefill_cpu_tok_s", num(r.prefill_cpu_tok_s.median)),
                          field("decode_cpu_tok_s", num(r.decode_cpu_tok_s.median)),
                          field("peak_rss_mb", num(mb(r.memory.peak_rss))), field("rss_mb", num(mb(r.memory.rss))),
                          field("expected_mb", num(mb(r.expected_bytes()))),
                          field("weights_mb", num(mb(r.weights_bytes))),
                          field("kv_cache_mb", num(mb(r.kv_cache_bytes))),
                          field("activations_mb", num(mb(r.activation_bytes))),
                          field("weights_mapped", json::boolean(r.weights_mapped)),
                          field("prefill_gflop_s", num(r.prefill_gflop_s)),
                          field("decode_gb_s", num(r.decode_gb_s)),
                          field("decode_step_mb", num(r.decode_step_bytes / 1e6))})
        f.push_back(s);
    if (o.roofline)
        for (std::string s : {field("read_gb_s", num(r.roof.read_gb_s)), field("gemm_gflop_s", num(r.roof.gemm_gflop_s)),
                              field("prefill_bound_tok_s", num(r.prefill_bound_tok_s)),
                              field("decode_bound_tok_s", num(r.decode_bound_tok_s))})
            f.push_back(s);
    f.push_back(field("prefill_shares", shares_json(r.prefill_ops, 0.0)));
    f.push_back(field("decode_shares", shares_json(r.decode_ops, r.sampling_s)));
    return json::object(f);
}

static void print_shares(std::FILE* out, const char* phase, const OpTimes& t, double sampling,
                         double tokens) {
    double total = t.total() + sampling;
    std::fprintf(out, "%-8s", phase);
    for (const OpField& f : kOpFields)
        std::fprintf(out, " %s %.1f%%", f.name, total > 0 ? 100.0 * (t.*f.field) / total : 0.0);
    std::fprintf(out, " sampling %.1f%%  (%.3f ms/token)\n", total > 0 ? 100.0 * sampling / total : 0.0,
                 tokens > 0 ? 1e3 * total / tokens : 0.0);
}

void print_bench(std::FILE* out, const BenchResult& r) {
    const BenchOptions& o = r.options;
    const Config& c = r.config;
    std::fprintf(out, "model    %s (L %lld, C %lld, NH %lld, V %lld, P %lld)\n", r.model_dir.c_str(),
                 (long long)c.n_layer, (long long)c.n_embd, (long long)c.n_head,
                 (long long)c.vocab_size, (long long)c.n_positions);
    std::fprintf(out, "run      %lld-token prompt, %lld generated (greedy); weights %s; kernels %s; %d thread%s (%s); %d repeats\n",
                 (long long)o.prompt_tokens, (long long)o.gen_tokens, wtype_name(r.weights_type), isa_name(o.isa), o.threads,
                 o.threads == 1 ? "" : "s", o.openblas_threads ? "OpenBLAS's" : "team", o.repeats);
    auto line = [&](const char* what, const Stat& s, const char* unit, int digits) {
        std::fprintf(out, "%-8s %.*f %s  (min %.*f, max %.*f)\n", what, digits, s.median, unit,
                     digits, s.min, digits, s.max);
    };
    line("load", r.load_s, "s", 4);
    std::fprintf(out, "warm-up  %.3f s for the first prefill (first touch of the mapped weights)\n",
                 r.first_prefill_s);
    line("prefill", r.prefill_tok_s, "tok/s", 1);
    line("decode", r.decode_tok_s, "tok/s", 1);
    std::fprintf(out, "per CPU  prefill %.1f, decode %.1f tokens per CPU-second (all threads)\n",
                 r.prefill_cpu_tok_s.median, r.decode_cpu_tok_s.median);
    std::fprintf(out,
                 "memory   peak RSS %.1f MB; expected %.1f MB = weights %.1f (%s) + KV cache %.1f + "
                 "activations %.1f\n",
                 mb(r.memory.peak_rss), mb(r.expected_bytes()), mb(r.weights_bytes),
                 r.weights_mapped ? "mapped" : "made at load", mb(r.kv_cache_bytes), mb(r.activation_bytes));
    std::fprintf(out, "work     prefill %.1f GFLOP/s; decode %.1f GB/s read (%.1f MB a step: weights + KV cache)\n",
                 r.prefill_gflop_s, r.decode_gb_s, r.decode_step_bytes / 1e6);
    if (o.roofline)
        std::fprintf(out,
                     "ceilings sgemm %.1f GFLOP/s, memory read %.1f GB/s (measured now, %d thread%s): "
                     "prefill <= %.0f tok/s (at %.0f%%), decode <= %.1f tok/s (at %.0f%%)\n",
                     r.roof.gemm_gflop_s, r.roof.read_gb_s, o.threads, o.threads == 1 ? "" : "s",
                     r.prefill_bound_tok_s, 100.0 * r.prefill_tok_s.median / r.prefill_bound_tok_s,
                     r.decode_bound_tok_s,
                     r.decode_bound_tok_s > 0 ? 100.0 * r.decode_tok_s.median / r.decode_bound_tok_s : 0.0);
    double runs = double(o.repeats);
    print_shares(out, "prefill", r.prefill_ops, 0.0, runs * double(o.prompt_tokens));
    print_shares(out, "decode", r.decode_ops, r.sampling_s, runs * double(o.gen_tokens));
}

// ---------------------------------------------------------------- training

// (name, seconds) of every part of an update, in print order; "other" is the update's wall
// time outside the ops (drawing windows, zeroing gradients, the team's hand-overs).
static std::vector<std::pair<std::string, double>> train_parts(const TrainBenchResult& r) {
    std::vector<std::pair<std::string, double>> parts;
    for (const OpField& f : kOpFields) parts.push_back({std::string("fwd_") + f.name, r.times.forward.*f.field});
    parts.push_back({"loss", r.times.loss});
    for (const OpField& f : kOpFields) parts.push_back({std::string("bwd_") + f.name, r.times.backward.*f.field});
    parts.push_back({"optimizer", r.times.optimizer});
    parts.push_back({"other", std::max(0.0, r.step_s - r.times.total())});
    return parts;
}

std::string train_bench_json(const TrainBenchResult& r) {
    using json::field, json::num;
    const TrainBenchOptions& o = r.options;
    const Config& c = r.config;
    std::vector<std::string> shares;
    for (const auto& [name, s] : train_parts(r)) shares.push_back(field(name, num(r.step_s > 0 ? s / r.step_s : 0.0)));
    std::vector<std::string> f = {
        field("model", json::str(r.model_dir)), field("n_layer", num(c.n_layer)), field("n_embd", num(c.n_embd)),
        field("n_head", num(c.n_head)), field("vocab_size", num(c.vocab_size)), field("parameters", num(c.parameter_count())),
        field("threads", num(o.threads)), field("kernels", json::str(isa_name(o.isa))), field("batch", num(o.batch)),
        field("seq", num(o.seq)), field("steps", num(o.steps))};
    add_stat(f, "train_tok_s", r.tok_s);
    for (std::string s : {field("cpu_tok_s", num(r.cpu_tok_s)), field("last_loss", num(r.last_loss)),
                          field("peak_rss_mb", num(mb(r.memory.peak_rss))), field("expected_mb", num(mb(r.expected_bytes()))),
                          field("params_mb", num(mb(r.params_bytes))), field("grads_mb", num(mb(r.grads_bytes))),
                          field("moments_mb", num(mb(r.moments_bytes))),
                          field("activations_mb", num(mb(r.activation_bytes))), field("shares", json::object(shares))})
        f.push_back(s);
    return json::object(f);
}

void print_train_bench(std::FILE* out, const TrainBenchResult& r) {
    const TrainBenchOptions& o = r.options;
    const Config& c = r.config;
    std::fprintf(out, "model    %s's shape (L %lld, C %lld, NH %lld, V %lld): %lld parameters, random init\n",
                 r.model_dir.c_str(), (long long)c.n_layer, (long long)c.n_embd, (long long)c.n_head,
                 (long long)c.vocab_size, (long long)c.parameter_count());
    std::fprintf(out, "run      %d timed updates of %lld x %lld tokens (AdamW, clip 1) after %d untimed; kernels %s; %d thread%s\n",
                 o.steps, (long long)o.batch, (long long)o.seq, o.warmup, isa_name(o.isa), o.threads,
                 o.threads == 1 ? "" : "s");
    std::fprintf(out, "train    %.1f tok/s  (min %.1f, max %.1f); %.1f tokens per CPU-second (all threads)\n",
                 r.tok_s.median, r.tok_s.min, r.tok_s.max, r.cpu_tok_s);
    std::fprintf(out, "memory   peak RSS %.1f MB; expected %.1f MB = weights %.1f + gradients %.1f + AdamW moments %.1f + "
                      "activations %.1f\n",
                 mb(r.memory.peak_rss), mb(r.expected_bytes()), mb(r.params_bytes), mb(r.grads_bytes),
                 mb(r.moments_bytes), mb(r.activation_bytes));
    std::fprintf(out, "time    ");
    for (const auto& [name, s] : train_parts(r))
        if (r.step_s > 0 && s / r.step_s >= 0.0005) std::fprintf(out, " %s %.1f%%", name.c_str(), 100.0 * s / r.step_s);
    std::fprintf(out, "\n");
}

}  // namespace gw
