// test_mapped_file.cpp — opening files for reading (never blocking on a FIFO), whole-file
// reads (to the end, /proc included, within a limit), and a mapping cut short under us:
// one line naming the file and exit 1, not SIGBUS.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "core/error.h"
#include "core/mapped_file.h"
#include "testing.h"

using namespace gw;
using gw::testing::TempDir;

namespace {

template <class Fn>
std::string error_of(Fn fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("what is not a regular file is refused by name, a FIFO without blocking") {
    TempDir tmp;
    const std::string fifo = tmp.file("fifo");
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    // A blocking open of a FIFO would wait here for a writer that never comes; doctest would
    // hang rather than fail, so the time is the evidence that nothing blocked.
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(error_of([&] { read_file(fifo); }) == fifo + ": not a regular file (a FIFO); give a file");
    CHECK(error_of([&] { MappedFile m(fifo); }) == fifo + ": not a regular file (a FIFO); give a file");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(error_of([&] { read_file(tmp.path); }) == tmp.path + ": not a regular file (a directory); give a file");
    CHECK(error_of([] { read_file("/dev/null"); }) == "/dev/null: not a regular file (a character device); give a file");
    CHECK(error_of([&] { read_file(tmp.file("none")); }) == tmp.file("none") + ": cannot open: No such file or directory");
    CHECK(file_exists(fifo));  // found, then refused by what it is
    CHECK_FALSE(file_exists(tmp.file("none")));
}

TEST_CASE("read_file reads to the end: /proc files say they are empty and are not") {
    InputFile status("/proc/self/status");
    CHECK(status.size() == 0);
    const std::string text = read_file("/proc/self/status");
    CHECK(text.rfind("Name:", 0) == 0);  // the kernel writes the name first
    CHECK(text.find("\nPid:") != std::string::npos);
    // The limit holds for files that grow or say nothing of their size, as for others.
    TempDir tmp;
    gw::testing::write_text_file(tmp.file("ten"), "0123456789");
    CHECK(read_file(tmp.file("ten"), 10) == "0123456789");
    CHECK(error_of([&] { read_file(tmp.file("ten"), 9); }).find("more than the limit of 9") != std::string::npos);
    CHECK(error_of([] { read_file("/proc/self/status", 8); }).find("more than the limit of 8") != std::string::npos);
}

TEST_CASE("a mapped file truncated while in use: one line naming the file, exit 1") {
    // In a child process, since the handler ends the process: map 64 KiB, cut the file to
    // 4 KiB, then read the last page. Without the handler the child dies of SIGBUS.
    TempDir tmp;
    const std::string path = tmp.file("weights\nwith a newline.bin");
    gw::testing::write_text_file(path, std::string(1 << 16, 'w'));
    int err[2];
    REQUIRE(pipe(err) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(err[1], 2);
        MappedFile m(path);
        if (truncate(path.c_str(), 4096) != 0) _exit(3);
        volatile uint8_t last = m.data()[m.size() - 1];  // a page past the new end
        (void)last;
        _exit(0);
    }
    close(err[1]);
    std::string message;
    char buf[512];
    for (ssize_t n; (n = read(err[0], buf, sizeof buf)) > 0;) message.append(buf, size_t(n));
    close(err[0]);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    INFO(message);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
    CHECK(message == "test_mapped_file: \"" + tmp.path + "/weights\\nwith a newline.bin\": the file changed while it "
                     "was being read (truncated or rewritten in place); stopped\n");
}

TEST_CASE("a SIGBUS that is not about our mappings goes to the action that was there before") {
    TempDir tmp;
    gw::testing::write_text_file(tmp.file("w"), "w");
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        MappedFile installed(tmp.file("w"));  // installs the handler
        const int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);                        // (a sanitizer's report is expected, not shown)
        raise(SIGBUS);                        // no address of ours
        _exit(42);                            // (only if the signal was swallowed)
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
#if defined(__SANITIZE_ADDRESS__)
    // The action before ours is AddressSanitizer's: it reports and exits with its exit code, 1.
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
#else
    // The default action: the process dies by the signal.
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGBUS);
#endif
}
