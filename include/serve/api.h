// serve/api.h — the walk explorer's JSON API, apart from HTTP: a request in, a record out.
//
// Every view of the page is one request, answered with the record the command line writes
// for the same view (report/*_io.h), computed from scratch by walks/ and model/:
//
//   GET  /api/model        the model's sizes, whether it has a tokenizer, these limits
//   POST /api/tokenize     {"text"}                              = gptwalk tokenize --show-work --json
//   POST /api/decode       {"prompt" | "prompt_ids", "steps", "top", "sampler": {"greedy",
//                           "temperature", "top_k", "top_p", "min_p", "repetition_penalty",
//                           "seed"}, "stop_at_eot"}              = gptwalk walk decode --json
//   POST /api/tree         {"prompt_ids", "paths": [[ids], ...]} the explored paths as one tree
//                                                                  (walks/path_tree.h)
//   POST /api/encode       {"prompt" | "prompt_ids", "position"} = gptwalk walk encode --json,
//                                                                  without the perturbation
//   POST /api/neighbours   {"id", "k"}                           = gptwalk neighbours --id --json
//   POST /api/positions    {"layer", "span", "prompt_ids"}       = gptwalk walk positions --json
//
// Every field is checked (type, range, unknown names) before any work starts, and every
// request's work is bounded (ExplorerLimits), so no request can run for long or take much
// memory. A request that cannot be answered gets a status and {"error": "one line"}:
// 400 for a bad request (malformed JSON, a bad field, a prompt beyond the context),
// 404 / 405 for an unknown route or method, 500 for a failure of ours, 503 out of memory.
//
// Concurrency: the Explorer is only read while answering (the model, the tokenizer and the
// walks keep no state between calls; each call makes its own run state), so any number of
// threads may call answer_api() on one Explorer at once: the server pools them (server.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/cpu.h"
#include "model/weights.h"  // LoadOptions

namespace gw {

struct Checkpoint;
class Tokenizer;

// Bounds on one request. Each keeps a request's time and memory small on GPT-2 124M; the
// context (n_positions) bounds every prompt as well.
struct ExplorerLimits {
    size_t max_body_bytes = size_t(1) << 20;  // 1 MiB: 64 paths of 1024 ids are ~400 KB of JSON
    size_t max_text_bytes = size_t(16) << 10; // prompt text: 1024 GPT-2 tokens are ~4-5 KB of English
    int64_t max_steps = 64;                   // tokens per /api/decode request
    int64_t max_top = 20;                     // candidates shown per step
    int64_t max_paths = 64;                   // paths per /api/tree request
    int64_t max_tree_tokens = 4096;           // their tokens, all paths together
    int64_t max_neighbours = 100;             // k of /api/neighbours
    int64_t max_span = 64;                    // positions of /api/positions: (span, span) per head
    // Activations a traced forward may hold (the encoding walk, the decoding walk's logit
    // split and positions measured on a prompt trace every point of every token): ~1.6 GB
    // for 1024 tokens of GPT-2 124M, but ~11 GB for GPT-2 1.5B, so the longest prompt that
    // fits depends on the model (trace_bytes() in api.cpp; the reply says how long).
    size_t max_trace_bytes = size_t(2) << 30;
};

// What the server answers from: one model, loaded once, only read afterwards.
struct Explorer {
    std::string model_dir;
    std::unique_ptr<Checkpoint> model;
    std::unique_ptr<Tokenizer> tok;  // nullptr when the folder has no tokenizer: text is refused
    Isa isa = Isa::Ref;
    ExplorerLimits limits;

    Explorer();
    ~Explorer();
    Explorer(Explorer&&) noexcept;
    Explorer& operator=(Explorer&&) noexcept;
};

// Loads the checkpoint (and its tokenizer, if present), its matrices as `load` says (serve's
// --weights); throws gw::Error as load_checkpoint does.
Explorer load_explorer(const std::string& model_dir, Isa isa, const ExplorerLimits& limits = {},
                       const LoadOptions& load = {});

struct ApiReply {
    int status = 200;
    std::string body;  // a JSON document; on an error {"error": "..."}
};

// Answers one request to a path under /api/. Never throws: every failure is a reply.
ApiReply answer_api(const Explorer& ex, std::string_view method, std::string_view path, std::string_view body);

// The body of an error reply: {"error": "<message>"} and a newline.
std::string error_json(const std::string& message);

}  // namespace gw
