// demo.cpp — lesson 00: the whole pipeline once, each stage named with its lesson.
//
// Stages: the model folder's files; config and checkpoint (lesson 02); the tokenizer
// (03); one forward pass, ending in a context vector and logits (04-11); the five most
// likely next tokens; a few greedy steps with the KV cache; decoding back to text.
//
// usage: build/lessons/00-setup [--model DIR] [--prompt STR] [-n N] [--map FILE] [--step] [--help]
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/stepper.h"     // --step
#include "core/vecmath.h"     // softmax_probs, top_k_indices, norm
#include "lesson.h"           // lesson::Demo: flags, --step, errors
#include "model/forward.h"    // forward, make_run_state
#include "model/generate.h"   // generate (prefill + decode loop)
#include "model/sampler.h"    // Sampler (greedy)
#include "model/tokenizer.h"
#include "model/weights.h"    // load_checkpoint
#include "report/architecture_picture.h"  // architecture_map: the map of lessons/README.md

namespace {

void run(const std::string& dir, const std::string& prompt, int64_t n_new, gw::Stepper& step) {
    std::printf("== 1. a model is a folder (%s) ==\n", dir.c_str());
    for (const char* name : {"config.json", "model.safetensors", "encoder.json", "vocab.bpe",
                             "vocab.json", "merges.txt"}) {
        const std::filesystem::path p = std::filesystem::path(dir) / name;
        if (std::filesystem::exists(p))
            std::printf("  %-18s %10llu bytes\n", name, (unsigned long long)std::filesystem::file_size(p));
    }
    step.pause("loading (lesson 02)");

    std::printf("\n== 2. load the checkpoint (lesson 02) ==\n");
    auto ck = gw::load_checkpoint(dir);
    const gw::Config& cfg = ck->config;
    std::printf("C = n_embd %lld, L = n_layer %lld, NH = n_head %lld, P = n_positions %lld, V = vocab %lld\n",
                (long long)cfg.n_embd, (long long)cfg.n_layer, (long long)cfg.n_head,
                (long long)cfg.n_positions, (long long)cfg.vocab_size);
    std::printf("%lld parameters, stored as %s\n", (long long)cfg.parameter_count(),
                gw::dtype_name(ck->stored_dtype));
    step.pause("tokenizing (lesson 03)");

    std::printf("\n== 3. text -> token ids (lesson 03) ==\n");
    const gw::Tokenizer tok(dir);
    const std::vector<int> ids = tok.encode(prompt);
    std::printf("\"%s\" ->", prompt.c_str());
    for (int id : ids) std::printf(" %d", id);
    std::printf("\n          ");
    for (int id : ids) std::printf(" [%s]", tok.token_display(id).c_str());
    std::printf("\n");
    step.pause("one forward pass (lessons 04-11)");

    std::printf("\n== 4. one forward pass: ids -> context vector -> logits (lessons 04-11) ==\n");
    const int64_t T = int64_t(ids.size()), V = cfg.vocab_size;
    gw::RunState state = gw::make_run_state(cfg, T);
    std::vector<float> logits(static_cast<size_t>(V));
    gw::ForwardOptions opts;  // the scalar kernels (Isa::Ref) on every CPU (OpenBLAS's last bits vary)
    gw::forward(logits.data(), *ck, state, ids.data(), T, opts);
    std::printf("context vector of the last position: %lld numbers, length %.2f\n",
                (long long)cfg.n_embd, gw::norm(gw::last_context(state), cfg.n_embd));
    std::printf("logits: one score per vocabulary entry, %lld of them\n", (long long)V);
    const std::vector<double> p = gw::softmax_probs(logits.data(), V);
    std::printf("the 5 most likely next tokens:\n");
    for (int id : gw::top_k_indices(logits.data(), V, 5))
        std::printf("  %6d  logit %7.3f   p %.3f   [%s]\n", id, logits[size_t(id)], p[size_t(id)],
                    tok.token_display(id).c_str());
    step.pause("generating greedily");

    std::printf("\n== 5. generate %lld tokens greedily (always the most likely) ==\n", (long long)n_new);
    gw::SamplerConfig sc;
    sc.greedy = true;
    gw::Sampler sampler(sc);
    gw::GenerateOptions g;
    g.max_new_tokens = n_new;
    g.eot_id = tok.eot_id();
    const gw::GenerateResult r = gw::generate(*ck, sampler, ids, g);
    std::printf("new ids:");
    for (int id : r.ids) std::printf(" %d", id);
    std::printf("\n%zu new tokens; stopped: %s\n", r.ids.size(), gw::stop_reason_text(r.stop));
    std::printf("text: \"%s%s\"\n", prompt.c_str(), tok.decode(r.ids).c_str());
}

// --map FILE: the picture of lessons/README.md, for this model's sizes.
void draw_map(const std::string& dir, const std::string& path) {
    const gw::Config cfg = gw::load_config(dir + "/config.json");
    gw::write_png(path, gw::render_architecture_map(gw::architecture_map(cfg)));
    std::printf("wrote %s\n", path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("00-setup", "the whole pipeline once: files, checkpoint, tokens, one forward pass, greedy text");
    std::string prompt = "It is a truth universally acknowledged";
    int64_t n_new = 8;
    std::string map;
    demo.text("--prompt", &prompt, "STR", "the text to continue")
        .integer("-n", &n_new, 0, 1 << 20, "N", "new tokens to generate greedily")
        .text("--map", &map, "FILE", "only draw the map of the model (lessons/README.md) into FILE");
    return demo.run(argc, argv, [&](gw::Stepper& step) {
        if (!map.empty()) return draw_map(demo.model, map);
        run(demo.model, prompt, n_new, step);
    });
}
