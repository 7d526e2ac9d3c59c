// core/error.h — how gptwalk reports failure.
//
// Library code throws gw::Error with a one-line message that names the file and
// the problem ("weights/x/model.safetensors: tensor 'wte.weight': expected shape
// (50257, 768), got (50257, 769)"). main() catches it, prints the line, returns 1.
// `assert` is kept for internal invariants only (things no input can cause).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace gw {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Usage errors (bad flags, bad values on the command line): main() exits 2.
struct UsageError : Error {
    using Error::Error;
};

// cat("a", 1, 'b') == "a1b": builds a message from any streamable pieces.
template <typename... Args>
std::string cat(const Args&... args) {
    std::ostringstream s;
    (s << ... << args);
    return s.str();
}

template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
    throw Error(cat(args...));
}

}  // namespace gw
