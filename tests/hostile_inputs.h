// hostile_inputs.h — the generator behind the hostile suites (tests/test_hostile*.cpp): a
// small valid model folder to start from, a safetensors file taken apart so any field can
// be broken, and bulk checks over many broken copies. The runner is tests/hostile_runner.h.
//
// Header-only on purpose: the Makefile links each tests/test_*.cpp with tests/main.cpp and
// tests/testing.cpp only, and the hostile suites are the only users of these helpers.
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/mapped_file.h"
#include "hostile_runner.h"
#include "model/config.h"
#include "model/safetensors.h"
#include "model/tokenizer.h"         // byte_to_unicode
#include "perf/random_checkpoint.h"
#include "testing.h"

namespace gw::hostile {

// ---------------------------------------------------------------- a valid model folder

// C 8, NH 2, L 2, P 16, V 260: every file is a few kilobytes, so each run is quick even
// under the sanitizers. V = 256 byte tokens + 3 merges + <|endoftext|> (the tokenizer below).
inline Config small_config() {
    Config c;
    c.n_embd = 8, c.n_head = 2, c.n_layer = 2, c.n_positions = 16, c.vocab_size = 260;
    return c;
}

// vocab.json: byte b is token b (written in GPT-2's byte alphabet, where ' ' is "Ġ"),
// then "hi" 256, "Ġhi" 257, "ĠĠ" 258, "<|endoftext|>" 259; merges.txt: "h i", "Ġ hi",
// "Ġ Ġ" (ranks 0, 1, 2). So "hi" encodes to [256] and " hi" to [257].
inline std::string tiny_vocab_json() {
    std::string s = "{";
    for (int b = 0; b < 256; b++) s += json_quote(byte_to_unicode(uint8_t(b))) + ":" + std::to_string(b) + ",";
    return s + "\"hi\":256,\"\\u0120hi\":257,\"\\u0120\\u0120\":258,\"<|endoftext|>\":259}";
}
inline std::string tiny_merges_txt() { return "#version: 0.2\nh i\n\xC4\xA0 hi\n\xC4\xA0 \xC4\xA0\n"; }

// A complete, valid folder: config.json, model.safetensors (random F32 weights),
// vocab.json + merges.txt. Every bad input in the suite starts as a copy of one.
inline void write_valid_model(const std::string& dir, const Config& cfg = small_config(), uint64_t seed = 1) {
    RandomCheckpointOptions o;
    o.seed = seed;
    write_random_checkpoint(dir, cfg, o);
    testing::write_text_file(dir + "/vocab.json", tiny_vocab_json());
    testing::write_text_file(dir + "/merges.txt", tiny_merges_txt());
}

// A copy of folder `from` as `to`, leaving out the files named in `except`.
inline void copy_model(const std::string& from, const std::string& to, const std::vector<std::string>& except) {
    std::filesystem::create_directories(to);
    for (const auto& e : std::filesystem::directory_iterator(from)) {
        const std::string name = e.path().filename().string();
        bool skip = false;
        for (const std::string& x : except) skip = skip || x == name;
        if (!skip) std::filesystem::copy_file(e.path(), to + "/" + name);
    }
}

// The small config's JSON with one field set to `value` (raw JSON), or removed when
// `value` is empty; a key it lacks is added.
inline std::string config_with(const std::string& key, const std::string& value) {
    const std::pair<std::string, std::string> fields[] = {
        {"n_embd", "8"}, {"n_head", "2"}, {"n_layer", "2"}, {"n_positions", "16"}, {"vocab_size", "260"}};
    std::string s;
    bool found = false;
    for (const auto& [k, v] : fields) {
        if (k == key) found = true;
        if (k == key && value.empty()) continue;
        s += cat(s.empty() ? "" : ", ", json_quote(k), ": ", k == key ? value : v);
    }
    if (!found) s += cat(", ", json_quote(key), ": ", value);
    return "{" + s + "}\n";
}

// ---------------------------------------------------------------- safetensors, taken apart

// One header entry with each field kept as raw JSON text, so a test can put anything
// there: a wrong type, a negative number, a number too large for any integer type.
struct RawEntry {
    std::string name;     // the key, unquoted
    std::string dtype;    // "\"F32\""
    std::string shape;    // "[260,8]"
    std::string offsets;  // "[0,8320]"
    std::string extra;    // more members, written last (",\"x\":1")
    // (an empty dtype, shape or offsets leaves that member out)
};
struct RawSafetensors {
    std::vector<RawEntry> entries;  // in file order
    std::string data;               // the data section's bytes
};

inline RawSafetensors read_raw(const std::string& path) {
    const std::string bytes = read_file(path);
    const SafetensorsIndex index =
        parse_safetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
    RawSafetensors raw;
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; i--) header_len = (header_len << 8) | uint8_t(bytes[size_t(i)]);
    raw.data = bytes.substr(size_t(8 + header_len));
    for (const TensorInfo& t : index.tensors) {
        std::string shape = "[";
        for (int d = 0; d < t.shape.ndim; d++) shape += (d ? "," : "") + std::to_string(t.shape.dim[d]);
        raw.entries.push_back({t.name, json_quote(dtype_name(t.dtype)), shape + "]",
                               cat("[", t.begin, ",", t.end, "]"), ""});
    }
    return raw;
}

inline RawEntry& entry(RawSafetensors& raw, const std::string& name) {
    for (RawEntry& e : raw.entries)
        if (e.name == name) return e;
    throw Error("test setup: no tensor " + name);
}

inline std::string header_json(const RawSafetensors& raw) {
    std::string s = "{";
    for (size_t i = 0; i < raw.entries.size(); i++) {
        const RawEntry& e = raw.entries[i];
        std::string fields;  // an empty field is left out
        if (!e.dtype.empty()) fields += ",\"dtype\":" + e.dtype;
        if (!e.shape.empty()) fields += ",\"shape\":" + e.shape;
        if (!e.offsets.empty()) fields += ",\"data_offsets\":" + e.offsets;
        fields += e.extra;
        s += cat(i ? "," : "", json_quote(e.name), ":{", fields.empty() ? "" : fields.substr(1), "}");
    }
    return s + "}";
}

// [8-byte little-endian length][header][data]; `declared` is the length written, which a
// test may set to anything (by default the header's true length).
inline std::string with_length(const std::string& header, const std::string& data,
                               uint64_t declared = UINT64_MAX) {
    const uint64_t n = declared == UINT64_MAX ? header.size() : declared;
    std::string out(8, '\0');
    for (int i = 0; i < 8; i++) out[size_t(i)] = char((n >> (8 * i)) & 0xFF);
    return out + header + data;
}
inline std::string assemble(const RawSafetensors& raw) { return with_length(header_json(raw), raw.data); }

// Overwrites the float at element `index` of tensor `name` (an F32 tensor) with bits.
inline void poke_f32(RawSafetensors& raw, const std::string& name, int64_t index, uint32_t bits) {
    const std::string& off = entry(raw, name).offsets;  // "[begin,end]"
    const size_t at = size_t(std::stoull(off.substr(1))) + size_t(index) * 4;
    for (int b = 0; b < 4; b++) raw.data[at + size_t(b)] = char((bits >> (8 * b)) & 0xFF);
}

// ---------------------------------------------------------------- cases, in bulk

// One folder per test case: `base` holds the valid model; each bad input is a copy of it
// with one file replaced or removed.
struct Fixture {
    testing::TempDir tmp;
    std::string base = tmp.file("valid");
    int n = 0;
    Fixture() { write_valid_model(base); }
    std::string without(const std::vector<std::string>& files) {
        const std::string dir = tmp.file("case" + std::to_string(n++));
        copy_model(base, dir, files);
        return dir;
    }
    // A copy of the valid folder with `file` replaced by `contents`; returns the folder.
    std::string variant(const std::string& file, const std::string& contents) {
        const std::string dir = without({file});
        testing::write_text_file(dir + "/" + file, contents);
        return dir;
    }
};

// `inspect` reads every tensor's header entry; `generate` also runs the model.
inline std::vector<std::vector<std::string>> load_commands(const std::string& dir) {
    return {{"inspect", "--model", dir},
            {"generate", "--model", dir, "--prompt-ids", "1", "--print-ids", "-n", "1"}};
}

// A bad input: the folder holding it, the file the message must name, a key word of it.
struct BadInput {
    std::string what, dir, file, says;
};

// Runs `command(dir)` for every bad input (all at once, a few at a time), and checks each
// gives exit 1 and one line naming the file and the problem.
inline void check_all_fail(const std::vector<BadInput>& inputs, const std::string& cwd,
                           const std::function<std::vector<std::vector<std::string>>(const std::string&)>& commands) {
    std::vector<std::vector<std::string>> all;
    std::vector<const BadInput*> of;
    for (const BadInput& b : inputs)
        for (const auto& args : commands(b.dir)) all.push_back(args), of.push_back(&b);
    const std::vector<Run> runs = run_many(all, cwd);
    for (size_t i = 0; i < runs.size(); i++) {
        CAPTURE(of[i]->what);
        const std::string file = of[i]->file.empty() ? of[i]->dir : of[i]->dir + "/" + of[i]->file;
        check_error(runs[i], 1, {file, of[i]->says});
    }
}

}  // namespace gw::hostile
