// test_output_file.cpp — outputs are written to a temporary file and renamed into place:
// a failure leaves the old file as it was, and a FIFO or device is refused, never opened.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/mapped_file.h"
#include "core/output_file.h"
#include "testing.h"

using namespace gw;
using gw::testing::TempDir;

static int files_in(const std::string& dir) {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) n += entry.exists();
    return n;
}

// The message of the gw::Error that fn throws ("" if none).
template <class Fn>
static std::string error_of(Fn fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST_CASE("a new file, then a replaced one; no temporary file is left") {
    TempDir tmp;
    const std::string path = tmp.file("out.json");
    write_output_file(path, "first");
    CHECK(read_file(path) == "first");
    write_output_file(path, "second, longer");
    CHECK(read_file(path) == "second, longer");
    CHECK(files_in(tmp.path) == 1);
    // the permissions of a new file (mkstemp's 0600 is not kept)
    struct stat st;
    REQUIRE(stat(path.c_str(), &st) == 0);
    const mode_t mask = umask(0);
    umask(mask);
    CHECK((st.st_mode & 0777) == (0666 & ~mask));
}

TEST_CASE("an output never committed leaves the old file and no temporary one") {
    TempDir tmp;
    const std::string path = tmp.file("keep.npy");
    write_output_file(path, "old contents");
    {
        OutputFile f(path);
        f.write("half of the new");
    }  // dropped, as when an error is thrown between write and commit
    CHECK(read_file(path) == "old contents");
    CHECK(files_in(tmp.path) == 1);
}

TEST_CASE("a write that fails (file size limit, as a full disk) leaves the old file") {
    TempDir tmp;
    const std::string path = tmp.file("big.bin");
    write_output_file(path, "the good old file");
    struct rlimit old;
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
    struct sigaction ignore = {}, saved = {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &ignore, &saved);  // the write then fails with EFBIG instead of a signal
    struct rlimit small = old;
    small.rlim_cur = 4096;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    const std::string msg = error_of([&] { write_output_file(path, std::string(100000, 'x')); });
    setrlimit(RLIMIT_FSIZE, &old);
    sigaction(SIGXFSZ, &saved, nullptr);
    CHECK(msg.find("'" + path + "': cannot write") != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
    CHECK(read_file(path) == "the good old file");
    CHECK(files_in(tmp.path) == 1);
}

TEST_CASE("/dev/full, a FIFO and a folder are refused without being opened") {
    TempDir tmp;
    const std::string fifo = tmp.file("pipe");
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    for (const std::string& target : {std::string("/dev/full"), fifo, tmp.path}) {
        CAPTURE(target);
        const std::string msg = error_of([&] { write_output_file(target, "x"); });
        CHECK(msg.find("'" + target + "': not a regular file") != std::string::npos);
    }
    struct stat st;
    REQUIRE(stat(fifo.c_str(), &st) == 0);
    CHECK(S_ISFIFO(st.st_mode));  // still the FIFO, not replaced
}

TEST_CASE("a folder that does not exist is one line naming the target") {
    const std::string msg = error_of([] { write_output_file("/nonexistent-gptwalk-dir/out.png", "x"); });
    CHECK(msg.find("'/nonexistent-gptwalk-dir/out.png': cannot create a file beside it") != std::string::npos);
}

TEST_CASE("the CLI: --png and --json to /dev/full fail with one line, exit 1") {
    for (const char* flag : {"--png", "--json"}) {
        CAPTURE(flag);
        std::string out;
        const int rc = gw::testing::run_command(gw::testing::shell_quote(gw::testing::gptwalk_binary()) +
                                                    " walk positions --span 4 " + flag + " /dev/full 2>&1 >/dev/null",
                                                &out);
        CHECK(rc == 1);
        CHECK(out == "gptwalk: '/dev/full': not a regular file (outputs are written to a new file and renamed into place)\n");
    }
}

// ---------------------------------------------------------------- folders (training checkpoints)

TEST_CASE("OutputFolder: a new folder, then a replaced one, as a whole; nothing temporary is left") {
    TempDir tmp;
    const std::string dir = tmp.file("ckpt");
    {
        OutputFolder f(dir, "MARKER");
        write_output_file(f.file("MARKER"), "1");
        write_output_file(f.file("a.txt"), "first");
        CHECK(!file_exists(dir + "/a.txt"));  // nothing under the name before commit
        f.commit();
    }
    CHECK(read_file(dir + "/a.txt") == "first");
    {
        OutputFolder f(dir, "MARKER");
        write_output_file(f.file("MARKER"), "2");
        write_output_file(f.file("b.txt"), "second");
        f.commit();
    }
    CHECK(read_file(dir + "/b.txt") == "second");
    CHECK(!file_exists(dir + "/a.txt"));  // the old folder went as a whole
    CHECK(files_in(tmp.path) == 1);       // no temporary or old folder beside it
    {
        OutputFolder f(dir, "MARKER");  // never committed: the old folder stays as it was
        write_output_file(f.file("MARKER"), "3");
        write_output_file(f.file("c.txt"), "third");
    }
    CHECK(read_file(dir + "/MARKER") == "2");
    CHECK(files_in(tmp.path) == 1);
}

TEST_CASE("OutputFolder refuses to replace what it did not write: a file, a folder without the marker") {
    TempDir tmp;
    testing::write_text_file(tmp.file("file"), "x");
    std::filesystem::create_directory(tmp.file("mine"));
    testing::write_text_file(tmp.file("mine/notes.txt"), "keep me");
    CHECK_THROWS_WITH_AS(OutputFolder(tmp.file("file"), "MARKER"), doctest::Contains("is not a folder"), Error);
    CHECK_THROWS_WITH_AS(OutputFolder(tmp.file("mine"), "MARKER"), doctest::Contains("no MARKER"), Error);
    CHECK(read_file(tmp.file("mine/notes.txt")) == "keep me");
    std::filesystem::create_directory(tmp.file("empty"));
    OutputFolder ok(tmp.file("empty"), "MARKER");  // an empty folder may be replaced
    ok.commit();
    CHECK(files_in(tmp.path) == 3);
}
