// demo.cpp — lesson 04: token vectors + position vectors, and the space they live in.
//
// Stages: the two tables (wte, wpe); x = wte[id] + wpe[t] for a prompt, checked against
// the model's own "embed" trace point; nearest token vectors by cosine; how position
// vectors relate to each other (optionally drawn as a heatmap with --png FILE).
//
// usage: build/lessons/04-embeddings [--model DIR] [--prompt STR] [--word STR]... [--png FILE] [--step]
#include <algorithm>  // nth_element
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/stepper.h"     // --step
#include "core/vecmath.h"     // norm, cosine, top_k_indices
#include "lesson.h"           // lesson::Demo: flags, --step, errors
#include "model/forward.h"    // forward, Trace ("embed")
#include "model/tokenizer.h"
#include "model/weights.h"    // load_checkpoint
#include "report/picture.h"   // Heatmap, render_heatmap, write_png

namespace {

double median(std::vector<float> v) {
    std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
    return v[v.size() / 2];
}

void run(const std::string& dir, const std::string& prompt, const std::vector<std::string>& words,
         const std::string& png, gw::Stepper& step) {
    auto ck = gw::load_checkpoint(dir, {gw::WType::F32});
    const gw::Tokenizer tok(dir);
    const gw::Config& cfg = ck->config;
    const int64_t C = cfg.n_embd, V = cfg.vocab_size, P = cfg.n_positions;
    const float* wte = ck->w.wte.f32();  // (V, C)
    const float* wpe = ck->w.wpe;  // (P, C)

    std::printf("== 1. two tables of vectors in the same C = %lld dimensional space ==\n", (long long)C);
    std::vector<float> len_wte(static_cast<size_t>(V)), len_wpe(static_cast<size_t>(P));
    for (int64_t v = 0; v < V; v++) len_wte[size_t(v)] = float(gw::norm(wte + v * C, C));
    for (int64_t p = 0; p < P; p++) len_wpe[size_t(p)] = float(gw::norm(wpe + p * C, C));
    std::printf("wte (V, C) = (%lld, %lld): one vector per token;    median length %.3f\n",
                (long long)V, (long long)C, median(len_wte));
    std::printf("wpe (P, C) = (%lld, %lld): one vector per position; median length %.3f\n",
                (long long)P, (long long)C, median(len_wpe));
    int64_t bands[3] = {0, 0, 0};  // length < 1, 1..3, > 3
    for (float l : len_wte) bands[l < 1 ? 0 : l <= 3 ? 1 : 2]++;
    std::printf("token vectors by length: %lld shorter than 1, %lld from 1 to 3, %lld longer than 3\n",
                (long long)bands[0], (long long)bands[1], (long long)bands[2]);
    const std::vector<int> longest = gw::top_k_indices(len_wte.data(), V, 3);
    std::printf("longest:");
    for (int id : longest)
        std::printf(" %s (id %d, %.2f)", tok.token_display(id).c_str(), id, len_wte[size_t(id)]);
    std::printf("; cosine of the first two: %.3f\n",
                gw::cosine(wte + int64_t(longest[0]) * C, wte + int64_t(longest[1]) * C, C));
    step.pause("embedding a prompt");

    std::printf("\n== 2. x[t] = wte[id_t] + wpe[t] ==\n");
    const std::vector<int> ids = tok.encode(prompt);
    const int64_t T = int64_t(ids.size());
    gw::RunState state = gw::make_run_state(cfg, T);
    gw::Trace trace;
    gw::ForwardOptions opts;  // Isa::Ref; the trace records every named point
    opts.trace = &trace;
    std::vector<float> logits(static_cast<size_t>(V));
    gw::forward(logits.data(), *ck, state, ids.data(), T, opts);
    const gw::TracePoint& embed = trace.at("embed");  // (T, C)
    std::printf("%-3s %6s %9s %9s %9s %15s  %s\n", "t", "id", "|wte[id]|", "|wpe[t]|", "|x[t]|",
                "cos(x, wte[id])", "token");
    bool exact = true;
    for (int64_t t = 0; t < T; t++) {
        const float* e = wte + int64_t(ids[size_t(t)]) * C;
        const float* p = wpe + t * C;
        const float* x = embed.data.data() + t * C;
        for (int64_t c = 0; c < C; c++) exact = exact && x[c] == e[c] + p[c];
        std::printf("%-3lld %6d %9.3f %9.3f %9.3f %15.3f  %s\n", (long long)t, ids[size_t(t)],
                    gw::norm(e, C), gw::norm(p, C), gw::norm(x, C), gw::cosine(x, e, C),
                    tok.token_display(ids[size_t(t)]).c_str());
    }
    std::printf("the model's \"embed\" trace point equals wte[id] + wpe[t] exactly: %s\n",
                exact ? "yes" : "no");
    step.pause("nearest neighbours by cosine");

    std::printf("\n== 3. nearest token vectors by cosine (direction only) ==\n");
    std::vector<float> cosines(static_cast<size_t>(V));  // (V) cos(query, wte[v])
    for (const std::string& word : words) {
        const std::vector<int> w = tok.encode(word);
        if (w.size() != 1) {
            std::printf("\"%s\" is %zu tokens, not one: skipped\n", word.c_str(), w.size());
            continue;
        }
        const float* q = wte + int64_t(w[0]) * C;
        for (int64_t v = 0; v < V; v++) cosines[size_t(v)] = float(gw::cosine(q, wte + v * C, C));
        std::printf("%s:", tok.token_display(w[0]).c_str());
        for (int id : gw::top_k_indices(cosines.data(), V, 6)) {
            if (id == w[0]) continue;  // the word itself, cosine 1
            std::printf("  %s %.2f", tok.token_display(id).c_str(), cosines[size_t(id)]);
        }
        std::printf("\n");
    }
    step.pause("position vectors");

    std::printf("\n== 4. position vectors: how alike are positions i and j? ==\n");
    std::printf("cos(wpe[0], wpe[j]) and cos(wpe[64], wpe[64 + d]):\n");
    for (int64_t d : {1, 2, 4, 8, 16, 32, 64}) {
        if (64 + d >= P) break;
        std::printf("  d = %2lld   %6.3f   %6.3f\n", (long long)d, gw::cosine(wpe, wpe + d * C, C),
                    gw::cosine(wpe + 64 * C, wpe + (64 + d) * C, C));
    }
    if (!png.empty()) {
        gw::Heatmap h;
        h.title = "cosine of position vectors wpe[i], wpe[j]";
        h.x_label = "position j";
        h.y_label = "position i";
        h.rows = h.cols = P;
        h.values.resize(size_t(P * P));
        for (int64_t i = 0; i < P; i++)
            for (int64_t j = 0; j < P; j++)
                h.values[size_t(i * P + j)] = float(gw::cosine(wpe + i * C, wpe + j * C, C));
        h.vmin = -1;
        h.vmax = 1;
        h.colorbar_label = "cosine";
        gw::write_png(png, gw::render_heatmap(h, 480, 420));
        std::printf("wrote %s\n", png.c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("04-embeddings", "token and position vectors: x[t] = wte[id] + wpe[t], neighbours, positions");
    std::string prompt = "The king said", png;
    std::vector<std::string> words = {" king", " Monday", " sister", " three", " happy"};
    demo.text("--prompt", &prompt, "STR", "the text embedded in stage 2")
        .texts("--word", &words, "STR", "a token whose nearest neighbours stage 3 lists (repeat the flag)")
        .text("--png", &png, "FILE", "also draw the cosine of every pair of position vectors (write it under build/)");
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, prompt, words, png, step); });
}
