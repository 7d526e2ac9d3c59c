// test_cli.cpp — the command-line contract: help, exit codes, one-line errors,
// and the machine-readable outputs (ids, .npy) that other work relies on.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/json.h"
#include "core/mapped_file.h"
#include "core/npy.h"
#include "testing.h"

using namespace gw;
using gw::testing::run_command;
using gw::testing::shell_quote;

static const std::string kF32 = "tests/fixtures/forward/f32";  // a model folder with no tokenizer

// Runs gptwalk with the given arguments (stdin from /dev/null); returns the exit code.
static int gptwalk(const std::string& args, std::string* out) {
    return run_command(shell_quote(gw::testing::gptwalk_binary()) + " " + args + " </dev/null", out);
}

static int count_lines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

TEST_CASE("help: top level and every command") {
    std::string out;
    CHECK(gptwalk("--help", &out) == 0);
    for (const char* cmd : {"generate", "tokenize", "logits", "inspect", "kernels", "bench", "fidelity"}) {
        CAPTURE(cmd);
        CHECK(out.find(cmd) != std::string::npos);
        std::string h;
        CHECK(gptwalk(std::string(cmd) + " --help", &h) == 0);
        CHECK(h.find("usage: gptwalk " + std::string(cmd)) != std::string::npos);
    }
    CHECK(gptwalk("", &out) == 2);  // no command: usage, exit 2
}

TEST_CASE("help: a command group lists its subcommands, and each answers --help") {
    std::string out;
    CHECK(gptwalk("walk --help", &out) == 0);
    CHECK(out.find("usage: gptwalk walk SUBCOMMAND") != std::string::npos);
    for (const char* sub : {"decode", "encode", "positions", "fewshot"}) {
        CAPTURE(sub);
        CHECK(out.find(std::string("  ") + sub + " ") != std::string::npos);
        std::string h;
        CHECK(gptwalk(std::string("walk ") + sub + " --help", &h) == 0);
        CHECK(h.find(std::string("usage: gptwalk walk ") + sub) != std::string::npos);
    }
}

TEST_CASE("usage errors exit 2 with one line") {
    struct Case { const char* args; const char* says; };
    const Case cases[] = {
        {"frobnicate", "unknown command 'frobnicate'"},
        {"generate --bogus", "unknown flag '--bogus'"},
        {"generate --prompt", "--prompt needs a value"},
        {"generate --prompt hi -n", "-n needs a value"},
        {"generate --prompt hi -n ten", "-n expects a whole number, got 'ten'"},
        {"generate --prompt hi -n -5", "-n must be between 0 and"},
        {"generate --prompt hi --temperature abc", "--temperature expects a number"},
        {"generate --prompt hi --top-p 1.5", "--top-p must be between 0 and 1"},
        {"generate --prompt hi --greedy --top-k 5", "--greedy cannot be combined"},
        {"generate --prompt hi --kernels sse9", "sse9"},
        {"generate --prompt hi --prompt-ids 1,2", "exactly one of --prompt, --file, --prompt-ids"},
        {"generate --prompt hi --greedy=yes", "--greedy takes no value"},
        {"generate --prompt a --prompt b", "--prompt given twice"},
        {"logits --prompt-ids 1,2", "give --out"},
        {"generate stray --prompt hi", "unexpected argument 'stray'"},
        {"neighbours one two", "unexpected argument 'two'"},
        {"tokenize", "exactly one of --text or --file"},
        {"walk", "'walk' needs a subcommand: "},
        {"walk stroll", "unknown walk subcommand 'stroll': choose "},
        {"generate --prompt hi --weights int4", "unknown weight type 'int4': choose f32, bf16, f16 or q8"},
        {"walk decode --prompt hi --weights", "--weights needs a value"},
        {"fidelity --types bf16,q7", "unknown weight type 'q7'"},
        {"fidelity --gen-tokens 0", "--gen-tokens must be between 1 and"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.args);
        std::string out;
        CHECK(gptwalk(c.args, &out) == 2);
        CHECK(out.find(c.says) != std::string::npos);
        CHECK(count_lines(out) == 1);
        CHECK(out.rfind("gptwalk: ", 0) == 0);
    }
    std::string out;
    CHECK(gptwalk("generate --model " + kF32 + " --prompt-ids 1,x --print-ids", &out) == 2);
    CHECK(out.find("'x' is not a token id") != std::string::npos);
    CHECK(gptwalk("generate --model " + kF32 + " --prompt-ids 1,101 --print-ids", &out) == 2);
    CHECK(out.find("id 101 is out of range") != std::string::npos);
}

TEST_CASE("runtime errors exit 1 with one line naming the problem") {
    std::string out;
    CHECK(gptwalk("generate --model /nonexistent/dir --prompt hi", &out) == 1);
    CHECK(out.find("/nonexistent/dir") != std::string::npos);
    CHECK(count_lines(out) == 1);
    // text in, but the folder has no tokenizer
    CHECK(gptwalk("generate --model " + kF32 + " --prompt hi --print-ids", &out) == 1);
    CHECK(out.find("--prompt-ids") != std::string::npos);
    CHECK(gptwalk("generate --model " + kF32 + " --prompt-ids 1,2", &out) == 1);
    CHECK(out.find("--print-ids") != std::string::npos);
    // invalid UTF-8 prompt
    gw::testing::TempDir tmp;
    gw::testing::write_text_file(tmp.file("bad.txt"), "abc\xff");
    CHECK(gptwalk("generate --file " + tmp.file("bad.txt") + " -n 1", &out) == 1);
    CHECK(out.find("not valid UTF-8 (bad byte at offset 3)") != std::string::npos);
    CHECK(gptwalk("generate --prompt \"$(printf 'abc\\377')\" -n 1", &out) == 1);
    CHECK(out.find("--prompt: not valid UTF-8 (bad byte at offset 3)") != std::string::npos);
    // a prompt as long as the context (f32 has n_positions 32)
    std::string ids = "1";
    for (int i = 1; i < 32; i++) ids += ",1";
    CHECK(gptwalk("generate --model " + kF32 + " --prompt-ids " + ids + " --print-ids", &out) == 1);
    CHECK(out.find("context holds 32 positions") != std::string::npos);
    CHECK(count_lines(out) == 1);
}

TEST_CASE("generate --prompt-ids --print-ids works without a tokenizer and matches the reference") {
    JsonValue g = parse_json(read_file(kF32 + "/greedy.json"), "greedy.json");
    std::string prompt, want;
    for (const JsonValue& v : g.find("prompt")->items) {
        prompt += (prompt.empty() ? "" : ",") + std::to_string(v.integer);
        want += (want.empty() ? "" : " ") + std::to_string(v.integer);
    }
    for (const JsonValue& v : g.find("ids")->items) want += " " + std::to_string(v.integer);
    for (const char* extra : {"", " --no-cache", " --kernels ref"}) {
        CAPTURE(extra);
        std::string out;
        REQUIRE(gptwalk("generate --model " + kF32 + " --prompt-ids " + prompt +
                            " --greedy -n 12 --print-ids" + extra + " 2>/dev/null",
                        &out) == 0);
        CHECK(out == want + "\n");
    }
}

TEST_CASE("logits writes (T, V) float32 .npy equal to the reference; --dump-trace writes every point") {
    gw::testing::TempDir tmp;
    std::string ids;
    {
        std::string all = read_file(kF32 + "/trace/ids.txt");
        for (char c : all) ids += (c == ' ' ? ',' : c);
        while (!ids.empty() && (ids.back() == '\n' || ids.back() == ',')) ids.pop_back();
    }
    std::string out;
    REQUIRE(gptwalk("logits --model " + kF32 + " --prompt-ids " + ids + " --out " + tmp.file("l.npy") +
                        " --dump-trace " + tmp.file("trace"),
                    &out) == 0);
    NpyArray got = read_npy(tmp.file("l.npy")), want = read_npy(kF32 + "/trace/logits.npy");
    CHECK(got.shape == want.shape);
    gw::testing::check_close(got.data, want.data, 1e-4f, 1e-4f, "logits.npy");  // the fixtures' README
    for (const char* p : {"embed", "h.0.attn_pattern", "h.1.resid_post", "ln_f", "logits"}) {
        CAPTURE(p);
        CHECK(file_exists(tmp.file("trace/") + p + ".npy"));
    }
    // the .npy header is the standard v1 one numpy.load expects
    std::string raw = read_file(tmp.file("l.npy"));
    CHECK(raw.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) == 0);
    CHECK(raw.find("{'descr': '<f4', 'fortran_order': False, 'shape': (7, 101), }") != std::string::npos);
}

TEST_CASE("tokenize on the shipped tokenizer: ids-only and --file reads bytes exactly") {
    std::string out;
    REQUIRE(gptwalk("tokenize --text 'Hello world' --ids-only", &out) == 0);
    CHECK(out == "15496 995\n");
    gw::testing::TempDir tmp;
    gw::testing::write_text_file(tmp.file("p.txt"), "\n\n");
    REQUIRE(gptwalk("tokenize --file " + tmp.file("p.txt") + " --ids-only", &out) == 0);
    CHECK(out == "628\n");  // the trailing newlines are kept
    REQUIRE(gptwalk("tokenize --text ' Hello world'", &out) == 0);
    CHECK(out.find("18435") != std::string::npos);
    CHECK(out.find("2 tokens from 12 bytes") != std::string::npos);
}

TEST_CASE("--weights means one thing everywhere: the matrices' type in memory") {
    std::string a, b;
    gw::testing::TempDir tmp;
    // The F16 fixture as stored and as --weights f16: the same numbers, the same ids
    // (the first line; stderr's timing line follows).
    const std::string f16 = "tests/fixtures/forward/f16_prefix";
    REQUIRE(gptwalk("generate --model " + f16 + " --prompt-ids 1,2,3 -n 6 --greedy --print-ids", &a) == 0);
    REQUIRE(gptwalk("generate --model " + f16 + " --prompt-ids 1,2,3 -n 6 --greedy --print-ids --weights f16", &b) == 0);
    CHECK(a.substr(0, a.find('\n')) == b.substr(0, b.find('\n')));
    const std::string logits = "logits --prompt-ids 1,2 --out " + tmp.file("l.npy");
    for (const char* cmd : {"generate --prompt-ids 1,2 -n 2 --print-ids", logits.c_str(),
                            "bench --prompt-tokens 2 --gen-tokens 2 --repeats 1", "walk decode --prompt-ids 1,2 -n 2",
                            "walk encode --prompt-ids 1,2,3"}) {
        for (const char* w : {"f32", "bf16", "f16", "q8"}) {
            CAPTURE(std::string(cmd));
            CAPTURE(std::string(w));
            std::string out;
            CHECK(gptwalk(std::string(cmd) + " --model " + f16 + " --weights " + w, &out) == 0);
        }
    }
    std::string out;
    CHECK(gptwalk("bench --help", &out) == 0);
    CHECK(out.find("--weights") != std::string::npos);
}

TEST_CASE("inspect --weights prints each matrix's error against the file; fidelity compares the types") {
    std::string out;
    REQUIRE(gptwalk("inspect --model " + kF32 + " --weights q8", &out) == 0);
    CHECK(out.find("matrices loaded as q8, 0 of 9 used in place") != std::string::npos);
    CHECK(out.find("h.1.mlp.c_proj.weight") != std::string::npos);
    CHECK(out.find("/ max |w|") != std::string::npos);
    REQUIRE(gptwalk("inspect --model " + kF32, &out) == 0);
    CHECK(out.find("matrices as stored, 9 of 9 used in place") != std::string::npos);
    REQUIRE(gptwalk("fidelity --model " + kF32 + " --prompt-tokens 4 --gen-tokens 3 --types q8", &out) == 0);
    CHECK(out.find("f32 ") != std::string::npos);
    CHECK(out.find("q8 ") != std::string::npos);
    CHECK(out.find("3 / 3") != std::string::npos);  // F32 reproduces its own greedy tokens
    REQUIRE(gptwalk("fidelity --model " + kF32 + " --prompt-ids 5,6 --gen-tokens 2 --json", &out) == 0);
    CHECK(out.find("\"kind\": \"weight_fidelity\"") != std::string::npos);
}

TEST_CASE("inspect lists every tensor and the parameter count") {
    std::string out;
    REQUIRE(gptwalk("inspect --model tests/fixtures/forward/f16_prefix --check", &out) == 0);
    CHECK(out.find("transformer.h.1.mlp.c_proj.weight") != std::string::npos);
    CHECK(out.find("F16") != std::string::npos);
    CHECK(out.find("every weight is finite") != std::string::npos);
    CHECK(out.find("skipped") != std::string::npos);  // the attn.bias buffers
}
