// serve_load.cpp — a bounded load test of `gptwalk serve` on loopback (make test-load).
//
//   serve_load --port N [--clients C] [--seconds S]
//
// C client threads (default 16), each with its own connection per request, send the page's
// requests to 127.0.0.1:N for S seconds (default 5): the page's files, every API route with
// small inputs, and bad requests (malformed JSON, out-of-range fields, a prompt beyond the
// context, an unknown path), round-robin. A request fails when no answer comes, or when its
// status is not the expected one (200, or 400 / 404 for the bad ones), or when a 200 from the
// API is not a JSON record of the expected kind. Prints, per kind of request and in all: the
// count, the failures and the latency percentiles (nearest rank) in ms; exits 1 on any failure.
// The numbers are this machine's at this moment (a loaded machine answers slower): they are
// reported, never checked.
#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace {

struct Request {
    const char* name;   // for the report
    const char* method;
    const char* path;
    std::string body;   // POSTed as application/json
    int status;         // what a correct server answers
    const char* kind;   // the record's "kind" for a 200 from the API; nullptr: not checked
};

std::vector<Request> mix() {
    std::string too_long = "{\"prompt_ids\": [";
    for (int i = 0; i < 300; i++) too_long += i ? ", 262" : "262";
    too_long += "]}";
    return {
        {"page", "GET", "/", "", 200, nullptr},
        {"page js", "GET", "/explorer.js", "", 200, nullptr},
        {"model", "GET", "/api/model", "", 200, "explorer_model"},
        {"tokenize", "POST", "/api/tokenize", R"({"text": "It is a truth universally acknowledged"})", 200, "tokenization"},
        {"decode", "POST", "/api/decode",
         R"({"prompt_ids": [818, 262, 3726], "steps": 2, "sampler": {"temperature": 0.9, "top_k": 40, "seed": 1}})", 200,
         "decoding_walk"},
        {"tree", "POST", "/api/tree", R"({"prompt_ids": [818, 262], "paths": [[3726, 11], [3726, 262]]})", 200, "path_tree"},
        {"encode", "POST", "/api/encode", R"({"prompt_ids": [818, 262, 3726, 1793, 2727, 262]})", 200, "encoding_walk"},
        {"neighbours", "POST", "/api/neighbours", R"({"id": 1793, "k": 10})", 200, "token_neighbours"},
        {"positions", "POST", "/api/positions", R"({"layer": 1, "span": 16})", 200, "position_kernels"},
        {"bad json", "POST", "/api/decode", R"({"prompt": )", 400, nullptr},
        {"bad field", "POST", "/api/decode", R"({"prompt": "In", "steps": 0})", 400, nullptr},
        {"too long", "POST", "/api/encode", too_long, 400, nullptr},
        {"no route", "GET", "/api/nothing", "", 404, nullptr},
    };
}

struct Sample {
    size_t request;
    double ms;
    bool ok;
};

bool answered_right(const Request& q, const httplib::Result& r) {
    if (!r || r->status != q.status) return false;
    if (!q.kind) return true;
    try {
        const gw::JsonValue j = gw::parse_json(r->body, q.path);
        const gw::JsonValue* kind = j.find("kind");
        return kind && kind->text == q.kind;
    } catch (const gw::Error&) {
        return false;
    }
}

double percentile(std::vector<double> v, double p) {  // nearest rank
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t rank = size_t(std::max(1.0, std::ceil(p / 100.0 * double(v.size()))));
    return v[std::min(rank, v.size()) - 1];
}

void report(const char* name, const std::vector<Sample>& samples, size_t request, double seconds) {
    std::vector<double> ms;
    size_t failed = 0;
    for (const Sample& s : samples)
        if (request == size_t(-1) || s.request == request) {
            ms.push_back(s.ms);
            failed += s.ok ? 0 : 1;
        }
    std::printf("%-12s %7zu %7zu %8.1f %8.1f %8.1f %8.1f %8.1f\n", name, ms.size(), failed, percentile(ms, 50),
                percentile(ms, 90), percentile(ms, 99), ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()),
                double(ms.size()) / seconds);
}

int arg(int argc, char** argv, const char* flag, int fallback, int lo, int hi) {
    for (int i = 1; i + 1 < argc; i++)
        if (!std::strcmp(argv[i], flag)) {
            const int v = std::atoi(argv[i + 1]);
            if (v < lo || v > hi) {
                std::fprintf(stderr, "serve_load: %s must be in [%d, %d]\n", flag, lo, hi);
                std::exit(2);
            }
            return v;
        }
    return fallback;
}

}  // namespace

int main(int argc, char** argv) {
    const int port = arg(argc, argv, "--port", 0, 1, 65535);
    const int clients = arg(argc, argv, "--clients", 16, 1, 256);
    const int seconds = arg(argc, argv, "--seconds", 5, 1, 600);
    const std::vector<Request> requests = mix();
    std::vector<std::vector<Sample>> per_client(static_cast<size_t>(clients));
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::seconds(seconds);
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; c++)
        threads.emplace_back([&, c] {
            httplib::Client client("127.0.0.1", port);
            client.set_connection_timeout(10, 0);
            client.set_read_timeout(60, 0);  // a request answered later than this counts as failed
            for (size_t k = size_t(c); std::chrono::steady_clock::now() < end; k++) {
                const size_t q = k % requests.size();
                const Request& r = requests[q];
                const auto t0 = std::chrono::steady_clock::now();
                httplib::Result res = std::strcmp(r.method, "GET") == 0 ? client.Get(r.path)
                                                                        : client.Post(r.path, r.body, "application/json");
                const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                per_client[size_t(c)].push_back({q, ms, answered_right(r, res)});
            }
        });
    for (std::thread& t : threads) t.join();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<Sample> all;
    for (const auto& v : per_client) all.insert(all.end(), v.begin(), v.end());
    size_t failed = 0;
    for (const Sample& s : all) failed += s.ok ? 0 : 1;

    std::printf("serve_load: %d clients for %d s against 127.0.0.1:%d (%.1f s with the last answers)\n", clients, seconds,
                port, elapsed);
    std::printf("%-12s %7s %7s %8s %8s %8s %8s %8s\n", "request", "count", "failed", "p50 ms", "p90 ms", "p99 ms",
                "max ms", "per s");
    for (size_t q = 0; q < requests.size(); q++) report(requests[q].name, all, q, elapsed);
    report("all", all, size_t(-1), elapsed);
    if (all.empty() || failed > 0) {
        std::printf("serve_load: %zu of %zu requests failed\n", failed, all.size());
        return 1;
    }
    std::printf("serve_load: %zu requests, none failed\n", all.size());
    return 0;
}
