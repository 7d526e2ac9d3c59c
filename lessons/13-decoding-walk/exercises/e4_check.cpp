// e4_check.cpp — lesson 13, exercise 4: the check's own test of beam_search (model/beam_search.h)
// on the lesson's prompt:
//   B = 1 is greedy: the tokens and log P of the greedy walk (run_decoding_walk);
//   n = 3, B = 5: the most probable leaf of expand_tree(prompt, 5, 3), which tries them all;
//   B = 2 and 5, n = 12: the path walked again (DecodingWalkOptions::replay) has the log P
//   beam_search says it has, and is no less probable than greedy's.
#include <cmath>
#include <cstdio>
#include <vector>

#include "model/beam_search.h"
#include "model/model_dir.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "walks/decoding_walk.h"

namespace {

// Two forward passes of the same tokens (chunk or KV cache) give logits within 2e-5
// (kForwardOrderAtol, tests/testing.h); a log-probability then moves by at most 4e-5, a
// sum of 12 by 5e-4.
constexpr double kTol = 5e-4;

void best_leaf(const gw::TreeNode& node, std::vector<int>* path, std::vector<int>* best, double* best_p) {
    if (node.token >= 0) path->push_back(node.token);
    if (node.children.empty() && node.path_prob > *best_p) *best_p = node.path_prob, *best = *path;
    for (const gw::TreeNode& c : node.children) best_leaf(c, path, best, best_p);
    if (node.token >= 0) path->pop_back();
}

}  // namespace

int main() {
    const std::string dir = gw::default_model_dir();
    auto m = gw::load_checkpoint(dir);
    const gw::Tokenizer tok(dir);
    const std::vector<int> prompt = tok.encode("In the beginning God created the");
    gw::DecodingWalkOptions o;
    o.max_new_tokens = 12;
    gw::SamplerConfig greedy;
    greedy.greedy = true;
    const gw::DecodingWalk g = gw::run_decoding_walk(*m, prompt, greedy, o);
    const gw::BeamPath one = gw::beam_search(*m, prompt, 1, 12);
    if (one.tokens != g.generated() || std::fabs(one.log_prob - g.steps.back().path_log_prob_model) > kTol) {
        std::printf("beam_search with B = 1 must be greedy: log P %.4f, greedy's %.4f\n", one.log_prob,
                    g.steps.back().path_log_prob_model);
        return 1;
    }
    const gw::WalkTree tree = gw::expand_tree(*m, prompt, 5, 3, gw::Isa::Ref);
    std::vector<int> path, leaf;
    double leaf_p = 0;
    best_leaf(tree.root, &path, &leaf, &leaf_p);
    const gw::BeamPath three = gw::beam_search(*m, prompt, 5, 3);
    if (three.tokens != leaf || std::fabs(three.log_prob - std::log(leaf_p)) > kTol) {
        std::printf("beam_search(B = 5, n = 3) finds \"%s\" at %.4f; the best leaf of the tree is \"%s\" at %.4f\n",
                    tok.decode(three.tokens).c_str(), three.log_prob, tok.decode(leaf).c_str(), std::log(leaf_p));
        return 1;
    }
    std::printf("B = 1: greedy, %.4f; B = 5, n = 3: \"%s\" at %.4f, the tree's best leaf", one.log_prob,
                tok.decode(three.tokens).c_str(), three.log_prob);
    for (int64_t B : {int64_t(2), int64_t(5)}) {
        const gw::BeamPath best = gw::beam_search(*m, prompt, B, 12);
        gw::DecodingWalkOptions replay;
        replay.replay = best.tokens;
        const gw::DecodingWalk walk = gw::run_decoding_walk(*m, prompt, gw::SamplerConfig{}, replay);
        const double walked = walk.steps.back().path_log_prob_model;
        if (best.tokens.size() != 12 || std::fabs(walked - best.log_prob) > kTol || best.log_prob < one.log_prob - kTol) {
            std::printf("\nbeam_search(B = %lld) says log P %.4f for \"%s\"; walked again it is %.4f (greedy: %.4f)\n",
                        (long long)B, best.log_prob, tok.decode(best.tokens).c_str(), walked, one.log_prob);
            return 1;
        }
        std::printf("; B = %lld: %.4f", (long long)B, best.log_prob);
    }
    std::printf(", walked again the same\n");
    return 0;
}
