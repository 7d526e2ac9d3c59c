// demo.cpp — lesson 12: from logits to the next token.
//
// Stages: the model's real next-token distribution after a prompt; what each sampler
// setting keeps of it (greedy, temperature, top-k, top-p, min-p, repetition penalty) and
// with which renormalised probabilities; many draws from one setting against those
// probabilities; seeds (same seed, same text); and the loops that greedy decoding falls
// into with a small model, measured as repeated 4-grams, with what breaks them.
//
// usage: build/lessons/12-sampling [--model DIR] [--prompt STR] [--kernels ref|avx2|avx512|auto]
//                                  [--step]
// --kernels: the vector kernels (default ref, the scalar ones, on every CPU; OpenBLAS's
// products still differ from CPU to CPU in their last bits, which the lesson's tol= allows).
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"       // gw::Error
#include "core/stepper.h"     // --step
#include "core/vecmath.h"     // softmax_probs, entropy_nats, top_k_indices
#include "lesson.h"           // lesson::Demo: flags, --step, errors
#include "model/forward.h"    // forward
#include "model/generate.h"   // generate
#include "model/sampler.h"    // SamplerConfig, Sampler, sampling_distribution, sample
#include "model/tokenizer.h"  // Tokenizer
#include "report/text.h"      // pad (columns), one_line

namespace {

// Fraction of the 4-grams of ids that already occurred earlier in ids.
double repeated_4grams(const std::vector<int>& ids) {
    std::set<std::vector<int>> seen;
    int repeats = 0, total = 0;
    for (size_t i = 0; i + 4 <= ids.size(); i++, total++) {
        std::vector<int> g(ids.begin() + long(i), ids.begin() + long(i) + 4);
        repeats += !seen.insert(g).second;
    }
    return total ? double(repeats) / total : 0.0;
}

struct Options {
    std::string dir = "weights/tiny-gpt2";
    std::string prompt = "Elizabeth looked at her sister, and";
    std::string kernels = "ref";  // the scalar kernels on every CPU (OpenBLAS's last bits vary)
};

void run(const Options& o, gw::Stepper& step) {
    auto ck = gw::load_checkpoint(o.dir);
    const gw::Tokenizer tok(o.dir);
    const gw::Config& cfg = ck->config;
    const int64_t V = cfg.vocab_size;
    const gw::Isa isa = gw::parse_isa(o.kernels);
    const std::vector<int> ids = tok.encode(o.prompt);
    gw::RunState state = gw::make_run_state(cfg, int64_t(ids.size()));
    gw::ForwardOptions fo;
    fo.isa = isa;
    std::vector<float> logits(static_cast<size_t>(V));
    gw::forward(logits.data(), *ck, state, ids.data(), int64_t(ids.size()), fo);
    auto name = [&](int id) { return gw::text::pad("[" + tok.token_display(id) + "]", 11); };

    std::printf("== 1. the next-token distribution after \"%s\" ==\n", o.prompt.c_str());
    const std::vector<double> p = gw::softmax_probs(logits.data(), V);
    for (int id : gw::top_k_indices(logits.data(), V, 8)) std::printf("  %s %.4f\n", name(id).c_str(), p[size_t(id)]);
    std::printf("entropy %.2f nats (a uniform choice among e^%.2f = %.0f tokens would have the same)\n",
                gw::entropy_nats(p), gw::entropy_nats(p), std::exp(gw::entropy_nats(p)));
    gw::SamplerConfig all;  // temperature 1, no filter: the full distribution, sorted
    const std::vector<gw::Candidate> sorted = gw::sampling_distribution(all, logits.data(), V, {});
    for (double target : {0.5, 0.9, 0.99}) {
        double mass = 0;
        size_t n = 0;
        while (n < sorted.size() && mass < target) mass += sorted[n++].prob;
        std::printf("the most probable %zu tokens hold %.0f%% of the mass\n", n, 100 * target);
    }
    step.pause("what each setting keeps");

    std::printf("\n== 2. what each setting keeps (sampling_distribution), renormalised ==\n");
    struct Setting {
        const char* label;
        gw::SamplerConfig c;
    };
    auto make = [](float t, int k, float top_p, float min_p, float rep, bool greedy) {
        gw::SamplerConfig c;
        c.temperature = t, c.top_k = k, c.top_p = top_p, c.min_p = min_p, c.repetition_penalty = rep;
        c.greedy = greedy;
        return c;
    };
    const Setting settings[] = {
        {"greedy", make(1, 0, 1, 0, 1, true)},
        {"temperature 0.5", make(0.5f, 0, 1, 0, 1, false)},
        {"temperature 1", make(1, 0, 1, 0, 1, false)},
        {"temperature 1.5", make(1.5f, 0, 1, 0, 1, false)},
        {"top-k 5", make(1, 5, 1, 0, 1, false)},
        {"top-p 0.5", make(1, 0, 0.5f, 0, 1, false)},
        {"min-p 0.2", make(1, 0, 1, 0.2f, 1, false)},
        {"repetition 1.5", make(1, 0, 1, 0, 1.5f, false)},
    };
    for (const Setting& s : settings) {
        const std::vector<gw::Candidate> kept = gw::sampling_distribution(s.c, logits.data(), V, ids);
        double mass = 0;  // how much of the plain (T = 1) distribution the kept tokens had
        for (const gw::Candidate& k : kept) mass += p[size_t(k.id)];
        std::printf("%-16s keeps %5zu tokens (%5.1f%% of the plain mass):", s.label, kept.size(), 100 * mass);
        for (size_t i = 0; i < kept.size() && i < 4; i++)
            std::printf(" %s %.3f", tok.token_display(kept[i].id).c_str(), kept[i].prob);
        std::printf("\n");
    }
    std::printf("repetition 1.5 divides the positive logits of the prompt's tokens by 1.5 (negative: x 1.5):\n");
    const std::vector<gw::Candidate> plain = gw::sampling_distribution(settings[2].c, logits.data(), V, ids);
    const std::vector<gw::Candidate> pen = gw::sampling_distribution(settings[7].c, logits.data(), V, ids);
    for (size_t i = 0; i < 20 && i < plain.size(); i++) {
        bool in_prompt = false;
        for (int id : ids) in_prompt |= id == plain[i].id;
        if (!in_prompt) continue;
        for (const gw::Candidate& k : pen)
            if (k.id == plain[i].id)
                std::printf("  %s (in the prompt) p %.4f -> %.4f\n", name(k.id).c_str(), plain[i].prob, k.prob);
    }
    step.pause("drawing from a distribution");

    std::printf("\n== 3. sample(): 10000 draws with top-k 5, seed 7, against the kept probabilities ==\n");
    gw::SamplerConfig k5 = make(1, 5, 1, 0, 1, false);
    k5.seed = 7;
    gw::Sampler sampler(k5);
    const std::vector<gw::Candidate> kept = gw::sampling_distribution(k5, logits.data(), V, ids);
    std::vector<int> counts(kept.size(), 0);
    const int draws = 10000;
    for (int d = 0; d < draws; d++) {
        const int id = gw::sample(sampler, logits.data(), V, ids);
        for (size_t i = 0; i < kept.size(); i++) counts[i] += kept[i].id == id;
    }
    for (size_t i = 0; i < kept.size(); i++)
        std::printf("  %s p %.4f   drawn %5d times = %.4f\n", name(kept[i].id).c_str(), kept[i].prob,
                    counts[i], double(counts[i]) / draws);
    step.pause("seeds");

    std::printf("\n== 4. seeds: top-k 40, 12 new tokens ==\n");
    gw::GenerateOptions g;
    g.max_new_tokens = 12;
    g.isa = isa;
    for (uint64_t seed : {1, 2, 3, 1}) {
        gw::SamplerConfig c = make(1, 40, 1, 0, 1, false);
        c.seed = seed;
        gw::Sampler s(c);
        std::printf("  seed %llu: %s\n", (unsigned long long)seed,
                    gw::text::one_line(tok.decode(gw::generate(*ck, s, ids, g).ids)).c_str());
    }
    step.pause("greedy decoding repeats itself");

    std::printf("\n== 5. 200 tokens: greedy decoding falls into a loop; a penalty or sampling breaks it ==\n");
    const std::vector<int> start = tok.encode("It is a truth universally acknowledged");
    g.max_new_tokens = 200;
    const Setting runs[] = {{"greedy", make(1, 0, 1, 0, 1, true)},
                            {"greedy, repetition 1.3", make(1, 0, 1, 0, 1.3f, true)},
                            {"top-p 0.9, seed 1", make(1, 0, 0.9f, 0, 1, false)}};
    for (const Setting& r : runs) {
        gw::SamplerConfig c = r.c;
        c.seed = 1;
        gw::Sampler s(c);
        const std::vector<int> out = gw::generate(*ck, s, start, g).ids;
        const std::vector<int> head(out.begin(), out.begin() + long(out.size() / 2));
        const std::vector<int> tail(out.end() - long(out.size() / 2), out.end());
        std::printf("%s: repeated 4-grams %.0f%% in tokens 0-99, %.0f%% in tokens 100-199; the last 24:\n  %s\n",
                    r.label, 100 * repeated_4grams(head), 100 * repeated_4grams(tail),
                    gw::text::one_line(tok.decode(std::vector<int>(out.end() - 24, out.end()))).c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("12-sampling", "from probabilities to a token: greedy, temperature, top-k, top-p, min-p, penalties, seeds");
    Options o;
    demo.text("--prompt", &o.prompt, "STR", "the text whose next-token distribution stages 1-3 use")
        .text("--kernels", &o.kernels, "ref|avx2|avx512|auto", "vector kernels: ref (the scalar twins, the lesson's digits on every CPU), avx2, avx512 or auto");
    return demo.run(argc, argv, [&](gw::Stepper& step) {
        o.dir = demo.model;
        run(o, step);
    });
}
