// report/finetune_io.cpp — the fine-tuning walk as a table, a JSON record and a picture.
#include "report/finetune_io.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"  // cat
#include "model/tokenizer.h"
#include "report/json_writer.h"
#include "report/text.h"

namespace gw {

using namespace text;

namespace {
// The best in-context shot: the lowest rank (the first such k).
const FewshotShot& best_shot(const FewshotWalk& w) {
    return *std::min_element(w.shots.begin(), w.shots.end(),
                             [](const FewshotShot& a, const FewshotShot& b) { return a.rank < b.rank; });
}
double mean_logp(const FinetuneWalk& w, const std::string& role, bool after) {
    double sum = 0;
    int n = 0;
    for (const FinetuneProbe& p : w.probes)
        if (p.role == role) {
            sum += after ? p.logp_after : p.logp_before;
            n++;
        }
    return n ? sum / n : NAN;
}
}  // namespace

void print_finetune(std::FILE* out, const FinetuneWalk& w, const Tokenizer& tok, const std::string& model_dir) {
    const FewshotTask& task = w.task.fewshot;
    const FinetuneOptions& o = w.options;
    std::fprintf(out, "gptwalk walk finetune: in-context examples move c_t; fine-tuning moves the weights\n");
    std::fprintf(out, "model:    %s\n", model_dir.c_str());
    std::fprintf(out, "task:     %s; query '%s%s' -> %s (id %d)\n", task.name.c_str(), task.query.input.c_str(),
                 task.separator.c_str(), quoted_token(&tok, w.after.shots.at(0).answer).c_str(), w.after.shots.at(0).answer);
    std::string held;
    for (const FewshotPair& p : w.task.held_out) held += (held.empty() ? "" : ", ") + p.input + " -> " + p.output;
    std::fprintf(out, "trained:  %zu pairs, never the query nor the held-out pairs (%s)\n\n", w.task.train.size(),
                 held.c_str());

    std::fprintf(out, "1. the query after k examples in the prompt, on the weights as given and fine-tuned\n");
    std::fprintf(out, "  k   as given: rank  p(answer)  cos(c_t,e_ans)   fine-tuned: rank  p(answer)  cos(c_t,e_ans)\n");
    for (size_t i = 0; i < w.before.shots.size() && i < w.after.shots.size(); i++) {
        const FewshotShot &b = w.before.shots[i], &a = w.after.shots[i];
        std::fprintf(out, "%3lld  %14lld  %9.6f  %14.4f  %16lld  %9.6f  %14.4f\n", (long long)b.k, (long long)b.rank,
                     b.prob, b.cos_answer, (long long)a.rank, a.prob, a.cos_answer);
    }
    std::fprintf(out, "  in context the weights never change: checksum before %s, after %s (%s)\n\n",
                 hex64(w.before.checksum_before).c_str(), hex64(w.before.checksum_after).c_str(),
                 w.before.checksum_before == w.before.checksum_after ? "identical" : "DIFFERENT: a bug");

    const double first = w.log.steps.empty() ? NAN : w.log.steps.front().loss;
    const double last = w.log.steps.empty() ? NAN : w.log.steps.back().loss;
    std::fprintf(out, "2. fine-tuning: %lld updates of %lld x %lld tokens from %lld tokens of \"x%s y\" lines, AdamW lr %g\n",
                 (long long)o.steps, (long long)o.batch, (long long)o.seq, (long long)w.train_tokens,
                 task.separator.c_str(), o.lr);
    std::fprintf(out, "  training loss %.4f -> %.4f\n", first, last);
    std::fprintf(out, "  weights checksum before %s, after %s: %s\n\n", hex64(w.checksum_before).c_str(),
                 hex64(w.checksum_after).c_str(),
                 w.checksum_before == w.checksum_after ? "identical (nothing was learned?)" : "changed: the paths themselves moved");

    const FewshotShot &best = best_shot(w.before), &tuned = w.after.shots.at(0);
    std::fprintf(out, "  with 0 examples: rank %lld -> %lld; the best prompt on the weights as given: rank %lld at k = %lld\n\n",
                 (long long)w.before.shots.at(0).rank, (long long)tuned.rank, (long long)best.rank, (long long)best.k);

    std::fprintf(out, "3. every pair with 0 examples, before -> after\n");
    std::fprintf(out, "role      pair                   rank             p(answer)              log p(answer)\n");
    for (const FinetuneProbe& p : w.probes) {
        const std::string pair = p.pair.input + " -> " + p.pair.output;
        put_line(out, cell(p.role, 10) + cell(pair, 23) + cell(format("%lld -> %lld", (long long)p.rank_before,
                                                                      (long long)p.rank_after), 17) +
                          cell(format("%.6f -> %.6f", p.prob_before, p.prob_after), 23) +
                          format("%.3f -> %.3f", p.logp_before, p.logp_after));
    }
    std::fprintf(out, "mean log p(answer): query %.3f -> %.3f; held out %.3f -> %.3f; trained %.3f -> %.3f\n\n",
                 mean_logp(w, "query", false), mean_logp(w, "query", true), mean_logp(w, "held out", false),
                 mean_logp(w, "held out", true), mean_logp(w, "trained", false), mean_logp(w, "trained", true));

    std::fprintf(out, "4. along the query's walk: the answer's logit-lens rank; how far each layer's weights moved\n");
    std::fprintf(out, "point            rank before  rank after     weights     |dW|/|W|\n");
    size_t layer = 0;
    for (size_t k = 0; k < w.points.size(); k++) {
        const FinetunePoint& p = w.points[k];
        std::string right;
        // embed pairs with wte + wpe; each resid_post with its block; ln_f after the last point
        if (k == 0 || p.name.find("resid_post") != std::string::npos) {
            const FinetuneLayer& l = w.layers[layer++];
            right = cell(l.name, 12) + format("%.5f", l.change);
        }
        put_line(out, cell(p.name, 17) + cell(format("%lld", (long long)p.rank_before), 13) +
                          cell(format("%lld", (long long)p.rank_after), 15) + right);
    }
    if (layer < w.layers.size())
        put_line(out, std::string(45, ' ') + cell(w.layers[layer].name, 12) + format("%.5f", w.layers[layer].change));
}

std::string finetune_json(const FinetuneWalk& w, const Tokenizer& tok, const std::string& model_dir) {
    using json::field, json::num;
    std::vector<std::string> shots, tuned_shots, probes, points, layers, steps;
    const auto shot = [&](const FewshotShot& s) {
        return json::object({field("k", num(s.k)), field("rank", num(s.rank)), field("prob", num(s.prob)),
                             field("cos_answer", num(s.cos_answer))});
    };
    for (const FewshotShot& s : w.before.shots) shots.push_back(shot(s));
    for (const FewshotShot& s : w.after.shots) tuned_shots.push_back(shot(s));
    for (const FinetuneProbe& p : w.probes)
        probes.push_back(json::object(
            {field("role", json::str(p.role)), field("input", json::str(p.pair.input)),
             field("output", json::str(p.pair.output)), field("answer", num(p.answer)),
             field("answer_text", json::str(token_label(&tok, p.answer))), field("rank_before", num(p.rank_before)),
             field("rank_after", num(p.rank_after)), field("prob_before", num(p.prob_before)),
             field("prob_after", num(p.prob_after)), field("cos_before", num(p.cos_before)),
             field("cos_after", num(p.cos_after)), field("logp_before", num(p.logp_before)),
             field("logp_after", num(p.logp_after))}));
    for (const FinetunePoint& p : w.points)
        points.push_back(json::object({field("point", json::str(p.name)), field("rank_before", num(p.rank_before)),
                                       field("rank_after", num(p.rank_after))}));
    for (const FinetuneLayer& l : w.layers)
        layers.push_back(json::object({field("weights", json::str(l.name)), field("change", num(l.change))}));
    for (const StepRecord& r : w.log.steps)
        steps.push_back(json::object({field("step", num(r.step)), field("loss", num(r.loss)), field("lr", num(r.lr))}));
    const FinetuneOptions& o = w.options;
    return json::document(
        {field("kind", json::str("finetune_walk")), field("model", json::str(model_dir)),
         field("task", json::str(w.task.fewshot.name)),
         field("settings", json::object({field("steps", num(o.steps)), field("batch", num(o.batch)),
                                         field("seq", num(o.seq)), field("lr", num(o.lr)), field("lines", num(o.lines)),
                                         field("seed", num(o.seed))})),
         field("checksum_before", json::str(hex64(w.checksum_before))),
         field("checksum_after", json::str(hex64(w.checksum_after))), field("train_tokens", num(w.train_tokens)),
         field("seconds", num(w.seconds)), field("in_context", json::lines(shots)),
         field("in_context_tuned", json::lines(tuned_shots)),
         field("probes", json::lines(probes)), field("walk", json::lines(points)), field("layers", json::lines(layers)),
         field("training", json::lines(steps)),
         field("definitions",
               json::text_object({{"rank", "1 + tokens with a larger logit, 0 examples unless in_context"},
                                  {"logp", "log p of the answer's tokens after 'x,' (nats)"},
                                  {"change", "|W_after - W_before| / |W_before| over the group's tensors (L2)"},
                                  {"walk", "the answer's rank under the logit lens wte . ln_f(h) at each half-layer point of the query"}}))});
}

Image finetune_picture(const FinetuneWalk& w, const Tokenizer& tok) {
    auto chart = [](const std::string& title, const std::string& x, const std::string& y, std::vector<Series> s) {
        Chart c;
        c.title = title;
        c.x_label = x;
        c.y_label = y;
        c.series = std::move(s);
        return render_chart(c, 560, 420);
    };
    Series in_context{"as given", {}, {}, true, true, {}}, tuned{"fine-tuned", {}, {}, true, true, {}};
    for (const FewshotShot& s : w.before.shots) {
        in_context.x.push_back(double(s.k));
        in_context.y.push_back(std::log10(double(s.rank)));
    }
    for (const FewshotShot& s : w.after.shots) {
        tuned.x.push_back(double(s.k));
        tuned.y.push_back(std::log10(double(s.rank)));
    }
    Series lens_before{"before", {}, {}, true, true, {}}, lens_after{"after", {}, {}, true, true, {}};
    for (size_t k = 0; k < w.points.size(); k++) {
        lens_before.x.push_back(0.5 * double(k));
        lens_before.y.push_back(std::log10(double(w.points[k].rank_before)));
        lens_after.x.push_back(0.5 * double(k));
        lens_after.y.push_back(std::log10(double(w.points[k].rank_after)));
    }
    Series moved{"|dW| / |W|", {}, {}, true, true, {}};
    for (size_t i = 0; i < w.layers.size(); i++) {
        moved.x.push_back(double(i));
        moved.y.push_back(w.layers[i].change);
        moved.point_labels.push_back(w.layers[i].name);
    }
    std::vector<Series> roles;
    for (const char* role : {"query", "held out", "trained"}) {
        Series s{role, {}, {}, false, true, {}};
        for (const FinetuneProbe& p : w.probes)
            if (p.role == role) {
                s.x.push_back(p.logp_before);
                s.y.push_back(p.logp_after);
            }
        roles.push_back(s);
    }
    double lo = 0;
    for (const FinetuneProbe& p : w.probes) lo = std::min({lo, p.logp_before, p.logp_after});
    roles.push_back(Series{"after = before", {lo, 0}, {lo, 0}, true, false, {}});
    Series loss{"training loss", {}, {}, true, false, {}};
    for (const StepRecord& r : w.log.steps) {
        loss.x.push_back(double(r.step));
        loss.y.push_back(r.loss);
    }
    return compose_grid(
        {chart("The answer's rank after k examples", "k (examples in the prompt)", "log10 rank (0 = top)",
               {in_context, tuned}),
         chart("Logit-lens rank along the query's walk", "layer (half-layer points)", "log10 rank", {lens_before, lens_after}),
         chart("How far the weights moved", "weights (wte + wpe, blocks, ln_f)", "|dW| / |W|", {moved}),
         chart("log p(answer), 0 examples: before vs after", "before (nats)", "after (nats)", roles),
         chart("Fine-tuning", "update", "training loss (nats)", {loss})},
        3, cat("Fine-tuning reshapes the paths (", w.task.fewshot.name, ": '", w.task.fewshot.query.input,
               w.task.fewshot.separator, "' -> ", token_ascii(&tok, w.after.shots.at(0).answer), ")"));
}

}  // namespace gw
