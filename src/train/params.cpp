// train/params.cpp — the flat parameter layout, named views into it, and GPT-2's init.
#include "train/params.h"

#include <cmath>
#include <map>

#include "core/error.h"
#include "model/weights.h"  // weight_table: the order of the flat buffer

namespace gw {

ParamLayout param_layout(const Config& config) {
    ParamLayout p;
    p.config = config;
    Weights scratch;  // the table wants pointers to fill; only names and shapes are read here
    for (const WeightEntry& e : weight_table(config, scratch)) {
        ParamTensor t{e.name, e.shape, p.total, size_t(e.shape.numel()), e.shape.ndim == 2};
        p.total += t.size;
        p.tensors.push_back(t);
    }
    return p;
}

const ParamTensor& ParamLayout::find(const std::string& name) const {
    for (const ParamTensor& t : tensors)
        if (t.name == name) return t;
    fail("no parameter tensor named '", name, "'");
}

template <typename F>
static Tensors<F> named(const ParamLayout& layout, F* flat) {
    std::map<std::string, size_t> at;
    for (const ParamTensor& t : layout.tensors) at[t.name] = t.offset;
    auto p = [&](const std::string& name) { return flat + at.at(name); };
    Tensors<F> v;
    v.wte = p("wte.weight");
    v.wpe = p("wpe.weight");
    for (int64_t l = 0; l < layout.config.n_layer; l++) {
        const std::string h = "h." + std::to_string(l) + ".";
        v.h.push_back({p(h + "ln_1.weight"), p(h + "ln_1.bias"), p(h + "attn.c_attn.weight"),
                       p(h + "attn.c_attn.bias"), p(h + "attn.c_proj.weight"), p(h + "attn.c_proj.bias"),
                       p(h + "ln_2.weight"), p(h + "ln_2.bias"), p(h + "mlp.c_fc.weight"),
                       p(h + "mlp.c_fc.bias"), p(h + "mlp.c_proj.weight"), p(h + "mlp.c_proj.bias")});
    }
    v.ln_f_w = p("ln_f.weight");
    v.ln_f_b = p("ln_f.bias");
    return v;
}

Tensors<float> tensors_of(const ParamLayout& layout, float* flat) { return named(layout, flat); }
Tensors<const float> tensors_of(const ParamLayout& layout, const float* flat) {
    return named(layout, flat);
}

// splitmix64 for the stream, Box-Muller for normals: the same numbers on every platform
// (std::normal_distribution is not the same across standard libraries).
namespace {
struct Normal {
    uint64_t s;
    double uniform() {  // (0, 1]
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return (double(z >> 11) + 1.0) / double(1ull << 53);
    }
    double next() { return std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()); }
};
bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}
}  // namespace

void init_gpt2(float* flat, const ParamLayout& layout, uint64_t seed) {
    Normal rng{seed};
    const double proj_std = 0.02 / std::sqrt(2.0 * double(layout.config.n_layer));
    for (const ParamTensor& t : layout.tensors) {
        float* p = flat + t.offset;
        const bool norm = t.name.find("ln_") != std::string::npos;
        double std = 0.02;
        if (t.name == "wpe.weight") std = 0.01;
        else if (ends_with(t.name, "c_proj.weight")) std = proj_std;
        for (size_t i = 0; i < t.size; i++) {
            if (norm) p[i] = ends_with(t.name, ".weight") ? 1.0f : 0.0f;
            else if (!t.decay) p[i] = 0.0f;  // a bias
            else p[i] = float(std * rng.next());
        }
    }
}

}  // namespace gw
