// report/fidelity_io.cpp — printing the weight types' fidelity (gptwalk fidelity, lesson 16).
#include "report/fidelity_io.h"

#include "report/json_writer.h"
#include "report/text.h"

namespace gw {

void print_fidelity(std::FILE* out, const FidelityResult& r) {
    using text::format;
    std::fprintf(out, "model    %s\n", r.model_dir.c_str());
    std::fprintf(out, "run      %zu prompt tokens, then F32's %zu greedy tokens; every position compared with F32\n\n",
                 r.prompt.size(), r.continuation.size());
    text::put_line(out, text::cell("type", 6) + text::cell("bytes/w", 9) + text::cell("MB", 9) +
                            text::cell("max |dlogit|", 14) + text::cell("rms dlogit", 12) + text::cell("top-1 agree", 16) +
                            "greedy tokens as F32");
    for (const TypeFidelity& f : r.types)
        text::put_line(out, text::cell(wtype_name(f.type), 6) + text::cell(format("%.4f", f.bytes_per_weight), 9) +
                                text::cell(format("%.1f", double(f.weights_bytes) / 1e6), 9) +
                                text::cell(format("%.3g", f.max_abs), 14) + text::cell(format("%.3g", f.rms), 12) +
                                text::cell(format("%lld / %lld", (long long)f.top1_agree, (long long)f.positions), 16) +
                                format("%lld / %zu", (long long)f.greedy_match, r.continuation.size()));
    if (!r.types.empty())
        std::fprintf(out, "\n(F32's logits span %.2f over these positions.)\n", r.types.front().logit_range);
}

std::string fidelity_json(const FidelityResult& r) {
    using json::field, json::num;
    std::vector<std::string> rows;
    for (const TypeFidelity& f : r.types)
        rows.push_back(json::object({field("type", json::str(wtype_name(f.type))),
                                     field("bytes_per_weight", num(f.bytes_per_weight)),
                                     field("weights_mb", num(double(f.weights_bytes) / 1e6)),
                                     field("max_abs", num(f.max_abs)), field("rms", num(f.rms)),
                                     field("logit_range", num(f.logit_range)), field("top1_agree", num(f.top1_agree)),
                                     field("positions", num(f.positions)), field("greedy_match", num(f.greedy_match))}));
    return json::document({field("kind", json::str("weight_fidelity")), field("model", json::str(r.model_dir)),
                           field("prompt", json::numbers(r.prompt)), field("continuation", json::numbers(r.continuation)),
                           field("types", json::lines(rows))});
}

}  // namespace gw
