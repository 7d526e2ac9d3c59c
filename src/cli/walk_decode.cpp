// cli/walk_decode.cpp — `gptwalk walk decode`, `gptwalk walk fewshot`, `gptwalk neighbours`.
//
// Each command loads the model, asks a walk module for its record, then prints it and
// optionally writes the JSON record (--json) and a picture (--png).
#include <cstdio>
#include <fstream>

#include "cli.h"
#include "core/error.h"
#include "core/stepper.h"
#include "model/tokenizer.h"
#include "report/decoding_walk_io.h"
#include "report/fewshot_io.h"
#include "report/neighbours_io.h"
#include "report/text.h"  // token_label
#include "walks/decoding_walk.h"
#include "walks/fewshot.h"
#include "walks/neighbours.h"

namespace gw {

using text::token_label;

// ------------------------------------------------------------------ walk decode

static std::vector<Flag> walk_decode_flags() {
    return join({model_flags(), prompt_flags(), sampler_flags(),
                 {{"-n", "N", "new tokens to generate (default 12)"},
                  {"--top", "K", "candidates and nearest token vectors shown per step (default 5)"},
                  {"--ignore-eos", "", "keep going after <|endoftext|>"},
                  {"--json", "FILE", "write the whole record as JSON"},
                  {"--png", "FILE", "write a picture: the 2-D path, p(chosen) and entropy per step"},
                  {"--step", "", "pause between the stages (only when stdin is a terminal)"},
                  {"--summary", "", "print only the header and the path (section 1), not each step's candidates"},
                  {"--compare", "", "run greedy, temperature 0.7/1.0/1.3, top-k 40, top-p 0.9 (with --seed)"},
                  {"--tree", "B,D", "expand the B most probable tokens of every prefix, D levels (B <= 5, D <= 4)"}}});
}

// "B,D" -> B, D within the bounds; anything else is a usage error.
static void parse_tree(const std::string& spec, int64_t* B, int64_t* D) {
    long long b = 0, d = 0;
    char extra = 0;
    if (std::sscanf(spec.c_str(), "%lld,%lld%c", &b, &d, &extra) != 2 || b < 1 || b > kMaxTreeBranches ||
        d < 1 || d > kMaxTreeDepth)
        throw UsageError(cat("--tree expects B,D with 1 <= B <= ", kMaxTreeBranches, " and 1 <= D <= ",
                             kMaxTreeDepth, " (B^D leaves), got '", spec, "'"));
    *B = b;
    *D = d;
}

static int run_walk_decode(const Args& args) {
    const bool compare = args.has("--compare"), tree = args.has("--tree");
    if (compare && tree) throw UsageError("walk decode: --compare and --tree cannot be combined");
    if ((compare || tree) && (args.has("--greedy") || args.has("--temperature") || args.has("--top-k") ||
                              args.has("--top-p") || args.has("--min-p") || args.has("--repetition-penalty")))
        throw UsageError("walk decode: --compare and --tree choose their own distributions; only --seed applies");
    int64_t B = 0, D = 0;
    if (tree) parse_tree(args.str("--tree"), &B, &D);
    if (tree && args.has("--png")) throw UsageError("walk decode: --png is not available with --tree (use --json)");
    const std::string dir = model_dir(args);
    const Isa isa = kernels_from(args);
    const SamplerConfig sc = sampler_from(args);
    DecodingWalkOptions opts;
    opts.max_new_tokens = args.integer("-n", 12, 1, 1 << 20);
    opts.top_k = args.integer("--top", 5, 1, 1000);
    opts.isa = isa;
    Stepper stepper(args.has("--step"));

    auto model = load_checkpoint(dir, weights_from(args));
    if (!args.has("--top")) opts.top_k = std::min(opts.top_k, model->config.vocab_size);  // a tiny vocabulary
    auto tok = model_tokenizer(*model);
    const std::vector<int> prompt = prompt_ids(args, *model, tok.get(), model->config.n_positions - 1);
    opts.eot_id = (tok && !args.has("--ignore-eos")) ? tok->eot_id() : -1;
    std::string json;
    Image picture;
    if (tree) {
        WalkTree t = expand_tree(*model, prompt, B, D, isa);
        print_tree(stdout, t, tok.get());
        json = tree_json(t, tok.get(), dir);
    } else if (compare) {
        std::vector<StrategyRun> runs = compare_decoding(*model, prompt, sc.seed, opts);
        print_compare(stdout, runs, tok.get());
        json = compare_json(runs, tok.get(), dir);
        if (args.has("--png")) picture = compare_picture(runs, tok.get());
    } else {
        DecodingWalk w = run_decoding_walk(*model, prompt, sc, opts);
        print_decoding_header(stdout, w, tok.get(), dir);
        print_decoding_section(stdout, w, tok.get(), DecodingSection::Path);
        if (!args.has("--summary")) {  // make demo's first screen stops at the path
            std::fflush(stdout);
            stepper.pause("each step's top tokens and the ln_f logit split");
            print_decoding_section(stdout, w, tok.get(), DecodingSection::Candidates);
            std::fflush(stdout);
            stepper.pause("what does not move");
            print_decoding_section(stdout, w, tok.get(), DecodingSection::Fixed);
        }
        json = decoding_walk_json(w, tok.get(), dir);
        if (args.has("--png")) picture = decoding_walk_picture(w, tok.get());
    }
    if (args.has("--json")) {
        write_output(args.str("--json"), json, "JSON");
    }
    if (args.has("--png")) {
        write_png_output(args.str("--png"), picture);
    }
    return 0;
}

const Command kWalkDecodeCommand = {
    "walk decode", "generation as a walk over token vectors: probabilities, c_t, the logit split",
    "(--prompt STR | --file PATH | --prompt-ids IDS) [-n N] [sampler flags] [--top K] "
    "[--compare | --tree B,D] [--summary] [--json FILE] [--png FILE] [--step]",
    walk_decode_flags, run_walk_decode};

// ------------------------------------------------------------------ walk fewshot

static std::vector<Flag> walk_fewshot_flags() {
    return join({model_flags(),
                 {{"--pattern", "x=y,...,q=a", "examples then the query, e.g. day=night,good=evil,wise=foolish "
                                                "(default: number words and the next one)"},
                  {"--separator", "STR", "between input and output on each line (default \",\")"},
                  {"-k", "K", "largest number of examples to show (default: all)"},
                  {"--json", "FILE", "write the record as JSON"},
                  {"--png", "FILE", "write a picture: rank, probability and cos(c_t, e_answer) against k"}}});
}

static int run_walk_fewshot(const Args& args) {
    const std::string dir = model_dir(args);
    const Isa isa = kernels_from(args);
    FewshotTask task = args.has("--pattern") ? parse_fewshot_pattern(args.str("--pattern")) : default_fewshot_task();
    if (args.has("--separator")) task.separator = args.str("--separator");
    const int64_t k = args.integer("-k", int64_t(task.examples.size()), 0, 1 << 20);
    auto model = load_checkpoint(dir, weights_from(args));
    auto tok = need_tokenizer(dir, "to build the few-shot prompts from text", model.get());
    FewshotWalk w = run_fewshot(*model, *tok, task, k, isa);
    print_fewshot(stdout, w, *tok, dir);
    if (args.has("--json")) {
        write_output(args.str("--json"), fewshot_json(w, *tok, dir), "JSON");
    }
    if (args.has("--png")) {
        Image img = fewshot_picture(w, *tok);
        write_png_output(args.str("--png"), img);
    }
    return 0;
}

const Command kWalkFewshotCommand = {
    "walk fewshot", "k = 0..K examples of a pattern: the answer's rank and cos(c_t, e_answer); weights fixed",
    "[--pattern x=y,...,q=a] [--separator STR] [-k K] [--json FILE] [--png FILE]", walk_fewshot_flags,
    run_walk_fewshot};

// ------------------------------------------------------------------ neighbours

static std::vector<Flag> neighbours_flags() {
    return join({model_flags(),
                 {{"--id", "N", "the token by id instead of by text"},
                  {"-k", "K", "neighbours to list (default 10)"},
                  {"--json", "FILE", "write the record as JSON"}}});
}

static int run_neighbours(const Args& args) {
    if (args.positional.size() > 1 || (args.positional.empty() == !args.has("--id")))
        throw UsageError("neighbours: give exactly one token, as TEXT or as --id N");
    const std::string dir = model_dir(args);
    kernels_from(args);  // no kernel runs here, but a bad --kernels value is still an error
    const int64_t k = args.integer("-k", 10, 1, 1000);
    auto model = load_checkpoint(dir, weights_from(args));
    const int64_t V = model->config.vocab_size;
    auto tok = model_tokenizer(*model);
    int id = 0;
    if (args.has("--id")) {
        id = int(args.integer("--id", 0, 0, V - 1));
    } else {
        if (!tok) fail(dir, ": no tokenizer files, so a token cannot be given as text; use --id N");
        std::vector<int> ids = tok->encode(args.positional[0]);
        if (ids.size() != 1) {
            std::string list;
            for (int x : ids) list += (list.empty() ? "" : ", ") + std::to_string(x) + " " + token_label(tok.get(), x);
            throw UsageError(cat("neighbours: '", args.positional[0], "' is ", ids.size(),
                                 " tokens, not one: [", list, "]; pick one with --id N"));
        }
        id = ids[0];
    }
    const TokenNeighbours n = token_neighbours(*model, id, k);
    print_neighbours(stdout, n, tok.get(), dir);
    if (args.has("--json")) write_output(args.str("--json"), token_neighbours_json(n, tok.get(), dir), "JSON");
    return 0;
}

const Command kNeighboursCommand = {
    "neighbours", "the token vectors nearest one token's vector, by cosine and by dot product",
    "(TOKEN | --id N) [-k K] [--json FILE] [--model DIR]", neighbours_flags, run_neighbours, /*max_positional=*/1};

}  // namespace gw
