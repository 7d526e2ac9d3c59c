// walks/decoding_walk.cpp — measure a generation step by step; compare strategies; branch trees.
#include "walks/decoding_walk.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.h"
#include "core/vecmath.h"       // softmax_probs, entropy_nats, top_k_indices, rank_of, cosine, checksum
#include "kernels/layernorm.h"  // layernorm_ref: x̂ from the traced final residual (γ = 1, β = 0)
#include "model/forward.h"      // forward, Trace
#include "model/weights.h"

namespace gw {

std::vector<int> DecodingWalk::generated() const {
    std::vector<int> ids;
    for (const WalkStep& s : steps) ids.push_back(s.token);
    return ids;
}

// ------------------------------------------------------------------ one step, as generate() saw it

// Fills everything that the step's logits and context vector give directly.
static WalkStep measure_step(const StepInfo& info, const SamplerConfig& sampler,
                             const VectorTable& table, int64_t K) {
    const int64_t V = table.V, C = table.C;
    const float* c = info.context;
    WalkStep w;
    w.step = info.step;
    w.position = info.position;
    w.token = info.token;

    std::vector<double> p = softmax_probs(info.logits, V);  // (V) the model's distribution
    w.prob_model = p[size_t(info.token)];
    w.entropy_model = entropy_nats(p);
    w.rank = rank_of(info.logits, V, info.token);

    // The distribution sample() drew from (same function, same inputs; it uses no randomness).
    std::vector<Candidate> cand = sampling_distribution(sampler, info.logits, V, *info.history);
    w.sampling_support = int64_t(cand.size());
    std::vector<double> q;
    for (const Candidate& k : cand) {
        q.push_back(k.prob);
        if (k.id == info.token) w.prob_sampling = k.prob;
    }
    w.entropy_sampling = entropy_nats(q);

    for (int id : top_k_indices(info.logits, V, K)) {
        WalkCandidate k;
        k.id = id;
        k.prob = p[size_t(id)];
        k.logit = info.logits[id];
        k.cosine = cosine(c, table.rows + int64_t(id) * C, C);
        k.norm = table.norms[size_t(id)];
        w.top.push_back(k);  // content and prior are filled from the trace afterwards
    }
    w.near = nearest(table, c, K);
    w.context_norm = norm(c, C);
    w.cos_context_chosen = cosine(c, table.rows + int64_t(info.token) * C, C);
    return w;
}

// ------------------------------------------------------------------ the ln_f split, from a trace

// Runs the generated sequence once more with tracing on, and splits each shown logit as
//   logit_v = e_v · (γ ⊙ x̂_t) + e_v · β,   x̂_t = layernorm(h_L,t) without its affine part.
// Step t's context is the ln_f output at position (prompt length − 1 + t).
static void split_logits(DecodingWalk* walk, const Checkpoint& m, const VectorTable& table, Isa isa) {
    const int64_t C = m.config.n_embd, L = m.config.n_layer, S = int64_t(walk->steps.size());
    if (S == 0) return;
    std::vector<int> seq = walk->prompt;
    for (int64_t t = 0; t + 1 < S; t++) seq.push_back(walk->steps[size_t(t)].token);
    const int64_t T = int64_t(seq.size());

    RunState state = make_run_state(m.config, T, 1, T);  // one call: its T positions are all it holds
    Trace trace;
    ForwardOptions fwd;
    fwd.isa = isa;
    fwd.trace = &trace;
    std::vector<float> last_logits(static_cast<size_t>(m.config.vocab_size));
    forward(last_logits.data(), m, state, seq.data(), T, fwd);
    const TracePoint& resid = trace.at("h." + std::to_string(L - 1) + ".resid_post");  // (T, C)
    const TracePoint& ln_f = trace.at("ln_f");                                          // (T, C)

    const size_t n = static_cast<size_t>(C);
    std::vector<float> ones(n, 1.0f), zeros(n, 0.0f), xhat(n), content(n);  // (C) each
    for (int64_t t = 0; t < S; t++) {
        const int64_t row = int64_t(walk->prompt.size()) - 1 + t;
        const float* x = resid.data.data() + row * C;
        layernorm_ref(xhat.data(), nullptr, nullptr, x, ones.data(), zeros.data(), 1, C,
                      m.config.layer_norm_epsilon);
        for (int64_t i = 0; i < C; i++) content[size_t(i)] = m.w.ln_f_w[i] * xhat[size_t(i)];
        for (int64_t i = 0; i < C; i++) {
            double d = std::fabs(double(walk->contexts[size_t(t * C + i)]) - ln_f.data[size_t(row * C + i)]);
            walk->max_context_error = std::max(walk->max_context_error, d);
        }
        for (WalkCandidate& k : walk->steps[size_t(t)].top) {
            const float* e = table.rows + int64_t(k.id) * C;
            k.content = dot(e, content.data(), C);
            k.prior = dot(e, m.w.ln_f_b, C);
            walk->max_split_error =
                std::max(walk->max_split_error, std::fabs(k.content + k.prior - double(k.logit)));
        }
    }
}

// ------------------------------------------------------------------ the walk in 2-D

// The points are unit vectors (directions): |c_t| (~40 in the tiny model) dwarfs |e_v| (~1),
// so a PCA of the raw vectors puts every token in one dot far from the contexts.
static void project_walk(DecodingWalk* walk, const float* wte) {
    const int64_t C = walk->C, S = int64_t(walk->steps.size());
    if (S == 0) return;
    std::vector<std::vector<float>> units;  // (2S, C) c_0 .. c_{S-1}, then e_{token_0} .. e_{token_{S-1}}
    auto add_unit = [&](const float* v) {
        double n = norm(v, C);
        units.emplace_back(v, v + C);
        if (n > 0)
            for (float& x : units.back()) x = float(x / n);
    };
    for (int64_t t = 0; t < S; t++) add_unit(walk->contexts.data() + t * C);
    for (const WalkStep& s : walk->steps) add_unit(wte + int64_t(s.token) * C);
    std::vector<const float*> points;
    for (const auto& u : units) points.push_back(u.data());
    Projection2D fit = pca_2d(points, C);
    walk->context_xy.assign(fit.xy.begin(), fit.xy.begin() + 2 * S);
    walk->token_xy.assign(fit.xy.begin() + 2 * S, fit.xy.end());
    walk->pca_explained[0] = fit.explained[0];
    walk->pca_explained[1] = fit.explained[1];
}

// ------------------------------------------------------------------ the walk

DecodingWalk run_decoding_walk(const Checkpoint& m, const std::vector<int>& prompt,
                               const SamplerConfig& sampler, const DecodingWalkOptions& opts) {
    const int64_t C = m.config.n_embd, V = m.config.vocab_size;
    if (opts.top_k < 1 || opts.top_k > V)
        fail("decoding walk: top_k must be in [1, ", V, "], got ", opts.top_k);
    DecodingWalk walk;
    walk.prompt = prompt;
    walk.C = C;
    walk.V = V;
    walk.top_k = opts.top_k;
    walk.sampler = sampler;
    walk.replayed = !opts.replay.empty();
    walk.wte_checksum_before = wte_checksum(m);
    const VectorTable table = make_vector_table(m.w.wte);

    GenerateOptions g;
    g.max_new_tokens = walk.replayed ? int64_t(opts.replay.size()) : opts.max_new_tokens;
    g.eot_id = opts.eot_id;
    g.isa = opts.isa;
    Sampler s(sampler);
    s.replay = opts.replay;  // generate() then takes these tokens; measure_step is the same
    double path = 0, path_model = 0;
    GenerateResult r = generate(m, s, prompt, g, [&](const StepInfo& info) {
        WalkStep w = measure_step(info, sampler, table, opts.top_k);
        path += std::log(w.prob_sampling);
        path_model += std::log(w.prob_model);
        w.path_log_prob = path;
        w.path_log_prob_model = path_model;
        w.cos_context_prev = walk.steps.empty()
                                 ? NAN
                                 : cosine(info.context, walk.contexts.data() + walk.contexts.size() - size_t(C), C);
        walk.contexts.insert(walk.contexts.end(), info.context, info.context + C);
        walk.steps.push_back(std::move(w));
    });
    walk.stop = r.stop;

    split_logits(&walk, m, table, opts.isa);
    project_walk(&walk, table.rows);
    // ln_f's bias scores every token the same way at every step: its own "favourites".
    walk.prior_top = nearest(table, m.w.ln_f_b, opts.top_k).by_dot;
    walk.wte_checksum_after = wte_checksum(m);
    return walk;
}

// ------------------------------------------------------------------ --compare

static std::set<std::vector<int>> ngrams(const std::vector<int>& ids, int64_t n, int64_t* count) {
    std::set<std::vector<int>> seen;
    *count = 0;
    for (size_t i = 0; n > 0 && i + size_t(n) <= ids.size(); i++, (*count)++)
        seen.insert(std::vector<int>(ids.begin() + long(i), ids.begin() + long(i) + long(n)));
    return seen;
}

double distinct_n(const std::vector<int>& ids, int64_t n) {
    int64_t count = 0;
    size_t distinct = ngrams(ids, n, &count).size();
    return count == 0 ? 0.0 : double(distinct) / double(count);
}

double repeated_ngram_rate(const std::vector<int>& ids, int64_t n) {
    int64_t count = 0;
    size_t distinct = ngrams(ids, n, &count).size();
    return count == 0 ? 0.0 : 1.0 - double(distinct) / double(count);
}

std::vector<std::pair<std::string, SamplerConfig>> compare_strategies(uint64_t seed) {
    auto make = [seed](bool greedy, float temperature, int top_k, float top_p) {
        SamplerConfig c;
        c.greedy = greedy;
        c.temperature = temperature;
        c.top_k = top_k;
        c.top_p = top_p;
        c.seed = seed;
        return c;
    };
    return {{"greedy", make(true, 1.0f, 0, 1.0f)},
            {"temperature 0.7", make(false, 0.7f, 0, 1.0f)},
            {"temperature 1.0", make(false, 1.0f, 0, 1.0f)},
            {"temperature 1.3", make(false, 1.3f, 0, 1.0f)},
            {"top-k 40", make(false, 1.0f, 40, 1.0f)},
            {"top-p 0.9", make(false, 1.0f, 0, 0.9f)}};
}

std::vector<StrategyRun> compare_decoding(const Checkpoint& m, const std::vector<int>& prompt,
                                          uint64_t seed, const DecodingWalkOptions& opts) {
    std::vector<StrategyRun> runs;
    for (const auto& [name, config] : compare_strategies(seed)) {
        StrategyRun r;
        r.name = name;
        r.walk = run_decoding_walk(m, prompt, config, opts);
        for (const WalkStep& s : r.walk.steps) r.mean_entropy += s.entropy_model;
        if (!r.walk.steps.empty()) {
            r.mean_entropy /= double(r.walk.steps.size());
            r.log_prob_model = r.walk.steps.back().path_log_prob_model;
            r.log_prob_sampling = r.walk.steps.back().path_log_prob;
        }
        std::vector<int> ids = r.walk.generated();
        r.repeated_4gram = repeated_ngram_rate(ids, 4);
        r.distinct_2 = distinct_n(ids, 2);
        runs.push_back(std::move(r));
    }
    return runs;
}

// ------------------------------------------------------------------ --tree

static void expand(TreeNode* node, std::vector<int>* prefix, int64_t levels_left, const Checkpoint& m,
                   int64_t B, Isa isa, int64_t* calls) {
    const int64_t V = m.config.vocab_size;
    RunState state = make_run_state(m.config, int64_t(prefix->size()), 1, int64_t(prefix->size()));
    std::vector<float> logits(static_cast<size_t>(V));
    ForwardOptions fwd;
    fwd.isa = isa;
    forward(logits.data(), m, state, prefix->data(), int64_t(prefix->size()), fwd);
    (*calls)++;
    require_finite_logits(logits.data(), V, cat("position ", prefix->size() - 1, " of the tree (", levels_left,
                                                " levels left)"));
    std::vector<double> p = softmax_probs(logits.data(), V);
    for (int id : top_k_indices(logits.data(), V, B)) {
        TreeNode child;
        child.token = id;
        child.prob = p[size_t(id)];
        child.path_prob = node->path_prob * child.prob;
        if (levels_left > 1) {
            prefix->push_back(id);
            expand(&child, prefix, levels_left - 1, m, B, isa, calls);
            prefix->pop_back();
        }
        node->children.push_back(std::move(child));
    }
}

WalkTree expand_tree(const Checkpoint& m, const std::vector<int>& prompt, int64_t B, int64_t D,
                     Isa isa) {
    if (B < 1 || B > kMaxTreeBranches || D < 1 || D > kMaxTreeDepth)
        fail("tree: branches must be in [1, ", kMaxTreeBranches, "] and depth in [1, ",
             kMaxTreeDepth, "], got ", B, ",", D);
    if (prompt.empty()) fail("the prompt is empty: give at least one token");
    if (int64_t(prompt.size()) + D > m.config.n_positions)
        fail("tree: the prompt (", prompt.size(), " tokens) plus ", D, " levels exceeds the context of ",
             m.config.n_positions, " positions");
    WalkTree tree;
    tree.prompt = prompt;
    tree.branches = B;
    tree.depth = D;
    std::vector<int> prefix = prompt;
    expand(&tree.root, &prefix, D, m, B, isa, &tree.forward_calls);
    return tree;
}

}  // namespace gw
