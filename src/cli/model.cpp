// cli/model.cpp — `gptwalk inspect` (what is in a checkpoint) and `gptwalk logits`.
#include <sys/stat.h>  // mkdir

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "cli.h"
#include "core/error.h"
#include "core/memory.h"
#include "core/npy.h"
#include "model/forward.h"
#include "model/tokenizer.h"

namespace gw {

// ---------------------------------------------------------------- inspect

static std::vector<Flag> inspect_flags() {
    return {{"--model", "DIR", "checkpoint folder (default: the shipped tiny model)"},
            {"--weights", "f32|bf16|f16|q8", "also load the matrices as this type and print each one's error against the file"},
            {"--check", "", "also scan every weight for NaN or infinity (exit 1 if any)"}};
}

static int run_inspect(const Args& args) {
    std::string dir = model_dir(args);
    auto m = load_checkpoint(dir, weights_from(args));
    const Config& c = m->config;
    std::printf("model      %s\n", dir.c_str());
    std::printf("config     n_embd %lld  n_head %lld (head size %lld)  n_layer %lld  n_positions %lld  vocab_size %lld\n",
                (long long)c.n_embd, (long long)c.n_head, (long long)c.head_size(),
                (long long)c.n_layer, (long long)c.n_positions, (long long)c.vocab_size);
    std::printf("           layer_norm_epsilon %g  activation_function %s\n", double(c.layer_norm_epsilon),
                c.activation_function.c_str());
    std::printf("file       %s (%zu bytes)\n\n", m->file->path().c_str(), m->file->file_size());
    std::printf("%-36s %-5s %-16s %12s\n", "tensor", "dtype", "shape", "bytes");
    int64_t params = 0;
    // Buffers and the tied head are not parameters. (Matching "attn.bias" as a substring
    // once dropped every h.{l}.attn.c_attn.bias from the count.)
    const std::set<std::string> skipped(m->skipped.begin(), m->skipped.end());
    for (const TensorInfo& t : m->file->tensors()) {
        std::printf("%-36s %-5s %-16s %12llu\n", t.name.c_str(), dtype_name(t.dtype),
                    t.shape.str().c_str(), (unsigned long long)(t.end - t.begin));
        if (!skipped.count(t.name) && t.name != "lm_head.weight") params += t.shape.numel();
    }
    std::printf("\nparameters %lld (config says %lld)%s\n", (long long)params,
                (long long)c.parameter_count(),
                m->has_lm_head ? "; lm_head.weight present and tied to wte.weight" : "; LM head tied to wte.weight");
    for (const std::string& s : m->skipped) std::printf("skipped    %s (a buffer, not a weight)\n", s.c_str());
    if (auto tok = model_tokenizer(*m))
        std::printf("tokenizer  %d tokens, %d merges, <|endoftext|> = %d\n", tok->vocab_size(),
                    tok->merge_count(), tok->eot_id());
    else
        std::printf("tokenizer  none in this folder (use --prompt-ids / --ids)\n");
    std::printf("weights    matrices %s, %lld of %lld used in place from the file; %.1f MB in memory\n",
                args.has("--weights") ? cat("loaded as ", wtype_name(m->weights_type())).c_str() : "as stored",
                (long long)m->matrices_in_place, (long long)(1 + 4 * c.n_layer), double(m->weights_bytes()) / 1e6);
    if (args.has("--weights")) {
        // How far each matrix moved from the file's numbers: the error the type makes (lesson 16).
        std::printf("\n%-36s %-5s %11s %12s %11s %11s\n", "matrix", "type", "max |err|", "/ max |w|",
                    "rms err", "/ rms w");
        for (const QuantError& q : quantization_error(*m))
            std::printf("%-36s %-5s %11.3e %12.3e %11.3e %11.3e\n", q.name.c_str(), wtype_name(q.type), q.max_abs,
                        q.max_rel, q.rms, q.rms_rel);
    }
    if (args.has("--check")) {
        std::vector<std::string> bad = find_nonfinite(*m);
        for (const std::string& b : bad) std::printf("non-finite %s\n", b.c_str());
        if (!bad.empty())
            fail(m->file->path(), ": ", bad.size(), " tensor(s) hold NaN or infinity, first ", bad[0]);
        std::printf("check      every weight is finite\n");
    }
    return 0;
}

const Command kInspectCommand = {"inspect", "print a checkpoint's config, tensors and parameter count",
                                 "[--model DIR] [--weights T] [--check]", inspect_flags, run_inspect};

// ---------------------------------------------------------------- logits

static std::vector<Flag> logits_flags() {
    return join({model_flags(), thread_flags(), prompt_flags(),
                 {{"--out", "FILE.npy", "write the logits of every position, float32 (T, vocab_size)"},
                  {"--dump-trace", "DIR", "also write every trace point as DIR/<name>.npy"}}});
}

static void make_dir(const std::string& dir) {
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        fail(dir, ": cannot create directory: ", std::strerror(errno));
}

static int run_logits(const Args& args) {
    if (!args.has("--out") && !args.has("--dump-trace"))
        throw UsageError("logits: give --out FILE.npy (and/or --dump-trace DIR)");
    std::string dir = model_dir(args);
    Isa isa = kernels_from(args);
    auto m = load_checkpoint(dir, weights_from(args));
    auto tok = args.has("--prompt-ids") ? nullptr : model_tokenizer(*m);
    const std::vector<int> ids = prompt_ids(args, *m, tok.get(), m->config.n_positions);
    const int64_t T = int64_t(ids.size()), V = m->config.vocab_size;
    RunState state = make_run_state(m->config, T, 1, T);
    require_memory(double(T * V) * sizeof(float), cat("the logits of ", T, " positions (", T, " x ", V, " floats)"));
    std::vector<float> logits(static_cast<size_t>(T * V));
    Trace trace;
    ForwardOptions opts;
    opts.isa = isa;
    opts.threads = threads_from(args);
    opts.all_logits = true;
    opts.trace = args.has("--dump-trace") ? &trace : nullptr;
    forward(logits.data(), *m, state, ids.data(), T, opts);
    if (args.has("--out")) {
        write_npy(args.str("--out"), logits.data(), Shape{T, V});
        std::printf("wrote %s (logits (%lld, %lld) float32)\n", args.str("--out").c_str(), (long long)T, (long long)V);
    }
    if (opts.trace) {
        std::string out = args.str("--dump-trace");
        make_dir(out);
        for (const TracePoint& p : trace.points) write_npy(out + "/" + p.name + ".npy", p.data.data(), p.shape);
        std::printf("wrote %zu trace points to %s/\n", trace.points.size(), out.c_str());
    }
    return 0;
}

const Command kLogitsCommand = {"logits", "write the logits (and optionally every activation) as .npy",
                                "(--prompt STR | --file PATH | --prompt-ids IDS) --out FILE.npy [--dump-trace DIR]",
                                logits_flags, run_logits};

}  // namespace gw
