// test_download.cpp — tools/download_gpt2.sh against a fake hub on 127.0.0.1, offline.
//
// Each case builds a hub layout (<root>/openai-community/gpt2/resolve/main/<file>) of
// deterministic stand-in files in a TempDir, starts build/.../tools/http_serve on it, and
// runs the script with --base-url http://127.0.0.1:PORT. Expected hashes come from
// sha256sum (coreutils) run on the stand-ins, or, for the built-in table, from the
// published values (OpenAI's encoder.json / vocab.bpe and the hub's LFS hash of gpt2).
// curl is required: without it these cases fail, they do not skip.
#include <doctest/doctest.h>
#include <fcntl.h>     // O_WRONLY, O_CREAT
#include <signal.h>    // kill
#include <spawn.h>     // posix_spawn: the server runs beside the test, not inside a shell
#include <sys/wait.h>  // waitpid
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "testing.h"

extern char** environ;  // posix_spawn passes our environment on

namespace {

namespace fs = std::filesystem;
using gw::testing::run_command;
using gw::testing::TempDir;

const std::string kScript = "tools/download_gpt2.sh";  // tests run from the repository root
const std::string kRepoPath = "openai-community/gpt2/resolve/main";
// Published hashes (see tools/download_gpt2.sh for where each comes from).
const std::string kVocabSha = "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783";
const std::string kMergesSha = "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5";
const std::string kGpt2ModelSha = "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707";
const int64_t kModelBytes = 3 * 1024 * 1024 + 123;  // stand-in model.safetensors, odd size
const int64_t kCutAfter = 1000000;                  // where --cut-after interrupts it

std::string read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

void write_bytes(const std::string& path, const std::string& data) {
    std::ofstream f(path, std::ios::binary);
    f.write(data.data(), std::streamsize(data.size()));
    REQUIRE_MESSAGE(f.good(), "cannot write " << path);
}

// n deterministic pseudo-random bytes (splitmix64).
std::string stand_in_bytes(size_t n, uint64_t seed) {
    std::string out(n, '\0');
    uint64_t s = seed;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        for (size_t j = 0; j < 8 && i + j < n; j++) out[i + j] = char((z >> (8 * j)) & 0xff);
    }
    return out;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }  // our paths have no '

// sha256 of a file by coreutils' sha256sum: an independent reference for the script.
std::string sha256_of(const std::string& path) {
    std::string out;
    REQUIRE(run_command("sha256sum " + quoted(path), &out) == 0);
    return out.substr(0, 64);
}

// The test binary is BUILD/tests/test_download; the server is BUILD/tools/http_serve.
std::string server_binary() {
    fs::path self = fs::read_symlink("/proc/self/exe");
    return (self.parent_path().parent_path() / "tools" / "http_serve").string();
}

void require_tools() {
    REQUIRE_MESSAGE(run_command("command -v curl", nullptr) == 0,
                    "curl is not installed: tools/download_gpt2.sh needs it "
                    "(Debian/Ubuntu: apt-get install curl)");
    REQUIRE_MESSAGE(fs::exists(server_binary()),
                    server_binary() << " is missing: build it with `make` (or make BUILD=... "
                                       "BUILD/tools/http_serve)");
    REQUIRE_MESSAGE(fs::exists(kScript), kScript << " not found: run the tests from the "
                                                    "repository root");
}

// A hub holding stand-ins for the four files, and a pin file with their true hashes.
struct FakeHub {
    TempDir dir;
    std::map<std::string, std::string> files;  // name -> bytes the pins describe

    FakeHub() {
        files["config.json"] = "{\"n_layer\": 2, \"n_head\": 2, \"n_embd\": 8}\n";
        files["vocab.json"] = stand_in_bytes(20000, 2);
        files["merges.txt"] = stand_in_bytes(10000, 3);
        files["model.safetensors"] = stand_in_bytes(size_t(kModelBytes), 4);
        fs::create_directories(dir.path + "/hub/" + kRepoPath);
        std::string pins;
        for (const auto& [name, bytes] : files) {
            write_bytes(served(name), bytes);
            pins += sha256_of(served(name)) + "  " + name + "\n";
        }
        write_bytes(pin_file(), pins);
    }
    std::string root() const { return dir.path + "/hub"; }
    std::string served(const std::string& name) const { return root() + "/" + kRepoPath + "/" + name; }
    std::string pin_file() const { return dir.file("pins.sha256"); }
    std::string dest() const { return dir.file("out"); }
    std::string got(const std::string& name) const { return dest() + "/" + name; }
};

// tools/http_serve in the background, stopped by its pid when the test case ends.
struct Server {
    pid_t pid = -1;
    int port = 0;
    std::string log;

    Server(const FakeHub& hub, int64_t cut_after = -1) : log(hub.dir.file("server.log")) {
        std::string port_file = hub.dir.file("port");
        fs::remove(port_file);
        std::vector<std::string> args = {server_binary(), "--root", hub.root(), "--port-file",
                                         port_file, "--log", log, "--timeout", "30"};
        if (cut_after >= 0) {
            args.push_back("--cut-after");
            args.push_back(std::to_string(cut_after));
        }
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        std::string out = hub.dir.file("server.out");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        REQUIRE_MESSAGE(rc == 0, "cannot start " << argv[0]);
        // Wait (at most 10 s) for the port; the server writes it once it listens.
        for (int i = 0; i < 1000 && port == 0; i++) {
            std::ifstream f(port_file);
            if (!(f >> port)) port = 0;
            int status;
            if (port == 0 && waitpid(pid, &status, WNOHANG) == pid) {
                pid = -1;
                FAIL("http_serve exited early: " << read_bytes(out));
            }
            if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        REQUIRE_MESSAGE(port > 0, "http_serve did not report its port within 10 s");
    }
    ~Server() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
    std::string log_text() const { return read_bytes(log); }
};

// Runs the script; every curl transfer is bounded so that no case can hang.
int run_script(const std::string& args, std::string* out) {
    return run_command(kScript + " " + args + " --max-time 60", out);
}

std::string against(const FakeHub& hub, const Server& server) {
    return "gpt2 --base-url " + server.url() + " --dest " + quoted(hub.dest());
}

int count(const std::string& text, const std::string& needle) {
    int n = 0;
    for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) n++;
    return n;
}

}  // namespace

TEST_CASE("download: a full download checks each pinned hash and gives identical bytes") {
    require_tools();
    FakeHub hub;
    Server server(hub);
    std::string out;
    int rc = run_script(against(hub, server) + " --sha256-file " + quoted(hub.pin_file()), &out);
    INFO(out);
    REQUIRE(rc == 0);
    for (const auto& file : hub.files) {
        // (no structured binding: clang 14 cannot capture one in doctest's message lambda)
        const std::string& name = file.first;
        const std::string& bytes = file.second;
        CHECK_MESSAGE(read_bytes(hub.got(name)) == bytes, name << " differs from the served file");
        CHECK(out.find(name + ": " + std::to_string(bytes.size()) + " bytes, sha256 verified") !=
              std::string::npos);
        CHECK_FALSE(fs::exists(hub.got(name) + ".partial"));
    }
    CHECK(count(server.log_text(), "GET ") == 4);

    // A second run finds every file complete and verified, and fetches nothing.
    rc = run_script(against(hub, server) + " --sha256-file " + quoted(hub.pin_file()), &out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(count(out, "already present, sha256 verified") == 4);
    CHECK(count(server.log_text(), "GET ") == 4);
}

TEST_CASE("download: an interrupted download leaves a .partial that the next run resumes") {
    require_tools();
    FakeHub hub;
    Server server(hub, kCutAfter);  // the first GET of each file stops after kCutAfter bytes
    const std::string& model = hub.files["model.safetensors"];
    REQUIRE(int64_t(model.size()) > kCutAfter);
    std::string args = against(hub, server) + " --sha256-file " + quoted(hub.pin_file());

    std::string out;
    int rc = run_script(args + " --tries 1", &out);
    INFO(out);
    CHECK(rc == 1);
    CHECK(out.find("run again to resume") != std::string::npos);
    CHECK_FALSE(fs::exists(hub.got("model.safetensors")));
    std::string partial = read_bytes(hub.got("model.safetensors.partial"));
    CHECK(int64_t(partial.size()) == kCutAfter);
    CHECK(partial == model.substr(0, size_t(kCutAfter)));

    rc = run_script(args, &out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("resuming at byte " + std::to_string(kCutAfter)) != std::string::npos);
    std::string log = server.log_text();
    INFO(log);
    CHECK(log.find("model.safetensors range=bytes=" + std::to_string(kCutAfter) +
                   "- status=206 sent=" + std::to_string(model.size() - size_t(kCutAfter))) !=
          std::string::npos);
    CHECK(read_bytes(hub.got("model.safetensors")) == model);
    CHECK_FALSE(fs::exists(hub.got("model.safetensors.partial")));
}

TEST_CASE("download: with retries, a single run resumes an interrupted transfer") {
    require_tools();
    FakeHub hub;
    Server server(hub, kCutAfter);
    std::string out;
    int rc = run_script(against(hub, server) + " --sha256-file " + quoted(hub.pin_file()), &out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(server.log_text().find("range=bytes=" + std::to_string(kCutAfter) + "-") !=
          std::string::npos);
    CHECK(read_bytes(hub.got("model.safetensors")) == hub.files["model.safetensors"]);
}

TEST_CASE("download: bytes that do not match the pinned hash are kept aside, not deleted") {
    require_tools();
    FakeHub hub;
    std::string want_sha = sha256_of(hub.served("model.safetensors"));  // what the pin says
    std::string corrupt = hub.files["model.safetensors"];
    corrupt[corrupt.size() / 2] ^= 0x01;  // one flipped bit
    write_bytes(hub.served("model.safetensors"), corrupt);
    std::string got_sha = sha256_of(hub.served("model.safetensors"));
    Server server(hub);

    std::string out;
    int rc = run_script(against(hub, server) + " --sha256-file " + quoted(hub.pin_file()), &out);
    INFO(out);
    CHECK(rc == 1);
    CHECK(want_sha != got_sha);
    CHECK(out.find("model.safetensors: sha256 mismatch") != std::string::npos);
    CHECK(out.find("expected " + want_sha) != std::string::npos);
    CHECK(out.find("got      " + got_sha) != std::string::npos);
    CHECK_FALSE(fs::exists(hub.got("model.safetensors")));
    CHECK_FALSE(fs::exists(hub.got("model.safetensors.partial")));
    CHECK(read_bytes(hub.got("model.safetensors.bad")) == corrupt);

    // Another failing run keeps the first .bad and sets the new bytes beside it.
    rc = run_script(against(hub, server) + " --sha256-file " + quoted(hub.pin_file()), &out);
    CHECK(rc == 1);
    CHECK(read_bytes(hub.got("model.safetensors.bad")) == corrupt);
    CHECK(read_bytes(hub.got("model.safetensors.bad.1")) == corrupt);
}

TEST_CASE("download: the built-in table pins the GPT-2 tokenizer under its hub names") {
    std::string out;
    for (const char* model : {"gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "distilgpt2"}) {
        INFO(model);
        REQUIRE(run_command(kScript + " " + model + " --print-pins", &out) == 0);
        CHECK(out.find(kVocabSha + "  vocab.json\n") != std::string::npos);
        CHECK(out.find(kMergesSha + "  merges.txt\n") != std::string::npos);
        // Only gpt2 (124M) has a weights hash we could check against a published source.
        bool gpt2 = std::string(model) == "gpt2";
        CHECK((out.find(kGpt2ModelSha + "  model.safetensors\n") != std::string::npos) == gpt2);
        CHECK(count(out, "\n") == (gpt2 ? 3 : 2));
    }

    // Without --sha256-file the built-in table applies: our stand-in vocab.json is rejected.
    require_tools();
    FakeHub hub;
    Server server(hub);
    int rc = run_script(against(hub, server), &out);
    INFO(out);
    CHECK(rc == 1);
    CHECK(out.find("config.json: " + std::to_string(hub.files["config.json"].size()) +
                   " bytes, not verified (no pinned hash)") != std::string::npos);
    CHECK(out.find("vocab.json: sha256 mismatch") != std::string::npos);
    CHECK(out.find("expected " + kVocabSha) != std::string::npos);
    CHECK(out.find("got      " + sha256_of(hub.served("vocab.json"))) != std::string::npos);
    CHECK(fs::exists(hub.got("vocab.json.bad")));
}

TEST_CASE("download: a file missing on the hub is an HTTP error naming the file") {
    require_tools();
    FakeHub hub;
    fs::remove(hub.served("merges.txt"));
    Server server(hub);
    std::string out;
    int rc = run_script(against(hub, server) + " --sha256-file " + quoted(hub.pin_file()), &out);
    INFO(out);
    CHECK(rc == 1);
    CHECK(out.find("merges.txt: HTTP 404") != std::string::npos);
    CHECK_FALSE(fs::exists(hub.got("model.safetensors")));  // stopped before the big file
}

TEST_CASE("download: usage errors exit 2 with one line") {
    TempDir tmp;
    std::string out;
    CHECK(run_command(kScript + " gpt3", &out) == 2);
    CHECK(out == "download_gpt2.sh: unknown model 'gpt3' (choose one of: gpt2 gpt2-medium "
                 "gpt2-large gpt2-xl distilgpt2)\n");
    CHECK(run_command(kScript, &out) == 2);
    CHECK(count(out, "\n") == 1);
    CHECK(run_command(kScript + " gpt2 --frobnicate", &out) == 2);
    CHECK(run_command(kScript + " gpt2 --tries 0", &out) == 2);
    gw::testing::write_text_file(tmp.file("pins"), "not-a-hash  vocab.json\n");
    CHECK(run_command(kScript + " gpt2 --sha256-file " + quoted(tmp.file("pins")), &out) == 2);
    CHECK(out.find(":1: expected") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.file("out")));
}

TEST_CASE("download: offline, one line of ours and no empty folder left behind") {
    // Nothing listens on 127.0.0.1 port 1: every connection is refused, as with no network.
    // curl's own lines (its error, its retries) once came out beside ours, and the empty
    // destination stayed behind, looking like a download that had started.
    require_tools();
    TempDir tmp;
    std::string out;
    const int rc = run_script("gpt2 --base-url http://127.0.0.1:1 --dest " + quoted(tmp.file("out")), &out);
    INFO(out);
    CHECK(rc == 1);
    CHECK(count(out, "\n") == 1);
    CHECK(out.rfind("download_gpt2.sh: ", 0) == 0);
    CHECK(out.find("127.0.0.1") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.file("out")));
}

TEST_CASE("download: make weights passes MODEL as one word, never to the shell") {
    // MODEL="gpt2 ...; true" once ran the download with extra options, then `true`: exit 0.
    require_tools();
    TempDir tmp;
    std::string out;
    const std::string model = "gpt2 --base-url http://127.0.0.1:1 --dest " + tmp.file("out") + "; true";
    const int rc = run_command("make -s weights MODEL=" + quoted(model), &out);
    INFO(out);
    CHECK(rc != 0);
    CHECK(out.find("unknown model 'gpt2 --base-url") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.file("out")));
}

TEST_CASE("download: without curl the script stops with a hint") {
    TempDir tmp;
    std::string out;
    // bash by its full path, then a PATH where no curl can be found.
    int rc = run_command("b=$(command -v bash); PATH=/nonexistent-gptwalk \"$b\" " + kScript +
                             " gpt2 --dest " + quoted(tmp.file("out")),
                         &out);
    INFO(out);
    CHECK(rc == 1);
    CHECK(out.find("curl is not installed") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.file("out")));
}

TEST_CASE("http_serve: refuses .. paths, answers 404 and 416, serves byte ranges") {
    require_tools();
    FakeHub hub;
    Server server(hub);
    auto status = [&](const std::string& path, const std::string& curl_args) {
        std::string out;
        run_command("curl -s --path-as-is --max-time 10 -o /dev/null -w '%{http_code}' " +
                        curl_args + " " + quoted(server.url() + path),
                    &out);
        return out;
    };
    std::string model = "/" + kRepoPath + "/model.safetensors";
    CHECK(status("/../pins.sha256", "") == "403");  // pins.sha256 sits just outside the root
    CHECK(status("/" + kRepoPath + "/../../../../../pins.sha256", "") == "403");
    CHECK(status("/" + kRepoPath + "/nothing.bin", "") == "404");
    CHECK(status(model, "-r " + std::to_string(kModelBytes) + "-") == "416");
    CHECK(status(model, "-r 10-") == "206");
    std::string out;
    REQUIRE(run_command("curl -s --max-time 10 -r 5-9 " + quoted(server.url() + model), &out) == 0);
    CHECK(out == hub.files["model.safetensors"].substr(5, 5));
}
