// test_serve_http.cpp — the explorer's server over HTTP on a free loopback port (serve/server.h):
// the page, the API with the same bytes as answer_api(), the bounds (413, 415, 403), many
// clients at once, a client that stalls, bytes that are not HTTP; and the `gptwalk serve`
// process: its address line, and a clean exit on SIGTERM and SIGINT. Only 127.0.0.1 is used.
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>  // sockaddr_in
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fcntl.h>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/mapped_file.h"
#include "kernels/linear.h"  // set_blas_threads
#include "serve/api.h"
#include "serve/page.h"
#include "serve/server.h"
#include "testing.h"

extern char** environ;  // posix_spawn passes our environment on

using namespace gw;

namespace {

const std::string kModel = "weights/tiny-gpt2";

// An explorer served on its own thread, on a port the kernel picks; stopped by the destructor.
struct Served {
    Explorer ex;
    std::unique_ptr<ExplorerServer> server;
    std::thread thread;

    explicit Served(ServeOptions o = {}, ExplorerLimits limits = {}) {
        set_blas_threads(1);  // as gptwalk's main() does: answers then equal answer_api()'s bit for bit
        ex = load_explorer(kModel, Isa::Ref, limits);
        o.port = 0;
        server = std::make_unique<ExplorerServer>(ex, o);
        thread = std::thread([this] { server->run(); });
    }
    ~Served() {
        server->stop();
        thread.join();
    }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_read_timeout(60, 0);
        return c;
    }
};

httplib::Result post(httplib::Client& c, const std::string& path, const std::string& body) {
    return c.Post(path.c_str(), body, "application/json");
}

// A raw TCP connection to the server, for what a well-behaved client would not send.
struct RawSocket {
    int fd = -1;
    explicit RawSocket(int port) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(uint16_t(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    ~RawSocket() { close(fd); }
    void send_text(const std::string& s) const { REQUIRE(send(fd, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size())); }
    // Everything the server sends until it closes the connection; "TIMEOUT" if it does not within `seconds`.
    std::string read_to_close(int seconds) const {
        std::string got;
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        while (std::chrono::steady_clock::now() < end) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            const ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return got;
            got.append(buf, size_t(n));
        }
        return "TIMEOUT";
    }
};

}  // namespace

TEST_CASE("the page: every file built in, served with its type; nothing else") {
    Served s;
    httplib::Client c = s.client();
    auto r = c.Get("/");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(r->body.find("<title>gptwalk — the walk explorer</title>") != std::string::npos);
    REQUIRE(kPageFileCount >= 5);
    for (size_t i = 0; i < kPageFileCount; i++) {
        const PageFile& f = kPageFiles[i];
        CAPTURE(f.name);
        auto g = c.Get((std::string("/") + f.name).c_str());
        REQUIRE(g);
        CHECK(g->status == 200);
        CHECK(g->get_header_value("Content-Type") == f.mime);
        CHECK(g->body == std::string(f.body));
        CHECK(std::string(f.body) == read_file(std::string("src/serve/page/") + f.name));  // the build's copy is current
    }
    for (const char* bad : {"/nope.js", "/../Makefile", "/%2e%2e/Makefile", "/.hidden", "/serve/page/index.html"}) {
        CAPTURE(bad);
        auto g = c.Get(bad);
        REQUIRE(g);
        CHECK(g->status >= 400);
        CHECK(g->status < 500);
        CHECK(g->body.find("Makefile:") == std::string::npos);
    }
}

TEST_CASE("--page-dir: the page's files read from a folder at each request, for editing without a rebuild") {
    testing::TempDir dir;
    for (size_t i = 0; i < kPageFileCount; i++)
        testing::write_text_file(dir.file(kPageFiles[i].name), std::string(kPageFiles[i].body));
    std::string html = std::string(kPageFiles[0].body);
    for (size_t i = 0; i < kPageFileCount; i++)
        if (std::string(kPageFiles[i].name) == "index.html") html = std::string(kPageFiles[i].body);
    const size_t at = html.find("<title>");
    REQUIRE(at != std::string::npos);
    testing::write_text_file(dir.file("index.html"), html.substr(0, at + 7) + "edited: " + html.substr(at + 7));
    ServeOptions o;
    o.page_dir = dir.path;
    Served s(o);
    httplib::Client c = s.client();
    CHECK(c.Get("/")->body.find("<title>edited: gptwalk") != std::string::npos);
    testing::write_text_file(dir.file("index.html"), "<title>again</title>");
    CHECK(c.Get("/")->body == "<title>again</title>");  // read again: no restart
    CHECK(c.Get("/notes.txt")->status == 404);             // only the page's own files
    ServeOptions missing;
    missing.page_dir = dir.file("nowhere");
    const Explorer ex = load_explorer("tests/fixtures/forward/f32", Isa::Ref);
    CHECK_THROWS_WITH_AS(ExplorerServer(ex, missing), doctest::Contains("nowhere: no "), Error);
}

TEST_CASE("the API over HTTP: the bytes answer_api() gives, and the bounds around it") {
    ExplorerLimits small;
    small.max_body_bytes = 4096;
    Served s({}, small);
    httplib::Client c = s.client();
    const std::string body = R"({"prompt": "In the beginning", "steps": 3, "sampler": {"seed": 4}})";
    auto r = post(c, "/api/decode", body);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "application/json");
    CHECK(r->body == answer_api(s.ex, "POST", "/api/decode", body).body);
    CHECK(r->get_header_value("Server-Timing").rfind("compute;dur=", 0) == 0);
    CHECK(c.Get("/api/model")->status == 200);

    auto bad = post(c, "/api/decode", R"({"prompt": "In", "steps": 0})");
    CHECK(bad->status == 400);
    CHECK(bad->body == answer_api(s.ex, "POST", "/api/decode", R"({"prompt": "In", "steps": 0})").body);
    auto plain = c.Post("/api/decode", body, "text/plain");  // what a cross-site form could send
    CHECK(plain->status == 415);
    CHECK(plain->body.find("Content-Type: application/json") != std::string::npos);
    auto big = post(c, "/api/decode", std::string(5000, ' '));
    CHECK(big->status == 413);
    CHECK(big->body.find("\"error\"") != std::string::npos);
    auto foreign = c.Get("/api/model", {{"Host", "evil.example:8080"}});
    CHECK(foreign->status == 403);
    CHECK(foreign->body.find("127.0.0.1 or localhost only") != std::string::npos);
    CHECK(c.Get("/api/model", {{"Host", "localhost:1234"}})->status == 200);
    CHECK(c.Get("/api/model", {{"Host", "[::1]:1234"}})->status == 200);
    auto method = c.Delete("/api/decode");
    CHECK(method->status >= 400);
}

TEST_CASE("many clients at once: every answer is the one a lone request gets") {
    ServeOptions o;
    o.workers = 3;
    Served s(o);
    // Each request computes on its own thread over the shared model: a race would change bits.
    const std::vector<std::pair<std::string, std::string>> requests = {
        {"/api/decode", R"({"prompt_ids": [818, 262, 3726], "steps": 4, "sampler": {"temperature": 0.9, "seed": 3}})"},
        {"/api/encode", R"({"prompt_ids": [818, 262, 3726, 1793, 2727], "position": 3})"},
        {"/api/tree", R"({"prompt_ids": [818, 262], "paths": [[3726, 11], [3726, 262, 1]]})"},
        {"/api/neighbours", R"({"id": 262, "k": 12})"},
    };
    std::vector<std::string> alone;
    for (const auto& [path, body] : requests) alone.push_back(answer_api(s.ex, "POST", path, body).body);
    const int kClients = 8, kEach = 4;
    std::vector<int> wrong(kClients, 0);
    std::vector<std::thread> clients;
    for (int k = 0; k < kClients; k++)
        clients.emplace_back([&, k] {
            httplib::Client c = s.client();
            for (int i = 0; i < kEach; i++) {
                const size_t q = size_t(k + i) % requests.size();
                auto r = post(c, requests[q].first, requests[q].second);
                if (!r || r->status != 200 || r->body != alone[q]) wrong[size_t(k)]++;
            }
        });
    for (std::thread& t : clients) t.join();
    for (int k = 0; k < kClients; k++) CHECK(wrong[size_t(k)] == 0);
}

TEST_CASE("a client that stalls is dropped after the time-out; bytes that are not HTTP get an answer") {
    ServeOptions o;
    o.workers = 1;    // the stalled client holds the only worker...
    o.timeout_s = 1;  // ...until it has sent nothing for a second
    Served s(o);
    RawSocket stalled(s.server->port());
    stalled.send_text("POST /api/decode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"pro");
    httplib::Client c = s.client();
    auto r = c.Get("/api/model");  // waits for the worker, then is answered
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(stalled.read_to_close(30) != "TIMEOUT");  // closed by the server, not left open
    RawSocket junk(s.server->port());
    junk.send_text("\x16\x03\x01 this is not HTTP\r\n\r\n");
    const std::string answer = junk.read_to_close(30);
    CHECK(answer != "TIMEOUT");
    CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(c.Get("/api/model")->status == 200);  // and the server goes on
}

// ---- the command ----

namespace {

// `gptwalk serve ARGS` in the background, its output in a file; killed by the destructor if still running.
struct ServeProcess {
    pid_t pid = -1;
    testing::TempDir dir;
    explicit ServeProcess(const std::vector<std::string>& args) {
        std::vector<std::string> all = {testing::gptwalk_binary(), "serve"};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (std::string& a : all) argv.push_back(a.data());
        argv.push_back(nullptr);
        const std::string out = dir.file("out");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
    }
    ~ServeProcess() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
    std::string output() const { return file_exists(dir.file("out")) ? read_file(dir.file("out")) : ""; }
    // The port of the "open http://127.0.0.1:PORT/" line, waiting for it at most 30 s; 0 if none.
    int port() const {
        for (int i = 0; i < 3000; i++) {
            const std::string o = output();
            const size_t at = o.find("open http://127.0.0.1:");
            if (at != std::string::npos && o.find('\n', at) != std::string::npos) return std::atoi(o.c_str() + at + 22);
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return 0;
    }
    // Sends sig and returns the exit status (-1 if it did not exit within 30 s).
    int stop(int sig) {
        kill(pid, sig);
        for (int i = 0; i < 3000; i++) {
            int status = 0;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                pid = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return -1;
    }
};

}  // namespace

TEST_CASE("gptwalk serve: prints the address, answers, logs, and stops cleanly on SIGTERM and SIGINT") {
    for (int sig : {SIGTERM, SIGINT}) {
        CAPTURE(sig);
        ServeProcess p({"--port", "0"});
        const int port = p.port();
        REQUIRE_MESSAGE(port > 0, p.output());
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(60, 0);
        auto r = c.Get("/api/model");
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body.find("\"model\": \"weights/tiny-gpt2\"") != std::string::npos);
        CHECK(p.stop(sig) == 0);
        const std::string out = p.output();
        CHECK(out.find("gptwalk serve: the walk explorer for weights/tiny-gpt2") != std::string::npos);
        CHECK(out.find("GET /api/model 200") != std::string::npos);
        CHECK(out.find(sig == SIGTERM ? "stopped (SIGTERM)" : "stopped (SIGINT)") != std::string::npos);
    }
}

TEST_CASE("gptwalk serve: a port in use and bad flags are one-line errors") {
    Served taken;
    std::string out;
    const std::string bin = testing::shell_quote(testing::gptwalk_binary());
    CHECK(testing::run_command(bin + " serve --port " + std::to_string(taken.server->port()) + " </dev/null", &out) == 1);
    CHECK(out.find("cannot listen on 127.0.0.1 port " + std::to_string(taken.server->port())) != std::string::npos);
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    CHECK(testing::run_command(bin + " serve --page-dir /nonexistent </dev/null", &out) == 1);
    CHECK(out.find("/nonexistent: no ") != std::string::npos);
    for (const char* bad : {"serve --port 70000", "serve --workers 0", "serve --timeout x", "serve --bogus", "serve extra"}) {
        CAPTURE(bad);
        CHECK(testing::run_command(bin + " " + bad + " </dev/null", &out) == 2);
        CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    }
    CHECK(testing::run_command(bin + " --help", &out) == 0);
    CHECK(out.find("  serve ") != std::string::npos);
    CHECK(testing::run_command(bin + " serve --help", &out) == 0);
    for (const char* flag : {"--host", "--port", "--workers", "--timeout", "--page-dir", "--quiet", "--model"})
        CHECK(out.find(flag) != std::string::npos);
}
