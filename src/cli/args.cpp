// cli/args.cpp — a small table-driven flag parser for the command line.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "cli.h"
#include "core/error.h"

namespace gw {

static const Flag* find_flag(const std::vector<Flag>& flags, const std::string& name) {
    for (const Flag& f : flags)
        if (f.name == name) return &f;
    return nullptr;
}

Args parse_args(const Command& cmd, int argc, char** argv, int first) {
    Args a;
    a.command = &cmd;
    const std::vector<Flag> flags = cmd.flags();
    for (int i = first; i < argc; i++) {
        std::string arg = argv[i];
        if (arg.size() < 2 || arg[0] != '-') {
            if (int(a.positional.size()) >= cmd.max_positional)
                throw UsageError(cat(cmd.name, ": unexpected argument '", arg, "' (see gptwalk ", cmd.name, " --help)"));
            a.positional.push_back(arg);
            continue;
        }
        std::string name = arg, value;
        bool inline_value = false;
        size_t eq = arg.find('=');
        if (eq != std::string::npos && arg.compare(0, 2, "--") == 0) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            inline_value = true;
        }
        if (name == "--help" || name == "-h") {
            a.values["--help"] = "";
            continue;
        }
        const Flag* f = find_flag(flags, name);
        if (!f) throw UsageError(cat(cmd.name, ": unknown flag '", name, "' (see gptwalk ", cmd.name, " --help)"));
        if (f->value.empty()) {
            if (inline_value) throw UsageError(cat(cmd.name, ": ", name, " takes no value"));
        } else if (!inline_value) {
            if (i + 1 >= argc) throw UsageError(cat(cmd.name, ": ", name, " needs a value (", f->value, ")"));
            value = argv[++i];
        }
        if (a.values.count(name)) throw UsageError(cat(cmd.name, ": ", name, " given twice"));
        a.values[name] = value;
    }
    return a;
}

std::string Args::str(const std::string& flag, const std::string& fallback) const {
    auto it = values.find(flag);
    return it == values.end() ? fallback : it->second;
}

int64_t Args::integer(const std::string& flag, int64_t fallback, int64_t lo, int64_t hi) const {
    auto it = values.find(flag);
    if (it == values.end()) return fallback;
    const std::string& s = it->second;
    int64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
        throw UsageError(cat(flag, " expects a whole number, got '", s, "'"));
    if (v < lo || v > hi) throw UsageError(cat(flag, " must be between ", lo, " and ", hi, ", got ", v));
    return v;
}

double Args::real(const std::string& flag, double fallback, double lo, double hi) const {
    auto it = values.find(flag);
    if (it == values.end()) return fallback;
    const std::string& s = it->second;
    char* end = nullptr;
    double v = s.empty() ? NAN : std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v))
        throw UsageError(cat(flag, " expects a number, got '", s, "'"));
    if (v < lo || v > hi) throw UsageError(cat(flag, " must be between ", lo, " and ", hi, ", got ", s));
    return v;
}

void print_command_help(const Command& cmd) {
    std::printf("usage: gptwalk %s %s\n\n%s\n\n", cmd.name.c_str(), cmd.usage.c_str(),
                cmd.summary.c_str());
    for (const Flag& f : cmd.flags()) {
        std::string left = f.name + (f.value.empty() ? "" : " " + f.value);
        std::printf("  %-26s %s\n", left.c_str(), f.help.c_str());
    }
    std::printf("  %-26s %s\n", "--help", "this message");
}

}  // namespace gw
