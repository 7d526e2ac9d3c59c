// test_serve.cpp — the explorer's JSON API (serve/api.h), without HTTP: each route answers
// with exactly the record the command line writes for the same view (the CLI run as a
// program), and every bad request gets its status and a one-line reason, never a crash.
// The server over HTTP, concurrency and the `gptwalk serve` process: test_serve_http.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/error.h"  // cat
#include "core/json.h"
#include "core/mapped_file.h"
#include "kernels/linear.h"  // set_blas_threads
#include "model/weights.h"
#include "serve/api.h"
#include "testing.h"

using namespace gw;
using gw::testing::gptwalk_binary;
using gw::testing::run_command;
using gw::testing::TempDir;

namespace {

const std::string kModel = "weights/tiny-gpt2";  // tests run from the repository root

// The reference kernels, as the CLI's --kernels ref, and OpenBLAS on one thread, as gptwalk's
// main() sets it (its threads would split the sums otherwise): then the records can be
// compared byte for byte.
Explorer explorer() {
    set_blas_threads(1);
    return load_explorer(kModel, Isa::Ref);
}

ApiReply post(const Explorer& ex, const std::string& path, const std::string& body) {
    return answer_api(ex, "POST", path, body);
}

// The JSON file `gptwalk <args> --json FILE` writes, on the reference kernels like the explorer above.
std::string cli_record(const std::string& args) {
    TempDir dir;
    std::string out;
    const std::string cmd = gptwalk_binary() + " " + args + " --model " + kModel + " --json " + dir.file("r.json");
    REQUIRE_MESSAGE(run_command(cmd, &out) == 0, cmd << "\n" << out);
    return read_file(dir.file("r.json"));
}

// The record without one top-level field (the document holds one field per line).
std::string without_field(const std::string& doc, const std::string& key) {
    const size_t at = doc.find("\n  \"" + key + "\": ");
    if (at == std::string::npos) return doc;
    return doc.substr(0, at) + doc.substr(doc.find('\n', at + 1));
}

// "" when a == b; else the first line where they differ, both ways (a record is ~100 KB:
// printing the whole of both would bury the difference).
std::string first_difference(const std::string& a, const std::string& b) {
    size_t at = 0;
    while (at < a.size() && at < b.size() && a[at] == b[at]) at++;
    if (at == a.size() && at == b.size()) return "";
    const size_t line = a.rfind('\n', at) == std::string::npos ? 0 : a.rfind('\n', at) + 1;
    return cat("differ at byte ", at, ":\n  ", a.substr(line, at - line + 80), "\n  ", b.substr(line, at - line + 80));
}

void check_same(const std::string& api, const std::string& cli) {
    const std::string diff = first_difference(api, cli);
    CHECK_MESSAGE(diff.empty(), "the API's record and the CLI's " << diff);
}

}  // namespace

TEST_CASE("each route answers with the record the command line writes for the same view") {
    // The same code on the same inputs and kernels, single-threaded: the same bytes.
    const std::string ids = "818,262,3726,1793,2727,262";  // "In the beginning God created the"
    const std::string prompt_ids = "[818, 262, 3726, 1793, 2727, 262]";
    const Explorer ex = explorer();
    SUBCASE("decode: gptwalk walk decode, sampled") {
        ApiReply r = post(ex, "/api/decode", "{\"prompt_ids\": " + prompt_ids + ", \"steps\": 6, \"top\": 4, "
                                         "\"sampler\": {\"temperature\": 0.8, \"top_k\": 40, \"seed\": 11}}");
        CHECK(r.status == 200);
        check_same(r.body, cli_record("walk decode --kernels ref --prompt-ids " + ids +
                                   " -n 6 --top 4 --temperature 0.8 --top-k 40 --seed 11"));
    }
    SUBCASE("decode: greedy, the prompt as text") {
        ApiReply r = post(ex, "/api/decode", R"({"prompt": "It is a truth", "steps": 3, "sampler": {"greedy": true}})");
        CHECK(r.status == 200);
        check_same(r.body, cli_record("walk decode --kernels ref --prompt 'It is a truth' -n 3 --greedy"));
    }
    SUBCASE("encode: gptwalk walk encode, without its perturbation") {
        ApiReply r = post(ex, "/api/encode", "{\"prompt_ids\": " + prompt_ids + ", \"position\": 4}");
        CHECK(r.status == 200);
        const std::string cli = cli_record("walk encode --kernels ref --prompt-ids " + ids + " --position 4");
        CHECK(cli.find("\"perturbation\"") != std::string::npos);
        check_same(r.body, without_field(cli, "perturbation"));
    }
    SUBCASE("positions: gptwalk walk positions, measured on the prompt") {
        ApiReply r = post(ex, "/api/positions", "{\"layer\": 3, \"span\": 12, \"prompt_ids\": " + prompt_ids + "}");
        CHECK(r.status == 200);
        check_same(r.body, cli_record("walk positions --kernels ref --layer 3 --span 12 --prompt-ids " + ids));
    }
    SUBCASE("neighbours: gptwalk neighbours --id") {
        ApiReply r = post(ex, "/api/neighbours", R"({"id": 1793, "k": 7})");
        CHECK(r.status == 200);
        check_same(r.body, cli_record("neighbours --id 1793 -k 7"));
    }
    SUBCASE("tokenize: gptwalk tokenize --json, every stage") {
        ApiReply r = post(ex, "/api/tokenize", R"({"text": "Hello, wörld!\n  tabs\tand 1234"})");
        CHECK(r.status == 200);
        check_same(r.body, cli_record("tokenize --text \"$(printf 'Hello, w\\303\\266rld!\\n  tabs\\tand 1234')\""));
    }
}

TEST_CASE("the model route says what the page needs to know") {
    const Explorer ex = explorer();
    ApiReply r = answer_api(ex, "GET", "/api/model", "");
    REQUIRE(r.status == 200);
    JsonValue j = parse_json(r.body, "model");
    CHECK(j.find("kind")->text == "explorer_model");
    CHECK(j.find("n_positions")->integer == 256);
    CHECK(j.find("vocab_size")->integer == 50257);
    CHECK(j.find("eot_id")->integer == 50256);
    CHECK(j.find("tokenizer")->boolean);
    CHECK(j.find("limits")->find("max_steps")->integer == ex.limits.max_steps);
}

TEST_CASE("the tree route: the paths' nodes, and its bounds") {
    const Explorer ex = explorer();
    ApiReply r = post(ex, "/api/tree", R"({"prompt_ids": [818, 262], "paths": [[3726, 11], [3726, 262], [11]]})");
    REQUIRE(r.status == 200);
    JsonValue j = parse_json(r.body, "tree");
    CHECK(j.find("kind")->text == "path_tree");
    CHECK(j.find("nodes")->items.size() == 4);  // " beginning" once, its two children, ","
    CHECK(j.find("forward_runs")->integer == 3);
    const ExplorerLimits& l = ex.limits;
    std::string many = "[", long_path = "[";
    for (int64_t i = 0; i <= l.max_paths; i++) many += std::string(i ? ", " : "") + "[11]";
    for (int64_t i = 0; i < 200; i++) long_path += std::string(i ? ", " : "") + "11";
    r = post(ex, "/api/tree", "{\"prompt_ids\": [818], \"paths\": " + many + "]}");
    CHECK(r.status == 400);
    CHECK(r.body.find("at most 64") != std::string::npos);
    std::string paths = "[";  // 21 paths of 200: 4200 tokens, more than 4096 in all
    for (int i = 0; i < 21; i++) paths += std::string(i ? ", " : "") + long_path + "]";
    r = post(ex, "/api/tree", "{\"prompt_ids\": [818], \"paths\": " + paths + "]}");
    CHECK(r.status == 400);
    CHECK(r.body.find("4200 tokens in all; at most 4096") != std::string::npos);
}

TEST_CASE("bad requests: a status and one line that says what is wrong") {
    const Explorer ex = explorer();
    std::string long_text(20000, 'a'), too_long_ids = "[", ids_256 = "[";
    for (int i = 0; i < 300; i++) too_long_ids += std::string(i ? ", " : "") + "262";
    for (int i = 0; i < 256; i++) ids_256 += std::string(i ? ", " : "") + "262";
    std::string deep(20, '[');
    struct Case {
        const char* method;
        std::string path, body;
        int status;
        std::string says;
    };
    const std::vector<Case> cases = {
        {"GET", "/api/nothing", "", 404, "no route \"/api/nothing\""},
        {"GET", "/api/decode", "", 405, "/api/decode answers POST, not \"GET\""},
        {"POST", "/api/model", "", 405, "answers GET"},
        {"POST", "/api/decode", "{\"prompt\": ", 400, "the request body: line 1, column 12"},
        {"POST", "/api/decode", "[1, 2]", 400, "must be a JSON object, got array"},
        {"POST", "/api/decode", "{\"prompt\": \"a\"} x", 400, "the request body: line 1"},
        {"POST", "/api/decode", deep, 400, "the request body"},
        {"POST", "/api/decode", "{\"prompt\": \"a\", \"prompt\": \"b\"}", 400, "duplicate"},
        {"POST", "/api/decode", "{}", 400, "give exactly one of prompt (text) or prompt_ids"},
        {"POST", "/api/decode", R"({"prompt": "a", "prompt_ids": [1]})", 400, "give exactly one"},
        {"POST", "/api/decode", R"({"prompt": "In", "stpes": 3})", 400, "unknown field \"stpes\""},
        {"POST", "/api/decode", R"({"prompt": "In", "steps": 0})", 400, "steps: expected a whole number in [1, 64], got 0"},
        {"POST", "/api/decode", R"({"prompt": "In", "steps": 65})", 400, "in [1, 64], got 65"},
        {"POST", "/api/decode", R"({"prompt": "In", "steps": 2.5})", 400, "got 2.5"},
        {"POST", "/api/decode", R"({"prompt": "In", "steps": "3"})", 400, "got string"},
        {"POST", "/api/decode", R"({"prompt": "In", "steps": 1e300})", 400, "got 1e+300"},
        {"POST", "/api/decode", R"({"prompt": 5})", 400, "prompt: expected a string, got number"},
        {"POST", "/api/decode", R"({"prompt": ""})", 400, "prompt: empty"},
        {"POST", "/api/decode", "{\"prompt\": \"" + long_text + "\"}", 400, "prompt: 20000 bytes of text; the limit is 16384"},
        {"POST", "/api/decode", R"({"prompt_ids": []})", 400, "prompt_ids: empty"},
        {"POST", "/api/decode", R"({"prompt_ids": [1, 50257]})", 400, "prompt_ids[1]: expected a whole number in [0, 50256], got 50257"},
        {"POST", "/api/decode", R"({"prompt_ids": [-1]})", 400, "prompt_ids[0]"},
        {"POST", "/api/decode", R"({"prompt_ids": 262})", 400, "expected an array of token ids"},
        {"POST", "/api/decode", "{\"prompt_ids\": " + too_long_ids + "]}", 400,
         "the prompt has 300 tokens; the model's context holds 256, and the walk needs room for 1 more"},
        {"POST", "/api/decode", "{\"prompt_ids\": " + ids_256 + "]}", 400, "the prompt has 256 tokens"},
        {"POST", "/api/decode", R"({"prompt": "In", "sampler": 3})", 400, "sampler: expected an object"},
        {"POST", "/api/decode", R"({"prompt": "In", "sampler": {"temprature": 1}})", 400, "unknown field \"temprature\""},
        {"POST", "/api/decode", R"({"prompt": "In", "sampler": {"temperature": -1}})", 400, "temperature: expected a number in [0, 100]"},
        {"POST", "/api/decode", R"({"prompt": "In", "sampler": {"top_p": 0}})", 400, "top_p: expected a number in (0, 1], got 0"},
        {"POST", "/api/decode", R"({"prompt": "In", "sampler": {"top_k": 60000}})", 400, "top_k"},
        {"POST", "/api/decode", R"({"prompt": "In", "sampler": {"greedy": 1}})", 400, "greedy: expected true or false"},
        {"POST", "/api/decode", R"({"prompt": "In", "sampler": {"seed": -3}})", 400, "seed"},
        {"POST", "/api/decode", R"({"prompt": "In", "top": 21})", 400, "top: expected a whole number in [1, 20]"},
        {"POST", "/api/encode", "{\"prompt_ids\": " + too_long_ids + "]}", 400, "the prompt has 300 tokens; the model's context holds 256"},
        {"POST", "/api/encode", R"({"prompt_ids": [1, 2], "position": 2})", 400, "position: expected a whole number in [0, 1]"},
        {"POST", "/api/tokenize", R"({})", 400, "text: missing"},
        {"POST", "/api/tokenize", "{\"text\": \"" + long_text + "\"}", 400, "the limit is 16384"},
        {"POST", "/api/neighbours", R"({"id": 50257})", 400, "id: expected a whole number in [0, 50256]"},
        {"POST", "/api/neighbours", R"({"id": 5, "k": 0})", 400, "k: expected a whole number in [1, 100]"},
        {"POST", "/api/positions", R"({"layer": 8})", 400, "layer: expected a whole number in [0, 7]"},
        {"POST", "/api/positions", R"({"span": 65})", 400, "span: expected a whole number in [1, 64]"},
        {"POST", "/api/tree", R"({"prompt_ids": [1]})", 400, "paths: expected a non-empty array"},
        {"POST", "/api/tree", R"({"prompt_ids": [1], "paths": [[]]})", 400, "paths[0]: empty"},
        {"POST", "/api/tree", R"({"prompt_ids": [1], "paths": [[1, 2], [3, "x"]]})", 400, "paths[1][1]"},
        {"POST", "/api/tree", "{\"prompt_ids\": " + ids_256.substr(0, ids_256.size() - 5) + "], \"paths\": [[1, 2, 3]]}", 400,
         "do not fit in the context of 256"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.path);
        CAPTURE(c.body.substr(0, 120));
        ApiReply r = answer_api(ex, c.method, c.path, c.body);
        CHECK(r.status == c.status);
        JsonValue j = parse_json(r.body, "reply");  // always a JSON object with one "error" line
        REQUIRE(j.find("error") != nullptr);
        const std::string& e = j.find("error")->text;
        CHECK_MESSAGE(e.find(c.says) != std::string::npos, e);
        CHECK(e.find('\n') == std::string::npos);
    }
    // A body larger than the limit is refused before it is parsed.
    ApiReply big = post(ex, "/api/decode", std::string(ex.limits.max_body_bytes + 1, ' '));
    CHECK(big.status == 400);
    CHECK(big.body.find("the limit is 1048576") != std::string::npos);
}

TEST_CASE("traced runs are bounded by the activations they would hold, and the reply says how many tokens fit") {
    // The shipped model (L 8, C 192, NH 6, V 50257): a traced run of T tokens holds about
    // 4 (8 (20 T 192 + 6 T^2) + 50257 T + 3 T 192) bytes: 34.5 MB for 100 tokens, 19.9 MB for 59.
    ExplorerLimits l;
    l.max_trace_bytes = 20000000;
    set_blas_threads(1);
    const Explorer ex = load_explorer(kModel, Isa::Ref, l);
    std::string ids = "[";
    for (int i = 0; i < 100; i++) ids += std::string(i ? ", " : "") + "262";
    ids += "]";
    ApiReply r = post(ex, "/api/encode", "{\"prompt_ids\": " + ids + "}");
    CHECK(r.status == 400);
    CHECK_MESSAGE(r.body.find("an encoding walk of 100 tokens would hold 34 MB of activations on this model; "
                              "the explorer's limit is 20 MB: at most 59 tokens") != std::string::npos, r.body);
    r = post(ex, "/api/decode", "{\"prompt_ids\": " + ids + ", \"steps\": 3}");
    CHECK(r.status == 400);
    CHECK(r.body.find("a decoding walk of 103 tokens") != std::string::npos);
    CHECK(post(ex, "/api/positions", "{\"prompt_ids\": " + ids + "}").status == 400);
    CHECK(post(ex, "/api/encode", R"({"prompt_ids": [262, 262, 262]})").status == 200);
}

TEST_CASE("a model folder without a tokenizer: ids work, text is refused with a reason") {
    const Explorer ex = load_explorer("tests/fixtures/forward/f32", Isa::Ref);  // V = 101, P = 32, no tokenizer files
    ApiReply r = answer_api(ex, "POST", "/api/decode", R"({"prompt": "hello"})");
    CHECK(r.status == 400);
    CHECK(r.body.find("has no tokenizer files, so a prompt cannot be given as text; send prompt_ids") != std::string::npos);
    CHECK(answer_api(ex, "POST", "/api/tokenize", R"({"text": "hello"})").status == 400);
    r = answer_api(ex, "POST", "/api/decode", R"({"prompt_ids": [1, 2, 3], "steps": 40})");
    CHECK(r.status == 200);  // stops when the context is full
    JsonValue j = parse_json(r.body, "decode");
    CHECK(j.find("generated_ids")->items.size() == 29);
    CHECK(j.find("steps")->items[0].find("text")->text == "#" + std::to_string(j.find("generated_ids")->items[0].integer));
    CHECK(answer_api(ex, "POST", "/api/encode", R"({"prompt_ids": [1, 2, 3]})").status == 200);
    CHECK(answer_api(ex, "POST", "/api/positions", R"({"span": 64})").status == 400);  // the context holds 32
    CHECK(answer_api(ex, "POST", "/api/positions", R"({"span": 32, "prompt_ids": [4, 5]})").status == 200);
}
