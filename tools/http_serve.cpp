// http_serve.cpp — a tiny HTTP/1.1 file server, for tests only (tests/test_download.cpp).
//
//   http_serve --root DIR --port-file F [--log F] [--cut-after BYTES]
//              [--max-requests N] [--timeout S]
//
// Listens on 127.0.0.1 only, on a port the kernel picks, and writes that port to F (via a
// temporary file and a rename, so a reader never sees half a number). Serves GET and HEAD
// for regular files under DIR at /<path>; `..` segments are refused. `Range: bytes=N-` and
// `bytes=N-M` give 206 with Content-Range (416 past the end); other Range forms are ignored
// (a full 200, which HTTP allows). One request per connection ("Connection: close").
//
// --cut-after BYTES: on the first request for each path, close the connection after that
// many body bytes, while Content-Length promised more — an interrupted download.
// --log F: appends one line per request, e.g.
//   GET /a/b.bin range=bytes=100- status=206 sent=900
// It exits by itself: after N requests (--max-requests) or S idle seconds (--timeout,
// default 60), so no test can leave it running.
#include <arpa/inet.h>   // htonl, htons, ntohs
#include <fcntl.h>       // open
#include <netinet/in.h>  // sockaddr_in
#include <poll.h>        // poll: bounded waits
#include <sys/socket.h>  // socket, bind, listen, accept, send, recv
#include <sys/stat.h>    // stat
#include <unistd.h>      // read, close

#include <algorithm>  // std::min
#include <cctype>     // tolower
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>

#include "core/error.h"

namespace {

struct Options {
    std::string root, port_file, log_file;
    int64_t cut_after = -1;    // < 0: never cut
    int64_t max_requests = -1;  // < 0: no limit
    int timeout_s = 60;         // idle seconds before exiting
};

// Owns one file descriptor.
struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

struct Request {
    std::string method, path, range;  // range: the Range header value, "" when absent
};

int64_t parse_int(const std::string& flag, const std::string& s) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 18)
        throw gw::UsageError(gw::cat(flag, ": expected a non-negative integer, got '", s, "'"));
    return std::stoll(s);
}

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (i + 1 >= argc) throw gw::UsageError(gw::cat("unknown or incomplete option '", a, "'"));
        std::string v = argv[++i];
        if (a == "--root") o.root = v;
        else if (a == "--port-file") o.port_file = v;
        else if (a == "--log") o.log_file = v;
        else if (a == "--cut-after") o.cut_after = parse_int(a, v);
        else if (a == "--max-requests") o.max_requests = parse_int(a, v);
        else if (a == "--timeout") o.timeout_s = int(parse_int(a, v));
        else throw gw::UsageError(gw::cat("unknown option '", a, "'"));
    }
    if (o.root.empty() || o.port_file.empty())
        throw gw::UsageError("usage: http_serve --root DIR --port-file F [--log F] "
                             "[--cut-after BYTES] [--max-requests N] [--timeout S]");
    if (o.timeout_s < 1) o.timeout_s = 1;
    return o;
}

// Binds 127.0.0.1 (never another address) on an ephemeral port; returns the socket.
int listen_loopback(int* port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) gw::fail("socket: ", strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(0);
    socklen_t len = sizeof addr;
    if (bind(s, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(s, 16) != 0 ||
        getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        int e = errno;
        close(s);
        gw::fail("cannot listen on 127.0.0.1: ", strerror(e));
    }
    *port = ntohs(addr.sin_port);
    return s;
}

void write_port_file(const std::string& path, int port) {
    std::string tmp = path + ".tmp";
    FILE* f = fopen(tmp.c_str(), "w");
    if (!f) gw::fail(tmp, ": cannot write: ", strerror(errno));
    fprintf(f, "%d\n", port);
    if (fclose(f) != 0 || rename(tmp.c_str(), path.c_str()) != 0)
        gw::fail(path, ": cannot write: ", strerror(errno));
}

bool send_all(int fd, const char* p, size_t n) {
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);  // a client that hangs up is not fatal
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        p += k;
        n -= size_t(k);
    }
    return true;
}

// Reads up to the blank line that ends the headers; false on timeout, EOF or junk.
bool read_request(int fd, Request* req) {
    std::string buf;
    while (buf.find("\r\n\r\n") == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0 || buf.size() > 16384) return false;
        char tmp[4096];
        ssize_t k = recv(fd, tmp, sizeof tmp, 0);
        if (k <= 0) return false;
        buf.append(tmp, size_t(k));
    }
    size_t eol = buf.find("\r\n");
    std::string line = buf.substr(0, eol);
    size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) return false;
    req->method = line.substr(0, sp1);
    req->path = line.substr(sp1 + 1, sp2 - sp1 - 1);
    for (size_t pos = eol + 2; pos < buf.size();) {
        size_t end = buf.find("\r\n", pos);
        if (end == std::string::npos || end == pos) break;
        std::string h = buf.substr(pos, end - pos);
        size_t colon = h.find(':');
        if (colon != std::string::npos) {
            std::string name = h.substr(0, colon);
            for (char& c : name) c = char(tolower(static_cast<unsigned char>(c)));
            size_t v = h.find_first_not_of(' ', colon + 1);
            if (name == "range" && v != std::string::npos) req->range = h.substr(v);
        }
        pos = end + 2;
    }
    return true;
}

// Maps a URL path to a file under root; "" when it is not a plain, safe path.
std::string resolve(const std::string& root, std::string path) {
    path = path.substr(0, path.find('?'));
    if (path.empty() || path[0] != '/' || path.find('%') != std::string::npos ||
        path.find('\\') != std::string::npos)
        return "";
    std::string seg;
    for (size_t i = 1; i <= path.size(); i++) {
        if (i == path.size() || path[i] == '/') {
            if (seg == "..") return "";
            seg.clear();
        } else {
            seg += path[i];
        }
    }
    return root + path;
}

// Parses "bytes=N-" or "bytes=N-M" into [*first, *last]; false for other forms.
bool parse_range(const std::string& r, int64_t size, int64_t* first, int64_t* last) {
    const std::string pre = "bytes=";
    if (r.compare(0, pre.size(), pre) != 0) return false;
    std::string spec = r.substr(pre.size());
    size_t dash = spec.find('-');
    if (dash == std::string::npos || dash == 0 || spec.find(',') != std::string::npos) return false;
    std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
    const char* digits = "0123456789";
    if (a.find_first_not_of(digits) != std::string::npos || a.size() > 18) return false;
    if (b.find_first_not_of(digits) != std::string::npos || b.size() > 18) return false;
    *first = std::stoll(a);
    *last = b.empty() ? size - 1 : std::min<int64_t>(std::stoll(b), size - 1);
    return b.empty() || std::stoll(b) >= *first;
}

// Answers one request; returns the status sent and the body bytes in *sent.
int respond(int fd, const Request& req, const Options& o, std::set<std::string>* seen,
            int64_t* sent) {
    *sent = 0;
    auto simple = [&](int status, const char* text, const std::string& extra = "") {
        std::string h = gw::cat("HTTP/1.1 ", status, " ", text, "\r\nContent-Length: 0\r\n",
                                extra, "Connection: close\r\n\r\n");
        send_all(fd, h.data(), h.size());
        return status;
    };
    if (req.method != "GET" && req.method != "HEAD") return simple(405, "Method Not Allowed");
    std::string file = resolve(o.root, req.path);
    if (file.empty()) return simple(403, "Forbidden");
    struct stat st;
    if (stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return simple(404, "Not Found");
    Fd in(open(file.c_str(), O_RDONLY));
    if (in.fd < 0) return simple(404, "Not Found");

    int64_t size = st.st_size, first = 0, last = size - 1;
    int status = 200;
    if (!req.range.empty() && parse_range(req.range, size, &first, &last)) {
        if (first >= size)
            return simple(416, "Range Not Satisfiable",
                          gw::cat("Content-Range: bytes */", size, "\r\n"));
        status = 206;
    }
    int64_t length = last - first + 1;
    std::string h = gw::cat("HTTP/1.1 ", status, status == 206 ? " Partial Content" : " OK",
                            "\r\nContent-Type: application/octet-stream\r\nContent-Length: ",
                            length, "\r\nAccept-Ranges: bytes\r\n");
    if (status == 206) h += gw::cat("Content-Range: bytes ", first, "-", last, "/", size, "\r\n");
    h += "Connection: close\r\n\r\n";
    if (!send_all(fd, h.data(), h.size()) || req.method == "HEAD") return status;

    // The first request for a path is the one that gets cut.
    int64_t budget = length;
    if (o.cut_after >= 0 && seen->insert(req.path).second) budget = std::min(budget, o.cut_after);
    if (lseek(in.fd, first, SEEK_SET) != first) return status;
    char buf[65536];
    while (*sent < budget) {
        size_t want = size_t(std::min<int64_t>(budget - *sent, int64_t(sizeof buf)));
        ssize_t k = read(in.fd, buf, want);
        if (k <= 0 || !send_all(fd, buf, size_t(k))) break;
        *sent += k;
    }
    return status;
}

// Half-closes and waits (bounded) for the client to hang up, so the last bytes are not
// lost to a reset.
void close_gracefully(int fd) {
    shutdown(fd, SHUT_WR);
    char buf[1024];
    for (int i = 0; i < 20; i++) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        if (recv(fd, buf, sizeof buf, 0) <= 0) break;
    }
}

void serve(const Options& o) {
    int port = 0;
    Fd listener(listen_loopback(&port));
    write_port_file(o.port_file, port);
    FILE* log = o.log_file.empty() ? nullptr : fopen(o.log_file.c_str(), "a");
    if (!o.log_file.empty() && !log) gw::fail(o.log_file, ": cannot write: ", strerror(errno));
    std::set<std::string> seen;  // paths already requested (for --cut-after)
    for (int64_t served = 0; o.max_requests < 0 || served < o.max_requests;) {
        pollfd p{listener.fd, POLLIN, 0};
        int ready = poll(&p, 1, o.timeout_s * 1000);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) break;  // idle for timeout_s: stop
        Fd conn(accept(listener.fd, nullptr, nullptr));
        if (conn.fd < 0) continue;
        Request req;
        int status = 400;
        int64_t sent = 0;
        if (read_request(conn.fd, &req)) status = respond(conn.fd, req, o, &seen, &sent);
        if (log) {  // before the close, so the line is there once the client has its answer
            fprintf(log, "%s %s range=%s status=%d sent=%lld\n", req.method.c_str(),
                    req.path.c_str(), req.range.empty() ? "-" : req.range.c_str(), status,
                    static_cast<long long>(sent));
            fflush(log);
        }
        close_gracefully(conn.fd);
        served++;
    }
    if (log) fclose(log);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        serve(parse_args(argc, argv));
        return 0;
    } catch (const gw::UsageError& e) {
        fprintf(stderr, "http_serve: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fprintf(stderr, "http_serve: %s\n", e.what());
        return 1;
    }
}
