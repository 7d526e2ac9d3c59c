// test_hostile_cli.cpp — strange strings on the command line, end to end: prompts that
// are not UTF-8, empty or too long; token id lists that are malformed or out of range;
// every flag of every command (read from `gptwalk --help` at test time, so new commands
// and flags are covered as they appear) with its value missing or malformed; a tokenizer
// that does not fit its model; and a standard output that cannot be written. Each must
// give exit 1 or 2 and ONE line on stderr, never a crash, a hang or a sanitizer report.
// The generator is tests/hostile_inputs.h, the runner tests/hostile_runner.h; test_hostile.cpp
// covers files, test_hostile_runtime.cpp what goes wrong while a command runs.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "hostile_inputs.h"

using namespace gw;
using namespace gw::hostile;
using gw::testing::TempDir;
using gw::testing::write_text_file;

// ---------------------------------------------------------------- prompts and ids

TEST_CASE("prompts: invalid UTF-8, empty, too long for the context") {
    Fixture f;
    const std::string m = f.base;
    write_text_file(f.tmp.file("bad.txt"), "h\xc3");
    std::string long_text;
    for (int i = 0; i < 20; i++) long_text += " hi";  // 20 tokens (257 each), P = 16
    std::string long_ids = "1";
    for (int i = 1; i < 16; i++) long_ids += ",1";  // 16 ids: no position left for a new token
    const std::vector<Run> r = run_many(
        {{"generate", "--model", m, "--prompt", "h\xff\xfei", "-n", "1"},
         {"generate", "--model", m, "--file", "bad.txt", "-n", "1"},
         {"tokenize", "--model", m, "--text", "h\xffi"},
         {"tokenize", "--model", m, "--text", "h\xffi", "--raw-bytes", "--ids-only"},
         {"generate", "--model", m, "--prompt", "", "-n", "1"},
         {"tokenize", "--model", m, "--text", "", "--ids-only"},
         {"generate", "--model", m, "--prompt", long_text, "-n", "1"},
         {"generate", "--model", m, "--prompt-ids", long_ids, "-n", "1"},
         {"logits", "--model", m, "--prompt-ids", long_ids + ",1", "--out", "x.npy"},
         {"logits", "--model", m, "--prompt", "h\xff", "--out", "x.npy"}},
        f.tmp.path);
    check_error(r[0], 1, {"--prompt", "not valid UTF-8", "offset 1"});
    check_error(r[1], 1, {"bad.txt", "not valid UTF-8", "offset 1"});
    check_error(r[2], 1, {"--text", "not valid UTF-8", "--raw-bytes"});
    check_ok(r[3]);
    CHECK(r[3].out == "104 255 105\n");  // each bad byte is its own piece, so "h" and "i" never merge
    check_error(r[4], 1, {"empty"});
    check_ok(r[5]);
    CHECK(r[5].out == "\n");
    // Tokenizing stops once the prompt is known to be too long: 15 is the most that leaves a
    // position free, and the 16th token ends it.
    check_error(r[6], 1, {"more than 15 tokens", "context", "16"});
    check_error(r[7], 1, {"16 tokens", "context", "16"});
    check_error(r[8], 1, {"17 tokens", "context", "16"});
    check_error(r[9], 1, {"--prompt", "not valid UTF-8"});
}

TEST_CASE("prompts: token ids out of range or malformed, for every command that takes them") {
    Fixture f;
    const std::vector<std::string> bad = {"260", "-1", "1,,2", "1,", ",1", "", " ", "1e3", "99999999999999999999",
                                          "0x10", "+1", "1 2", "1;2", "\xef\xbc\x91" /* fullwidth 1 */, "%%"};
    const std::vector<std::string> some = {"260", "1,", "99999999999999999999"};  // the parser is shared
    struct Taker {
        std::vector<std::string> command;
        std::string flag;
        const std::vector<std::string>* values;
    };
    const Taker takers[] = {{{"generate", "-n", "1"}, "--prompt-ids", &bad},
                            {{"logits", "--out", "x.npy"}, "--prompt-ids", &bad},
                            {{"walk", "decode", "-n", "1"}, "--prompt-ids", &some},
                            {{"walk", "encode"}, "--prompt-ids", &some},
                            {{"walk", "positions"}, "--prompt-ids", &some}};
    std::vector<std::vector<std::string>> all;
    std::vector<std::string> flag_of;
    for (const auto& [command, flag, values] : takers) {
        for (const std::string& ids : *values) {
            std::vector<std::string> args = command;
            args.insert(args.end(), {"--model", f.base, flag, ids});
            all.push_back(args), flag_of.push_back(flag);
        }
    }
    const std::vector<Run> runs = run_many(all, f.tmp.path);
    for (size_t i = 0; i < runs.size(); i++) check_error(runs[i], 2, {flag_of[i]});
    CHECK(runs[0].err.find("id 260 is out of range") != std::string::npos);
    CHECK(runs[1].err.find("id -1 is out of range") != std::string::npos);
}

TEST_CASE("a tokenizer with more tokens than the model's vocabulary is refused wherever the two meet") {
    // vocab_size 200, but the tokenizer has 260 tokens ("hi" is id 256): row 256 of a (200, C)
    // wte would be read from whatever follows it in the file, and even the ids that fit name
    // another model's tokens. Every command that puts text through the model refuses the pair,
    // before tokenizing: neighbours and the few-shot answer once read past wte here.
    TempDir tmp;
    Config c = small_config();
    c.vocab_size = 200;
    write_valid_model(tmp.path, c);
    const std::string m = tmp.path;
    const std::vector<Run> r = run_many({{"generate", "--model", m, "--prompt", "hi", "-n", "1"},
                                         {"logits", "--model", m, "--prompt", "hi", "--out", "x.npy"},
                                         {"generate", "--model", m, "--prompt", "abc", "-n", "1", "--greedy"},
                                         {"neighbours", "--model", m, "hi"},
                                         {"walk", "fewshot", "--model", m},
                                         {"walk", "positions", "--model", m},
                                         {"walk", "decode", "--model", m, "--prompt", "abc", "-n", "1"},
                                         {"walk", "encode", "--model", m, "--prompt", "abc"},
                                         {"generate", "--model", m, "--prompt-ids", "1", "-n", "1"}},
                                        tmp.path);
    for (const Run& run : r) check_error(run, 1, {m, "260 tokens", "vocab_size=200"});
    // The tokenizer alone is fine: tokenize needs no model.
    const Run t = run_gptwalk({"tokenize", "--model", m, "--text", "hi", "--ids-only"}, tmp.path);
    check_ok(t);
    CHECK(t.out == "256\n");
}

TEST_CASE("a model with a one-token vocabulary: messages never blame an id nobody gave") {
    TempDir tmp;
    Config c = small_config();
    c.vocab_size = 1;
    write_random_checkpoint(tmp.path, c, {});  // no tokenizer: ids only
    const std::vector<Run> r = run_many({{"walk", "encode", "--model", tmp.path, "--prompt-ids", "0"},
                                         {"walk", "decode", "--model", tmp.path, "--prompt-ids", "0", "-n", "1"},
                                         {"neighbours", "--model", tmp.path, "--id", "0"},
                                         {"generate", "--model", tmp.path, "--prompt-ids", "0", "-n", "2", "--print-ids"}},
                                        tmp.path);
    // The perturbation swaps in the nearest OTHER token: there is none.
    check_error(r[0], 1, {"vocab_size=1", "--perturb"});
    CHECK(r[0].err.find("id 1") == std::string::npos);
    check_ok(r[1]);  // --top 5 (the default) shows the one candidate there is
    check_ok(r[2]);
    check_ok(r[3]);
    CHECK(r[3].out == "0 0 0\n");
}

TEST_CASE("half a tokenizer pair names the missing file, in every command") {
    Fixture f;
    const std::string hf = f.without({"merges.txt"});
    const std::string openai = f.without({"vocab.json", "merges.txt"});
    write_text_file(openai + "/encoder.json", tiny_vocab_json());
    check_refused({{{"generate", "--model", hf, "--prompt", "hi", "-n", "1"}, {hf + "/merges.txt", "missing"}},
                   {{"generate", "--model", hf, "--prompt-ids", "1", "-n", "1"}, {hf + "/merges.txt", "missing"}},
                   {{"walk", "decode", "--model", openai, "--prompt", "hi", "-n", "1"}, {openai + "/vocab.bpe", "missing"}},
                   {{"inspect", "--model", openai}, {openai + "/vocab.bpe", "missing"}},
                   {{"walk", "fewshot", "--model", hf}, {hf + "/merges.txt", "missing"}}},
                  f.tmp.path);
}

// ---------------------------------------------------------------- standard output

TEST_CASE("no command: the usage goes to stderr, exit 2") {
    TempDir tmp;
    const Run r = run_gptwalk({}, tmp.path);
    CHECK(r.rc == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("usage: gptwalk COMMAND") != std::string::npos);
}

TEST_CASE("a standard output that cannot be written is an error, not exit 0") {
    // > /dev/full: every write fails (ENOSPC); >&-: stdout is closed (EBADF), and a file the
    // program opens must not take its place as descriptor 1.
    Fixture f;
    const std::vector<std::vector<std::string>> commands = {
        {"generate", "--model", f.base, "--prompt", "hi", "-n", "3"},
        {"generate", "--model", f.base, "--prompt-ids", "1", "--print-ids", "-n", "1"},
        {"inspect", "--model", f.base},
        {"tokenize", "--model", f.base, "--text", "hi hi"},
        {"walk", "positions", "--model", f.base, "--span", "4"},
        {"logits", "--model", f.base, "--prompt-ids", "1", "--out", "x.npy"}};
    for (const auto& args : commands) {
        for (const Stdout& out : {Stdout{"/dev/full", false}, Stdout{"", true}}) {
            const Run r = run_gptwalk_with(args, f.tmp.path, out);
            check_error(r, 1, {"standard output"});
        }
    }
}

TEST_CASE("a NUL byte in the text is written, not taken for the end") {
    Fixture f;
    const Run r = run_gptwalk({"generate", "--model", f.base, "--prompt-ids", "104,0,105", "-n", "0"}, f.tmp.path);
    check_ok(r);
    CHECK(r.out == std::string("h\0i\n", 4));
}

TEST_CASE("a bare argument is a usage error in every command, never a silently ignored one") {
    TempDir tmp;
    const std::vector<std::vector<std::string>> commands = {
        {"generate", "stray", "--prompt", "hi"}, {"tokenize", "stray", "--text", "hi"},
        {"logits", "stray", "--prompt", "hi", "--out", "x.npy"}, {"inspect", "/nonexistent"},
        {"kernels", "stray"}, {"bench", "stray"}, {"walk", "encode", "stray"}, {"walk", "decode", "stray"},
        {"walk", "positions", "stray"}, {"walk", "fewshot", "stray"}, {"neighbours", "one", "two"}};
    const std::vector<Run> r = run_many(commands, tmp.path);
    for (const Run& run : r) check_error(run, 2, {"unexpected argument"});
}

// ---------------------------------------------------------------- every flag of every command

namespace {

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    for (size_t i = 0, j; i < s.size(); i = j + 1) {
        j = std::min(s.find(' ', i), s.size());
        if (j > i) out.push_back(s.substr(i, j - i));
    }
    return out;
}

// "  walk decode      summary..." lines after "commands:" in `gptwalk --help`.
std::vector<std::string> commands_from_help(const std::string& help) {
    std::vector<std::string> out;
    bool in_list = false;
    for (const std::string& line : split_lines(help)) {
        if (line == "commands:") in_list = true;
        else if (line.empty()) in_list = in_list && out.empty();
        else if (in_list && line.rfind("  ", 0) == 0) out.push_back(line.substr(2, line.find("  ", 2) - 2));
    }
    return out;
}

struct CliFlag {
    std::string name, value;  // value: the placeholder ("N", "STR"); empty for a switch
};

// "  --top-k K          help" (takes a value) and "  --greedy           help" (a switch)
// lines of `gptwalk CMD --help`; --help itself is left out.
std::vector<CliFlag> flags_from_help(const std::string& help) {
    std::vector<CliFlag> out;
    for (const std::string& line : split_lines(help)) {
        if (line.rfind("  -", 0) != 0) continue;
        const size_t end = std::min(line.find(' ', 2), line.size());
        CliFlag f{line.substr(2, end - 2), ""};
        if (end + 1 < line.size() && line[end + 1] != ' ')
            f.value = line.substr(end + 1, std::min(line.find(' ', end + 1), line.size()) - end - 1);
        if (f.name != "--help") out.push_back(f);
    }
    return out;
}

bool has_flag(const std::vector<CliFlag>& flags, const std::string& name) {
    for (const CliFlag& f : flags)
        if (f.name == name) return true;
    return false;
}

}  // namespace

TEST_CASE("command line: every flag of every command, with its value missing or malformed") {
    Fixture f;
    const Run top = run_gptwalk({"--help"}, f.tmp.path);
    check_ok(top);
    const std::vector<std::string> commands = commands_from_help(top.out);
    CHECK(commands.size() >= 5);
    for (const char* known : {"generate", "tokenize", "inspect", "logits", "kernels"})
        CHECK(std::find(commands.begin(), commands.end(), known) != commands.end());

    std::vector<std::vector<std::string>> helps;
    for (const std::string& c : commands) helps.push_back(words(c + " --help"));
    const std::vector<Run> help = run_many(helps, f.tmp.path);

    // Values a run needs before it reaches the flag under test, and bounds on the work of
    // a run that succeeds. Each is added when the command has the flag, unless the flag
    // under test is in the same group (--prompt, --file and --prompt-ids exclude each other).
    // A new command whose required flag is not here shows up as a failed message check.
    const std::vector<std::pair<std::string, std::string>> context = {
        {"--model", f.base}, {"-n", "1"}, {"--gen-tokens", "1"}, {"--prompt-tokens", "2"}, {"--repeats", "1"},
        {"--prompt-ids", "1"}, {"--text", "hi"}, {"--out", "out.npy"}, {"--id", "1"}};
    const std::vector<std::vector<std::string>> groups = {{"--prompt", "--file", "--prompt-ids", "--id"},
                                                          {"--text", "--file"}};
    const auto same_group = [&](const std::string& a, const std::string& b) {
        for (const auto& g : groups)
            if (std::find(g.begin(), g.end(), a) != g.end() && std::find(g.begin(), g.end(), b) != g.end()) return true;
        return a == b;
    };
    const std::vector<std::string> free_form = {"STR", "FILE", "F", "DIR", "PATH", "FILE.npy"};

    struct Expect {
        std::vector<std::string> args;
        std::vector<int> rcs;              // acceptable exit codes
        std::vector<std::string> says;     // all of these in the message
        std::vector<std::string> says_any; // at least one of these in the message
    };
    std::vector<Expect> expect;
    for (size_t c = 0; c < commands.size(); c++) {
        CAPTURE(commands[c]);
        check_ok(help[c]);
        CHECK(help[c].out.rfind("usage: gptwalk " + commands[c], 0) == 0);
        const std::vector<CliFlag> flags = flags_from_help(help[c].out);
        CHECK(!flags.empty());
        expect.push_back({words(commands[c] + " --no-such-flag"), {2}, {"unknown flag '--no-such-flag'"}, {}});
        for (const CliFlag& fl : flags) {
            std::vector<std::string> base = words(commands[c]);
            for (const auto& [name, value] : context)
                if (has_flag(flags, name) && !same_group(name, fl.name)) base.insert(base.end(), {name, value});
            if (fl.value.empty()) {
                std::vector<std::string> a = base;
                a.push_back(fl.name + "=x");
                expect.push_back({a, {2}, {fl.name, "takes no value"}, {}});
                continue;
            }
            std::vector<std::string> missing = words(commands[c]);
            missing.push_back(fl.name);
            expect.push_back({missing, {2}, {fl.name, "needs a value"}, {}});
            const bool free = std::find(free_form.begin(), free_form.end(), fl.value) != free_form.end();
            std::vector<std::string> a = base;
            a.insert(a.end(), {fl.name, "%%"});
            if (free) expect.push_back({a, {0, 1, 2}, {}, {}});  // "%%" is a fine prompt or file name
            else expect.push_back({a, {1, 2}, {}, {fl.name, "%%"}});
        }
    }
    std::vector<std::vector<std::string>> all;
    for (const Expect& e : expect) all.push_back(e.args);
    const std::vector<Run> runs = run_many(all, f.tmp.path);
    for (size_t i = 0; i < runs.size(); i++) {
        const Run& r = runs[i];
        const Expect& e = expect[i];
        INFO(r.line);
        INFO("stderr: " << r.err);
        CHECK(std::find(e.rcs.begin(), e.rcs.end(), r.rc) != e.rcs.end());
        if (r.rc == 0) {
            check_ok(r);
            continue;
        }
        check_error(r, r.rc, e.says);
        bool any = e.says_any.empty();
        for (const std::string& s : e.says_any) any = any || r.err.find(s) != std::string::npos;
        CHECK(any);
    }
    MESSAGE(commands.size() << " commands, " << runs.size() << " runs");
}
