// report/decoding_compare_io.cpp — `walk decode --compare` and `--tree`: tables, JSON, a picture.
#include <algorithm>
#include <cmath>

#include "core/error.h"  // cat
#include "model/tokenizer.h"
#include "report/decoding_walk_io.h"
#include "report/json_writer.h"
#include "report/text.h"

namespace gw {

using namespace text;

static const char* kCompareDefinitions =
    "  log P model   = sum over steps of ln softmax(logits)[chosen], nats: how likely the model finds the text\n"
    "  log P sampled = the same under each strategy's own sampling distribution (0 under greedy: no choice)\n"
    "  mean H        = mean over steps of the entropy of softmax(logits), nats\n"
    "  rep-4         = 1 - distinct 4-grams / 4-grams of the generated ids (0 = no 4-gram repeats)\n"
    "  distinct-2    = distinct bigrams / bigrams of the generated ids (1 = no bigram repeats)\n";

// ------------------------------------------------------------------ --compare

void print_compare(std::FILE* out, const std::vector<StrategyRun>& runs, const Tokenizer* tok) {
    if (runs.empty()) return;
    const DecodingWalk& first = runs[0].walk;
    std::fprintf(out, "gptwalk walk decode --compare: one prompt, %zu decoding strategies, seed %llu\n",
                 runs.size(), (unsigned long long)first.sampler.seed);
    std::fprintf(out, "prompt: \"%s\" (%zu tokens)\n\n", one_line(ids_text(tok, first.prompt)).c_str(),
                 first.prompt.size());
    std::fprintf(out, "strategy          steps  log P model  log P sampled  mean H   rep-4  distinct-2\n");
    for (const StrategyRun& r : runs)
        std::fprintf(out, "%-16s  %5zu  %11.4f  %13.4f  %6.4f  %6.4f  %10.4f\n", r.name.c_str(),
                     r.walk.steps.size(), r.log_prob_model, r.log_prob_sampling, r.mean_entropy,
                     r.repeated_4gram, r.distinct_2);
    std::fprintf(out, "\ntexts (generated part only):\n");
    for (const StrategyRun& r : runs)
        std::fprintf(out, "  %-16s \"%s\"\n", r.name.c_str(), one_line(ids_text(tok, r.walk.generated())).c_str());
    std::fprintf(out, "\ndefinitions:\n%s", kCompareDefinitions);
    double rep = 0, distinct = 0;
    for (size_t i = 1; i < runs.size(); i++) {
        rep += runs[i].repeated_4gram / double(runs.size() - 1);
        distinct += runs[i].distinct_2 / double(runs.size() - 1);
    }
    std::fprintf(out,
                 "Greedy decoding takes the most probable token at every step, so its text is the most\n"
                 "probable per token, and a small model under greedy tends to repeat itself. Here: greedy\n"
                 "rep-4 %.4f, distinct-2 %.4f; the sampled runs average rep-4 %.4f, distinct-2 %.4f.\n"
                 "Sampling trades probability for variety; the weights are the same in every run.\n",
                 runs[0].repeated_4gram, runs[0].distinct_2, rep, distinct);
}

std::string compare_json(const std::vector<StrategyRun>& runs, const Tokenizer* tok, const std::string& model_dir) {
    std::vector<std::string> items;
    for (const StrategyRun& r : runs) {
        const std::string generated = ids_text(tok, r.walk.generated());
        std::vector<double> p, h;
        for (const WalkStep& s : r.walk.steps) {
            p.push_back(s.prob_model);
            h.push_back(s.entropy_model);
        }
        items.push_back(json::object({
            json::field("name", json::str(r.name)), json::field("sampler", json::str(sampler_text(r.walk.sampler))),
            json::field("generated_ids", json::numbers(r.walk.generated())),
            json::field("generated_text", is_valid_utf8(generated) ? json::str(generated) : json::null()),
            json::field("log_prob_model", json::num(r.log_prob_model)),
            json::field("log_prob_sampling", json::num(r.log_prob_sampling)),
            json::field("mean_entropy", json::num(r.mean_entropy)),
            json::field("repeated_4gram_rate", json::num(r.repeated_4gram)),
            json::field("distinct_2", json::num(r.distinct_2)),
            json::field("prob_model_per_step", json::numbers(p)), json::field("entropy_per_step", json::numbers(h))}));
    }
    const std::vector<int> prompt = runs.empty() ? std::vector<int>() : runs[0].walk.prompt;
    return json::document({
        json::field("kind", json::str("decoding_compare")), json::field("model", json::str(model_dir)),
        json::field("prompt_ids", json::numbers(prompt)), json::field("runs", json::lines(items)),
        json::field("definitions", json::text_object({
            {"log_prob_model", "sum over steps of ln softmax(logits)[chosen], nats"},
            {"log_prob_sampling", "sum over steps of ln p(chosen) under the run's sampling distribution, nats"},
            {"mean_entropy", "mean over steps of the entropy of softmax(logits), nats"},
            {"repeated_4gram_rate", "1 - (distinct 4-grams) / (4-grams) of the generated ids; 0 if fewer than 4 ids"},
            {"distinct_2", "(distinct bigrams) / (bigrams) of the generated ids; 0 if fewer than 2 ids"},
        })),
    });
}

Image compare_picture(const std::vector<StrategyRun>& runs, const Tokenizer* tok) {
    std::vector<Image> panels;
    Chart logp, ent;
    logp.title = "log P(path) under the model, so far";
    logp.x_label = "step t";
    logp.y_label = "log probability (nats)";
    ent.title = "Mean entropy of softmax(logits) so far";
    ent.x_label = "step t";
    ent.y_label = "entropy (nats)";
    for (const StrategyRun& r : runs) {
        Series p{"p model of the chosen token", {}, {}, true, true, {}};
        // Legends are narrow: "temperature 0.7" -> "T 0.7".
        std::string name = r.name.rfind("temperature ", 0) == 0 ? "T " + r.name.substr(12) : r.name;
        Series lp{name, {}, {}, true, false, {}}, h{name, {}, {}, true, false, {}};
        double entropy_sum = 0;
        for (const WalkStep& s : r.walk.steps) {
            p.x.push_back(double(s.step));
            p.y.push_back(s.prob_model);
            p.point_labels.push_back(token_ascii(tok, s.token));
            lp.x.push_back(double(s.step));
            lp.y.push_back(s.path_log_prob_model);
            h.x.push_back(double(s.step));
            entropy_sum += s.entropy_model;
            h.y.push_back(entropy_sum / double(s.step + 1));  // running mean: six raw curves are a tangle
        }
        Chart c;
        c.title = cat(r.name, ": rep-4 ", std::lround(r.repeated_4gram * 100) / 100.0, ", distinct-2 ",
                      std::lround(r.distinct_2 * 100) / 100.0);
        c.x_label = "step t (labels: the chosen tokens)";
        c.y_label = "p model of the chosen token";
        c.series = {p};
        panels.push_back(render_chart(c, 560, 440));
        logp.series.push_back(lp);
        ent.series.push_back(h);
    }
    panels.push_back(render_chart(logp, 560, 440));
    panels.push_back(render_chart(ent, 560, 440));
    std::string title = "Decoding strategies compared";
    if (!runs.empty())
        title += cat(" (", runs[0].walk.steps.size(), " tokens, seed ", runs[0].walk.sampler.seed, ")");
    return compose_grid(panels, 4, title);
}

// ------------------------------------------------------------------ --tree

// levels_left keeps the p column aligned: each level indents 4 columns, so labels are padded
// by 4 more for every level still below them.
static void print_node(std::FILE* out, const TreeNode& node, const std::string& indent, int64_t levels_left,
                       const Tokenizer* tok) {
    for (size_t i = 0; i < node.children.size(); i++) {
        const TreeNode& c = node.children[i];
        bool last = i + 1 == node.children.size();
        std::fprintf(out, "%s%s %s p %.4f   P(path) %.6f\n", indent.c_str(), last ? "└──" : "├──",
                     pad(token_label(tok, c.token), size_t(14 + 4 * (levels_left - 1))).c_str(), c.prob,
                     c.path_prob);
        print_node(out, c, indent + (last ? "    " : "│   "), levels_left - 1, tok);
    }
}

static void leaves(const TreeNode& n, std::vector<int>* path, std::vector<std::pair<double, std::vector<int>>>* out) {
    if (n.children.empty()) {
        out->push_back({n.path_prob, *path});
        return;
    }
    for (const TreeNode& c : n.children) {
        path->push_back(c.token);
        leaves(c, path, out);
        path->pop_back();
    }
}

void print_tree(std::FILE* out, const WalkTree& tree, const Tokenizer* tok) {
    std::fprintf(out, "gptwalk walk decode --tree %lld,%lld: the %lld most probable next tokens of every prefix, %lld levels deep\n",
                 (long long)tree.branches, (long long)tree.depth, (long long)tree.branches, (long long)tree.depth);
    std::fprintf(out, "p: softmax(logits) of the prefix (temperature 1, unfiltered); P(path) = product of p along the branch\n\n");
    std::fprintf(out, "\"%s\"\n", one_line(ids_text(tok, tree.prompt)).c_str());
    print_node(out, tree.root, "", tree.depth, tok);
    std::vector<int> path;
    std::vector<std::pair<double, std::vector<int>>> all;
    leaves(tree.root, &path, &all);
    double mass = 0;
    for (const auto& l : all) mass += l.first;
    auto best = std::max_element(all.begin(), all.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
    std::fprintf(out, "\n%zu leaves hold P = %.6f of all %lld-token continuations (the rest lies on branches not shown).\n",
                 all.size(), mass, (long long)tree.depth);
    if (best != all.end())
        std::fprintf(out, "most probable leaf: \"%s\" with P(path) %.6f\n", one_line(ids_text(tok, best->second)).c_str(),
                     best->first);
    std::fprintf(out, "model runs: %lld (one forward pass per expanded prefix)\n", (long long)tree.forward_calls);
}

static std::string node_json(const TreeNode& n, const Tokenizer* tok) {
    std::vector<std::string> kids;
    for (const TreeNode& c : n.children) kids.push_back(node_json(c, tok));
    std::vector<std::string> f;
    if (n.token >= 0) {  // the root is the prompt, not a token
        f.push_back(json::field("token", json::num(n.token)));
        f.push_back(json::field("text", json::str(token_label(tok, n.token))));
    }
    f.push_back(json::field("prob", json::num(n.prob)));
    f.push_back(json::field("path_prob", json::num(n.path_prob)));
    f.push_back(json::field("children", json::array(kids)));
    return json::object(f);
}

std::string tree_json(const WalkTree& tree, const Tokenizer* tok, const std::string& model_dir) {
    return json::document({
        json::field("kind", json::str("decoding_tree")), json::field("model", json::str(model_dir)),
        json::field("prompt_ids", json::numbers(tree.prompt)), json::field("branches", json::num(tree.branches)),
        json::field("depth", json::num(tree.depth)), json::field("forward_calls", json::num(tree.forward_calls)),
        json::field("definitions", json::text_object({
            {"prob", "softmax(logits)[token] after the prefix, temperature 1, unfiltered"},
            {"path_prob", "product of prob from the root to this node"},
        })),
        json::field("root", node_json(tree.root, tok)),
    });
}

}  // namespace gw
