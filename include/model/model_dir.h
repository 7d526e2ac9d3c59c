// model/model_dir.h — where the shipped model is, from any working directory.
//
// The command line and the lesson demos default to the tiny model that ships in
// weights/tiny-gpt2. Run from the repository root (as the README and the lessons do),
// that relative path is used as it is, so printed output does not depend on where the
// checkout lives; run from anywhere else, the folder is found beside the program's own
// build folder (build/gptwalk, build/lessons/NN-name, build/debug/...).
#pragma once
#include <string>

namespace gw {

// "weights/tiny-gpt2" when it exists relative to the working directory; otherwise
// <repository>/weights/tiny-gpt2 found from the running executable's path (up to three
// folders above it); otherwise "weights/tiny-gpt2" again, so the error names that path.
std::string default_model_dir();

}  // namespace gw
