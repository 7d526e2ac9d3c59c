// cli/walk_encode.cpp — `gptwalk walk encode` (one position's walk through the layers) and
// `gptwalk walk positions` (attention kernels from position vectors alone).
#include <cstdio>
#include <fstream>

#include "cli.h"
#include "core/error.h"
#include "core/stepper.h"
#include "model/tokenizer.h"
#include "report/encoding_walk_io.h"
#include "report/position_kernels_io.h"
#include "walks/encoding_walk.h"
#include "walks/position_kernels.h"

namespace gw {

// ---------------------------------------------------------------- walk encode

static std::vector<Flag> walk_encode_flags() {
    return join({model_flags(), prompt_flags(),
                 {{"--position", "P", "the position to follow (default: the last one)"},
                  {"--perturb", "J", "the position whose token the perturbation replaces (default: P/2)"},
                  {"--perturb-id", "ID", "the replacement token id (default: the token whose vector is nearest by cosine)"},
                  {"--json", "F", "write the whole record as JSON to F"},
                  {"--png", "F", "write the pictures (one PNG of small multiples) to F"},
                  {"--step", "", "pause between sections (only when stdin is a terminal)"}}});
}

static int run_walk_encode(const Args& args) {
    const std::string dir = model_dir(args);
    const Isa isa = kernels_from(args);
    auto model = load_checkpoint(dir, weights_from(args));
    auto tok = model_tokenizer(*model);
    const std::vector<int> ids = prompt_ids(args, *model, tok.get(), model->config.n_positions);
    const int64_t T = int64_t(ids.size()), V = model->config.vocab_size;
    const int64_t t = args.integer("--position", T - 1, 0, T - 1);
    const int64_t j = args.integer("--perturb", t / 2, 0, T - 1);
    const int new_id = int(args.integer("--perturb-id", -1, 0, V - 1));  // -1: the nearest token
    Stepper step(args.has("--step"));

    EncodingWalk w = encoding_walk(*model, ids, t, isa);
    const Tokenizer* tk = tok.get();
    print_walk_header(stdout, w, tk);
    step.pause("the walk, point by point");
    print_walk_points(stdout, w, tk);
    step.pause("the layer-norm ball");
    print_layer_norms(stdout, w);
    step.pause("where each head reads from");
    print_attention_rows(stdout, w, tk);
    step.pause("filtering vs aggregation (perturbation)");
    PerturbationRecord p = perturbation(*model, ids, j, new_id >= 0 ? new_id : nearest_token(*model, ids[size_t(j)]), t, isa);
    p.nearest = new_id < 0;
    print_perturbation(stdout, p, tk);
    print_notes(stdout, encoding_walk_notes());
    if (args.has("--json") || args.has("--png")) std::printf("\n");
    if (args.has("--json")) {
        write_output(args.str("--json"), encoding_walk_json(w, &p, tk), "JSON");
    }
    if (args.has("--png")) write_png_output(args.str("--png"), encoding_walk_picture(w, tk));
    std::fflush(stdout);
    return 0;
}

const Command kWalkEncodeCommand = {
    "walk encode", "follow one position's vector through the layers to the context vector",
    "(--prompt STR | --file PATH | --prompt-ids IDS) [--position P] [--perturb J] [--json F] [--png F] [--step]",
    walk_encode_flags, run_walk_encode};

// ---------------------------------------------------------------- walk positions

static std::vector<Flag> walk_positions_flags() {
    return join({model_flags(), prompt_flags(),
                 {{"--layer", "L", "the layer whose heads to show (default 0)"},
                  {"--span", "N", "positions 0..N-1 (default: 32, or fewer when the context is shorter; at most 1024)"},
                  {"--json", "F", "write the kernels as JSON to F"},
                  {"--png", "F", "write the pictures to F"}}});
}

// Measured on text when a prompt is given, or on this default when the model has a tokenizer.
static const char* const kDefaultText =
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, "
    "must be in want of a wife. However little known the feelings or views of such a man may be "
    "on his first entering a neighbourhood, this truth is so well fixed in the minds of the "
    "surrounding families, that he is considered the rightful property of some one or other of "
    "their daughters.";

static int run_walk_positions(const Args& args) {
    const std::string dir = model_dir(args);
    const Isa isa = kernels_from(args);
    auto model = load_checkpoint(dir, weights_from(args));
    const Config& cfg = model->config;
    const int64_t layer = args.integer("--layer", 0, 0, cfg.n_layer - 1);
    // The kernels are (n, n) per head, kept, printed and drawn: a picture's side, not a
    // context's (GPT-2's 1024 at most), whatever a config says n_positions is.
    const int64_t n = args.integer("--span", std::min<int64_t>(32, cfg.n_positions), 1, std::min<int64_t>(1024, cfg.n_positions));
    PositionKernels pk = position_kernels(*model, layer, n);

    auto tok = model_tokenizer(*model);
    std::vector<int> ids;
    bool given = args.has("--prompt") || args.has("--file") || args.has("--prompt-ids");
    if (given) ids = prompt_ids_cut(args, *model, tok.get(), cfg.n_positions);
    else if (tok) ids = tok->encode(kDefaultText, size_t(cfg.n_positions));
    if (int64_t(ids.size()) > cfg.n_positions) ids.resize(size_t(cfg.n_positions));  // the context's worth
    if (!ids.empty()) measure_on_text(pk, *model, traced_forward(*model, ids, isa));

    if (ids.empty()) std::printf("(no text measured: this model has no tokenizer; give --prompt-ids)\n");
    else if (!given) std::printf("(text: the opening of Pride and Prejudice, %zu tokens)\n", ids.size());
    print_position_kernels(stdout, pk);
    if (args.has("--json")) {
        write_output(args.str("--json"), position_kernels_json(pk), "JSON");
    }
    if (args.has("--png")) write_png_output(args.str("--png"), position_kernels_picture(pk));
    std::fflush(stdout);
    return 0;
}

const Command kWalkPositionsCommand = {
    "walk positions", "attention kernels from position vectors alone; self-bias per head",
    "[--layer L] [--span N] [--prompt STR | --file PATH | --prompt-ids IDS] [--json F] [--png F]",
    walk_positions_flags, run_walk_positions};

}  // namespace gw
