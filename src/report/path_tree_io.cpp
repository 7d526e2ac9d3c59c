// report/path_tree_io.cpp — a tree of decoding paths as one JSON record.
#include "report/path_tree_io.h"

#include "report/json_writer.h"
#include "report/text.h"

namespace gw {

using namespace text;

std::string path_tree_json(const PathTree& tree, const Tokenizer* tok, const std::string& model_dir) {
    std::vector<std::string> nodes, paths;
    for (size_t i = 0; i < tree.nodes.size(); i++) {
        const PathNode& n = tree.nodes[i];
        nodes.push_back(json::object({
            json::field("node", json::num(int64_t(i))), json::field("token", json::num(n.token)),
            json::field("text", json::str(token_label(tok, n.token))), json::field("parent", json::num(n.parent)),
            json::field("depth", json::num(n.depth)), json::field("prob", json::num(n.prob)),
            json::field("log_prob", json::num(n.log_prob)), json::field("entropy", json::num(n.entropy)),
            json::field("rank", json::num(n.rank)),
            json::field("context_xy", json::array({json::num(n.context_xy[0]), json::num(n.context_xy[1])})),
            json::field("token_xy", json::array({json::num(n.token_xy[0]), json::num(n.token_xy[1])}))}));
    }
    for (const std::vector<int64_t>& p : tree.paths) paths.push_back(json::numbers(p));
    return json::document({
        json::field("kind", json::str("path_tree")), json::field("model", json::str(model_dir)),
        json::field("prompt_ids", json::numbers(tree.prompt)),
        json::field("prompt_text", json::str(one_line(ids_text(tok, tree.prompt)))),
        json::field("nodes", json::lines(nodes)), json::field("paths", json::lines(paths)),
        json::field("pca", json::object({json::field("explained", json::array({json::num(tree.explained[0]),
                                                                                json::num(tree.explained[1])}))})),
        json::field("forward_runs", json::num(tree.forward_runs)),
        json::field("definitions", json::text_object({
            {"prob", "softmax(logits)[token] after the parent's prefix: the model's own distribution, temperature 1, whatever chose the token"},
            {"log_prob", "sum of ln prob from the first token to this node, nats"},
            {"entropy", "entropy of that distribution, nats"},
            {"paths", "for each path asked for, its node indices, first token first"},
            {"context_xy", "the context vector that chose the token (its unit vector), on the tree's 2-D PCA map"},
            {"token_xy", "the chosen token's vector (its unit vector) on the same map"},
        })),
    });
}

}  // namespace gw
