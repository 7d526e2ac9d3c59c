// demo.cpp — lesson 08: the KV cache — why it works, what it costs, and proof that it
// changes nothing.
//
// Stages: appending a token leaves every earlier key and value unchanged (so they can be
// kept); the cache's memory, 2·L·P·C floats, for the shipped model and GPT-2 124M..1.5B;
// the work it saves; generate() with the cache on and off; and forward() token by token
// against one chunk. --time adds wall-clock times (they differ from run to run).
//
// usage: build/lessons/08-kv-cache [--model DIR] [--prompt STR] [-n N]
//                                  [--kernels ref|avx2|avx512|auto] [--time] [--step]
// --kernels: the vector kernels (default ref, the scalar ones, on every CPU; OpenBLAS's
// products still differ from CPU to CPU in their last bits, which the lesson's tol= allows).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"              // gw::fail
#include "core/stepper.h"            // --step
#include "core/vecmath.h"            // max_abs_diff
#include "lesson.h"                  // lesson::Demo: flags, --step, errors
#include "model/forward.h"           // forward, RunState, make_run_state, run_state_bytes
#include "model/generate.h"          // generate, GenerateOptions
#include "model/sampler.h"           // Sampler, argmax
#include "model/tokenizer.h"         // Tokenizer
#include "perf/random_checkpoint.h"  // gpt2_config: the published GPT-2 shapes

namespace {

std::string mib(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024.0));
    return buf;
}

struct Options {
    std::string prompt = "It is a truth universally acknowledged";
    int64_t n = 20;
    std::string kernels = "ref";  // the scalar kernels on every CPU (OpenBLAS's last bits vary)
    bool time = false;
};

// The first 16 ids, and how many more there are.
void print_ids(const char* label, const std::vector<int>& ids) {
    std::printf("%s", label);
    for (size_t i = 0; i < ids.size() && i < 16; i++) std::printf(" %d", ids[i]);
    if (ids.size() > 16) std::printf(" ... (%zu in all)", ids.size());
    std::printf("\n");
}

// Text on one line (a newline shows as "\n"), cut after 70 bytes.
std::string one_line(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size() && i < 70; i++) out += s[i] == '\n' ? std::string("\\n") : std::string(1, s[i]);
    return s.size() > 70 ? out + "..." : out;
}

void run(const std::string& dir, const Options& o, gw::Stepper& step) {
    auto ck = gw::load_checkpoint(dir);
    const gw::Tokenizer tok(dir);
    const gw::Config& cfg = ck->config;
    const int64_t C = cfg.n_embd, L = cfg.n_layer, P = cfg.n_positions, V = cfg.vocab_size;
    const gw::Isa isa = gw::parse_isa(o.kernels);
    std::vector<int> ids = tok.encode(o.prompt);
    const int64_t T = int64_t(ids.size());
    if (T < 1 || T + 1 + o.n > P) gw::fail("the prompt and -n must fit in ", P, " positions");
    gw::ForwardOptions fo;
    fo.isa = isa;

    std::printf("== 1. appending a token changes no earlier key or value ==\n");
    std::printf("prompt: %lld tokens; run it, then run it again with one more token\n", (long long)T);
    std::vector<float> logits(static_cast<size_t>(V));
    gw::RunState a = gw::make_run_state(cfg, T);
    gw::forward(logits.data(), *ck, a, ids.data(), T, fo);
    const int next = gw::argmax(logits.data(), V);
    std::vector<int> longer = ids;
    longer.push_back(next);
    gw::RunState b = gw::make_run_state(cfg, T + 1);
    gw::forward(logits.data(), *ck, b, longer.data(), T + 1, fo);
    double dk = 0, dv = 0;
    for (int64_t l = 0; l < L; l++) {  // rows [0, T) of each layer's (P, C) cache
        dk = std::fmax(dk, gw::max_abs_diff(a.k_cache.data() + l * P * C, b.k_cache.data() + l * P * C, T * C));
        dv = std::fmax(dv, gw::max_abs_diff(a.v_cache.data() + l * P * C, b.v_cache.data() + l * P * C, T * C));
    }
    std::printf("keys and values of positions 0..%lld in all %lld layers: max |diff| %.1e (k), %.1e (v)\n",
                (long long)T - 1, (long long)L, dk, dv);
    std::printf("(causal mask: position i never sees j > i, so nothing after it can change it)\n");
    std::printf("so the new token (%s) needs only its own q, k, v and the %lld stored k, v rows\n",
                tok.token_display(next).c_str(), (long long)T);
    step.pause("what the cache costs in memory");

    std::printf("\n== 2. memory: a key and a value of C floats, per layer, per position ==\n");
    std::printf("cache floats = 2 . L . P . C   (float32: 4 bytes each)\n");
    std::printf("%-12s %3s %5s %5s %12s %14s %12s\n", "model", "L", "P", "C", "per token", "full context",
                "as bytes");
    struct Row {
        const char* name;
        gw::Config c;
    };
    const Row rows[] = {{"this model", cfg},
                        {"gpt2 124M", gw::gpt2_config("124M")},
                        {"gpt2 355M", gw::gpt2_config("355M")},
                        {"gpt2 774M", gw::gpt2_config("774M")},
                        {"gpt2 1.5B", gw::gpt2_config("1558M")}};
    for (const Row& r : rows) {
        const int64_t per_token = 2 * r.c.n_layer * r.c.n_embd;
        const int64_t floats = per_token * r.c.n_positions;
        std::printf("%-12s %3lld %5lld %5lld %7lld KiB %14lld %12s\n", r.name, (long long)r.c.n_layer,
                    (long long)r.c.n_positions, (long long)r.c.n_embd,
                    (long long)(per_token * 4 / 1024), (long long)floats, mib(double(floats) * 4).c_str());
    }
    const gw::RunState gpt2_small = gw::make_run_state(rows[1].c, 1);  // allocated, not just computed
    std::printf("make_run_state allocates k_cache + v_cache: %zu floats here, %zu for gpt2 124M's config\n",
                a.k_cache.size() + a.v_cache.size(), gpt2_small.k_cache.size() + gpt2_small.v_cache.size());
    step.pause("the work it saves");

    std::printf("\n== 3. work: positions pushed through the model to generate %lld tokens ==\n",
                (long long)o.n);
    // Step s (after the prompt) runs 1 position with the cache, T + s without.
    int64_t with = T, without = T;
    for (int64_t s = 1; s < o.n; s++) with += 1, without += T + s;
    std::printf("with the cache:    %lld (the prompt once, then 1 per new token)\n", (long long)with);
    std::printf("without the cache: %lld (the whole sequence again for every new token)\n",
                (long long)without);
    std::printf("attention still reads every stored key: step s scores T + s of them either way\n");
    step.pause("generate() with the cache on and off");

    std::printf("\n== 4. generate(): the cache on and off give the same tokens ==\n");
    gw::GenerateOptions g;
    g.max_new_tokens = o.n;
    g.isa = isa;
    gw::SamplerConfig greedy;
    greedy.greedy = true;
    gw::SamplerConfig topk;
    topk.top_k = 40, topk.seed = 1;
    double secs[2][2] = {{0, 0}, {0, 0}};
    for (int which = 0; which < 2; which++) {
        const gw::SamplerConfig& sc = which == 0 ? greedy : topk;
        std::vector<int> out[2];
        for (int cache = 0; cache < 2; cache++) {
            g.use_cache = cache == 1;
            gw::Sampler sampler(sc);
            gw::GenerateResult r = gw::generate(*ck, sampler, ids, g);
            out[cache] = r.ids;
            secs[which][cache] = r.prefill_seconds + r.decode_seconds;
        }
        std::printf("%s:\n", which == 0 ? "greedy" : "top-k 40, seed 1");
        print_ids("  cache on :", out[1]);
        print_ids("  cache off:", out[0]);
        std::printf("  identical: %s   text: \"%s\"\n", out[0] == out[1] ? "yes" : "NO",
                    one_line(tok.decode(out[1])).c_str());
    }
    if (o.time)
        std::printf("wall time (greedy, top-k): cache on %.3f s, %.3f s; off %.3f s, %.3f s\n",
                    secs[0][1], secs[1][1], secs[0][0], secs[1][0]);
    step.pause("forward() token by token against one chunk");

    std::printf("\n== 5. forward(): %lld tokens one at a time vs all in one call ==\n", (long long)T + 1);
    const int64_t N = T + 1;
    std::vector<float> chunk(size_t(N * V)), single(size_t(N * V));
    gw::RunState c1 = gw::make_run_state(cfg, N);
    gw::ForwardOptions all = fo;
    all.all_logits = true;
    gw::forward(chunk.data(), *ck, c1, longer.data(), N, all);
    gw::RunState c2 = gw::make_run_state(cfg, 1);
    for (int64_t t = 0; t < N; t++)  // each call: 1 new position, n_past = t cached ones
        gw::forward(single.data() + t * V, *ck, c2, &longer[size_t(t)], 1, fo);
    int same_argmax = 0;
    for (int64_t t = 0; t < N; t++)
        same_argmax += gw::argmax(chunk.data() + t * V, V) == gw::argmax(single.data() + t * V, V);
    std::printf("logits (%lld, %lld): max |diff| %.1e; the most likely next token agrees at %d of %lld positions\n",
                (long long)N, (long long)V, gw::max_abs_diff(chunk.data(), single.data(), N * V), same_argmax,
                (long long)N);
    std::printf("(one chunk multiplies matrices, one token multiplies a vector: the sums are\n"
                " the same numbers added in another order, so only the last bits may differ)\n");
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("08-kv-cache", "the KV cache: why it is allowed, what it costs, what it saves, that it changes nothing");
    Options o;
    demo.text("--prompt", &o.prompt, "STR", "the text to continue")
        .integer("-n", &o.n, 1, 1 << 20, "N", "new tokens to generate")
        .text("--kernels", &o.kernels, "ref|avx2|avx512|auto", "vector kernels: ref (the scalar twins, the lesson's digits on every CPU), avx2, avx512 or auto")
        .flag("--time", &o.time, "also time generation with the cache on and off");
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, o, step); });
}
