// serve/api.cpp — each route of the explorer's API: check the request, run the walk, write its record.
#include "serve/api.h"

#include <algorithm>
#include <new>

#include "model/tokenizer.h"
#include "model/weights.h"
#include "report/decoding_walk_io.h"
#include "report/encoding_walk_io.h"
#include "report/json_writer.h"
#include "report/neighbours_io.h"
#include "report/path_tree_io.h"
#include "report/position_kernels_io.h"
#include "report/tokenizer_io.h"
#include "request.h"
#include "walks/decoding_walk.h"
#include "walks/encoding_walk.h"
#include "walks/neighbours.h"
#include "walks/path_tree.h"
#include "walks/position_kernels.h"

namespace gw {

Explorer::Explorer() = default;
Explorer::~Explorer() = default;
Explorer::Explorer(Explorer&&) noexcept = default;
Explorer& Explorer::operator=(Explorer&&) noexcept = default;

Explorer load_explorer(const std::string& model_dir, Isa isa, const ExplorerLimits& limits, const LoadOptions& load) {
    Explorer ex;
    ex.model_dir = model_dir;
    ex.model = load_checkpoint(model_dir, load);
    if (Tokenizer::present(model_dir)) ex.tok = std::make_unique<Tokenizer>(model_dir);
    ex.isa = isa;
    ex.limits = limits;
    return ex;
}

std::string error_json(const std::string& message) {
    return json::object({json::field("error", json::str(message))}) + "\n";
}

// ------------------------------------------------------------------ the prompt

static const Tokenizer& need_tokenizer(const Explorer& ex, const char* why) {
    if (!ex.tok) throw RequestError(cat(ex.model_dir, " has no tokenizer files, so ", why, "; send prompt_ids"));
    return *ex.tok;
}

// "prompt" (text, tokenized here) or "prompt_ids", exactly one; it must leave `room`
// positions of the context free (a decoding walk needs at least one).
static std::vector<int> prompt_from(const Explorer& ex, const JsonValue& req, int64_t room) {
    const Config& c = ex.model->config;
    const bool text = optional_field(req, "prompt") != nullptr, ids = optional_field(req, "prompt_ids") != nullptr;
    if (text == ids) throw RequestError("give exactly one of prompt (text) or prompt_ids");
    std::vector<int> prompt;
    if (text) {
        prompt = need_tokenizer(ex, "a prompt cannot be given as text").encode(
            text_field(req, "prompt", ex.limits.max_text_bytes));
        if (prompt.empty()) throw RequestError("prompt: empty; give at least one character");
    } else {
        // Bounded by the body's size here; by the context just below, with a clearer message.
        prompt = ids_field(req, "prompt_ids", c.vocab_size, int64_t(ex.limits.max_body_bytes));
    }
    const int64_t T = int64_t(prompt.size());
    if (T + room > c.n_positions)
        throw RequestError(cat("the prompt has ", T, " tokens; the model's context holds ", c.n_positions,
                               room > 0 ? cat(", and the walk needs room for ", room, " more") : std::string()));
    return prompt;
}

// Bytes a traced forward of T tokens holds (the points forward.cpp records): per layer about
// 20 rows of C floats per token (the residual stream and layer norms, q, k, v, the heads and
// projections, and 8 rows for the MLP's 4C hidden layer twice) and the (NH, T, T) attention
// pattern; then the (T, V) logits and a few (T, C) rows outside the layers.
static double trace_bytes(const Config& c, int64_t T) {
    const double t = double(T), C = double(c.n_embd);
    return 4.0 * (double(c.n_layer) * (20 * t * C + double(c.n_head) * t * t) + t * double(c.vocab_size) + 3 * t * C);
}

// Refuses a traced run of T tokens that would hold more than the limit, saying how many fit.
static void check_trace(const Explorer& ex, int64_t T, const char* what) {
    const Config& c = ex.model->config;
    const double limit = double(ex.limits.max_trace_bytes);
    if (trace_bytes(c, T) <= limit) return;
    int64_t fits = 0;
    while (fits < T && trace_bytes(c, fits + 1) <= limit) fits++;
    throw RequestError(cat(what, " of ", T, " tokens would hold ", int64_t(trace_bytes(c, T) / 1e6), " MB of activations on this model; "
                           "the explorer's limit is ", int64_t(limit / 1e6), " MB: at most ", fits, " tokens (prompt and steps)"));
}

// ------------------------------------------------------------------ the routes

static std::string model_info(const Explorer& ex, const JsonValue&) {
    const Config& c = ex.model->config;
    const ExplorerLimits& l = ex.limits;
    return json::document({
        json::field("kind", json::str("explorer_model")), json::field("model", json::str(ex.model_dir)),
        json::field("n_layer", json::num(c.n_layer)), json::field("n_head", json::num(c.n_head)),
        json::field("n_embd", json::num(c.n_embd)), json::field("n_positions", json::num(c.n_positions)),
        json::field("vocab_size", json::num(c.vocab_size)), json::field("tokenizer", json::boolean(ex.tok != nullptr)),
        json::field("eot_id", json::num(ex.tok ? ex.tok->eot_id() : -1)),
        json::field("kernels", json::str(isa_name(ex.isa))),
        json::field("limits", json::object({
            json::field("max_body_bytes", json::num(l.max_body_bytes)),
            json::field("max_text_bytes", json::num(l.max_text_bytes)), json::field("max_steps", json::num(l.max_steps)),
            json::field("max_top", json::num(l.max_top)), json::field("max_paths", json::num(l.max_paths)),
            json::field("max_tree_tokens", json::num(l.max_tree_tokens)),
            json::field("max_neighbours", json::num(l.max_neighbours)), json::field("max_span", json::num(l.max_span)),
            json::field("max_trace_bytes", json::num(l.max_trace_bytes))})),
    });
}

static std::string tokenize(const Explorer& ex, const JsonValue& req) {
    check_fields(req, {"text"});
    const Tokenizer& tok = need_tokenizer(ex, "text cannot be tokenized");
    return tokenization_json(tok.encode_show_work(text_field(req, "text", ex.limits.max_text_bytes)), tok, ex.model_dir);
}

// The sampler's fields, named as in the decoding walk's record ("sampler": {...}).
static SamplerConfig sampler_from(const JsonValue* s, int64_t V) {
    SamplerConfig c;
    if (!s) return c;
    if (!s->is_object()) throw RequestError(cat("sampler: expected an object, got ", json_kind_name(s->kind)));
    check_fields(*s, {"greedy", "temperature", "top_k", "top_p", "min_p", "repetition_penalty", "seed", "text"});
    c.greedy = bool_field(*s, "greedy", false);
    c.temperature = float(real_field(*s, "temperature", 1.0, 0.0, 100.0));
    c.top_k = int(int_field(*s, "top_k", 0, 0, V));
    c.top_p = float(real_field(*s, "top_p", 1.0, 0.0, 1.0));
    if (!(c.top_p > 0.0f)) throw RequestError("top_p: expected a number in (0, 1], got 0");
    c.min_p = float(real_field(*s, "min_p", 0.0, 0.0, 1.0));
    c.repetition_penalty = float(real_field(*s, "repetition_penalty", 1.0, 1e-3, 100.0));
    // Seeds up to 2^53: every one of them is exact in a JSON number (a double).
    c.seed = uint64_t(int_field(*s, "seed", 0, 0, int64_t(1) << 53));
    return c;
}

static std::string decode(const Explorer& ex, const JsonValue& req) {
    check_fields(req, {"prompt", "prompt_ids", "steps", "top", "sampler", "stop_at_eot"});
    const std::vector<int> prompt = prompt_from(ex, req, 1);
    DecodingWalkOptions opts;
    opts.max_new_tokens = int_field(req, "steps", 1, 1, ex.limits.max_steps);
    opts.top_k = int_field(req, "top", 5, 1, ex.limits.max_top);
    opts.eot_id = ex.tok && bool_field(req, "stop_at_eot", true) ? ex.tok->eot_id() : -1;
    opts.isa = ex.isa;
    // The logit split reruns prompt and steps traced (decoding_walk.h).
    check_trace(ex, std::min(int64_t(prompt.size()) + opts.max_new_tokens, ex.model->config.n_positions), "a decoding walk");
    const SamplerConfig sampler = sampler_from(optional_field(req, "sampler"), ex.model->config.vocab_size);
    return decoding_walk_json(run_decoding_walk(*ex.model, prompt, sampler, opts), ex.tok.get(), ex.model_dir);
}

static std::string tree(const Explorer& ex, const JsonValue& req) {
    check_fields(req, {"prompt_ids", "paths"});
    const Config& c = ex.model->config;
    const std::vector<int> prompt = prompt_from(ex, req, 1);
    const JsonValue* list = optional_field(req, "paths");
    if (!list || !list->is_array() || list->items.empty())
        throw RequestError("paths: expected a non-empty array of paths, each an array of token ids");
    if (int64_t(list->items.size()) > ex.limits.max_paths)
        throw RequestError(cat("paths: ", list->items.size(), " paths; at most ", ex.limits.max_paths));
    std::vector<std::vector<int>> paths;
    int64_t tokens = 0;
    for (size_t p = 0; p < list->items.size(); p++) {
        paths.push_back(ids_value(list->items[p], cat("paths[", p, "]"), c.vocab_size, c.n_positions));
        tokens += int64_t(paths.back().size());
    }
    if (tokens > ex.limits.max_tree_tokens)
        throw RequestError(cat("paths: ", tokens, " tokens in all; at most ", ex.limits.max_tree_tokens));
    return path_tree_json(map_paths(*ex.model, prompt, paths, ex.isa), ex.tok.get(), ex.model_dir);
}

static std::string encode(const Explorer& ex, const JsonValue& req) {
    check_fields(req, {"prompt", "prompt_ids", "position"});
    const std::vector<int> ids = prompt_from(ex, req, 0);
    const int64_t T = int64_t(ids.size());
    const int64_t t = int_field(req, "position", T - 1, 0, T - 1);
    check_trace(ex, T, "an encoding walk");
    return encoding_walk_json(encoding_walk(*ex.model, ids, t, ex.isa), nullptr, ex.tok.get());
}

static std::string neighbours(const Explorer& ex, const JsonValue& req) {
    check_fields(req, {"id", "k"});
    const int64_t V = ex.model->config.vocab_size;
    const int id = int(int_field(req, "id", 0, V - 1));
    const int64_t k = int_field(req, "k", 10, 1, ex.limits.max_neighbours);
    return token_neighbours_json(token_neighbours(*ex.model, id, k), ex.tok.get(), ex.model_dir);
}

static std::string positions(const Explorer& ex, const JsonValue& req) {
    check_fields(req, {"layer", "span", "prompt_ids"});
    const Config& c = ex.model->config;
    const int64_t layer = int_field(req, "layer", 0, 0, c.n_layer - 1);
    const int64_t max_span = std::min(ex.limits.max_span, c.n_positions);
    const int64_t span = int_field(req, "span", std::min<int64_t>(32, max_span), 1, max_span);
    PositionKernels pk = position_kernels(*ex.model, layer, span);
    if (optional_field(req, "prompt_ids")) {  // measured on that text too, as `walk positions --prompt-ids` does
        const std::vector<int> ids = prompt_from(ex, req, 0);
        check_trace(ex, int64_t(ids.size()), "a traced run");
        measure_on_text(pk, *ex.model, traced_forward(*ex.model, ids, ex.isa));
    }
    return position_kernels_json(pk);
}

struct Route {
    const char* method;
    const char* path;
    std::string (*answer)(const Explorer&, const JsonValue& request);
};

const Route kRoutes[] = {
    {"GET", "/api/model", model_info},        {"POST", "/api/tokenize", tokenize},
    {"POST", "/api/decode", decode},          {"POST", "/api/tree", tree},
    {"POST", "/api/encode", encode},          {"POST", "/api/neighbours", neighbours},
    {"POST", "/api/positions", positions},
};

ApiReply answer_api(const Explorer& ex, std::string_view method, std::string_view path, std::string_view body) {
    const Route* route = nullptr;
    for (const Route& r : kRoutes)
        if (path == r.path) route = &r;
    if (!route) return {404, error_json(cat("no route ", json_quote(path), " (GET /api/model lists the model; see serve/api.h)"))};
    if (method != route->method)
        return {405, error_json(cat(route->path, " answers ", route->method, ", not ", json_quote(method)))};
    try {
        return {200, route->answer(ex, parse_request(body, ex.limits.max_body_bytes))};
    } catch (const Error& e) {  // RequestError, and the walks' own checks of their inputs
        return {400, error_json(e.what())};
    } catch (const std::bad_alloc&) {
        return {503, error_json("out of memory: try a shorter prompt, fewer steps or fewer paths")};
    } catch (const std::exception& e) {
        return {500, error_json(cat("internal error: ", e.what()))};
    }
}

}  // namespace gw
