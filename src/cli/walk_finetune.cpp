// cli/walk_finetune.cpp — `gptwalk walk finetune`: a pattern in context, then fine-tuned.
#include <cstdio>

#include "cli.h"
#include "core/error.h"
#include "model/tokenizer.h"
#include "report/finetune_io.h"
#include "walks/finetune.h"

namespace gw {

static std::vector<Flag> walk_finetune_flags() {
    return join({training_model_flags(), thread_flags(),
                 {{"--steps", "N", "fine-tuning updates (default 40)"},
                  {"--lr", "X", "AdamW's peak learning rate (default 3e-4)"},
                  {"--batch", "B", "windows an update (default 8)"},
                  {"--seq", "T", "tokens a window (default 32)"},
                  {"--seed", "S", "seed of the training text's order and of the windows (default 1)"},
                  {"-k", "K", "in-context examples measured before fine-tuning (default 6)"},
                  {"--json", "FILE", "write the whole record as JSON"},
                  {"--png", "FILE", "write a picture: in context vs fine-tuned, the walk, the layers, held-out pairs"}}});
}

static int run_walk_finetune(const Args& args) {
    const std::string dir = model_dir(args);
    FinetuneOptions o;
    o.isa = kernels_from(args);
    o.threads = threads_from(args);
    o.steps = args.integer("--steps", o.steps, 1, 100000);
    o.lr = args.real("--lr", o.lr, 0, 1);
    o.batch = args.integer("--batch", o.batch, 1, 1024);
    o.seq = args.integer("--seq", o.seq, 1, 1 << 20);
    o.seed = uint64_t(args.integer("--seed", 1, 0, INT64_MAX));
    o.max_k = args.integer("-k", o.max_k, 0, 1 << 20);
    auto model = load_checkpoint(dir);
    if (o.seq > model->config.n_positions)
        throw UsageError(cat("--seq ", o.seq, " is longer than the model's context (n_positions ",
                             model->config.n_positions, ")"));
    auto tok = need_tokenizer(dir, "to build the prompts and the training text");
    const FinetuneWalk w = finetune_walk(*model, *tok, default_finetune_task(), o);
    print_finetune(stdout, w, *tok, dir);
    if (args.has("--json")) write_output(args.str("--json"), finetune_json(w, *tok, dir), "JSON");
    if (args.has("--png")) write_png_output(args.str("--png"), finetune_picture(w, *tok));
    return 0;
}

const Command kWalkFinetuneCommand = {
    "walk finetune",
    "few-shot with fixed weights, then fine-tune on held-apart examples: the same prompt walks a new path",
    "[--steps N] [--lr X] [--batch B] [--seq T] [--threads N] [-k K] [--json FILE] [--png FILE]",
    walk_finetune_flags, run_walk_finetune};

}  // namespace gw
