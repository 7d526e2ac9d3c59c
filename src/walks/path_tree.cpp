// walks/path_tree.cpp — the explored paths as one tree: p, log P and H of every node, one 2-D map.
#include "walks/path_tree.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/vecmath.h"   // softmax_probs, entropy_nats, rank_of, norm, pca_2d
#include "model/forward.h"  // forward, RunState
#include "model/weights.h"

namespace gw {

// Logits rows computed per forward call: (kChunk, V) floats, ~13 MB for GPT-2's vocabulary,
// however long the path (a whole 1024-token path at once would need 200 MB).
constexpr int64_t kChunk = 64;

static void check_ids(const std::vector<int>& ids, int64_t V, const char* what) {
    for (int id : ids)
        if (id < 0 || id >= V) fail(what, ": token id ", id, " is outside the vocabulary [0, ", V, ")");
}

// The node of `token` under `parent` (-1: the prompt), or -1 if the tree has none yet.
static int64_t find_child(const PathTree& tree, int64_t parent, int token) {
    for (size_t i = 0; i < tree.nodes.size(); i++)
        if (tree.nodes[i].parent == parent && tree.nodes[i].token == token) return int64_t(i);
    return -1;
}

// Fills p, H and rank of a node from the logits (V) of its parent prefix, and keeps the
// context vector (C) for the map.
static void measure(PathNode* node, std::vector<float>* contexts, const float* logits,
                    const float* context, int64_t V, int64_t C) {
    std::vector<double> p = softmax_probs(logits, V);  // (V)
    node->prob = p[size_t(node->token)];
    node->entropy = entropy_nats(p);
    node->rank = rank_of(logits, V, node->token);
    contexts->insert(contexts->end(), context, context + C);
}

// Runs prompt + path (all but its last token, whose successor no node needs) and measures the
// nodes of `path` from index `first_new` on; the others were measured by an earlier path.
static void run_path(PathTree* tree, std::vector<float>* contexts, const Checkpoint& m,
                     const std::vector<int>& path, const std::vector<int64_t>& nodes,
                     size_t first_new, Isa isa) {
    const int64_t V = m.config.vocab_size, C = m.config.n_embd;
    const int64_t P = int64_t(tree->prompt.size());
    RunState state = make_run_state(m.config, std::max(P, kChunk));
    std::vector<float> logits(size_t(kChunk * V));  // (kChunk, V)
    ForwardOptions fwd;
    fwd.isa = isa;
    forward(logits.data(), m, state, tree->prompt.data(), P, fwd);  // logits (1, V) of the prompt's end
    if (first_new == 0) measure(&tree->nodes[size_t(nodes[0])], contexts, logits.data(), last_context(state), V, C);
    // Node i (i >= 1) was chosen by the logits of path token i - 1. A chunk of tokens
    // start .. start + n - 1 gives the logits of nodes start + 1 .. start + n; a chunk whose
    // nodes are all measured already only fills the cache (no logits rows asked for).
    for (size_t start = 0; start + 1 < path.size(); start += size_t(kChunk)) {
        const size_t n = std::min(size_t(kChunk), path.size() - 1 - start);
        fwd.all_logits = start + n >= first_new;
        forward(logits.data(), m, state, path.data() + start, int64_t(n), fwd);
        for (size_t r = 0; fwd.all_logits && r < n; r++) {
            const size_t i = start + r + 1;
            if (i < first_new) continue;
            measure(&tree->nodes[size_t(nodes[i])], contexts, logits.data() + int64_t(r) * V,
                    state.context.data() + int64_t(r) * C, V, C);
        }
    }
    tree->forward_runs++;
}

// One PCA over the unit vectors of every node's context vector and token vector (2N points):
// directions, not lengths, since |c| (~40 in the tiny model) dwarfs |e| (~1) as in decoding_walk.cpp.
// wte in any weight type: each token's row is read as F32 (core/tensor.h).
static void project_tree(PathTree* tree, const std::vector<float>& contexts, const WeightView& wte, int64_t C) {
    const size_t N = tree->nodes.size();
    std::vector<float> units(2 * N * size_t(C));  // (2N, C): the contexts, then the tokens
    std::vector<float> row(static_cast<size_t>(C));
    for (size_t i = 0; i < 2 * N; i++) {
        if (i >= N) read_row_f32(row.data(), wte, tree->nodes[i - N].token);
        const float* v = i < N ? contexts.data() + i * size_t(C) : row.data();
        const double len = norm(v, C);
        for (int64_t j = 0; j < C; j++) units[i * size_t(C) + size_t(j)] = len > 0 ? float(v[j] / len) : 0.0f;
    }
    std::vector<const float*> points;
    for (size_t i = 0; i < 2 * N; i++) points.push_back(units.data() + i * size_t(C));
    const Projection2D fit = pca_2d(points, C);
    for (size_t i = 0; i < N; i++) {
        tree->nodes[i].context_xy[0] = fit.xy[2 * i];
        tree->nodes[i].context_xy[1] = fit.xy[2 * i + 1];
        tree->nodes[i].token_xy[0] = fit.xy[2 * (N + i)];
        tree->nodes[i].token_xy[1] = fit.xy[2 * (N + i) + 1];
    }
    tree->explained[0] = fit.explained[0];
    tree->explained[1] = fit.explained[1];
}

PathTree map_paths(const Checkpoint& m, const std::vector<int>& prompt, const std::vector<std::vector<int>>& paths,
                   Isa isa) {
    const int64_t V = m.config.vocab_size, C = m.config.n_embd, ctx = m.config.n_positions;
    if (prompt.empty()) fail("the prompt is empty: give at least one token");
    check_ids(prompt, V, "the prompt");
    PathTree tree;
    tree.prompt = prompt;
    // contexts row k belongs to the k-th node measured; order[k] says which node that is.
    std::vector<float> contexts;  // (N, C)
    std::vector<int64_t> order;   // (N)
    for (size_t p = 0; p < paths.size(); p++) {
        const std::vector<int>& path = paths[p];
        if (path.empty()) fail("path ", p, " is empty: a path holds at least one token after the prompt");
        check_ids(path, V, cat("path ", p).c_str());
        if (int64_t(prompt.size() + path.size()) > ctx)
            fail("path ", p, ": the prompt (", prompt.size(), " tokens) and the path (", path.size(),
                 ") do not fit in the context of ", ctx, " positions");
        std::vector<int64_t> nodes;
        size_t first_new = path.size();
        for (size_t i = 0; i < path.size(); i++) {
            const int64_t parent = i == 0 ? -1 : nodes.back();
            int64_t at = find_child(tree, parent, path[i]);
            if (at < 0) {
                PathNode node;
                node.token = path[i];
                node.parent = parent;
                node.depth = int64_t(i);
                at = int64_t(tree.nodes.size());
                tree.nodes.push_back(node);
                first_new = std::min(first_new, i);
            }
            nodes.push_back(at);
        }
        if (first_new < path.size()) {
            run_path(&tree, &contexts, m, path, nodes, first_new, isa);
            for (size_t i = first_new; i < path.size(); i++) order.push_back(nodes[i]);
        }
        tree.paths.push_back(std::move(nodes));
    }
    // Parents come first, so log P is one pass in node order.
    for (PathNode& node : tree.nodes)
        node.log_prob = std::log(node.prob) + (node.parent < 0 ? 0.0 : tree.nodes[size_t(node.parent)].log_prob);
    // The contexts in node order, for the map.
    std::vector<float> by_node(contexts.size());
    for (size_t k = 0; k < order.size(); k++)
        std::copy_n(contexts.begin() + long(k) * C, C, by_node.begin() + order[k] * C);
    if (!tree.nodes.empty()) project_tree(&tree, by_node, m.w.wte, C);
    return tree;
}

}  // namespace gw
