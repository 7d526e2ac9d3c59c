// report/train_io.cpp — the training run's progress line, JSON log and loss curve.
#include "report/train_io.h"

#include <cmath>

#include "core/error.h"
#include "core/json.h"
#include "report/json_writer.h"
#include "report/text.h"

namespace gw {

using text::format;

std::string duration_text(double s) {
    if (!std::isfinite(s) || s < 0) return "?";
    const long long t = (long long)(s + 0.5);
    if (t < 60) return format("%llds", t);
    if (t < 3600) return format("%lldm%02llds", t / 60, t % 60);
    return format("%lldh%02lldm", t / 3600, (t % 3600) / 60);
}

std::string progress_line(const StepRecord& r, int64_t total, double val_loss, double tok_s, double eta_s,
                          bool terminal) {
    std::string line = format("step %lld/%lld  loss %.4f", (long long)r.step, (long long)total, r.loss);
    if (std::isfinite(val_loss)) line += format("  val %.4f", val_loss);
    line += format("  lr %.2e", r.lr);
    if (terminal) return line + format("  %.0f tok/s  ETA %s", tok_s, duration_text(eta_s).c_str());
    return line + format("  (%.0f tok/s)", tok_s);
}

std::string train_log_json(const TrainLog& log, const TrainSettings& s, const std::string& model,
                           const std::string& data) {
    const OptimizerConfig& o = s.optimizer;
    std::vector<std::string> steps, evals;
    for (const StepRecord& r : log.steps)
        steps.push_back(json::object({json::field("step", json::num(r.step)), json::field("loss", json::num(r.loss)),
                                      json::field("lr", json::num(r.lr)), json::field("grad_norm", json::num(r.grad_norm)),
                                      json::field("clip_scale", json::num(r.clip_scale)),
                                      json::field("tokens", json::num(r.tokens)),
                                      json::field("seconds", json::num(r.seconds))}));
    for (const EvalRecord& e : log.evals)
        evals.push_back(json::object({json::field("step", json::num(e.step)),
                                      json::field("val_loss", json::num(e.val_loss)),
                                      json::field("tokens", json::num(e.tokens))}));
    return json::document({
        json::field("kind", json::str("train_log")), json::field("model", json::str(model)),
        json::field("data", json::str(data)),
        json::field("settings",
                    json::object({json::field("optimizer", json::str(optimizer_name(o.kind))),
                                  json::field("steps", json::num(o.steps)), json::field("batch", json::num(s.batch)),
                                  json::field("seq", json::num(s.seq)), json::field("accum", json::num(s.accum)),
                                  json::field("lr", json::num(o.lr)), json::field("min_lr", json::num(o.min_lr)),
                                  json::field("warmup", json::num(o.warmup)),
                                  json::field("weight_decay", json::num(o.weight_decay)),
                                  json::field("clip", json::num(o.clip)),
                                  json::field("val_fraction", json::num(s.val_fraction)),
                                  json::field("seed", json::num(s.seed)), json::field("threads", json::num(s.threads)),
                                  json::field("kernels", json::str(isa_name(s.isa)))})),
        json::field("steps", json::lines(steps)), json::field("evals", json::lines(evals))});
}

TrainLog parse_train_log(const std::string& text, const std::string& source) {
    const JsonValue root = parse_json(text, source);
    const JsonValue* kind = root.find("kind");
    const JsonValue* steps = root.find("steps");
    const JsonValue* evals = root.find("evals");
    if (!kind || kind->text != "train_log" || !steps || !steps->is_array() || !evals || !evals->is_array())
        fail(source, ": not a training log (kind \"train_log\" with \"steps\" and \"evals\")");
    const auto number = [&](const JsonValue& o, const char* key) {
        const JsonValue* v = o.find(key);
        if (v && v->is_null()) return double(NAN);  // NaN and the infinities are written as null
        if (!v || !v->is_number()) fail(source, ": a record lacks the number \"", key, "\"");
        return v->number;
    };
    TrainLog log;
    for (const JsonValue& r : steps->items) {
        StepRecord s;
        s.step = int64_t(number(r, "step"));
        s.loss = number(r, "loss");
        s.lr = number(r, "lr");
        s.grad_norm = number(r, "grad_norm");
        s.clip_scale = number(r, "clip_scale");
        s.tokens = int64_t(number(r, "tokens"));
        s.seconds = number(r, "seconds");
        s.applied = true;
        log.steps.push_back(s);
    }
    for (const JsonValue& r : evals->items)
        log.evals.push_back({int64_t(number(r, "step")), number(r, "val_loss"), int64_t(number(r, "tokens"))});
    return log;
}

Image loss_curve_picture(const TrainLog& log, const std::string& title) {
    Series train{"training loss (each update's windows)", {}, {}, true, false, {}};
    Series val{"validation loss (held-out text)", {}, {}, true, true, {}};
    for (const StepRecord& r : log.steps) {
        train.x.push_back(double(r.step));
        train.y.push_back(r.loss);
    }
    for (const EvalRecord& e : log.evals) {
        val.x.push_back(double(e.step));
        val.y.push_back(e.val_loss);
    }
    Chart c;
    c.title = title;
    c.x_label = "update";
    c.y_label = "loss (nats per token)";
    c.series = {train, val};
    return render_chart(c, 900, 520);
}

}  // namespace gw
