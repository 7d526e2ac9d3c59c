// demo.cpp — lesson 18: the training loop, on a small model trained from scratch.
//
// Stages: (1) the data: the shipped text as tokens, its split, one window and its targets;
// (2) one update by hand: forward, backward, the gradient's norm and clipping, the learning
// rate, AdamW, and the same batch's loss after; (3) the loop: every few updates the training
// and validation loss, what the model now writes after a prompt, and the logit-lens rank of
// the true next token along the encoding walk (lesson 14): the walk forming as it learns.
// Every number comes from train/ (trainer, optimizer, data) and walks/encoding_walk.h.
//
// usage: build/lessons/18-training [--model DIR] [--data FILE] [--steps N] [--every N] [--lr X]
//                                  [--kernels ref|avx2|avx512|auto] [--step]
// --model gives the tokenizer and the shape to shrink (the weights start random: GPT-2's init).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/mapped_file.h"     // read_file
#include "core/vecmath.h"         // rank_of
#include "lesson.h"               // lesson::Demo: flags, --step, errors
#include "model/forward.h"
#include "model/generate.h"
#include "model/sampler.h"
#include "model/tokenizer.h"
#include "model/weights.h"        // checkpoint_over
#include "report/text.h"          // quoted_token, ids_text, one_line
#include "train/trainer.h"
#include "walks/encoding_walk.h"  // traced_forward, logit_lens, half_layer_point

namespace {

struct Options {
    std::string data = "lessons/data/pride-and-prejudice-1-10.txt";
    std::string kernels = "ref";  // the scalar kernels on every CPU (OpenBLAS's last bits vary)
    int64_t steps = 60, every = 20;
    double lr = 2e-3;
};

// The rank of token `next` after ids under the logit lens at every half-layer point (lesson 14).
std::vector<int64_t> lens_ranks(const gw::Checkpoint& m, const std::vector<int>& ids, int next, gw::Isa isa) {
    const gw::Trace tr = gw::traced_forward(m, ids, isa);
    const int64_t C = m.config.n_embd, V = m.config.vocab_size, T = int64_t(ids.size());
    std::vector<float> logits(static_cast<size_t>(V));
    std::vector<int64_t> ranks;
    for (int64_t k = 0; k <= 2 * m.config.n_layer; k += 2) {  // embed and each block's resid_post
        gw::logit_lens(logits.data(), m, tr.at(gw::half_layer_point(k)).data.data() + (T - 1) * C, 1);
        ranks.push_back(gw::rank_of(logits.data(), V, next));
    }
    return ranks;
}

void run(const std::string& dir, const Options& o, gw::Stepper& step) {
    const gw::Isa isa = gw::parse_isa(o.kernels);
    const gw::Tokenizer tok(dir);
    gw::Config cfg = gw::load_config(dir + "/config.json");
    cfg.n_layer = 4, cfg.n_embd = 64, cfg.n_head = 4, cfg.n_positions = 64;  // small: minutes, not hours
    auto q = [&](int id) { return gw::text::quoted_token(&tok, id); };

    // ---- 1. the data
    const std::vector<int> ids = tok.encode(gw::read_file(o.data));
    gw::TrainSettings s;
    s.batch = 4;
    s.seq = 32;
    s.val_fraction = 0.1;
    s.val_windows = 16;
    s.optimizer.steps = o.steps;
    s.optimizer.lr = o.lr;
    s.optimizer.min_lr = o.lr / 10;
    s.optimizer.warmup = o.steps / 10;
    s.isa = isa;
    const gw::TokenSplit split = gw::split_tokens(ids, s.val_fraction, s.seq, o.data);
    std::printf("== 1. the data: %s ==\n", o.data.c_str());
    std::printf("%zu tokens: %zu to train on, the last %zu held out for validation\n", ids.size(), split.train.size(),
                split.val.size());
    gw::WindowSampler peek{s.seed};
    std::vector<int> in(static_cast<size_t>(s.seq)), tg(static_cast<size_t>(s.seq));
    gw::sample_windows(in.data(), tg.data(), peek, split.train, 1, s.seq);
    std::printf("a window of %lld inputs, and their targets (each input's next token):\n", (long long)s.seq);
    for (int64_t t = 0; t < 6; t++) std::printf("  %-16s -> %s\n", q(in[size_t(t)]).c_str(), q(tg[size_t(t)]).c_str());
    std::printf("  ...\n");
    step.pause("one update by hand");

    // ---- 2. one update, piece by piece (train_step does the same, in this order)
    const gw::ParamLayout layout = gw::param_layout(cfg);
    std::vector<float> init(layout.total);
    gw::init_gpt2(init.data(), layout, s.seed);
    auto run = gw::make_train_run(cfg, s, init.data());
    std::printf("\n== 2. one update: a new model of %lld parameters (4 layers, C = 64), GPT-2's random init ==\n",
                (long long)cfg.parameter_count());
    std::vector<int> bin(static_cast<size_t>(s.batch * s.seq)), btg(bin.size());
    gw::WindowSampler sampler{s.seed};
    gw::sample_windows(bin.data(), btg.data(), sampler, split.train, s.batch, s.seq);
    const float dloss = float(1.0 / double(s.batch * s.seq));
    const double loss0 = gw::train_forward(run->acts, layout, run->params.data(), bin.data(), btg.data(), s.batch,
                                           s.seq, dloss, *run->ops);
    gw::train_backward(run->grads.data(), run->acts, layout, run->params.data(), bin.data(), s.batch, s.seq, *run->ops);
    std::printf("forward:   loss %.4f on %lld x %lld tokens (ln V = %.4f: a model that knows nothing)\n", loss0,
                (long long)s.batch, (long long)s.seq, std::log(double(cfg.vocab_size)));
    const gw::UpdateStats u = gw::optimizer_update(run->params.data(), run->grads.data(), run->opt, layout,
                                                   s.optimizer, *run->team, isa);
    std::printf("backward:  |gradient| %.4f; clipped to %.1f (scale %.4f)\n", u.grad_norm, s.optimizer.clip, u.clip_scale);
    std::printf("AdamW:     learning rate %.2e (update 1 of a %lld-update warm-up)\n", u.lr, (long long)s.optimizer.warmup);
    const double loss1 = gw::train_forward(run->acts, layout, run->params.data(), bin.data(), btg.data(), s.batch,
                                           s.seq, 0.0f, *run->ops);
    std::printf("after:     loss %.4f on the same windows\n", loss1);
    step.pause("the loop");

    // ---- 3. the loop, from the same start
    run = gw::make_train_run(cfg, s, init.data());
    const std::string prompt = "\"My dear Mr.";
    const std::vector<int> pids = tok.encode(prompt);
    const int next = tok.encode(" Bennet").at(0);
    std::printf("\n== 3. %lld updates of %lld x %lld tokens; every %lld: losses, a greedy continuation, the walk ==\n",
                (long long)o.steps, (long long)s.batch, (long long)s.seq, (long long)o.every);
    std::printf("prompt %s: what follows (greedy), and the rank of %s (the first token of ' Bennet',\n",
                gw::text::one_line(prompt).c_str(), q(next).c_str());
    std::printf("the text's next token)");
    std::printf(" under the logit lens at the embedding and after each block\n");
    std::printf("update  train   val     rank: embed   h.0   h.1   h.2   h.3   continuation\n");
    for (int64_t i = 0; i <= o.steps; i++) {
        gw::StepRecord r;
        if (i > 0) r = gw::train_step(*run, split.train);
        if (i % o.every != 0 && i != o.steps) continue;
        const double val = gw::validate(*run, split.val).val_loss;
        const auto m = gw::checkpoint_over(cfg, run->params.data());
        gw::GenerateOptions g;
        g.max_new_tokens = 6;
        g.isa = isa;
        gw::SamplerConfig greedy;
        greedy.greedy = true;
        gw::Sampler sampler_g(greedy);
        const std::vector<int> out = gw::generate(*m, sampler_g, pids, g).ids;
        const std::vector<int64_t> ranks = lens_ranks(*m, pids, next, isa);
        std::printf("%-7lld %-7s %-7.4f %-13lld %-5lld %-5lld %-5lld %-5lld %s\n", (long long)i,
                    i == 0 ? "-" : gw::text::format("%.4f", r.loss).c_str(), val, (long long)ranks[0],
                    (long long)ranks[1], (long long)ranks[2], (long long)ranks[3], (long long)ranks[4],
                    gw::text::one_line(tok.decode(out)).c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("18-training");
    Options o;
    demo.text("--data", &o.data, "FILE", "the text to train on (UTF-8)")
        .integer("--steps", &o.steps, 1, 100000, "N", "updates of the small model trained from scratch")
        .integer("--every", &o.every, 1, 100000, "N", "show the losses and the walk every N updates")
        .real("--lr", &o.lr, 0, 1, "X", "peak learning rate (warm-up, then cosine down to a tenth)")
        .kernels(&o.kernels);
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, o, step); });
}
