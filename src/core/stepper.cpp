// core/stepper.cpp — pause between demo stages when stdin is a terminal.
#include "core/stepper.h"

#include <unistd.h>  // isatty

#include <cstdio>

namespace gw {

Stepper::Stepper(bool requested) : enabled(requested && isatty(STDIN_FILENO)) {}

void Stepper::pause(const std::string& next_stage) {
    if (!enabled) return;
    std::fprintf(stderr, "\n-- next: %s (press Enter) --", next_stage.c_str());
    std::fflush(stderr);
    int c;
    while ((c = std::getchar()) != '\n' && c != EOF) {
    }
    if (c == EOF) enabled = false;  // stdin closed: stop pausing
}

}  // namespace gw
