// report/fewshot_io.cpp — the few-shot walk as a table, a JSON record and a picture.
#include "report/fewshot_io.h"

#include <cmath>

#include "core/error.h"  // cat
#include "model/tokenizer.h"
#include "report/json_writer.h"
#include "report/text.h"

namespace gw {

using namespace text;

void print_fewshot(std::FILE* out, const FewshotWalk& w, const Tokenizer& tok, const std::string& model_dir) {
    if (w.shots.empty()) return;
    const FewshotShot& last = w.shots.back();
    std::fprintf(out, "gptwalk walk fewshot: in-context \"learning\" as movement of the context vector\n");
    std::fprintf(out, "model:  %s\n", model_dir.c_str());
    std::fprintf(out, "task:   %s; answer: %s (id %d), the first token of \"%s\"\n", w.task.name.c_str(),
                 token_label(&tok, last.answer).c_str(), last.answer, w.task.query.output.c_str());
    std::fprintf(out, "prompt with k = %lld examples (k = 0 keeps only the last line):\n", (long long)last.k);
    std::string text = fewshot_prompt(w.task, last.k);
    for (size_t i = 0, j; i < text.size(); i = j + 1) {
        j = text.find('\n', i);
        if (j == std::string::npos) j = text.size();
        std::fprintf(out, "  | %s\n", text.substr(i, j - i).c_str());
    }
    std::fprintf(out, "\n  k  tokens   rank  p(answer)    logit  cos(c_t,e_ans)   |c_t|  cos(c_t,prev k)  top token (p)\n");
    for (const FewshotShot& s : w.shots) {
        std::fprintf(out, "%3lld  %6zu  %5lld  %9.6f  %7.4f  %14.4f  %6.2f  %15s  %s (%.4f)\n", (long long)s.k,
                     s.prompt.size(), (long long)s.rank, s.prob, double(s.logit), s.cos_answer, s.context_norm,
                     or_dash("%.4f", s.cos_prev).c_str(), token_label(&tok, s.top_token).c_str(), s.top_prob);
    }
    std::fprintf(out, "\n  rank: 1 + tokens with a larger logit; p: softmax(logits); c_t: the context vector after\n"
                      "  the prompt (ln_f output of its last position); every k runs from a fresh, empty cache.\n");
    std::fprintf(out, "weights checksum (every tensor) before %s, after %s: %s\n", hex64(w.checksum_before).c_str(),
                 hex64(w.checksum_after).c_str(),
                 w.checksum_before == w.checksum_after
                     ? "identical.\nNothing was learned: the examples only moved c_t (Singh 2023)."
                     : "DIFFERENT (a bug: walks must never write weights)");
}

std::string fewshot_json(const FewshotWalk& w, const Tokenizer& tok, const std::string& model_dir) {
    std::vector<std::string> shots, examples;
    for (const FewshotShot& s : w.shots)
        shots.push_back(json::object({
            json::field("k", json::num(s.k)), json::field("prompt_ids", json::numbers(s.prompt)),
            json::field("answer", json::num(s.answer)), json::field("answer_text", json::str(token_label(&tok, s.answer))),
            json::field("rank", json::num(s.rank)), json::field("prob", json::num(s.prob)),
            json::field("logit", json::num(s.logit)), json::field("cos_answer", json::num(s.cos_answer)),
            json::field("top_token", json::num(s.top_token)),
            json::field("top_text", json::str(token_label(&tok, s.top_token))), json::field("top_prob", json::num(s.top_prob)),
            json::field("entropy", json::num(s.entropy)), json::field("context_norm", json::num(s.context_norm)),
            json::field("cos_prev", json::num(s.cos_prev))}));
    for (const FewshotPair& p : w.task.examples) examples.push_back(json::strings({p.input, p.output}));
    return json::document({
        json::field("kind", json::str("fewshot_walk")), json::field("model", json::str(model_dir)),
        json::field("task", json::str(w.task.name)), json::field("separator", json::str(w.task.separator)),
        json::field("examples", json::array(examples)),
        json::field("query", json::strings({w.task.query.input, w.task.query.output})),
        json::field("shots", json::lines(shots)),
        json::field("checksum_before", json::str(hex64(w.checksum_before))),
        json::field("checksum_after", json::str(hex64(w.checksum_after))),
        json::field("definitions", json::text_object({
            {"rank", "1 + number of tokens with a larger logit than the answer"},
            {"prob", "softmax(logits)[answer] at the prompt's last position"},
            {"cos_answer", "cos(c_t, e_answer), c_t = ln_f output at the last position"},
            {"cos_prev", "cos(c_t with k examples, c_t with k-1 examples); null for the first"},
            {"checksum", "FNV-1a over every weight tensor's float bits, in weight-table order"},
        })),
    });
}

Image fewshot_picture(const FewshotWalk& w, const Tokenizer& tok) {
    Series rank{"answer", {}, {}, true, true, {}}, prob{"answer", {}, {}, true, true, {}},
        cosine{"answer", {}, {}, true, true, {}};
    for (const FewshotShot& s : w.shots) {
        double k = double(s.k);
        rank.x.push_back(k);
        rank.y.push_back(std::log10(double(s.rank)));
        rank.point_labels.push_back(std::to_string(s.rank));
        prob.x.push_back(k);
        prob.y.push_back(s.prob);
        cosine.x.push_back(k);
        cosine.y.push_back(s.cos_answer);
    }
    auto chart = [](const std::string& title, const std::string& y, const Series& s) {
        Chart c;
        c.title = title;
        c.x_label = "k (examples in the prompt)";
        c.y_label = y;
        c.series = {s};
        return render_chart(c, 520, 440);
    };
    std::string answer = w.shots.empty() ? std::string() : token_ascii(&tok, w.shots[0].answer);
    return compose_grid({chart("Rank of the answer (labels: rank)", "log10 rank (0 = top)", rank),
                         chart("Probability of the answer", "softmax probability", prob),
                         chart("cos(c_t, e_answer)", "cosine", cosine)},
                        3, cat("Few-shot (", w.task.name, "): the answer ", answer, " as examples are added; weights fixed"));
}

}  // namespace gw
