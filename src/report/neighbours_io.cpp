// report/neighbours_io.cpp — one token's neighbours as a table of two rankings side by side.
#include "report/neighbours_io.h"

#include "report/json_writer.h"
#include "report/text.h"

namespace gw {

using namespace text;

void print_neighbours(std::FILE* out, const TokenNeighbours& r, const Tokenizer* tok, const std::string& model_dir) {
    const Neighbours& n = r.near;
    std::fprintf(out, "gptwalk neighbours: the token vectors (rows of wte) nearest to %s (id %d)\n",
                 token_label(tok, r.id).c_str(), r.id);
    std::fprintf(out, "model: %s (V = %lld, C = %lld); |e| = %.4f; the token itself is left out\n\n",
                 model_dir.c_str(), (long long)r.V, (long long)r.C, r.norm);
    std::fprintf(out, " rank  %-16s %8s %8s %7s    %-16s %8s %8s %7s\n", "by cosine", "cos", "dot", "|e|",
                 "by dot product", "dot", "cos", "|e|");
    for (size_t i = 0; i < n.by_dot.size(); i++) {
        const Neighbour &a = n.by_cosine[i], &b = n.by_dot[i];
        std::fprintf(out, " %4zu  %s %8.4f %8.4f %7.4f    %s %8.4f %8.4f %7.4f\n", i + 1,
                     pad(token_label(tok, a.id), 16).c_str(), a.cosine, a.dot, a.norm,
                     pad(token_label(tok, b.id), 16).c_str(), b.dot, b.cosine, b.norm);
    }
    std::fprintf(out, "\n%lld of %zu ids in both lists. The dot product (what logits use) also rewards long vectors;\n"
                      "cosine compares directions only. Comparing the two is our own framing, not Singh 2023's.\n",
                 (long long)n.overlap, n.by_dot.size());
    std::fprintf(out, "wte checksum %s before and %s after: %s\n", hex64(r.wte_checksum_before).c_str(),
                 hex64(r.wte_checksum_after).c_str(),
                 r.wte_checksum_before == r.wte_checksum_after ? "the weights never change." : "DIFFERENT (a bug)");
}

// One JSON object per neighbour.
static std::vector<std::string> neighbour_items(const std::vector<Neighbour>& list, const Tokenizer* tok) {
    std::vector<std::string> items;
    for (const Neighbour& n : list)
        items.push_back(json::object({json::field("id", json::num(n.id)), json::field("text", json::str(token_label(tok, n.id))),
                                      json::field("dot", json::num(n.dot)), json::field("cosine", json::num(n.cosine)),
                                      json::field("norm", json::num(n.norm))}));
    return items;
}

std::string neighbour_list_json(const std::vector<Neighbour>& list, const Tokenizer* tok) {
    return json::array(neighbour_items(list, tok));
}

std::string token_neighbours_json(const TokenNeighbours& r, const Tokenizer* tok, const std::string& model_dir) {
    return json::document({
        json::field("kind", json::str("token_neighbours")), json::field("model", json::str(model_dir)),
        json::field("vocab_size", json::num(r.V)), json::field("n_embd", json::num(r.C)),
        json::field("id", json::num(r.id)), json::field("text", json::str(token_label(tok, r.id))),
        json::field("norm", json::num(r.norm)), json::field("k", json::num(int64_t(r.near.by_dot.size()))),
        json::field("by_cosine", json::lines(neighbour_items(r.near.by_cosine, tok))),
        json::field("by_dot", json::lines(neighbour_items(r.near.by_dot, tok))),
        json::field("shared", json::num(r.near.overlap)),
        json::field("wte_checksum_before", json::str(hex64(r.wte_checksum_before))),
        json::field("wte_checksum_after", json::str(hex64(r.wte_checksum_after))),
        json::field("definitions", json::text_object({
            {"by_cosine", "the k rows e_v of wte with the largest cos(e_id, e_v), the token itself left out"},
            {"by_dot", "the k rows with the largest e_id . e_v (what logits use: length counts)"},
            {"shared", "ids present in both lists; comparing the two rankings is our own framing, not Singh 2023's"},
        })),
    });
}

}  // namespace gw
