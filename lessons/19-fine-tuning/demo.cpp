// demo.cpp — lesson 19: fine-tuning reshapes the paths; in-context examples choose among them.
//
// Runs the fine-tuning walk (walks/finetune.h: the query after k examples on the weights as
// given, then AdamW on held-apart pairs, then the same on the tuned weights) and looks at
// where the context vector c_t of the query's last position ends up:
// (1) the two mechanisms' c_t side by side: cos(c_t, e_answer), and how far each moved c_t;
// (2) the tuned c_t with 0 examples against the in-context ones: are they where the examples
//     would have taken it?
// (3) learning or memorising: the trained, held-out and query pairs before and after.
// Every number comes from the walk's record; this file only chooses what to print.
//
// usage: build/lessons/19-fine-tuning [--model DIR] [--steps N] [--lr X] [--kernels ref|avx2|avx512|auto] [--step]
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/vecmath.h"      // cosine, norm
#include "lesson.h"            // lesson::Demo: flags, --step, errors
#include "model/tokenizer.h"
#include "model/weights.h"
#include "walks/finetune.h"

namespace {

double distance(const float* a, const float* b, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    return std::sqrt(s);
}

void run(const std::string& dir, int64_t steps, double lr, const std::string& kernels, gw::Stepper& step) {
    auto model = gw::load_checkpoint(dir);
    const gw::Tokenizer tok(dir);
    gw::FinetuneOptions o;
    o.steps = steps;
    o.lr = lr;
    o.isa = gw::parse_isa(kernels);
    const gw::FinetuneWalk w = gw::finetune_walk(*model, tok, gw::default_finetune_task(), o);
    const int64_t C = model->config.n_embd, K = int64_t(w.before.shots.size()) - 1;
    const float* given = w.before.contexts.data();  // (K + 1, C) c_t after k examples, weights as given
    const float* tuned = w.after.contexts.data();   // (K + 1, C) the same on the fine-tuned weights
    const int answer = w.after.shots[0].answer;

    std::printf("== 1. c_t of the query '%s%s', and the answer %s ==\n", w.task.fewshot.query.input.c_str(),
                w.task.fewshot.separator.c_str(), tok.token_display(answer).c_str());
    std::printf("fine-tuned for %lld updates (loss %.4f -> %.4f); c_t after k examples:\n", (long long)o.steps,
                w.log.steps.front().loss, w.log.steps.back().loss);
    std::printf("k   as given: cos(c_t,e_ans)  |c_t - c_t(k=0)|    fine-tuned: cos(c_t,e_ans)  |c_t - given c_t(k=0)|\n");
    for (int64_t k = 0; k <= K; k++)
        std::printf("%-3lld %26.4f  %15.2f  %27.4f  %22.2f\n", (long long)k, w.before.shots[size_t(k)].cos_answer,
                    distance(given + k * C, given, C), w.after.shots[size_t(k)].cos_answer,
                    distance(tuned + k * C, given, C));
    step.pause("is the tuned c_t where the examples would have taken it?");

    std::printf("\n== 2. the tuned c_t with 0 examples, against the in-context c_t of the weights as given ==\n");
    std::printf("k   cos(tuned c_t(0), given c_t(k))   |tuned c_t(0) - given c_t(k)|\n");
    for (int64_t k = 0; k <= K; k++)
        std::printf("%-3lld %31.4f   %28.2f\n", (long long)k, gw::cosine(tuned, given + k * C, C),
                    distance(tuned, given + k * C, C));
    const double to_examples = gw::cosine(tuned, given + K * C, C), to_start = gw::cosine(tuned, given, C);
    std::printf("the tuned c_t is %s the %lld-example c_t (cos %.4f) than the 0-example one (cos %.4f)\n",
                to_examples > to_start ? "closer to" : "no closer to", (long long)K, to_examples, to_start);
    step.pause("learning or memorising");

    std::printf("\n== 3. learning or memorising: mean over the pairs of each kind, 0 examples ==\n");
    std::printf("pairs      count  log p(answer) before -> after   rank 1 before -> after\n");
    for (const char* role : {"query", "held out", "trained"}) {
        double before = 0, after = 0;
        int n = 0, top_before = 0, top_after = 0;
        for (const gw::FinetuneProbe& p : w.probes)
            if (p.role == role) {
                before += p.logp_before;
                after += p.logp_after;
                top_before += p.rank_before == 1;
                top_after += p.rank_after == 1;
                n++;
            }
        std::printf("%-10s %5d  %10.3f -> %-16.3f %6d of %d -> %d of %d\n", role, n, before / n, after / n, top_before, n,
                    top_after, n);
    }
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("19-fine-tuning");
    int64_t steps = 40;
    double lr = 3e-4;
    std::string kernels = "ref";  // the scalar kernels on every CPU (OpenBLAS's last bits vary)
    demo.integer("--steps", &steps, 1, 100000, "N", "fine-tuning updates")
        .real("--lr", &lr, 0, 1, "X", "peak learning rate of the fine-tuning")
        .kernels(&kernels);
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, steps, lr, kernels, step); });
}
