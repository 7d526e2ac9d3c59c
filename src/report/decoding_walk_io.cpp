// report/decoding_walk_io.cpp — one decoding walk as a table, a JSON record and a picture.
#include "report/decoding_walk_io.h"

#include <cmath>

#include "core/error.h"  // cat
#include "model/tokenizer.h"
#include "report/json_writer.h"
#include "report/neighbours_io.h"  // neighbour_list_json
#include "report/text.h"

namespace gw {

using namespace text;

std::string sampler_text(const SamplerConfig& c) {
    if (c.greedy || c.temperature == 0.0f) return "greedy (arg max; no randomness)";
    std::string s = cat("temperature ", c.temperature);
    if (c.top_k > 0) s += cat(", top-k ", c.top_k);
    if (c.top_p < 1.0f) s += cat(", top-p ", c.top_p);
    if (c.min_p > 0.0f) s += cat(", min-p ", c.min_p);
    if (c.repetition_penalty != 1.0f) s += cat(", repetition penalty ", c.repetition_penalty);
    return s + cat(", seed ", c.seed);
}

void print_decoding_notes(std::FILE* out) {
    std::fprintf(out,
                 "notes: logits = c_t . e_v, softmax and log P(path) follow Singh 2023. The ln_f split\n"
                 "  (content + prior) and the dot-product vs cosine rankings are our own formalisation.\n"
                 "  x^_t comes from the traced final residual of a second forward pass, not from\n"
                 "  (c_t - beta)/gamma, which would make content + prior = logit hold by construction.\n");
}

// ------------------------------------------------------------------ the table

void print_decoding_header(std::FILE* out, const DecodingWalk& w, const Tokenizer* tok,
                           const std::string& model_dir) {
    std::fprintf(out, "gptwalk walk decode: generation as a walk through embedding space (Singh 2023)\n");
    std::fprintf(out, "model:        %s (C = %lld, V = %lld)\n", model_dir.c_str(), (long long)w.C,
                 (long long)w.V);
    std::fprintf(out, "prompt:       \"%s\" (%zu tokens)\n", one_line(ids_text(tok, w.prompt)).c_str(),
                 w.prompt.size());
    std::fprintf(out, "sampler:      %s%s\n", sampler_text(w.sampler).c_str(),
                 w.replayed ? " (the path was given and replayed, not drawn)" : "");
    std::fprintf(out, "continuation: \"%s\" (%zu tokens; stopped: %s)\n",
                 one_line(ids_text(tok, w.generated())).c_str(), w.steps.size(), stop_reason_text(w.stop));
}

static void print_path(std::FILE* out, const DecodingWalk& w, const Tokenizer* tok) {
    std::fprintf(out, "\n1. The path: one row per generated token (c_t = the context vector that chose it)\n");
    std::fprintf(out, " step  pos  %s p model  p sampled  rank  H model  log P(path)   |c_t|  cos(c_t,e)  cos(c_t,c_t-1)\n",
                 pad("token", 14).c_str());
    for (const WalkStep& s : w.steps) {
        std::fprintf(out, " %4lld %4lld  %s %7.4f  %9.4f  %4lld  %7.4f  %11.4f  %6.2f  %10.4f  %14s\n",
                     (long long)s.step, (long long)s.position, pad(token_label(tok, s.token), 14).c_str(),
                     s.prob_model, s.prob_sampling, (long long)s.rank, s.entropy_model, s.path_log_prob,
                     s.context_norm, s.cos_context_chosen, or_dash("%.4f", s.cos_context_prev).c_str());
    }
    if (w.steps.empty()) return;
    const WalkStep& last = w.steps.back();
    std::fprintf(out,
                 "  p model: softmax(logits), the model's own distribution; p sampled: the distribution the\n"
                 "  sampler drew from. H model: entropy of p model (nats). rank: by logit (1 = top).\n"
                 "  log P(path) = sum of ln p sampled = %.4f nats (this sampler's chance of this exact path);\n"
                 "  under the model's own distribution: %.4f nats.\n",
                 last.path_log_prob, last.path_log_prob_model);
}

static std::string names(const std::vector<Neighbour>& list, const Tokenizer* tok) {
    std::string s;
    for (const Neighbour& n : list) s += (s.empty() ? "" : " ") + token_label(tok, n.id);
    return s;
}

static void print_candidates(std::FILE* out, const DecodingWalk& w, const Tokenizer* tok) {
    std::fprintf(out, "\n2. Each step's top %lld tokens. logit = c_t.e_v = content e_v.(gamma*x^_t) + prior e_v.beta\n",
                 (long long)w.top_k);
    for (const WalkStep& s : w.steps) {
        std::fprintf(out, "step %lld: chose %s (rank %lld)\n", (long long)s.step,
                     token_label(tok, s.token).c_str(), (long long)s.rank);
        std::fprintf(out, "   rank  %s     id        p     logit   content     prior  cos(c,e)     |e|\n",
                     pad("token", 14).c_str());
        for (size_t i = 0; i < s.top.size(); i++) {
            const WalkCandidate& k = s.top[i];
            std::fprintf(out, "   %4zu  %s %6d  %7.4f  %8.4f  %8.4f  %8.4f  %8.4f  %6.3f%s\n", i + 1,
                         pad(token_label(tok, k.id), 14).c_str(), k.id, k.prob, double(k.logit), k.content,
                         k.prior, k.cosine, k.norm, k.id == s.token ? "  <- chosen" : "");
        }
        std::fprintf(out, "   nearest to c_t by dot: %s\n", names(s.near.by_dot, tok).c_str());
        std::fprintf(out, "              by cosine: %s   (%lld of %zu shared)\n",
                     names(s.near.by_cosine, tok).c_str(), (long long)s.near.overlap, s.near.by_dot.size());
    }
}

static void print_fixed(std::FILE* out, const DecodingWalk& w, const Tokenizer* tok) {
    std::fprintf(out, "\n3. What does not move\n   prior e_v.beta (the same at every step) alone would favour:");
    for (const Neighbour& n : w.prior_top) std::fprintf(out, " %s %.4f", token_label(tok, n.id).c_str(), n.dot);
    std::fprintf(out, "\n   wte checksum before %s, after %s: %s\n", hex64(w.wte_checksum_before).c_str(),
                 hex64(w.wte_checksum_after).c_str(),
                 w.wte_checksum_before == w.wte_checksum_after
                     ? "identical, no weight changed; only c_t moved"
                     : "DIFFERENT (a bug: walks must never write weights)");
    std::fprintf(out, "   checks: max |content + prior - logit| = %.2e; max |c_t - traced ln_f| = %.2e\n",
                 w.max_split_error, w.max_context_error);
}

void print_decoding_section(std::FILE* out, const DecodingWalk& w, const Tokenizer* tok, DecodingSection section) {
    switch (section) {
        case DecodingSection::Path: print_path(out, w, tok); break;
        case DecodingSection::Candidates: print_candidates(out, w, tok); break;
        case DecodingSection::Fixed:
            print_fixed(out, w, tok);
            print_decoding_notes(out);
            break;
    }
}

// ------------------------------------------------------------------ JSON

static std::string step_json(const WalkStep& s, const Tokenizer* tok) {
    std::vector<std::string> top;
    for (const WalkCandidate& k : s.top)
        top.push_back(json::object({json::field("id", json::num(k.id)), json::field("text", json::str(token_label(tok, k.id))),
                                    json::field("prob", json::num(k.prob)), json::field("logit", json::num(k.logit)),
                                    json::field("content", json::num(k.content)), json::field("prior", json::num(k.prior)),
                                    json::field("cosine", json::num(k.cosine)), json::field("norm", json::num(k.norm))}));
    return json::object({json::field("step", json::num(s.step)), json::field("position", json::num(s.position)),
                         json::field("token", json::num(s.token)), json::field("text", json::str(token_label(tok, s.token))),
                         json::field("prob_model", json::num(s.prob_model)),
                         json::field("prob_sampling", json::num(s.prob_sampling)),
                         json::field("rank", json::num(s.rank)),
                         json::field("sampling_support", json::num(s.sampling_support)),
                         json::field("path_log_prob", json::num(s.path_log_prob)),
                         json::field("path_log_prob_model", json::num(s.path_log_prob_model)),
                         json::field("entropy_model", json::num(s.entropy_model)),
                         json::field("entropy_sampling", json::num(s.entropy_sampling)),
                         json::field("context_norm", json::num(s.context_norm)),
                         json::field("cos_context_chosen", json::num(s.cos_context_chosen)),
                         json::field("cos_context_prev", json::num(s.cos_context_prev)),
                         json::field("top", json::array(top)),
                         json::field("nearest_by_dot", neighbour_list_json(s.near.by_dot, tok)),
                         json::field("nearest_by_cosine", neighbour_list_json(s.near.by_cosine, tok)),
                         json::field("nearest_shared", json::num(s.near.overlap))});
}

static std::string sampler_json(const SamplerConfig& c) {
    return json::object({json::field("greedy", json::boolean(c.greedy)), json::field("temperature", json::num(c.temperature)),
                         json::field("top_k", json::num(c.top_k)), json::field("top_p", json::num(c.top_p)),
                         json::field("min_p", json::num(c.min_p)),
                         json::field("repetition_penalty", json::num(c.repetition_penalty)),
                         json::field("seed", json::num(c.seed)), json::field("text", json::str(sampler_text(c)))});
}

std::string decoding_walk_json(const DecodingWalk& w, const Tokenizer* tok, const std::string& model_dir) {
    std::vector<std::string> steps;
    for (const WalkStep& s : w.steps) steps.push_back(step_json(s, tok));
    const std::string generated = ids_text(tok, w.generated());
    return json::document({
        json::field("kind", json::str("decoding_walk")), json::field("model", json::str(model_dir)),
        json::field("n_embd", json::num(w.C)), json::field("vocab_size", json::num(w.V)),
        json::field("prompt_ids", json::numbers(w.prompt)),
        json::field("prompt_text", json::str(one_line(ids_text(tok, w.prompt)))),
        json::field("generated_ids", json::numbers(w.generated())),
        json::field("generated_text", is_valid_utf8(generated) ? json::str(generated) : json::null()),
        json::field("sampler", sampler_json(w.sampler)), json::field("replayed", json::boolean(w.replayed)),
        json::field("top_k", json::num(w.top_k)),
        json::field("stop", json::str(stop_reason_text(w.stop))),
        json::field("steps", json::lines(steps)), json::field("prior_top", neighbour_list_json(w.prior_top, tok)),
        json::field("wte_checksum_before", json::str(hex64(w.wte_checksum_before))),
        json::field("wte_checksum_after", json::str(hex64(w.wte_checksum_after))),
        json::field("max_split_error", json::num(w.max_split_error)),
        json::field("max_context_error", json::num(w.max_context_error)),
        json::field("pca", json::object({json::field("explained", json::array({json::num(w.pca_explained[0]),
                                                                                json::num(w.pca_explained[1])})),
                                         json::field("context_xy", json::numbers(w.context_xy)),
                                         json::field("token_xy", json::numbers(w.token_xy))})),
        json::field("definitions", json::text_object({
            {"prob_model", "softmax(logits)[token], temperature 1, no filtering"},
            {"prob_sampling", "probability of the token under the distribution the sampler drew from (penalty, temperature, top-k/top-p/min-p, renormalised); 1 under greedy"},
            {"path_log_prob", "running sum of ln prob_sampling, nats"},
            {"replayed", "true when the path was given and walked (DecodingWalkOptions::replay), not drawn; prob_sampling is then the chance the sampler would have drawn each token"},
            {"path_log_prob_model", "running sum of ln prob_model, nats"},
            {"logit_split", "logit = content + prior, content = e_v.(gamma*xhat_t), prior = e_v.beta of ln_f; xhat_t from the traced final residual (our formalisation)"},
            {"nearest", "token vectors ranked by dot product and by cosine with c_t, in double precision (the comparison is ours)"},
        })),
    });
}

// ------------------------------------------------------------------ the picture

Image decoding_walk_picture(const DecodingWalk& w, const Tokenizer* tok) {
    const size_t S = w.steps.size();
    Series ctx{"c_t (step)", {}, {}, true, true, {}};
    Series emb{"e_token", {}, {}, false, true, {}};
    Series link{"c_t -> e", {}, {}, true, false, {}};
    Series pm{"model", {}, {}, true, true, {}};
    Series ps{"sampled", {}, {}, true, true, {}};
    Series hm{"model", {}, {}, true, true, {}};
    Series hs{"sampled", {}, {}, true, true, {}};
    for (size_t t = 0; t < S && w.context_xy.size() == 2 * S; t++) {
        const WalkStep& s = w.steps[t];
        ctx.x.push_back(w.context_xy[2 * t]);
        ctx.y.push_back(w.context_xy[2 * t + 1]);
        ctx.point_labels.push_back(std::to_string(t));
        emb.x.push_back(w.token_xy[2 * t]);
        emb.y.push_back(w.token_xy[2 * t + 1]);
        emb.point_labels.push_back(token_ascii(tok, s.token));
        // One segment per step; NaN breaks the line between them.
        link.x.insert(link.x.end(), {w.context_xy[2 * t], w.token_xy[2 * t], NAN});
        link.y.insert(link.y.end(), {w.context_xy[2 * t + 1], w.token_xy[2 * t + 1], NAN});
    }
    for (size_t t = 0; t < S; t++) {
        const WalkStep& s = w.steps[t];
        pm.x.push_back(double(t));
        pm.y.push_back(s.prob_model);
        pm.point_labels.push_back(token_ascii(tok, s.token));
        ps.x.push_back(double(t));
        ps.y.push_back(s.prob_sampling);
        hm.x.push_back(double(t));
        hm.y.push_back(s.entropy_model);
        hs.x.push_back(double(t));
        hs.y.push_back(s.entropy_sampling);
    }
    // When the sampler kept the whole distribution at temperature 1 the two curves coincide:
    // draw one and say so, rather than hide one under the other.
    bool same = true;
    for (const WalkStep& s : w.steps) same = same && std::fabs(s.prob_model - s.prob_sampling) < 1e-6;
    Chart path;
    path.title = "Directions in 2-D: PCA of unit c_t and e";
    path.x_label = cat("PC1 (", int(std::lround(100 * w.pca_explained[0])), "% of variance)");
    path.y_label = cat("PC2 (", int(std::lround(100 * w.pca_explained[1])), "% of variance)");
    path.series = {ctx, emb, link};
    path.equal_aspect = true;
    Chart prob;
    prob.title = same ? "p(chosen token); sampled = model" : "p(chosen token)";
    prob.x_label = "step t";
    prob.y_label = "probability";
    prob.series = same ? std::vector<Series>{pm} : std::vector<Series>{pm, ps};
    Chart ent;
    ent.title = same ? "Entropy; sampled = model" : "Entropy of the next-token distribution";
    ent.x_label = "step t";
    ent.y_label = "entropy (nats)";
    ent.series = same ? std::vector<Series>{hm} : std::vector<Series>{hm, hs};
    std::string title = cat("Decoding walk: \"", ascii(ids_text(tok, w.prompt)), "\" + ", S, " tokens, ",
                            sampler_text(w.sampler));
    return compose_grid({render_chart(path, 720, 600), render_chart(prob, 600, 600), render_chart(ent, 600, 600)},
                        3, title);
}

}  // namespace gw
