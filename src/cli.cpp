// cli.cpp — gptwalk's main(): pick the command, run it, turn errors into one line.
//
// Exit codes: 0 success; 1 a runtime failure (bad file, bad model, ...);
// 2 a usage error (unknown command or flag, malformed value).
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

#include "cli.h"
#include "error.h"

using namespace gw;

static const Command* const kCommands[] = {&kGenerateCommand, &kTokenizeCommand, &kLogitsCommand,
                                           &kInspectCommand, &kKernelsCommand,
                                           &kWalkEncodeCommand,
                                           &kWalkPositionsCommand,
                                           &kWalkDecodeCommand,
                                           &kWalkFewshotCommand,
                                           &kNeighboursCommand,
                                           &kBenchCommand,
};

static void print_help() {
    std::printf(
        "gptwalk — a readable GPT-2 runtime, and walks through its embedding space\n\n"
        "usage: gptwalk COMMAND [flags]     (gptwalk COMMAND --help for its flags)\n\ncommands:\n");
    for (const Command* c : kCommands) std::printf("  %-16s %s\n", c->name.c_str(), c->summary.c_str());
    std::printf("\nThe default model is the shipped tiny model in weights/tiny-gpt2/ (see README.md).\n");
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

int main(int argc, char** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
        !std::strcmp(argv[1], "help")) {
        print_help();
        return argc < 2 ? 2 : 0;
    }
    const Command* cmd = nullptr;
    try {
        int consumed = 0;
        cmd = find_command(argc, argv, &consumed);
        if (!cmd) throw UsageError(cat("unknown command '", argv[1], "' (see gptwalk --help)"));
        Args args = parse_args(*cmd, argc, argv, consumed);
        if (args.has("--help")) {
            print_command_help(*cmd);
            return 0;
        }
        return cmd->run(args);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "gptwalk: %s\n", e.what());
        return 2;
    } catch (const Error& e) {
        std::fprintf(stderr, "gptwalk: %s\n", e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "gptwalk: out of memory\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gptwalk: %s\n", e.what());
        return 1;
    }
}
