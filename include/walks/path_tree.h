// walks/path_tree.h — the decoding walks explored from one prompt, as one tree (the explorer's
// branches; lesson 13).
//
// A decoding walk picks one token per step. Branching picks another candidate at some step
// and walks on from there, so the paths explored from one prompt share the prompt and often
// a prefix: together they form a tree whose nodes are tokens, each chosen after the prefix
// of its parent. For a node v chosen after prefix x:
//   p(v)      = softmax(logits(x))[v]          the model's own distribution (temperature 1)
//   logP(v)   = sum of ln p from the root to v  the model's log-probability of the path, nats
//   H(v)      = -sum_u p(u) ln p(u)             entropy of that distribution, nats: how open the choice was
// and a 2-D map of the whole tree: one PCA fitted on the unit vectors of every node's context
// vector c(x) (ln_f's output, whose dot products with the token vectors are logits(x)) and of
// its token vector e_v, as the decoding walk's own picture does for one path (decoding_walk.h):
// with one fit, the branches share axes and can be compared.
//
// The numbers are the model's, whatever sampler chose the tokens: the tree does not know how
// a path was found (a draw, the arg max, or a click). They are measured from scratch, one
// forward run per path that brings new nodes (the prompt, then the path's tokens over the KV
// cache), so a request depends on nothing kept from an earlier one.
// Legend: N nodes, C n_embd, V vocab.
#pragma once
#include <cstdint>
#include <vector>

#include "core/cpu.h"

namespace gw {

struct Checkpoint;

struct PathNode {
    int token = 0;
    int64_t parent = -1;       // index of the parent node in PathTree::nodes; -1: the prompt
    int64_t depth = 0;         // 0 for the token right after the prompt
    double prob = 0;           // p(v) = softmax(logits(x))[token]
    double log_prob = 0;       // sum of ln p from the first token to this one, nats
    double entropy = 0;        // H of softmax(logits(x)), nats
    int64_t rank = 0;          // 1 + the number of tokens with a larger logit (1 = the arg max)
    double context_xy[2] = {0, 0};  // c(x) on the map (its unit vector, projected)
    double token_xy[2] = {0, 0};    // e_token on the map
};

struct PathTree {
    std::vector<int> prompt;
    std::vector<PathNode> nodes;              // (N) each node once, a parent before its children
    std::vector<std::vector<int64_t>> paths;  // for each path given, its nodes, first token first
    double explained[2] = {0, 0};             // fraction of the 2N unit vectors' variance per axis
    int64_t forward_runs = 0;                 // paths that brought new nodes, each run once
};

// The tree of the given paths (each the token ids after the prompt). Throws gw::Error for an
// empty prompt or path, an id outside [0, V), or a path that does not fit in the context.
PathTree map_paths(const Checkpoint& model, const std::vector<int>& prompt,
                   const std::vector<std::vector<int>>& paths, Isa isa);

}  // namespace gw
