// core/memory.cpp — available memory: /proc/meminfo, and the cgroup's limit (see memory.h).
#include "core/memory.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "core/error.h"
#include "core/mapped_file.h"  // read_file: /proc files say they are empty and are not

namespace gw {

namespace {

// The number at the start of s (after spaces), or UINT64_MAX if there is none ("max").
uint64_t leading_number(const std::string& s, size_t from = 0) {
    while (from < s.size() && s[from] == ' ') from++;
    uint64_t v = UINT64_MAX;
    std::from_chars(s.data() + from, s.data() + s.size(), v);
    return v;
}

// The file's contents, or "" when it cannot be read (an absent cgroup file is no limit).
std::string read_if_present(const std::string& path) {
    try {
        return read_file(path, 1 << 20);
    } catch (const Error&) {
        return "";
    }
}

// The smallest memory limit on the way from this process's cgroup up to the root:
// cgroup v2 writes it in memory.max, v1 in memory/.../memory.limit_in_bytes. (The limit,
// not the limit less the current use: the use counts the page cache, which holds the
// mapped checkpoint and is given back under pressure.)
uint64_t cgroup_limit_bytes() {
    const std::string self = read_if_present("/proc/self/cgroup");  // "0::/a/b" (v2), "4:memory:/a/b" (v1)
    uint64_t limit = UINT64_MAX;
    for (size_t pos = 0; pos < self.size();) {
        const size_t eol = std::min(self.find('\n', pos), self.size());
        const std::string line = self.substr(pos, eol - pos);
        pos = eol + 1;
        const size_t c1 = line.find(':'), c2 = line.find(':', c1 + 1);
        if (c1 == std::string::npos || c2 == std::string::npos) continue;
        const std::string controllers = line.substr(c1 + 1, c2 - c1 - 1);
        std::string dir = line.substr(c2 + 1);
        const bool v2 = controllers.empty(), v1 = controllers == "memory";
        if (!v1 && !v2) continue;
        const std::string root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
        const std::string file = v2 ? "/memory.max" : "/memory.limit_in_bytes";
        for (;;) {
            limit = std::min(limit, leading_number(read_if_present(root + dir + file)));
            if (dir.empty() || dir == "/") break;
            dir = dir.substr(0, dir.rfind('/'));
        }
    }
    return limit;
}

}  // namespace

uint64_t available_memory_bytes() {
    const std::string info = read_if_present("/proc/meminfo");  // "MemAvailable:   23336724 kB"
    const size_t at = info.find("MemAvailable:");
    if (at == std::string::npos) return UINT64_MAX;
    const uint64_t kb = leading_number(info, at + 13);
    if (kb == UINT64_MAX) return UINT64_MAX;
    return std::min(kb * 1024, cgroup_limit_bytes());
}

std::string memory_text(double bytes) {
    const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) bytes /= 1024, u++;
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
    return buf;
}

void require_memory(double bytes, const std::string& what) {
    const uint64_t available = available_memory_bytes();
    if (available != UINT64_MAX && bytes > double(available))
        fail(what, " needs ", memory_text(bytes), ", but only ", memory_text(double(available)),
             " of memory is available");
}

}  // namespace gw
