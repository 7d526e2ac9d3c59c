// cli/main.cpp — gptwalk's main(): pick the command, run it, turn errors into one line.
//
// Exit codes: 0 success; 1 a runtime failure (bad file, bad model, ...);
// 2 a usage error (unknown command or flag, malformed value).
#include <fcntl.h>  // fcntl, open

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.h"
#include "core/error.h"
#include "core/json.h"       // printable
#include "core/program.h"    // run_reporting_errors
#include "kernels/linear.h"  // set_blas_threads

using namespace gw;

static const Command* const kCommands[] = {&kGenerateCommand, &kTokenizeCommand, &kLogitsCommand,
                                           &kInspectCommand, &kKernelsCommand,
                                           &kWalkEncodeCommand,
                                           &kWalkPositionsCommand,
                                           &kWalkDecodeCommand,
                                           &kWalkFewshotCommand,
                                           &kWalkFinetuneCommand,
                                           &kNeighboursCommand,
                                           &kBenchCommand,
                                           &kFidelityCommand,
                                           &kServeCommand,
                                           &kEvalCommand,
                                           &kTrainCommand,
};

// The list of commands, on stdout for --help, on stderr when no command was given.
static void print_help(FILE* out) {
    std::fprintf(out,
        "gptwalk — a readable GPT-2 runtime, and walks through its embedding space\n\n"
        "usage: gptwalk COMMAND [flags]     (gptwalk COMMAND --help for its flags)\n\ncommands:\n");
    for (const Command* c : kCommands) std::fprintf(out, "  %-16s %s\n", c->name.c_str(), c->summary.c_str());
    std::fprintf(out, "\nThe default model is the shipped tiny model in weights/tiny-gpt2/ (see README.md).\n");
}

// Finds the command named by argv[1] (or argv[1] + " " + argv[2] for "walk decode").
static const Command* find_command(int argc, char** argv, int* consumed) {
    auto match = [&](const Command* c) -> bool {
        std::string name = c->name;
        size_t sp = name.find(' ');
        if (sp == std::string::npos) {
            *consumed = 2;
            return name == argv[1];
        }
        *consumed = 3;
        return argc > 2 && name.substr(0, sp) == argv[1] && name.substr(sp + 1) == argv[2];
    };
    for (const Command* c : kCommands)
        if (match(c)) return c;
    return nullptr;
}

// A group is the first word of two-word commands ("walk" of "walk decode").
static bool is_group(const std::string& word) {
    for (const Command* c : kCommands)
        if (c->name.rfind(word + " ", 0) == 0) return true;
    return false;
}

// "gptwalk walk --help": the group's commands, as the top-level help lists them.
static void print_group_help(const std::string& group) {
    std::printf("usage: gptwalk %s SUBCOMMAND [flags]     (gptwalk %s SUBCOMMAND --help for its flags)\n\n"
                "subcommands:\n", group.c_str(), group.c_str());
    for (const Command* c : kCommands)
        if (c->name.rfind(group + " ", 0) == 0)
            std::printf("  %-16s %s\n", c->name.c_str() + group.size() + 1, c->summary.c_str());
}

// The group's subcommand names, for an error message: "decode, encode, positions, fewshot".
static std::string group_choices(const std::string& group) {
    std::string out;
    for (const Command* c : kCommands)
        if (c->name.rfind(group + " ", 0) == 0) out += (out.empty() ? "" : ", ") + c->name.substr(group.size() + 1);
    return out;
}

// Descriptors 0, 1 and 2 that were closed when we started (`gptwalk ... >&-`) are taken by
// /dev/null, read-only: otherwise the next file we open would become "stdout", and what we
// print would go into it. Writes to a read-only descriptor fail, so a closed stdout is
// still reported by finish().
static void hold_standard_descriptors() {
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) open("/dev/null", O_RDONLY);  // takes the lowest free: fd
}

// Everything a command printed must reach its reader: a full disk (> /dev/full) or a closed
// stdout is an error (exit 1, one line), not a silent exit 0.
static int finish(int rc) {
    try {
        flush_stdout();
        if (std::fclose(stdout) != 0) fail("cannot write to standard output: ", std::strerror(errno));
    } catch (const Error& e) {
        std::fprintf(stderr, "gptwalk: %s\n", printable(e.what()).c_str());
        return 1;
    }
    return rc;
}

int main(int argc, char** argv) {
    hold_standard_descriptors();
    if (argc < 2) {  // a usage error: the list of commands, on stderr
        print_help(stderr);
        return 2;
    }
    if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
        print_help(stdout);
        return finish(0);
    }
    return run_reporting_errors("gptwalk", [&] {
        // OpenBLAS starts one thread per core by default. Our own team (--threads) shares
        // the work out where it pays, so OpenBLAS runs single-threaded unless bench asks.
        set_blas_threads(1);
        int consumed = 0;
        const Command* cmd = find_command(argc, argv, &consumed);
        if (!cmd && is_group(argv[1])) {
            const std::string group = argv[1];
            if (argc > 2 && (!std::strcmp(argv[2], "--help") || !std::strcmp(argv[2], "-h"))) {
                print_group_help(group);
                return finish(0);
            }
            if (argc < 3)
                throw UsageError(cat("'", group, "' needs a subcommand: ", group_choices(group),
                                     " (see gptwalk ", group, " --help)"));
            throw UsageError(cat("unknown ", group, " subcommand '", argv[2], "': choose ",
                                 group_choices(group), " (see gptwalk ", group, " --help)"));
        }
        if (!cmd) throw UsageError(cat("unknown command '", argv[1], "' (see gptwalk --help)"));
        Args args = parse_args(*cmd, argc, argv, consumed);
        if (args.has("--help")) {
            print_command_help(*cmd);
            return finish(0);
        }
        return finish(cmd->run(args));
    });
}
