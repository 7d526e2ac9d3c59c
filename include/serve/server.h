// serve/server.h — the walk explorer's HTTP server: the page and the JSON API (api.h) over
// cpp-httplib, on 127.0.0.1 unless told otherwise.
//
//   GET  /                  the page (index.html); GET /<name> its other files (page.h)
//   GET|POST /api/...       answer_api(): the records of the walks, computed per request
//
// As a server it is bounded everywhere a client could hold it:
//   - a pool of `workers` threads answers requests, each computing on its own thread over the
//     one shared, read-only model (pooled, not serialized: a slow walk does not hold up the
//     page's other requests); more requests wait in the pool's queue;
//   - one request per connection (Connection: close), so an idle browser connection never
//     holds a worker; a client that stops sending or reading is dropped after `timeout_s`;
//   - request bodies above ExplorerLimits::max_body_bytes get 413, without being read;
//     headers and the request line are bounded by cpp-httplib (8 KiB each);
//   - every failure is a reply with {"error": "..."}; nothing a request holds can stop the process.
// Browsers send a page's requests to other sites too: so that a web page elsewhere cannot use
// the explorer through the visitor's browser, POST bodies must be application/json (a
// cross-site fetch of that kind needs a CORS permission we never give), and while bound to
// loopback, a request must name a loopback host (a DNS name rebound to 127.0.0.1 does not).
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "serve/api.h"

namespace gw {

struct ServeOptions {
    std::string host = "127.0.0.1";  // an address of this machine; 0.0.0.0 or :: for every one
    int port = 8080;                 // 0: any free port (port() says which)
    int workers = 4;                 // requests answered at once
    int timeout_s = 10;              // socket read and write time-outs
    std::string page_dir;            // serve the page's files from this folder instead of the built-in copy
    std::function<void(const std::string&)> log;  // one line per request; empty: quiet
};

class ExplorerServer {
public:
    // Binds (throws gw::Error when the address cannot be used) but does not serve yet.
    ExplorerServer(const Explorer& explorer, const ServeOptions& options);
    ~ExplorerServer();
    ExplorerServer(const ExplorerServer&) = delete;
    ExplorerServer& operator=(const ExplorerServer&) = delete;

    int port() const;
    std::string url() const;  // "http://127.0.0.1:8080/": what to open
    // Serves until stop(); returns once the requests in progress are answered. Throws
    // gw::Error if the server cannot start listening.
    void run();
    void stop();  // from any thread; run() returns soon after

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

}  // namespace gw
