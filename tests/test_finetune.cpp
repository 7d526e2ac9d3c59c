// test_finetune.cpp — the fine-tuning walk: what it trains on, what it changes (only a copy of
// the weights), and that its record holds together. A short run on the shipped model.
#include <doctest/doctest.h>

#include <cstdlib>  // llabs
#include <set>
#include <string>

#include "core/json.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "report/finetune_io.h"
#include "walks/finetune.h"
#include "walks/neighbours.h"  // all_weights_checksum

using namespace gw;

TEST_CASE("default_finetune_task: training never sees the query or a held-out pair") {
    const FinetuneTask t = default_finetune_task();
    std::set<std::string> trained;
    for (const FewshotPair& p : t.train) trained.insert(p.input + "," + p.output);
    CHECK(trained.size() == 15);
    CHECK(t.held_out.size() == 3);
    CHECK(!trained.count(t.fewshot.query.input + "," + t.fewshot.query.output));
    for (const FewshotPair& p : t.held_out) CHECK(!trained.count(p.input + "," + p.output));
}

TEST_CASE("finetune_walk: a copy of the weights is tuned; the record is consistent") {
    const std::string dir = "weights/tiny-gpt2";
    auto model = load_checkpoint(dir);
    const Tokenizer tok(dir);
    const uint64_t checksum = all_weights_checksum(*model);
    FinetuneOptions o;
    o.steps = 3;
    o.batch = 2;
    o.seq = 16;
    o.lr = 1e-3;
    o.max_k = 2;
    o.threads = 2;
    o.isa = best_isa();
    const FinetuneWalk w = finetune_walk(*model, tok, default_finetune_task(), o);
    CHECK(all_weights_checksum(*model) == checksum);       // the model given is never written
    CHECK(w.before.checksum_before == w.before.checksum_after);  // in context: nothing learned
    CHECK(w.checksum_before == checksum);
    CHECK(w.checksum_after != checksum);                    // fine-tuning: the weights moved
    CHECK(w.before.shots.size() == 3);
    CHECK(w.log.steps.size() == 3);
    CHECK(w.probes.size() == 1 + 3 + 15);
    CHECK(w.probes[0].role == "query");
    // The query's probe runs "seven," + " eight" in one forward, run_fewshot "seven," alone:
    // the same model on the same prefix, products of another height, so logits that agree to
    // float rounding (~2e-5, testing.h kForwardOrderAtol): p within 1e-4 relative (e^2e-5 - 1,
    // twice), and the rank within one place (a neighbour closer than that could swap).
    CHECK(w.probes[0].prob_before == doctest::Approx(w.before.shots[0].prob).epsilon(1e-4));
    CHECK(std::llabs(w.probes[0].rank_before - w.before.shots[0].rank) <= 1);
    CHECK(w.probes[0].prob_after == doctest::Approx(w.after.shots.at(0).prob).epsilon(1e-4));
    CHECK(std::llabs(w.probes[0].rank_after - w.after.shots.at(0).rank) <= 1);
    CHECK(w.points.size() == size_t(2 * model->config.n_layer + 1));
    CHECK(w.layers.size() == size_t(model->config.n_layer + 2));
    for (const FinetuneLayer& l : w.layers) CHECK(l.change > 0);  // AdamW moves every group
    // Three updates at lr 1e-3 on the trained lines raise their answers' log p on average.
    double before = 0, after = 0;
    for (const FinetuneProbe& p : w.probes)
        if (p.role == "trained") {
            before += p.logp_before;
            after += p.logp_after;
        }
    CHECK(after > before);
    const JsonValue j = parse_json(finetune_json(w, tok, dir), "finetune_json");
    CHECK(j.find("probes")->items.size() == w.probes.size());
    CHECK(finetune_picture(w, tok).width > 0);
}
