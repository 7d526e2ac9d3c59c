// perf/train_bench.cpp — timing training updates of a model's shape (see perf/train_bench.h).
#include "perf/train_bench.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "train/trainer.h"

namespace gw {

TrainBenchResult run_train_bench(const std::string& model_dir, const TrainBenchOptions& o) {
    TrainBenchResult r;
    r.model_dir = model_dir;
    r.options = o;
    r.config = load_config(model_dir + "/config.json");
    if (o.steps < 1 || o.warmup < 0) throw UsageError("bench --train: --repeats must be at least 1");
    if (o.seq < 1 || o.seq > r.config.n_positions)
        throw UsageError(cat("bench --train: --seq must be between 1 and n_positions ", r.config.n_positions));
    TrainSettings s;
    s.batch = o.batch;
    s.seq = o.seq;
    s.optimizer.steps = o.warmup + o.steps;
    s.seed = o.seed;
    s.threads = o.threads;
    s.isa = o.isa;
    auto run = make_train_run(r.config, s, nullptr);
    init_gpt2(run->params.data(), run->layout, o.seed);  // in place: no second copy at the peak
    // Random ids, enough for every window to differ: the text's content does not matter.
    const std::vector<int> ids = bench_tokens(std::max<int64_t>(4096, 4 * o.batch * o.seq), r.config.vocab_size, o.seed);
    std::vector<double> rates;
    double cpu0 = 0, tokens = 0;
    for (int i = 0; i < o.warmup + o.steps; i++) {
        if (i == o.warmup) {  // from here on, time
            run->times = TrainTimes{};
            cpu0 = process_cpu_seconds();
        }
        const StepRecord step = train_step(*run, ids);
        r.last_loss = step.loss;
        if (i < o.warmup) continue;
        rates.push_back(double(step.tokens) / step.seconds);
        r.step_s += step.seconds;
        tokens += double(step.tokens);
    }
    r.cpu_tok_s = tokens / (process_cpu_seconds() - cpu0);
    r.tok_s = summarize(rates);
    r.times = run->times;
    r.params_bytes = run->params.size() * sizeof(float);
    r.grads_bytes = run->grads.size() * sizeof(float);
    r.moments_bytes = (run->opt.m.size() + run->opt.v.size()) * sizeof(float);
    r.activation_bytes = train_activation_bytes(run->acts);
    r.memory = memory_use();
    return r;
}

}  // namespace gw
