// test_hostile.cpp — every broken file we can think of, end to end through the CLI:
// safetensors, config.json and tokenizer files. Each must give exit 1 and ONE line on
// stderr naming the file and the problem: never a crash, a hang, a sanitizer report, a
// wild allocation, or a silently wrong answer. (Strange strings on the command line are
// in test_hostile_cli.cpp.)
//
// Every bad input is generated here, at test time, from a small valid model folder
// (tests/hostile_inputs.h), so no binary junk is committed. The runner kills a run after
// 20 s or once it holds 1 GiB, and the suites also run under `make test-asan`, where
// BUILD/gptwalk is the ASan + UBSan build.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "hostile_inputs.h"

using namespace gw;
using namespace gw::hostile;
using gw::testing::TempDir;
using gw::testing::write_text_file;

TEST_CASE("the valid model loads and runs (the control every bad input is made from)") {
    Fixture f;
    const Run inspect = run_gptwalk(load_commands(f.base)[0], f.tmp.path);
    check_ok(inspect);
    // By hand: V*C + P*C + L*(12*C*C + 13*C) + 2*C = 2080 + 128 + 2*872 + 16 (C 8, V 260, P 16, L 2).
    CHECK(inspect.out.find("parameters 3968 (config says 3968)") != std::string::npos);
    check_ok(run_gptwalk(load_commands(f.base)[1], f.tmp.path));
    // Taking the file apart and putting it back together changes nothing.
    const std::string dir = f.variant("model.safetensors", assemble(read_raw(f.base + "/model.safetensors")));
    for (const auto& args : load_commands(dir)) check_ok(run_gptwalk(args, f.tmp.path));
    Run t = run_gptwalk({"tokenize", "--model", f.base, "--text", " hi hi", "--ids-only"}, f.tmp.path);
    check_ok(t);
    // By hand: " hi" is one piece, bytes "Ġ" "h" "i"; merge rank 0 (h i) gives "Ġ" "hi",
    // rank 1 (Ġ hi) gives "Ġhi" = 257.
    CHECK(t.out == "257 257\n");
}

// ---------------------------------------------------------------- safetensors

struct StCase {
    const char* what;
    std::function<std::string(RawSafetensors)> make;  // the bytes of the bad file
    const char* says;                                 // a key word of the message
};

TEST_CASE("safetensors: every broken header or data section is one line naming the file") {
    const auto edit = [](std::function<void(RawSafetensors&)> change) {
        return [change](RawSafetensors raw) {
            change(raw);
            return assemble(raw);
        };
    };
    const auto header = [](const std::string& text) {
        return [text](RawSafetensors raw) { return with_length(text, raw.data); };
    };
    std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
    const StCase cases[] = {
        {"empty file", [](RawSafetensors) { return std::string(); }, "empty"},
        {"5 bytes", [](RawSafetensors) { return std::string("\x01\x02\x03\x04\x05", 5); }, "too short"},
        {"header length past the end",
         [](RawSafetensors raw) { return with_length(header_json(raw), raw.data, 8 + header_json(raw).size() + raw.data.size()); },
         "exceeds the file size"},
        {"header length absurd",
         [](RawSafetensors raw) { return with_length(header_json(raw), raw.data, uint64_t(1) << 40); }, "absurd"},
        {"header length 2^64-2",
         [](RawSafetensors raw) { return with_length(header_json(raw), raw.data, UINT64_MAX - 1); }, "absurd"},
        {"header length 0", [](RawSafetensors raw) { return with_length("", raw.data); }, "unexpected end"},
        {"header not JSON", header("this is not JSON at all!"), "line 1"},
        {"header JSON cut short", [](RawSafetensors raw) { return with_length(header_json(raw).substr(0, 100), raw.data); }, "line 1"},
        {"header with trailing junk", [](RawSafetensors raw) { return with_length(header_json(raw) + " }", raw.data); }, "line 1"},
        {"header an array", header("[1, 2, 3]"), "not a JSON object"},
        {"header a string", header("\"model\""), "not a JSON object"},
        {"header deeply nested", header(deep), "nesting"},
        {"header not UTF-8", header("{\"w\xff\xfe\":{}}"), "UTF-8"},
        {"duplicate tensor names", edit([](RawSafetensors& r) { r.entries.push_back(r.entries[0]); }), "duplicate"},
        {"dtype I64", edit([](RawSafetensors& r) { entry(r, "wte.weight").dtype = "\"I64\""; }), "of I64 needs"},
        {"dtype BOOL", edit([](RawSafetensors& r) { entry(r, "wpe.weight").dtype = "\"BOOL\""; }), "of BOOL needs"},
        {"dtype Q4 (no such dtype)", edit([](RawSafetensors& r) { entry(r, "wpe.weight").dtype = "\"Q4\""; }), "unsupported dtype \"Q4\""},
        {"dtype a number", edit([](RawSafetensors& r) { entry(r, "wpe.weight").dtype = "32"; }), "dtype must be a string"},
        {"dtype missing", edit([](RawSafetensors& r) { entry(r, "ln_f.bias").dtype = ""; }), "missing \"dtype\""},
        {"shape missing", edit([](RawSafetensors& r) { entry(r, "ln_f.bias").shape = ""; }), "missing \"shape\""},
        {"offsets missing", edit([](RawSafetensors& r) { entry(r, "ln_f.bias").offsets = ""; }), "missing \"data_offsets\""},
        {"a field twice", edit([](RawSafetensors& r) { entry(r, "ln_f.bias").extra = ",\"dtype\":\"F16\""; }), "duplicate"},
        {"entry not an object", [](RawSafetensors raw) { std::string h = header_json(raw); return with_length("{\"x\":[1]," + h.substr(1), raw.data); }, "expected an object"},
        {"negative dim", edit([](RawSafetensors& r) { entry(r, "wte.weight").shape = "[-260,8]"; }), "negative"},
        {"zero dim, bytes present", edit([](RawSafetensors& r) { entry(r, "wte.weight").shape = "[0,8]"; }), "no elements"},
        {"fractional dim", edit([](RawSafetensors& r) { entry(r, "wte.weight").shape = "[260.5,8]"; }), "integer"},
        {"dim as a string", edit([](RawSafetensors& r) { entry(r, "wte.weight").shape = "[\"260\",8]"; }), "integer"},
        {"shape not an array", edit([](RawSafetensors& r) { entry(r, "wte.weight").shape = "2080"; }), "shape must be an array"},
        {"five dims", edit([](RawSafetensors& r) { entry(r, "wte.weight").shape = "[1,1,1,260,8]"; }), "dims"},
        {"shape product overflows",
         edit([](RawSafetensors& r) { entry(r, "wte.weight").shape = "[4294967296,4294967296,16]"; }), "overflow"},
        {"dim beyond int64",
         edit([](RawSafetensors& r) { entry(r, "wte.weight").shape = "[18446744073709551616,8]"; }), "integer"},
        {"offsets past the end", edit([](RawSafetensors& r) { entry(r, "ln_f.bias").offsets = "[0,1000000000000]"; }), "past the end"},
        {"offsets reversed", edit([](RawSafetensors& r) { entry(r, "wte.weight").offsets = "[8320,0]"; }), "reversed"},
        {"offsets negative", edit([](RawSafetensors& r) { entry(r, "wte.weight").offsets = "[-8,8312]"; }), "negative"},
        {"offsets not a pair", edit([](RawSafetensors& r) { entry(r, "wte.weight").offsets = "[0,8320,1]"; }), "data_offsets"},
        {"offsets overlap",
         edit([](RawSafetensors& r) { entry(r, "h.0.ln_1.bias").offsets = entry(r, "h.0.ln_1.weight").offsets; }), "overlap"},
        {"offsets do not match the shape",
         edit([](RawSafetensors& r) { entry(r, "wte.weight").offsets = "[0,8316]"; }), "needs 8320 bytes"},
        {"unknown field", edit([](RawSafetensors& r) { entry(r, "wpe.weight").extra = ",\"endian\":\"big\""; }), "unknown field"},
        // Strings from the header reach the message escaped: no newline, no terminal escape sequence.
        {"a name with a newline and an escape sequence",
         edit([](RawSafetensors& r) { entry(r, "h.0.ln_1.weight").name = "h.0.ln_1.weight\n\x1b[31mred"; }),
         "h.0.ln_1.weight\\n\\u001b[31mred"},
        {"a dtype that clears the screen", edit([](RawSafetensors& r) { entry(r, "wpe.weight").dtype = "\"\\u001b[2J\""; }),
         "unsupported dtype \"\\u001b[2J\""},
        {"a field named with an OSC sequence",
         edit([](RawSafetensors& r) { entry(r, "wpe.weight").extra = ",\"\\u001b]0;pwned\\u0007\":1"; }),
         "unknown field \"\\u001b]0;pwned\\u0007\""},
        {"__metadata__ key with a C1 control (CSI)",
         [](RawSafetensors raw) { std::string h = header_json(raw); return with_length("{\"__metadata__\":{\"\\u009b2J\":7}," + h.substr(1), raw.data); },
         "\\u009b2J"},
        {"__metadata__ not an object",
         [](RawSafetensors raw) { std::string h = header_json(raw); return with_length("{\"__metadata__\":7," + h.substr(1), raw.data); },
         "__metadata__"},
        {"data section 4 bytes short",
         [](RawSafetensors raw) { return with_length(header_json(raw), raw.data.substr(0, raw.data.size() - 4)); }, "truncated"},
        {"data section cut in half",
         [](RawSafetensors raw) { return with_length(header_json(raw), raw.data.substr(0, raw.data.size() / 2)); }, "truncated"},
        {"a tensor missing",
         edit([](RawSafetensors& r) {
             r.entries.erase(r.entries.begin() + long(&entry(r, "h.1.mlp.c_proj.bias") - r.entries.data()));
         }),
         "'h.1.mlp.c_proj.bias' is missing"},
        {"wrong shape for the config (transposed)",
         edit([](RawSafetensors& r) { entry(r, "h.0.attn.c_attn.weight").shape = "[24,8]"; }), "expected shape (8, 24)"},
        {"zero-sized tensor where the config wants data",
         edit([](RawSafetensors& r) {
             entry(r, "h.0.ln_1.bias").shape = "[0]";
             const std::string off = entry(r, "h.0.ln_1.bias").offsets;
             entry(r, "h.0.ln_1.bias").offsets = "[" + off.substr(1, off.find(',') - 1) + "," + off.substr(1, off.find(',') - 1) + "]";
         }),
         "expected shape (8,)"},
        {"a tensor with an empty name",
         edit([](RawSafetensors& r) { entry(r, "h.1.ln_1.weight").name = ""; }), "unexpected tensor ''"},
        {"a tensor for a layer the config lacks",
         edit([](RawSafetensors& r) { entry(r, "h.1.ln_1.weight").name = "h.7.ln_1.weight"; }), "unexpected tensor 'h.7.ln_1.weight'"},
        {"the same tensor twice (with and without the prefix)",
         edit([](RawSafetensors& r) {
             RawEntry copy = entry(r, "ln_f.bias");
             copy.name = "transformer.ln_f.bias";
             copy.offsets = cat("[", r.data.size(), ",", r.data.size() + 32, "]");
             r.data += r.data.substr(r.data.size() - 32);
             r.entries.push_back(copy);
         }),
         "appears twice"},
        {"an lm_head.weight that is not wte.weight",
         edit([](RawSafetensors& r) {
             RawEntry head = entry(r, "wte.weight");
             head.name = "lm_head.weight";
             head.offsets = cat("[", r.data.size(), ",", r.data.size() + 8320, "]");
             r.data += std::string(8320, '\0');
             r.entries.push_back(head);
         }),
         "differs from wte.weight"},
    };
    Fixture f;
    const RawSafetensors valid = read_raw(f.base + "/model.safetensors");
    std::vector<BadInput> inputs;
    for (const StCase& c : cases)
        inputs.push_back({c.what, f.variant("model.safetensors", c.make(valid)), "model.safetensors", c.says});
    check_all_fail(inputs, f.tmp.path, load_commands);
}

TEST_CASE("safetensors: NaN and infinity are found by inspect --check, naming the tensor") {
    Fixture f;
    const RawSafetensors valid = read_raw(f.base + "/model.safetensors");
    RawSafetensors nan = valid, inf = valid;
    poke_f32(nan, "h.0.mlp.c_fc.weight", 17, 0x7FC00000u);  // a quiet NaN
    poke_f32(inf, "wte.weight", 3, 0xFF800000u);            // -infinity
    const std::string nan_dir = f.variant("model.safetensors", assemble(nan));
    const std::string inf_dir = f.variant("model.safetensors", assemble(inf));
    const std::vector<Run> runs = run_many({{"inspect", "--check", "--model", nan_dir},
                                            {"inspect", "--check", "--model", inf_dir},
                                            {"inspect", "--model", nan_dir},
                                            {"inspect", "--check", "--model", f.base}},
                                           f.tmp.path);
    check_error(runs[0], 1, {nan_dir + "/model.safetensors", "NaN", "h.0.mlp.c_fc.weight"});
    CHECK(runs[0].out.find("h.0.mlp.c_fc.weight: 1 non-finite values (first at index 17)") != std::string::npos);
    check_error(runs[1], 1, {inf_dir + "/model.safetensors", "wte.weight"});
    CHECK(runs[1].out.find("wte.weight: 1 non-finite values (first at index 3)") != std::string::npos);
    // Without --check the file loads: looking at every weight would touch every page of a
    // multi-gigabyte mapping, where loading otherwise reads only the header. That is why
    // the scan is opt-in (see weights.h), and why inspect --check exists.
    check_ok(runs[2]);
    check_ok(runs[3]);
    CHECK(runs[3].out.find("every weight is finite") != std::string::npos);
}

TEST_CASE("safetensors: a deep, narrow model loads in linear time") {
    // Width 2, 500 and 2000 layers: 6004 and 24004 tensors. Loading once matched each
    // tensor against every layer's buffer names, quadratic in depth: 4x the layers took
    // 15x the time (0.4 s and 5.4 s here). Linear loading takes about 4x.
    TempDir tmp;
    std::vector<std::vector<std::string>> commands;
    for (int64_t layers : {500, 2000}) {
        Config c = small_config();
        c.n_embd = 2, c.n_head = 1, c.n_layer = layers, c.n_positions = 4;
        write_random_checkpoint(tmp.file(std::to_string(layers)), c, {});
        commands.push_back({"inspect", "--model", tmp.file(std::to_string(layers))});
    }
    const std::vector<Run> r = run_many(commands, tmp.path);
    check_ok(r[0]);
    check_ok(r[1]);
    CHECK(r[1].out.find("h.1999.mlp.c_proj.bias") != std::string::npos);
    INFO("CPU seconds: " << r[0].cpu_seconds << " and " << r[1].cpu_seconds);
    CHECK(r[1].cpu_seconds < 8 * r[0].cpu_seconds);
}

// ---------------------------------------------------------------- config.json

TEST_CASE("config.json: missing, mistyped, inconsistent and absurd fields") {
    struct ConfigCase {
        std::string what, json, says;
    };
    const std::string deep = "{\"n_embd\": " + std::string(10000, '[') + std::string(10000, ']') + "}";
    const ConfigCase cases[] = {
        {"empty", "", "unexpected end"},
        {"not JSON", "n_embd = 8\n", "line 1"},
        {"an array", "[8, 2, 2, 16, 260]", "expected a JSON object"},
        {"deeply nested", deep, "nesting"},
        {"not UTF-8", "{\"n_embd\xff\": 8}", "UTF-8"},
        {"trailing junk", config_with("n_embd", "8") + "}", "line 2"},
        {"a key twice", "{\"n_embd\": 8, " + config_with("n_embd", "8").substr(1), "duplicate key"},
        {"n_embd missing", config_with("n_embd", ""), "missing required field \"n_embd\""},
        {"n_head missing", config_with("n_head", ""), "missing required field \"n_head\""},
        {"n_layer missing", config_with("n_layer", ""), "missing required field \"n_layer\""},
        {"vocab_size missing", config_with("vocab_size", ""), "missing required field \"vocab_size\""},
        {"n_positions missing", config_with("n_positions", ""), "\"n_positions\""},
        {"n_head a string", config_with("n_head", "\"2\""), "\"n_head\" must be a positive integer"},
        {"n_layer fractional", config_with("n_layer", "2.5"), "\"n_layer\" must be a positive integer"},
        {"n_layer 1e3", config_with("n_layer", "1e3"), "\"n_layer\" must be a positive integer"},
        {"n_layer negative", config_with("n_layer", "-1"), "\"n_layer\" must be a positive integer"},
        {"n_layer zero", config_with("n_layer", "0"), "\"n_layer\" must be a positive integer"},
        {"n_layer null", config_with("n_layer", "null"), "\"n_layer\""},
        {"n_layer true", config_with("n_layer", "true"), "\"n_layer\""},
        {"n_layer beyond int64", config_with("n_layer", "99999999999999999999"), "\"n_layer\""},
        {"n_embd not divisible by n_head", config_with("n_head", "3"), "not divisible"},
        {"n_embd absurd", config_with("n_embd", "1000000000"), "GiB"},
        {"n_positions absurd", config_with("n_positions", "1000000000000"), "wpe.weight alone"},
        {"vocab_size past int32", config_with("vocab_size", "3000000000"), "vocab_size"},
        {"n_layer absurd", config_with("n_layer", "1000000000"), "GiB"},
        {"layer_norm_epsilon a string", config_with("layer_norm_epsilon", "\"small\""), "layer_norm_epsilon"},
        {"layer_norm_epsilon negative", config_with("layer_norm_epsilon", "-1e-5"), "layer_norm_epsilon"},
        {"activation relu", config_with("activation_function", "\"relu\""), "not supported"},
        {"activation with an escape sequence", config_with("activation_function", "\"\\u001b[31mrelu\\n\""),
         "\"\\u001b[31mrelu\\n\" is not supported"},
        {"n_inner not 4 x n_embd", config_with("n_inner", "16"), "\"n_inner\": 16"},
        {"n_inner a string", config_with("n_inner", "\"32\""), "\"n_inner\""},
        {"scaled by layer index", config_with("scale_attn_by_inverse_layer_idx", "true"), "not supported"},
    };
    Fixture f;
    std::vector<BadInput> inputs;
    for (const ConfigCase& c : cases) inputs.push_back({c.what, f.variant("config.json", c.json), "config.json", c.says});
    // Sizes that are fine on their own but do not match the tensors in the file.
    inputs.push_back({"n_embd 16 for a file of width 8", f.variant("config.json", config_with("n_embd", "16")),
                      "model.safetensors", "expected shape (260, 16)"});
    inputs.push_back({"n_layer 3 for a file of 2 layers", f.variant("config.json", config_with("n_layer", "3")),
                      "model.safetensors", "'h.2.ln_1.weight' is missing"});
    inputs.push_back({"config.json missing", f.without({"config.json"}), "config.json", "config.json"});
    inputs.push_back({"model.safetensors missing", f.without({"model.safetensors"}), "model.safetensors", "model.safetensors"});
    const std::string dir_as_config = f.without({"config.json"});
    std::filesystem::create_directory(dir_as_config + "/config.json");
    inputs.push_back({"config.json a directory", dir_as_config, "config.json", "config.json"});
    // Every command reads config.json through load_checkpoint, as inspect does (and the
    // safetensors cases run generate too): one command per case keeps the suite quick.
    check_all_fail(inputs, f.tmp.path, [](const std::string& dir) {
        return std::vector<std::vector<std::string>>{{"inspect", "--model", dir}};
    });
}

TEST_CASE("config.json: n_inner as GPT-2 writes it (null, or 4 x n_embd) is accepted") {
    // Hugging Face's GPT2Config: n_inner is the MLP's width, null meaning 4 * n_embd. gptwalk's
    // MLP is 4 * n_embd wide (as every published GPT-2 is), so any other width is refused above.
    Fixture f;
    const std::vector<Run> r = run_many({{"inspect", "--model", f.variant("config.json", config_with("n_inner", "null"))},
                                         {"inspect", "--model", f.variant("config.json", config_with("n_inner", "32"))}},
                                        f.tmp.path);
    check_ok(r[0]);
    check_ok(r[1]);
}

TEST_CASE("config.json: n_layer 100000 beside a small file fails at once, without allocating") {
    // The weights and KV cache this config describes fit under the 64 GiB limit, so the
    // config alone is not refused; the file, with 28 tensors, cannot be what it describes.
    Fixture f;
    for (const char* n_layer : {"100000", "10000000"}) {
        CAPTURE(n_layer);
        const std::string dir = f.variant("config.json", config_with("n_layer", n_layer));
        for (const auto& args : load_commands(dir)) {
            const Run r = run_gptwalk(args, f.tmp.path);
            check_error(r, 1, {dir + "/model.safetensors", "'h.2.ln_1.weight' is missing", cat("n_layer=", n_layer)});
            CHECK(r.cpu_seconds < 0.5);
            CHECK(r.max_rss_kb < 200 * 1024);  // the sanitizers' shadow memory included
        }
    }
    // The shipped tiny model's width with 100000 layers is refused by the config itself.
    const std::string dir = f.variant(
        "config.json", "{\"n_embd\": 192, \"n_head\": 6, \"n_layer\": 100000, \"n_positions\": 256, \"vocab_size\": 50257}");
    check_error(run_gptwalk({"inspect", "--model", dir}, f.tmp.path), 1,
                {dir + "/config.json", "n_layer=100000", "GiB"});
}

// ---------------------------------------------------------------- tokenizer files

TEST_CASE("tokenizer files: missing, truncated, not UTF-8, inconsistent") {
    Fixture f;
    const std::string vocab = tiny_vocab_json(), merges = tiny_merges_txt();
    const auto replaced = [](std::string s, const std::string& from, const std::string& to) {
        const size_t at = s.find(from);
        REQUIRE(at != std::string::npos);
        return s.replace(at, from.size(), to);
    };
    std::vector<BadInput> in = {
        {"no tokenizer files", f.without({"vocab.json", "merges.txt"}), "", "no tokenizer files"},
        {"merges.txt missing", f.without({"merges.txt"}), "merges.txt", "missing"},
        {"vocab.json missing", f.without({"vocab.json"}), "vocab.json", "missing"},
        {"vocab.json empty", f.variant("vocab.json", ""), "vocab.json", "unexpected end"},
        {"vocab.json truncated", f.variant("vocab.json", vocab.substr(0, vocab.size() / 2)), "vocab.json", "line 1"},
        {"vocab.json not UTF-8", f.variant("vocab.json", replaced(vocab, "\"hi\"", "\"h\xffi\"")), "vocab.json", "UTF-8"},
        {"vocab.json an array", f.variant("vocab.json", "[\"a\", \"b\"]"), "vocab.json", "expected a non-empty JSON object"},
        {"vocab.json {}", f.variant("vocab.json", "{}"), "vocab.json", "non-empty"},
        {"duplicate ids", f.variant("vocab.json", replaced(vocab, "\"hi\":256", "\"hi\":5")), "vocab.json", "already used"},
        {"id out of range", f.variant("vocab.json", replaced(vocab, "\"hi\":256", "\"hi\":999")), "vocab.json", "out of range"},
        {"id negative", f.variant("vocab.json", replaced(vocab, "\"hi\":256", "\"hi\":-256")), "vocab.json", "out of range"},
        {"id fractional", f.variant("vocab.json", replaced(vocab, "\"hi\":256", "\"hi\":256.5")), "vocab.json", "integer"},
        {"id a string", f.variant("vocab.json", replaced(vocab, "\"hi\":256", "\"hi\":\"256\"")), "vocab.json", "integer"},
        {"a token twice", f.variant("vocab.json", replaced(vocab, "\"hi\":256", "\"h\":256")), "vocab.json", "duplicate key"},
        {"a token outside the byte alphabet", f.variant("vocab.json", replaced(vocab, "\"hi\":256", "\"h\\u4e00\":256")),
         "vocab.json", "byte alphabet"},
        {"no token for a byte", f.variant("vocab.json", replaced(vocab, "\"A\":65", "\"AA\":65")), "vocab.json", "no token for byte 65"},
        {"merge of an unknown token", f.variant("merges.txt", merges + "h zz\n"), "merges.txt", "unknown token \"zz\""},
        {"merge giving an unknown token", f.variant("merges.txt", merges + "a b\n"), "merges.txt", "not in"},
        {"merge with one token", f.variant("merges.txt", merges + "h\n"), "merges.txt", "expected two tokens"},
        {"merge with three tokens", f.variant("merges.txt", merges + "h i i\n"), "merges.txt", "expected two tokens"},
        {"merge listed twice", f.variant("merges.txt", merges + "h i\n"), "merges.txt", "listed twice"},
        {"merges.txt cut mid-character", f.variant("merges.txt", merges + "h \xC4"), "merges.txt", "UTF-8"},
        {"merges.txt not UTF-8", f.variant("merges.txt", "#version: 0.2\n\xff\xfe i\n"), "merges.txt", "UTF-8"},
        {"a merge with an escape sequence", f.variant("merges.txt", merges + "h \x1b[2J\n"), "merges.txt",
         "unknown token \"\\u001b[2J\""},
        {"a token with a C1 control (CSI)", f.variant("vocab.json", replaced(vocab, "\"hi\":256", "\"h\\u009bi\":256")),
         "vocab.json", "\"h\\u009bi\""},
    };
    const std::string openai = f.without({"vocab.json", "merges.txt"});
    write_text_file(openai + "/encoder.json", vocab);  // OpenAI's names, one file of the pair
    in.push_back({"encoder.json without vocab.bpe", openai, "vocab.bpe", "missing"});
    check_all_fail(in, f.tmp.path, [](const std::string& dir) {
        return std::vector<std::vector<std::string>>{{"tokenize", "--model", dir, "--text", "hi"}};
    });
    // An empty merges file is legal: no merges, so every byte stays its own token.
    Run r = run_gptwalk({"tokenize", "--model", f.variant("merges.txt", ""), "--text", " hi", "--ids-only"}, f.tmp.path);
    check_ok(r);
    CHECK(r.out == "32 104 105\n");
}
