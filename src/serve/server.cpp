// serve/server.cpp — the page and the API over cpp-httplib, with the bounds of server.h.
#include "serve/server.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>

#include "core/error.h"
#include "core/json.h"         // json_quote
#include "core/mapped_file.h"  // read_file, file_exists (--page-dir)
#include "serve/page.h"

namespace gw {

struct ExplorerServer::Impl {
    const Explorer& explorer;
    ServeOptions options;
    httplib::Server http;
    int port = 0;

    Impl(const Explorer& e, const ServeOptions& o) : explorer(e), options(o) {}
};

bool is_loopback_host(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// The host named by a Host header: "127.0.0.1:8080" -> 127.0.0.1, "[::1]:8080" -> ::1.
static std::string host_of(const std::string& header) {
    if (!header.empty() && header[0] == '[') return header.substr(1, header.find(']') - 1);
    return header.substr(0, header.find(':'));
}

static void reply(httplib::Response& res, int status, const std::string& body, const char* mime) {
    res.status = status;
    res.set_content(body, mime);
    // Every answer is computed for its request (or edited with --page-dir): never reuse one.
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
}

static void reply_error(httplib::Response& res, int status, const std::string& message) {
    reply(res, status, error_json(message), "application/json");
}

// A file of the page: the built-in copy, or the one in --page-dir. Only plain names
// (letters, digits, '.', '-', '_', not starting with '.'), so no path leaves the folder.
static bool page_file(httplib::Response& res, const ServeOptions& o, const std::string& name) {
    if (name.empty() || name[0] == '.' || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != std::string::npos)
        return false;
    for (size_t i = 0; i < kPageFileCount; i++) {
        const PageFile& f = kPageFiles[i];
        if (name != f.name) continue;
        if (o.page_dir.empty()) {
            reply(res, 200, std::string(f.body), f.mime);
        } else {
            try {
                reply(res, 200, read_file(o.page_dir + "/" + name), f.mime);
            } catch (const Error& e) {
                reply_error(res, 404, e.what());
            }
        }
        return true;
    }
    return false;
}

static void log_request(const ServeOptions& o, const httplib::Request& req, const httplib::Response& res) {
    if (!o.log) return;
    std::string line = cat(req.method, " ", req.path, " ", res.status, " ", res.body.size(), " bytes");
    const std::string timing = res.get_header_value("Server-Timing");  // "compute;dur=12.3"
    if (timing.rfind("compute;dur=", 0) == 0) line += cat(" ", timing.substr(12), " ms");  // already rounded
    o.log(line);
}

ExplorerServer::ExplorerServer(const Explorer& explorer, const ServeOptions& options)
    : impl_(std::make_unique<Impl>(explorer, options)) {
    Impl& s = *impl_;
    const ServeOptions& o = s.options;
    if (o.workers < 1) fail("serve: workers must be at least 1, got ", o.workers);
    // A page folder must hold every file of the page: found missing now, not as a broken page later.
    for (size_t i = 0; !o.page_dir.empty() && i < kPageFileCount; i++)
        if (!file_exists(o.page_dir + "/" + kPageFiles[i].name))
            fail(o.page_dir, ": no ", kPageFiles[i].name, " there; --page-dir takes the folder of the page's files, "
                 "e.g. src/serve/page");
    const int workers = o.workers;
    s.http.new_task_queue = [workers] { return new httplib::ThreadPool(size_t(workers)); };
    s.http.set_keep_alive_max_count(1);
    s.http.set_read_timeout(o.timeout_s, 0);
    s.http.set_write_timeout(o.timeout_s, 0);
    s.http.set_payload_max_length(explorer.limits.max_body_bytes);
    // SO_REUSEADDR only: a restarted explorer may take its port back from connections still
    // closing, but not from a live one. cpp-httplib's default, SO_REUSEPORT, lets a second
    // server bind a port in use and share its connections without a word.
    s.http.set_socket_options([](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });

    const bool loopback = is_loopback_host(o.host);
    s.http.set_pre_routing_handler([loopback](const httplib::Request& req, httplib::Response& res) {
        if (loopback && req.has_header("Host") && !is_loopback_host(host_of(req.get_header_value("Host")))) {
            reply_error(res, 403, cat("this explorer answers requests for 127.0.0.1 or localhost only, not ",
                                      json_quote(req.get_header_value("Host"))));
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    auto api = [&s](const httplib::Request& req, httplib::Response& res) {
        if (req.method == "POST" && req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
            return reply_error(res, 415, "send the request body as Content-Type: application/json");
        const auto start = std::chrono::steady_clock::now();
        const ApiReply r = answer_api(s.explorer, req.method, req.path, req.body);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        reply(res, r.status, r.body, "application/json");
        char dur[32];
        std::snprintf(dur, sizeof dur, "compute;dur=%.1f", ms);
        res.set_header("Server-Timing", dur);
    };
    s.http.Get("/api/.*", api);
    s.http.Post("/api/.*", api);
    s.http.Get("/(.*)", [&s](const httplib::Request& req, httplib::Response& res) {
        const std::string name = req.matches[1].str().empty() ? "index.html" : req.matches[1].str();
        if (!page_file(res, s.options, name)) reply_error(res, 404, cat("no page file ", json_quote(req.path)));
    });
    // Errors that cpp-httplib answers itself (413, a 404 for another method, 400 for a
    // malformed request line) get the same {"error": ...} body as ours.
    s.http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;  // ours: already says why
        reply_error(res, res.status, cat("HTTP ", res.status, " for ", req.method, " ", json_quote(req.path),
                                         res.status == 413 ? " (the request body is too large)" : ""));
    });
    s.http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        reply_error(res, 500, "internal error while answering");
    });
    s.http.set_logger([&s](const httplib::Request& req, const httplib::Response& res) { log_request(s.options, req, res); });

    s.port = o.port == 0 ? s.http.bind_to_any_port(o.host) : (s.http.bind_to_port(o.host, o.port) ? o.port : -1);
    if (s.port < 0)
        fail("serve: cannot listen on ", o.host, " port ", o.port,
             " (in use by another program, or not an address of this machine); choose another with --port N, "
             "or --port 0 for any free one");
}

ExplorerServer::~ExplorerServer() = default;

int ExplorerServer::port() const { return impl_->port; }

std::string ExplorerServer::url() const {
    const std::string& h = impl_->options.host;
    return cat("http://", h.find(':') != std::string::npos ? "[" + h + "]" : h, ":", impl_->port, "/");
}

void ExplorerServer::run() {
    if (!impl_->http.listen_after_bind()) fail("serve: the server stopped listening on ", url());
}

void ExplorerServer::stop() { impl_->http.stop(); }

}  // namespace gw
