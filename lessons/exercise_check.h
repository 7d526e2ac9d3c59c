// lessons/exercise_check.h — what the exercises' own check programs share
// (lessons/NN-name/exercises/*.cpp, built by the Makefile with -Ilessons).
//
// A check program computes the expected answer its own way, independently of the student's
// code, and prints it (or one line saying what failed, exiting 1).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "model/forward.h"
#include "model/model_dir.h"
#include "model/tokenizer.h"
#include "model/weights.h"

namespace exercise {

// One forward pass of the shipped model over a prompt: the ids, the last position's logits,
// and (when traced) every trace point.
struct PromptRun {
    std::unique_ptr<gw::Checkpoint> model;
    std::vector<int> ids;
    std::vector<float> logits;  // (V)
    gw::Trace trace;
};

inline PromptRun run_prompt(const std::string& prompt, bool traced) {
    const std::string dir = gw::default_model_dir();
    PromptRun r;
    r.model = gw::load_checkpoint(dir);
    r.ids = gw::Tokenizer(dir).encode(prompt);
    const int64_t T = int64_t(r.ids.size());
    gw::RunState s = gw::make_run_state(r.model->config, T);
    gw::ForwardOptions o;
    if (traced) o.trace = &r.trace;
    r.logits.resize(static_cast<size_t>(r.model->config.vocab_size));
    gw::forward(r.logits.data(), *r.model, s, r.ids.data(), T, o);
    return r;
}

}  // namespace exercise
