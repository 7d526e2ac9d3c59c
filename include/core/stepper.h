// core/stepper.h — `--step`: pause between the stages of a demo so a student can read.
//
// Pauses only when asked AND standard input is a terminal: piped or redirected
// input (CI, scripts, `make test-lessons`) never blocks.
#pragma once
#include <string>

namespace gw {

struct Stepper {
    bool enabled = false;
    explicit Stepper(bool requested);            // enabled = requested && stdin is a terminal
    void pause(const std::string& next_stage);  // "-- next: <stage> (Enter) --", waits for a line
};

}  // namespace gw
