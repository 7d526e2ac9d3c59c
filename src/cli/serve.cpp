// cli/serve.cpp — `gptwalk serve`: the walk explorer in the browser (serve/server.h).
//
// Parses the flags, loads the model, starts the server on its own thread and waits for
// SIGINT (Ctrl-C) or SIGTERM. The two signals are blocked before the server's threads start
// (they inherit the mask), and the main thread takes them with sigwait(): a signal is then an
// ordinary event, not a handler interrupting whatever ran, and the shutdown below (stop, let
// the requests in progress finish, join) runs as plain code. OpenBLAS, though, starts its own
// threads before main(), with the signals open: the kernel may hand a Ctrl-C to one of them.
// A handler there passes it on to the main thread (its thread id is the process id), where it
// waits for sigwait(); tgkill is a plain system call, safe in a handler.
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>  // SYS_tgkill
#include <unistd.h>       // getpid, syscall

#include <cstdio>
#include <exception>
#include <thread>

#include "cli.h"
#include "core/error.h"
#include "serve/server.h"

namespace gw {

static std::vector<Flag> serve_flags() {
    return join({model_flags(),
                 {{"--host", "ADDR", "the address to listen on (default 127.0.0.1: this machine only)"},
                  {"--port", "N", "the port (default 8080; 0: any free port, printed)"},
                  {"--workers", "N", "requests answered at once, each on its own thread (default 4)"},
                  {"--timeout", "S", "drop a client that stops sending or reading for S seconds (default 10)"},
                  {"--page-dir", "DIR", "serve the page's files from DIR (e.g. src/serve/page) instead of the built-in copy"},
                  {"--quiet", "", "do not print a line per request"}}});
}

static void pass_to_main_thread(int sig) { syscall(SYS_tgkill, getpid(), getpid(), sig); }

static int run_serve(const Args& args) {
    const std::string dir = model_dir(args);
    const Isa isa = kernels_from(args);
    const LoadOptions load = weights_from(args);  // --weights: a bad value stops here, before the server starts
    ServeOptions o;
    o.host = args.str("--host", "127.0.0.1");
    o.port = int(args.integer("--port", 8080, 0, 65535));
    o.workers = int(args.integer("--workers", 4, 1, 64));
    o.timeout_s = int(args.integer("--timeout", 10, 1, 3600));
    o.page_dir = args.str("--page-dir");
    if (!args.has("--quiet"))
        o.log = [](const std::string& line) {
            std::printf("%s\n", line.c_str());
            std::fflush(stdout);
        };

    // Blocked before the server's threads exist, so they inherit the mask and only sigwait sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    struct sigaction pass = {};
    pass.sa_handler = pass_to_main_thread;
    sigaction(SIGINT, &pass, nullptr);
    sigaction(SIGTERM, &pass, nullptr);

    const Explorer explorer = load_explorer(dir, isa, {}, load);
    ExplorerServer server(explorer, o);
    std::printf("gptwalk serve: the walk explorer for %s\nopen %s   (Ctrl-C stops)\n", dir.c_str(), server.url().c_str());
    if (!is_loopback_host(o.host))
        std::printf("note: listening on %s, not on loopback: anyone who can reach this machine can use the explorer\n",
                    o.host.c_str());
    std::fflush(stdout);

    std::exception_ptr failed;
    std::thread serving([&] {
        try {
            server.run();
        } catch (...) {
            failed = std::current_exception();
        }
        kill(getpid(), SIGTERM);  // wakes the sigwait below, if the server stopped by itself
    });
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
    serving.join();
    if (failed) std::rethrow_exception(failed);
    std::printf("gptwalk serve: stopped (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return 0;
}

const Command kServeCommand = {
    "serve", "the walk explorer: both walks, live, in the browser (a local web server)",
    "[--model DIR] [--host ADDR] [--port N] [--workers N] [--timeout S] [--page-dir DIR] [--quiet]",
    serve_flags, run_serve};

}  // namespace gw
