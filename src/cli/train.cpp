// cli/train.cpp — `gptwalk train` (fine-tune a checkpoint, or train from scratch) and
// `gptwalk eval` (mean next-token loss of a text).
#include <unistd.h>  // isatty

#include <climits>  // INT64_MIN
#include <cmath>
#include <cstdio>
#include <map>

#include "cli.h"
#include "core/error.h"
#include "core/mapped_file.h"
#include "core/output_file.h"
#include "model/tokenizer.h"
#include "report/json_writer.h"
#include "report/train_io.h"
#include "train/checkpoint.h"
#include "train/evaluate.h"
#include "train/trainer.h"

namespace gw {

// ---------------------------------------------------------------- shared: reading the text

// The text of --data as token ids, each checked against the model's vocabulary.
static std::vector<int> text_tokens(const std::string& path, const Tokenizer& tok, int64_t vocab_size) {
    const std::string text = read_file(path);
    if (text.empty()) fail("'", path, "': the text is empty");
    size_t bad = 0;
    if (!is_valid_utf8(text, &bad)) fail("'", path, "': not valid UTF-8 (bad byte at offset ", bad, ")");
    std::vector<int> ids = tok.encode(text);
    for (int id : ids)
        if (id >= vocab_size)
            fail("'", path, "': the tokenizer gave id ", id, " but the model's vocab_size is ", vocab_size);
    return ids;
}

// ---------------------------------------------------------------- train

static std::vector<Flag> train_flags() {
    return join({training_model_flags(), thread_flags(),
                 {{"--data", "FILE", "the training text (UTF-8), tokenized by the model's tokenizer"},
                  {"--out", "DIR", "where the checkpoint folder goes (replaced at every save; a folder this command did not write is refused)"},
                  {"--config", "SPEC", "train from scratch: --model's config with these fields changed, e.g. n_layer=2,n_embd=128 (keys n_embd n_head n_layer n_positions), GPT-2's random init"},
                  {"--steps", "N", "optimizer updates (default 200)"},
                  {"--batch", "B", "windows per micro-batch (default 8)"},
                  {"--seq", "T", "tokens per window: T inputs and their T next tokens (default 64)"},
                  {"--accum", "N", "micro-batches per update: gradient accumulation (default 1)"},
                  {"--optimizer", "adamw|sgd", "adamw (default) or plain sgd: w -= lr * grad"},
                  {"--lr", "X", "peak learning rate (default 3e-4)"},
                  {"--min-lr", "X", "where the cosine decay ends (default lr / 10)"},
                  {"--weight-decay", "X", "AdamW's decoupled weight decay on matrices (default 0.1)"},
                  {"--clip", "X", "clip the gradient norm to X (default 1; 0 = off)"},
                  {"--warmup", "N", "updates of linear warm-up (default steps / 10, at most 100)"},
                  {"--val-fraction", "F", "the last F of the text is held out for validation (default 0.1)"},
                  {"--eval-every", "N", "updates between validations (default 50, and at the end)"},
                  {"--save-every", "N", "updates between checkpoints (default 100, and at the end; 0 = only at the end)"},
                  {"--seed", "S", "seed of the random windows (and of the init, from scratch) (default 1)"},
                  {"--dtype", "f32|f16", "how model.safetensors stores the weights (default f32)"},
                  {"--resume", "DIR", "continue the run saved in DIR exactly (its settings; --steps may extend it)"},
                  {"--stop-after", "N", "stop after update N as if interrupted, leaving its checkpoint (to split a run)"}}});
}

// --config "n_layer=2,n_embd=128": fields of base changed (base = a default Config: only the
// spec's own syntax is checked, as every flag's value is before anything is read).
static Config config_from_spec(Config c, const std::string& spec, bool check_sizes = true) {
    size_t i = 0;
    while (i <= spec.size()) {
        size_t j = spec.find(',', i);
        if (j == std::string::npos) j = spec.size();
        const std::string item = spec.substr(i, j - i);
        const size_t eq = item.find('=');
        const std::string key = item.substr(0, eq);
        std::map<std::string, int64_t*> fields = {{"n_embd", &c.n_embd}, {"n_head", &c.n_head},
                                                   {"n_layer", &c.n_layer}, {"n_positions", &c.n_positions}};
        char* end = nullptr;
        const long long v = eq == std::string::npos ? 0 : std::strtoll(item.c_str() + eq + 1, &end, 10);
        if (eq == std::string::npos || !fields.count(key) || !end || *end != '\0' || v <= 0)
            throw UsageError(cat("--config: '", item, "' is not KEY=N with KEY one of n_embd, n_head, n_layer, n_positions"));
        *fields[key] = v;
        i = j + 1;
    }
    if (!check_sizes) return c;
    try {
        validate_config(c, "--config");
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
    return c;
}

// Flags that describe a run: with --resume they come from the checkpoint instead.
static const char* const kRunFlags[] = {"--model", "--config", "--batch", "--seq", "--accum", "--optimizer", "--lr",
                                        "--min-lr", "--weight-decay", "--clip", "--warmup", "--val-fraction",
                                        "--eval-every", "--save-every", "--seed", "--dtype"};

static TrainSettings settings_from(const Args& a) {
    TrainSettings s;
    OptimizerConfig& o = s.optimizer;
    o.steps = a.integer("--steps", 200, 1, int64_t(1) << 40);
    s.batch = a.integer("--batch", 8, 1, 1 << 16);
    s.seq = a.integer("--seq", 64, 1, 1 << 20);
    s.accum = a.integer("--accum", 1, 1, 1 << 16);
    const std::string opt = a.str("--optimizer", "adamw");
    if (opt != "adamw" && opt != "sgd") throw UsageError(cat("--optimizer: expected adamw or sgd, got '", opt, "'"));
    o.kind = opt == "adamw" ? OptimizerKind::AdamW : OptimizerKind::Sgd;
    o.lr = a.real("--lr", 3e-4, 0, 1e6);
    o.min_lr = a.real("--min-lr", o.lr / 10, 0, 1e6);
    if (o.kind == OptimizerKind::Sgd && a.has("--weight-decay"))
        throw UsageError("--weight-decay applies to --optimizer adamw only (sgd is plain w -= lr * grad)");
    o.weight_decay = o.kind == OptimizerKind::AdamW ? a.real("--weight-decay", 0.1, 0, 1e3) : 0.0;
    o.clip = a.real("--clip", 1.0, 0, 1e12);
    o.warmup = a.integer("--warmup", std::min<int64_t>(o.steps / 10, 100), 0, o.steps);
    s.val_fraction = a.real("--val-fraction", 0.1, 0, 0.9);
    s.eval_every = a.integer("--eval-every", 50, 1, int64_t(1) << 40);
    s.save_every = a.integer("--save-every", 100, 0, int64_t(1) << 40);
    s.seed = uint64_t(a.integer("--seed", 1, 0, INT64_MAX));
    const std::string dtype = a.str("--dtype", "f32");
    if (dtype != "f32" && dtype != "f16") throw UsageError(cat("--dtype: expected f32 or f16, got '", dtype, "'"));
    s.dtype = dtype == "f32" ? DType::F32 : DType::F16;
    return s;
}

namespace {
// Where the run came from and goes: what a save needs besides the run.
struct Destination {
    std::string out, tokenizer_dir;
    DataInfo data;  // with the model the run started from
    int64_t saved_step = -1;  // the last checkpoint written (-1: none yet)
};

void save(Destination& d, const TrainRun& run, const TrainLog& log) {
    OutputFolder folder(d.out, kTrainStateFile);
    write_model_files(folder, run.layout, run.params.data(), run.settings.dtype, d.tokenizer_dir);
    write_train_state(folder, run, d.data);
    write_output_file(folder.file("train_log.json"), train_log_json(log, run.settings, d.data.model, d.data.path));
    write_png(folder.file("loss.png"), loss_curve_picture(log, cat("Training ", d.data.model, " on ", d.data.path)));
    folder.commit();
    d.saved_step = run.opt.step;
}
}  // namespace

static int run_train(const Args& args) {
    const bool resume = args.has("--resume");
    if (resume)
        for (const char* f : kRunFlags)
            if (args.has(f)) throw UsageError(cat("train: ", f, " comes from the checkpoint with --resume (only --steps may change)"));
    if (args.has("--config") && args.has("--resume")) throw UsageError("train: --config and --resume cannot be combined");
    // Every value is checked before anything is read: a malformed one is named first.
    TrainSettings settings = resume ? TrainSettings{} : settings_from(args);
    settings.threads = threads_from(args);
    settings.isa = kernels_from(args);
    const int64_t stop_after_flag = args.integer("--stop-after", 0, 1, int64_t(1) << 40);
    const int64_t steps_flag = args.integer("--steps", 0, 1, int64_t(1) << 40);
    if (args.has("--config")) config_from_spec(Config{}, args.str("--config"), false);
    if (!args.has("--data") || !args.has("--out")) throw UsageError("train: give --data FILE and --out DIR");
    Destination d;
    d.out = args.str("--out");
    Config config;
    std::vector<float> initial;
    TrainResume state;
    TrainLog log;
    if (resume) {
        const std::string from = args.str("--resume");
        state = read_train_state(from);
        const int threads = settings.threads;
        const Isa isa = settings.isa;
        settings = state.settings;
        settings.threads = threads;
        settings.isa = isa;
        if (args.has("--steps")) {
            if (steps_flag < state.step)
                throw UsageError(cat("--steps ", steps_flag, " is below the update the checkpoint is at (", state.step, ")"));
            settings.optimizer.steps = steps_flag;
        }
        config = state.config;
        initial = state.params;
        d.tokenizer_dir = from;
        d.data.model = state.data.model;
        if (file_exists(from + "/train_log.json")) {
            log = parse_train_log(read_file(from + "/train_log.json"), from + "/train_log.json");
            while (!log.steps.empty() && log.steps.back().step > state.step) log.steps.pop_back();
            while (!log.evals.empty() && log.evals.back().step > state.step) log.evals.pop_back();
        }
    } else {
        d.tokenizer_dir = model_dir(args);
        config = load_config(d.tokenizer_dir + "/config.json");
        if (args.has("--config")) config = config_from_spec(config, args.str("--config"));
        d.data.model = args.has("--config") ? cat("a new model (", args.str("--config"), ")") : d.tokenizer_dir;
    }
    const int64_t stop_after = args.has("--stop-after") ? stop_after_flag : settings.optimizer.steps;
    if (settings.seq > config.n_positions)
        throw UsageError(cat("--seq ", settings.seq, " is longer than the model's context (n_positions ", config.n_positions, ")"));

    { OutputFolder refuse_early(d.out, kTrainStateFile); }  // an --out we may not replace fails now, not after training
    // The text first (cheap, and the likeliest mistake), then the weights.
    const std::string data_path = args.str("--data");
    const std::vector<int> ids =
        text_tokens(data_path, *need_tokenizer(d.tokenizer_dir, "to read --data"), config.vocab_size);
    d.data = {d.data.model, data_path, int64_t(ids.size()), tokens_fingerprint(ids)};
    if (resume && (d.data.tokens != state.data.tokens || d.data.fingerprint != state.data.fingerprint))
        fail("'", data_path, "': not the text the run started on (", d.data.tokens, " tokens; the checkpoint's '",
             state.data.path, "' had ", state.data.tokens, ")");
    const TokenSplit split = split_tokens(ids, settings.val_fraction, settings.seq, data_path);
    if (!resume) {
        initial.resize(size_t(config.parameter_count()));
        if (args.has("--config")) {
            init_gpt2(initial.data(), param_layout(config), settings.seed);
        } else {
            auto ck = load_checkpoint(d.tokenizer_dir);
            copy_weights_flat(initial.data(), *ck);
        }
    }

    auto run = make_train_run(config, settings, initial.data());
    if (resume) restore_train_state(*run, state);
    const int64_t total = settings.optimizer.steps;
    const std::string micro = settings.accum > 1 ? cat(" x ", settings.accum, " micro-batches") : std::string();
    std::printf("training %s: %lld parameters, %lld updates of %lld windows x %lld tokens%s (%s, lr %g), %zu training "
                "and %zu validation tokens, %d thread%s\n",
                d.data.model.c_str(), (long long)config.parameter_count(), (long long)total, (long long)settings.batch,
                (long long)settings.seq, micro.c_str(), optimizer_name(settings.optimizer.kind), settings.optimizer.lr,
                split.train.size(), split.val.size(), settings.threads, settings.threads == 1 ? "" : "s");
    if (resume) std::printf("resumed from %s at update %lld\n", args.str("--resume").c_str(), (long long)state.step);
    std::fflush(stdout);

    const bool terminal = isatty(STDOUT_FILENO);
    double seconds = 0;
    int64_t tokens = 0, done = 0;
    double val = log.evals.empty() ? NAN : log.evals.back().val_loss;
    while (run->opt.step < total && run->opt.step < stop_after) {
        const StepRecord r = train_step(*run, split.train);
        if (!r.applied)
            fail("update ", r.step + 1, ": the training loss is ", r.loss, " and the gradient norm ", r.grad_norm,
                 "; stopped. ", d.saved_step >= 0 ? cat("The last good checkpoint is ", d.out, " (update ", d.saved_step, ")")
                                                 : std::string("No checkpoint was written"),
                 "; try a smaller --lr");
        log.steps.push_back(r);
        seconds += r.seconds;
        tokens += r.tokens;
        done++;
        const bool last = r.step == total || r.step == stop_after;
        const bool eval_now = !split.val.empty() && (r.step % settings.eval_every == 0 || last);
        if (eval_now) {
            log.evals.push_back(validate(*run, split.val));
            val = log.evals.back().val_loss;
        }
        const double eta = double(total - r.step) * seconds / double(done);
        if (terminal || eval_now || last) {
            const std::string line = progress_line(r, total, val, double(tokens) / seconds, eta, terminal);
            std::printf(terminal ? "\r%s\x1b[K%s" : "%s%s", line.c_str(), terminal && !eval_now && !last ? "" : "\n");
            std::fflush(stdout);
        }
        if (last || (settings.save_every > 0 && r.step % settings.save_every == 0)) save(d, *run, log);
    }
    if (done == 0 && run->opt.step >= total) save(d, *run, log);  // resumed at the end: rewrite it where asked
    std::printf("wrote %s (config.json, model.safetensors %s, tokenizer, %s, train_log.json, loss.png) at update %lld\n",
                d.out.c_str(), dtype_name(settings.dtype), kTrainStateFile, (long long)run->opt.step);
    return 0;
}

const Command kTrainCommand = {
    "train", "train a model on a text: fine-tune a checkpoint, or start from scratch with --config",
    "--data FILE --out DIR [--model DIR | --config SPEC] [--steps N] [--batch B] [--seq T] [--optimizer adamw|sgd] "
    "[--lr X] [--weight-decay X] [--clip X] [--warmup N] [--val-fraction F] [--seed S] [--threads N] [--resume DIR] "
    "[--dtype f32|f16]",
    train_flags, run_train};

// ---------------------------------------------------------------- eval

static std::vector<Flag> eval_flags() {
    return join({model_flags(), thread_flags(),
                 {{"--data", "FILE", "the text to score (UTF-8)"},
                  {"--seq", "S", "predictions per window: windows [kS, kS+S] from an empty context (default n_positions - 1)"},
                  {"--json", "", "print one JSON object {\"loss\", \"tokens\", \"perplexity\"}"}}});
}

static int run_eval(const Args& args) {
    const Isa isa = kernels_from(args);
    const int threads = threads_from(args);
    const LoadOptions load = weights_from(args);  // --weights: the loss with the matrices in another type
    args.integer("--seq", 1, INT64_MIN, INT64_MAX);  // malformed: named now; its range needs the model
    if (!args.has("--data")) throw UsageError("eval: give --data FILE");
    const std::string dir = model_dir(args);
    auto model = load_checkpoint(dir, load);
    const int64_t P = model->config.n_positions;
    const int64_t S = args.integer("--seq", P - 1, 1, P);
    const std::vector<int> ids = text_tokens(args.str("--data"), *need_tokenizer(dir, "to read --data"),
                                             model->config.vocab_size);
    const TextEval e = evaluate_tokens(*model, ids, S, isa, threads);
    if (args.has("--json"))
        std::printf("%s\n", json::object({json::field("loss", json::num(e.loss)), json::field("tokens", json::num(e.tokens)),
                                          json::field("perplexity", json::num(e.perplexity))}).c_str());
    else
        std::printf("loss %.4f nats/token over %lld predictions (windows of %lld), perplexity %.2f\n", e.loss,
                    (long long)e.tokens, (long long)S, e.perplexity);
    return 0;
}

const Command kEvalCommand = {"eval", "mean next-token loss (nats) and perplexity of a text",
                              "--data FILE [--model DIR] [--weights T] [--seq S] [--json]", eval_flags, run_eval};

}  // namespace gw
