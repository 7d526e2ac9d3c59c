// walks/fewshot.cpp — k = 0..K examples of a pattern, and where the answer's token vector stands.
#include "walks/fewshot.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.h"
#include "core/vecmath.h"      // softmax_probs, entropy_nats, rank_of, cosine, norm
#include "model/forward.h"     // forward, last_context
#include "model/sampler.h"     // argmax
#include "model/tokenizer.h"
#include "model/weights.h"
#include "walks/neighbours.h"  // all_weights_checksum

namespace gw {

// Number words and the next one, shown out of order so that no line can be copied from
// the one before. The tiny model (Austen, KJV, Shakespeare) has seen number words but never
// this layout; still, as examples are added, " eight" climbs from rank ~380 to ~20 and its
// probability grows ~70x (pairs of opposites or plurals moved it much less).
FewshotTask default_fewshot_task() {
    FewshotTask t;
    t.name = "number words: the next number";
    t.examples = {{"two", "three"}, {"four", "five"}, {"six", "seven"},
                  {"one", "two"},   {"three", "four"}, {"five", "six"}};
    t.query = {"seven", "eight"};
    t.separator = ",";
    return t;
}

static std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(' '), b = s.find_last_not_of(' ');
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

FewshotTask parse_fewshot_pattern(const std::string& spec) {
    FewshotTask t = default_fewshot_task();
    t.name = "--pattern";
    std::vector<FewshotPair> pairs;
    size_t i = 0;
    while (i <= spec.size()) {
        size_t j = spec.find(',', i);
        if (j == std::string::npos) j = spec.size();
        std::string item = spec.substr(i, j - i);
        size_t eq = item.find('=');
        FewshotPair p;
        if (eq != std::string::npos) p = {trim(item.substr(0, eq)), trim(item.substr(eq + 1))};
        if (eq == std::string::npos || p.input.empty() || p.output.empty())
            throw UsageError(cat("--pattern: '", item, "' is not a pair like day=night"));
        pairs.push_back(p);
        i = j + 1;
    }
    if (pairs.size() < 2)
        throw UsageError("--pattern: give at least one example and the query, e.g. day=night,good=evil");
    t.query = pairs.back();
    pairs.pop_back();
    t.examples = pairs;
    return t;
}

std::string fewshot_prompt(const FewshotTask& task, int64_t k) {
    std::string text;
    for (int64_t i = 0; i < k && i < int64_t(task.examples.size()); i++)
        text += task.examples[size_t(i)].input + task.separator + " " + task.examples[size_t(i)].output + "\n";
    return text + task.query.input + task.separator;
}

// The answer's first token: encode(prompt + " " + output) must extend encode(prompt).
static int answer_token(const Tokenizer& tok, const std::vector<int>& prompt, const std::string& text,
                        const std::string& output) {
    std::vector<int> full = tok.encode(text + " " + output);
    bool extends = full.size() > prompt.size();
    for (size_t i = 0; extends && i < prompt.size(); i++) extends = full[i] == prompt[i];
    if (!extends)
        fail("fewshot: the answer '", output, "' does not start at a token boundary after the prompt, "
             "so its first token is not a next-token prediction");
    return full[prompt.size()];
}

FewshotWalk run_fewshot(const Checkpoint& m, const Tokenizer& tok, const FewshotTask& task,
                        int64_t max_k, Isa isa) {
    const int64_t C = m.config.n_embd, V = m.config.vocab_size;
    // The answer brings its own leading space (" eight"), as GPT-2 tokens do.
    if (!task.separator.empty() && std::isspace(static_cast<unsigned char>(task.separator.back())))
        throw UsageError(cat("fewshot: the separator '", task.separator,
                             "' must not end with white space (the answer token carries its own space)"));
    require_vocabulary_fits(tok, V, m.dir);  // the answer's id indexes wte
    FewshotWalk walk;
    walk.task = task;
    walk.C = C;
    walk.checksum_before = all_weights_checksum(m);
    const int64_t K = std::min<int64_t>(std::max<int64_t>(max_k, 0), int64_t(task.examples.size()));
    std::vector<float> logits(static_cast<size_t>(V));
    for (int64_t k = 0; k <= K; k++) {
        std::string text = fewshot_prompt(task, k);
        FewshotShot s;
        s.k = k;
        s.prompt = tok.encode(text);
        s.answer = answer_token(tok, s.prompt, text, task.query.output);
        if (int64_t(s.prompt.size()) > m.config.n_positions)
            fail("fewshot: the prompt with ", k, " examples has ", s.prompt.size(),
                 " tokens, more than the context of ", m.config.n_positions);
        // A fresh state per prompt: nothing carries over from one k to the next.
        RunState state = make_run_state(m.config, int64_t(s.prompt.size()), 1, int64_t(s.prompt.size()));
        ForwardOptions fwd;
        fwd.isa = isa;
        forward(logits.data(), m, state, s.prompt.data(), int64_t(s.prompt.size()), fwd);
        require_finite_logits(logits.data(), V, cat("position ", s.prompt.size() - 1, " of the few-shot prompt with ",
                                                    k, " examples"));
        const float* c = last_context(state);
        std::vector<float> e(static_cast<size_t>(C));  // the answer's token vector
        read_row_f32(e.data(), m.w.wte, s.answer);
        std::vector<double> p = softmax_probs(logits.data(), V);
        s.rank = rank_of(logits.data(), V, s.answer);
        s.prob = p[size_t(s.answer)];
        s.logit = logits[size_t(s.answer)];
        s.cos_answer = cosine(c, e.data(), C);
        s.top_token = argmax(logits.data(), V);
        s.top_prob = p[size_t(s.top_token)];
        s.entropy = entropy_nats(p);
        s.context_norm = norm(c, C);
        s.cos_prev = k == 0 ? NAN : cosine(c, walk.contexts.data() + (k - 1) * C, C);
        walk.contexts.insert(walk.contexts.end(), c, c + C);
        walk.shots.push_back(std::move(s));
    }
    walk.checksum_after = all_weights_checksum(m);
    return walk;
}

}  // namespace gw
