// cli/cli.h — pieces shared by the command-line front end (src/cli/).
//
// Every command declares its flags in a table (name, takes a value?, help), parses
// them with Args, and returns an exit code. Bad flags and values throw UsageError
// (exit 2); failures while running throw gw::Error (exit 1). main() prints one line.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "model/sampler.h"
#include "model/weights.h"

namespace gw {

class Tokenizer;
struct Image;

struct Flag {
    std::string name;     // "--prompt" (or "-n")
    std::string value;    // value placeholder for help ("STR"); empty for a switch
    std::string help;
};

struct Command {
    std::string name;      // "generate", "walk decode"
    std::string summary;   // one line
    std::string usage;     // after the name: "--prompt STR [-n N]"
    std::vector<Flag> (*flags)();  // a function, so no global depends on another's construction
    int (*run)(const struct Args& args);
    int max_positional = 0;  // bare arguments it takes (neighbours: its TOKEN); more are usage errors
};

// Parsed flags of one command.
struct Args {
    const Command* command = nullptr;
    std::map<std::string, std::string> values;  // flag -> value ("" for switches)
    std::vector<std::string> positional;

    bool has(const std::string& flag) const { return values.count(flag) != 0; }
    std::string str(const std::string& flag, const std::string& fallback = "") const;
    // Whole numbers / reals within [lo, hi]; anything else is a UsageError naming the flag.
    int64_t integer(const std::string& flag, int64_t fallback, int64_t lo, int64_t hi) const;
    double real(const std::string& flag, double fallback, double lo, double hi) const;
};

// Parses argv[first..] against the command's flags. Handles --flag VALUE and --flag=VALUE;
// refuses unknown flags, repeated flags and more bare arguments than the command takes.
Args parse_args(const Command& cmd, int argc, char** argv, int first);
void print_command_help(const Command& cmd);

// The commands, each in its own file.
extern const Command kGenerateCommand, kTokenizeCommand, kInspectCommand, kLogitsCommand,
    kKernelsCommand;
extern const Command kWalkEncodeCommand;
extern const Command kWalkPositionsCommand;
extern const Command kWalkDecodeCommand;
extern const Command kWalkFewshotCommand;
extern const Command kWalkFinetuneCommand;
extern const Command kNeighboursCommand;
extern const Command kBenchCommand;
extern const Command kFidelityCommand;
extern const Command kServeCommand;
extern const Command kTrainCommand, kEvalCommand;

// ---- helpers used by several commands (common.cpp) ----
std::string model_dir(const Args& args);  // --model, default model/model_dir.h's default_model_dir()
Isa kernels_from(const Args& args);   // --kernels, default auto
LoadOptions weights_from(const Args& args);  // --weights, default: each matrix as stored
int threads_from(const Args& args);   // --threads N: the forward pass's team (default 1)
// The tokenizer beside a model, checked against it once, here (require_vocabulary_fits):
// nullptr when the folder has no tokenizer file; half a pair is an error naming the other half.
std::unique_ptr<Tokenizer> model_tokenizer(const Checkpoint& model);
// A folder's tokenizer for a command that cannot do without one (`why`: "to tokenize text"),
// checked against `model` when one is given.
std::unique_ptr<Tokenizer> need_tokenizer(const std::string& dir, const std::string& why,
                                          const Checkpoint* model = nullptr);
// --prompt-ids "1,2,3" -> ids; each checked against vocab_size.
std::vector<int> parse_ids(const std::string& flag, const std::string& text, int64_t vocab_size);
// The prompt as ids, from --prompt STR / --file PATH (tokenized by tok, from model_tokenizer)
// or --prompt-ids, refused when it has more than max_tokens tokens (the context, or one less
// for a command that generates). A text is refused as soon as that is known: a 1 MB file is
// never tokenized whole for a 1024-token context.
std::vector<int> prompt_ids(const Args& args, const Checkpoint& model, const Tokenizer* tok, int64_t max_tokens);
// The same, but a text past max_tokens comes back cut after the piece that passed it.
std::vector<int> prompt_ids_cut(const Args& args, const Checkpoint& model, const Tokenizer* tok, int64_t max_tokens);
// Text to stdout, byte for byte (a NUL byte in generated text is written, not taken for
// the end), and the flush that says whether it arrived: gw::Error "cannot write to standard
// output: ..." when a write failed (a full disk, a closed stdout). main() flushes last.
void write_stdout(const std::string& bytes);
void flush_stdout();
// Writes an output file (output_file.h: temporary file, then renamed into place) and
// says so on stdout, one way for every command: "wrote PATH (WHAT)".
void write_output(const std::string& path, const std::string& bytes, const std::string& what);
void write_png_output(const std::string& path, const Image& image);  // "wrote PATH (W x H PNG)"
// Sampler flags (--greedy, --temperature, --top-k, --top-p, --min-p, --repetition-penalty, --seed).
SamplerConfig sampler_from(const Args& args);
std::vector<Flag> model_flags();    // --model --kernels --weights
// --model --kernels, for the commands that train: they update F32 parameters, so the type a
// model is run in (--weights) does not apply; their output's type is --dtype.
std::vector<Flag> training_model_flags();
std::vector<Flag> thread_flags();   // --threads (commands whose forward runs are long enough to share)
std::vector<Flag> prompt_flags();   // --prompt --file --prompt-ids
std::vector<Flag> sampler_flags();  // --greedy --temperature --top-k --top-p --min-p ...
std::vector<Flag> join(std::initializer_list<std::vector<Flag>> parts);

}  // namespace gw
