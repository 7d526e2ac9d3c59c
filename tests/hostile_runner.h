// hostile_runner.h — runs the gptwalk CLI as the hostile suites need it: many runs at a
// time, each under a time and memory bound, with stdout to a pipe, a file (/dev/full) or
// closed, and a hook to act while a run is under way (cut its checkpoint short); and the
// checks of the CLI's contract for a failure (exit code, one printable line) and a success.
//
// Header-only on purpose: the Makefile links each tests/test_*.cpp with tests/main.cpp and
// tests/testing.cpp only. tests/hostile_inputs.h includes it.
#pragma once
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "testing.h"

namespace gw::hostile {

// ---------------------------------------------------------------- running the CLI

struct Run {
    std::string line;       // the command, for messages
    int rc = -1;            // exit status; 128 + signal if killed by one
    std::string out, err;   // what it wrote to stdout and to stderr
    double seconds = 0;     // wall time
    double cpu_seconds = 0; // user + system time of the child
    long max_rss_kb = 0;    // peak resident memory of gptwalk (VmHWM sampled while it runs; see rss_of)
    bool timed_out = false; // killed after timeout_s
    bool too_big = false;   // killed when its resident memory passed rss_limit_kb
};

// Where a run's stdout goes: the runner's pipe, a file opened for writing ("/dev/full"),
// or nowhere (closed, as `gptwalk ... >&-` leaves it).
struct Stdout {
    std::string file;    // empty: the pipe
    bool closed = false;
};

// Bounds on one run: a run past them is killed and reported (timed_out, too_big).
struct Bounds {
    double timeout_s = 20;
    long rss_limit_kb = 1L << 20;
};

// Resident memory of a running gptwalk now and at its peak, in kB (0 before it has
// exec'd, or once it is gone). getrusage's ru_maxrss alone will not do: Linux starts a
// forked child's figure at the parent's resident size at fork and exec keeps it, so it
// counts the test process (200 MB of a sanitizer build) as the child's own. It is used
// only where it must be the child's: above this process's own peak (own_peak_kb).
struct Rss {
    long now_kb = 0, peak_kb = 0;
};
inline Rss rss_of(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");  // "Name:\tgptwalk", "VmHWM:  123 kB", ...
    Rss r;
    std::string key;
    bool ours = false;
    for (std::string value; f >> key >> value;) {
        if (key == "Name:") ours = value == "gptwalk";
        else if (key == "VmRSS:") r.now_kb = std::atol(value.c_str());
        else if (key == "VmHWM:") r.peak_kb = std::atol(value.c_str());
        std::getline(f, value);  // the rest of the line
    }
    return ours ? r : Rss{};
}

// This process's own peak resident memory (VmHWM), in kB (0 if it cannot be read).
inline long own_peak_kb() {
    std::ifstream f("/proc/self/status");
    std::string key;
    long kb = 0;
    while (f >> key)
        if (key == "VmHWM:") return (f >> kb) ? kb : 0;
    return 0;
}

// A started child: its pipes, and the Run being filled in.
struct Child {
    pid_t pid = -1;
    int fd[2] = {-1, -1};  // its stdout and stderr (read ends)
    bool reaped = false;
    std::chrono::steady_clock::time_point t0;
    Run r;
};

inline Child start_gptwalk(const std::vector<std::string>& args, const std::string& cwd, const Stdout& out = {}) {
    Child c;
    const std::string bin = testing::gptwalk_binary();
    c.r.line = "gptwalk";
    for (const std::string& a : args) c.r.line += " " + testing::shell_quote(a);
    if (!out.file.empty()) c.r.line += " >" + out.file;
    if (out.closed) c.r.line += " >&-";
    std::vector<char*> argv{const_cast<char*>(bin.c_str())};  // built before fork: no malloc after it
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw Error("pipe failed");
    c.t0 = std::chrono::steady_clock::now();
    c.pid = fork();
    if (c.pid < 0) throw Error("fork failed");
    if (c.pid == 0) {  // the child: only async-signal-safe calls until exec
        const int in = open("/dev/null", O_RDONLY);
        dup2(in, 0), dup2(out_pipe[1], 1), dup2(err_pipe[1], 2);  // dup2 clears CLOEXEC
        if (!out.file.empty()) {
            const int f = open(out.file.c_str(), O_WRONLY);
            if (f < 0 || dup2(f, 1) < 0) _exit(124);
        }
        if (out.closed) close(1);
        if (chdir(cwd.c_str()) != 0) _exit(125);
        execv(bin.c_str(), argv.data());
        _exit(126);
    }
    close(out_pipe[1]), close(err_pipe[1]);
    c.fd[0] = out_pipe[0], c.fd[1] = err_pipe[0];
    return c;
}

// One look at a running child: takes what it wrote, reaps it once it exits, kills it past
// the bounds. True once it has exited and both its pipes are closed.
inline bool pump(Child& c, const Bounds& b) {
    for (int k = 0; k < 2; k++) {
        if (c.fd[k] < 0) continue;
        pollfd p{c.fd[k], POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) continue;
        char buf[4096];
        const ssize_t n = read(c.fd[k], buf, sizeof buf);
        if (n > 0) (k == 0 ? c.r.out : c.r.err).append(buf, size_t(n));
        else close(c.fd[k]), c.fd[k] = -1;
    }
    c.r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.t0).count();
    int status = 0;
    rusage ru{};
    if (!c.reaped && wait4(c.pid, &status, WNOHANG, &ru) == c.pid) {
        c.reaped = true;
        c.r.cpu_seconds = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                          double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
        c.r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        // Sampling misses a peak between two looks (a run that allocates and exits within
        // 5 ms); ru_maxrss catches it wherever it exceeds what the fork could have carried.
        if (ru.ru_maxrss > own_peak_kb()) c.r.max_rss_kb = std::max(c.r.max_rss_kb, long(ru.ru_maxrss));
    } else if (!c.reaped) {
        const Rss rss = rss_of(c.pid);
        c.r.max_rss_kb = std::max(c.r.max_rss_kb, rss.peak_kb);
        if (c.r.seconds > b.timeout_s) c.r.timed_out = true;
        else if (rss.now_kb > b.rss_limit_kb) c.r.too_big = true;
        if (c.r.timed_out || c.r.too_big) kill(c.pid, SIGKILL);
    }
    return c.reaped && c.fd[0] < 0 && c.fd[1] < 0;
}

// Waits up to 5 ms for any of the children to write something.
inline void wait_for_output(const std::vector<Child*>& children) {
    std::vector<pollfd> fds;
    for (const Child* c : children)
        for (int k = 0; k < 2; k++)
            if (c->fd[k] >= 0) fds.push_back({c->fd[k], POLLIN, 0});
    if (fds.empty() || poll(fds.data(), fds.size(), 5) <= 0) usleep(fds.empty() ? 2000 : 0);
}

// Runs BUILD/gptwalk once per argument list (no shell: any bytes pass through), up to
// `jobs` at a time, each in `cwd` with stdin from /dev/null. Kills a run after timeout_s
// seconds, or as soon as its resident memory passes rss_limit_kb, so an input that makes
// it hang or allocate wildly fails the test instead of the machine. Results in order.
inline std::vector<Run> run_many(const std::vector<std::vector<std::string>>& commands,
                                 const std::string& cwd, int jobs = 4, double timeout_s = 20,
                                 long rss_limit_kb = 1L << 20) {
    const Bounds bounds{timeout_s, rss_limit_kb};
    std::vector<Run> done(commands.size());
    std::vector<std::pair<size_t, Child>> active;
    size_t next = 0;
    while (next < commands.size() || !active.empty()) {
        while (next < commands.size() && int(active.size()) < jobs) {
            active.emplace_back(next, start_gptwalk(commands[next], cwd));
            next++;
        }
        std::vector<Child*> children;
        for (auto& a : active) children.push_back(&a.second);
        wait_for_output(children);
        for (size_t a = 0; a < active.size();) {
            if (pump(active[a].second, bounds)) {
                done[active[a].first] = std::move(active[a].second.r);
                active.erase(active.begin() + long(a));
            } else {
                a++;
            }
        }
    }
    return done;
}

inline Run run_gptwalk(const std::vector<std::string>& args, const std::string& cwd,
                       double timeout_s = 20, long rss_limit_kb = 1L << 20) {
    return run_many({args}, cwd, 1, timeout_s, rss_limit_kb)[0];
}

// One run with its stdout sent elsewhere; `during`, when given, is called as output
// arrives (with the run so far) until it returns true: a test's way to act mid-run.
inline Run run_gptwalk_with(const std::vector<std::string>& args, const std::string& cwd, const Stdout& out,
                            const std::function<bool(const Run&)>& during = nullptr, const Bounds& b = {}) {
    Child c = start_gptwalk(args, cwd, out);
    bool acted = !during;
    while (!pump(c, b)) {
        wait_for_output({&c});
        if (!acted) acted = during(c.r);
    }
    return std::move(c.r);
}

inline std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    for (size_t i = 0, j; i < s.size(); i = j + 1) {
        j = std::min(s.find('\n', i), s.size());
        out.push_back(s.substr(i, j - i));
    }
    return out;
}

inline int count_lines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

// The control characters of `s` before its final newline: C0 (ESC, CR, ...), DEL, and the
// C1 range U+0080..U+009F, which some terminals obey as escape sequences (U+009B is CSI).
inline int control_characters(const std::string& s) {
    int n = 0;
    const size_t end = !s.empty() && s.back() == '\n' ? s.size() - 1 : s.size();
    for (size_t i = 0; i < end; i++) {
        const uint8_t c = uint8_t(s[i]);
        n += c < 0x20 || c == 0x7F || (c == 0xC2 && i + 1 < end && uint8_t(s[i + 1]) >= 0x80 && uint8_t(s[i + 1]) <= 0x9F);
    }
    return n;
}

// The contract for every failure: no crash, hang or sanitizer report; exit code `rc`;
// stderr is exactly one line "gptwalk: ..." holding every needle (the file, a key word),
// with no control character in it (strings from files are quoted and escaped).
inline void check_error(const Run& r, int rc, const std::vector<std::string>& needles) {
    INFO(r.line);
    INFO("stderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK_FALSE(r.too_big);
    CHECK(r.rc == rc);
    CHECK(count_lines(r.err) == 1);
    CHECK(control_characters(r.err) == 0);
    CHECK(r.err.rfind("gptwalk: ", 0) == 0);
    CHECK(r.err.find("Sanitizer") == std::string::npos);
    CHECK(r.err.find("runtime error") == std::string::npos);
    for (const std::string& n : needles) {
        INFO("wanted in the message: " << n);
        CHECK(r.err.find(n) != std::string::npos);
    }
}

// A command and what its one-line refusal must say.
struct Refusal {
    std::vector<std::string> args;
    std::vector<std::string> says;
};

// Runs the commands (a few at a time) and checks each is refused: exit `rc`, one line
// holding its needles.
inline void check_refused(const std::vector<Refusal>& cases, const std::string& cwd, int rc = 1,
                          double timeout_s = 20) {
    std::vector<std::vector<std::string>> commands;
    for (const Refusal& c : cases) commands.push_back(c.args);
    const std::vector<Run> runs = run_many(commands, cwd, 4, timeout_s);
    for (size_t i = 0; i < runs.size(); i++) check_error(runs[i], rc, cases[i].says);
}

// Success: exit 0 and nothing from the sanitizers (stderr may carry a status line).
inline void check_ok(const Run& r) {
    INFO(r.line);
    INFO("stderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK_FALSE(r.too_big);
    CHECK(r.rc == 0);
    CHECK(r.err.find("Sanitizer") == std::string::npos);
    CHECK(r.err.find("runtime error") == std::string::npos);
}

}  // namespace gw::hostile
