// model/model_dir.cpp — the shipped model's folder, found from the working directory or
// from the executable (lesson 00).
#include "model/model_dir.h"

#include <unistd.h>  // readlink

#include "core/mapped_file.h"  // file_exists

namespace gw {

std::string default_model_dir() {
    const std::string shipped = "weights/tiny-gpt2";
    if (file_exists(shipped + "/config.json")) return shipped;
    // build/gptwalk, build/lessons/00-setup or build/debug/lessons/00-setup: the repository
    // is one to three folders above the program's own folder.
    char buf[4096];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        const std::string exe(buf, size_t(n));
        std::string dir = exe.substr(0, exe.rfind('/'));
        for (int up = 0; up < 3 && !dir.empty(); up++) {
            dir = dir.substr(0, dir.rfind('/'));
            if (file_exists(dir + "/" + shipped + "/config.json")) return dir + "/" + shipped;
        }
    }
    return shipped;
}

}  // namespace gw
