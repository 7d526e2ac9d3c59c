// check_lessons.cpp — keeps the lessons honest: runs every checked command shown in
// a lesson's README.md and compares its output with the output printed there.
//
// A checked block in a lesson README looks like this (the info string "console check"):
//
//   ```console check
//   $ build/lessons/05-layer-norm
//   mean of x: 0.25
//   ```
//
// Each line starting with "$ " is a command (run with /bin/sh from the repository
// root, stdin from /dev/null); the lines after it, up to the next "$ " or the end of
// the block, are its expected stdout. Comparison is exact, line by line, except that
// with "console check tol=1e-3" every number in a line may differ from the printed
// one by at most tol * max(1, |printed|) (a documented per-block numeric tolerance),
// plus one unit in the last place the lesson printed it with, and runs of blanks are
// ignored (so a column's padding may follow a number's width).
// A leading "build/" in a command is replaced by the BUILD folder given to us. A command
// "PROGRAM | FILTER" whose PROGRAM an earlier block already ran reuses that run's output.
//
// Why the last place: a printed number is the computed one rounded to its last digit, and
// the computed one differs from CPU to CPU in its last bits (OpenBLAS's kernels add in
// other orders). Two values a hair apart on either side of a rounding boundary print one
// unit apart -- 0.790 and 0.791 -- however small tol is, so values within tol print within
// tol + one unit. Integers ("1026", a rank, a count) are exact, not rounded: tol alone.
//
// usage: check_lessons BUILD README.md...   exit 0 if every block matches, 1 otherwise.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Check {
    std::string file;
    int line = 0;  // line of the command in the README
    std::string command;
    std::vector<std::string> expected;
    double tol = -1;  // < 0: exact
};

std::vector<Check> read_checks(const std::string& path) {
    std::ifstream in(path);
    std::vector<Check> checks;
    std::string line;
    bool in_block = false;
    double tol = -1;
    int n = 0;
    while (std::getline(in, line)) {
        n++;
        if (!in_block && line.rfind("```console check", 0) == 0) {
            in_block = true;
            size_t t = line.find("tol=");
            tol = t == std::string::npos ? -1 : std::atof(line.c_str() + t + 4);
            continue;
        }
        if (!in_block) continue;
        if (line.rfind("```", 0) == 0) {
            in_block = false;
            continue;
        }
        if (line.rfind("$ ", 0) == 0) {
            checks.push_back(Check{path, n, line.substr(2), {}, tol});
        } else if (!checks.empty()) {
            checks.back().expected.push_back(line);
        }
    }
    return checks;
}

// Runs a shell command (stdin from `input`) and returns its stdout; *status is its exit status.
std::string shell(const std::string& command, const std::string& input, int* status) {
    std::string full = "( " + command + " ) <" + input + " 2>/dev/null";
    FILE* p = popen(full.c_str(), "r");
    std::string out;
    if (p) {
        char buf[4096];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, k);
        *status = pclose(p);
    } else {
        *status = -1;
    }
    return out;
}

// Where the first '|' of a pipeline is (outside quotes, not "||"), or npos.
size_t first_pipe(const std::string& c) {
    char quote = 0;
    for (size_t i = 0; i < c.size(); i++) {
        if (quote) {
            if (c[i] == quote) quote = 0;
        } else if (c[i] == '\'' || c[i] == '"') {
            quote = c[i];
        } else if (c[i] == '|') {
            if (i + 1 < c.size() && c[i + 1] == '|') return std::string::npos;
            return i;
        }
    }
    return std::string::npos;
}

// A lesson shows a long demo in pieces: "build/lessons/12-sampling | sed -n 15,27p", then
// "... | sed -n 29,34p". The program before the first '|' runs once: its output (and exit
// status) is kept in a file, and each block's filter reads it from there. The demos are
// deterministic -- that is what this checker checks -- so this changes no result, only the
// time (lesson 12's six blocks run the demo once, not six times). A failing program fails
// every block that reads it.
struct Producers {
    struct Run {
        std::string file;
        int status = 0;
    };
    std::map<std::string, Run> runs;
    ~Producers() {
        for (auto& r : runs) std::remove(r.second.file.c_str());
    }
    const Run& get(const std::string& command) {
        auto it = runs.find(command);
        if (it != runs.end()) return it->second;
        Run r;
        const std::string out = shell(command, "/dev/null", &r.status);
        char name[] = "/tmp/check_lessons-XXXXXX";
        const int fd = mkstemp(name);
        if (fd >= 0) {
            r.file = name;
            FILE* f = fdopen(fd, "wb");
            std::fwrite(out.data(), 1, out.size(), f);
            std::fclose(f);
        } else {
            r.status = -1;
        }
        return runs[command] = r;
    }
};

std::vector<std::string> run(const std::string& command, Producers& producers, int* status) {
    std::string out;
    const size_t bar = first_pipe(command);
    if (bar == std::string::npos) {
        out = shell(command, "/dev/null", status);
    } else {
        const Producers::Run& first = producers.get(command.substr(0, bar));
        out = first.status == 0 ? shell(command.substr(bar + 1), first.file, status) : "";
        if (first.status != 0) *status = first.status;
    }
    std::vector<std::string> lines;
    std::istringstream s(out);
    std::string l;
    while (std::getline(s, l)) lines.push_back(l);
    return lines;
}

// Splits a line into text and numbers: "loss 4.06 at 3000" -> "loss ", 4.06, " at ", 3000.
bool same_line(const std::string& got, const std::string& want, double tol) {
    if (tol < 0) return got == want;
    size_t i = 0, j = 0;
    auto number_at = [](const std::string& s, size_t k, double* v, size_t* len) {
        const char* b = s.c_str() + k;
        if (!(std::isdigit((unsigned char)*b) || ((*b == '-' || *b == '+' || *b == '.') &&
                                                  std::isdigit((unsigned char)b[1]))))
            return false;
        // A number starts a word: the 0 and .7 in "h.0.ln_1" or "h.7.resid_post" are names,
        // matched as text, not rounded values.
        if (k > 0 && (std::isalnum((unsigned char)s[k - 1]) || s[k - 1] == '.' || s[k - 1] == '_'))
            return false;
        char* e = nullptr;
        *v = std::strtod(b, &e);
        *len = size_t(e - b);
        return *len > 0;
    };
    // One unit in the last place of the number text s[k, k+len): 0.001 for "0.790", 1e-06 for
    // "1.0e-05"; 0 for an integer (no digit after a point, no exponent), which is not rounded.
    auto last_place = [](const std::string& s, size_t k, size_t len) {
        const std::string t = s.substr(k, len);
        const size_t dot = t.find('.'), exp = t.find_first_of("eE");
        int decimals = 0;
        if (dot != std::string::npos)
            while (dot + 1 + size_t(decimals) < t.size() &&
                   std::isdigit((unsigned char)t[dot + 1 + size_t(decimals)]))
                decimals++;
        if (exp == std::string::npos) return decimals > 0 ? std::pow(10.0, -decimals) : 0.0;
        return std::pow(10.0, std::atoi(t.c_str() + exp + 1) - decimals);
    };
    auto skip_blanks = [](const std::string& s, size_t& k) {
        while (k < s.size() && s[k] == ' ') k++;
    };
    // Hex (a checksum such as 0x25d345147d9c8bff) is text to match exactly: read as numbers,
    // its digits would pass within tol. The length of the hex word at s[k], or 0.
    auto hex_at = [](const std::string& s, size_t k) {
        if (s.compare(k, 2, "0x") != 0) return size_t(0);
        size_t n = 2;
        while (k + n < s.size() && std::isxdigit((unsigned char)s[k + n])) n++;
        return n;
    };
    for (;;) {
        // Blanks do not count: a column padded for "-1.1e-07" is one blank narrower than
        // for "2.8e-07", and both may be right within tol.
        skip_blanks(got, i);
        skip_blanks(want, j);
        if (i >= got.size() || j >= want.size()) break;
        double a, b;
        size_t la, lb;
        if (const size_t h = hex_at(want, j)) {
            if (got.compare(i, h, want, j, h) != 0 || hex_at(got, i) != h) return false;
            i += h;
            j += h;
        } else if (number_at(got, i, &a, &la) && number_at(want, j, &b, &lb)) {
            // (1 + 1e-9: "0.791" - "0.790" parses to a hair more than 0.001)
            const double unit = last_place(want, j, lb) * (1 + 1e-9);
            if (std::fabs(a - b) > tol * std::max(1.0, std::fabs(b)) + unit) return false;
            i += la;
            j += lb;
        } else {
            if (got[i] != want[j]) return false;
            i++;
            j++;
        }
    }
    return i == got.size() && j == want.size();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: check_lessons BUILD README.md...\n");
        return 2;
    }
    std::string build = argv[1];
    int checked = 0, failed = 0;
    Producers producers;
    for (int a = 2; a < argc; a++) {
        for (Check& c : read_checks(argv[a])) {
            std::string cmd = c.command;
            if (cmd.rfind("build/", 0) == 0) cmd = build + "/" + cmd.substr(6);
            int status = 0;
            std::vector<std::string> got = run(cmd, producers, &status);
            checked++;
            bool ok = status == 0 && got.size() == c.expected.size();
            size_t bad = 0;
            for (; ok && bad < got.size(); bad++)
                if (!same_line(got[bad], c.expected[bad], c.tol)) ok = false;
            if (ok) continue;
            failed++;
            std::printf("%s:%d: `%s` ", c.file.c_str(), c.line, c.command.c_str());
            if (status != 0) std::printf("exited with status %d\n", status);
            else if (got.size() != c.expected.size())
                std::printf("printed %zu lines, the lesson shows %zu\n", got.size(), c.expected.size());
            else
                std::printf("differs at output line %zu:\n  lesson: %s\n  actual: %s\n", bad,
                            c.expected[bad - 1].c_str(), got[bad - 1].c_str());
        }
    }
    std::printf("lessons: %d passed, %d failed\n", checked - failed, failed);
    return failed ? 1 : 0;
}
