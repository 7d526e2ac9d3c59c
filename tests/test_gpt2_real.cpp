// test_gpt2_real.cpp — real GPT-2 124M, when a user has downloaded it
// (`make weights MODEL=gpt2`). Expected outputs are published ones: Hugging Face's
// own GPT-2 integration test ("The dog", greedy, max length 20) and the widely
// quoted greedy continuation of "Hello, my dog is a little".
// Without weights/gpt2/ these tests are skipped, with the reason printed.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "model/generate.h"
#include "model/tokenizer.h"

using namespace gw;

static const std::string kDir = "weights/gpt2";
static const bool kPresent = file_exists(kDir + "/model.safetensors");

// Without the weights, say once why every test below is skipped (tests/run_all.sh shows
// lines that start with "SKIPPED:").
static const bool kSaidWhy =
    kPresent || std::printf("SKIPPED: real GPT-2 tests: %s/ not found (run `make weights MODEL=gpt2` to enable)\n",
                            kDir.c_str()) > 0;

TEST_CASE("GPT-2 124M: the downloaded checkpoint has GPT-2 124M's shape" * doctest::skip(!kPresent)) {
    auto m = load_checkpoint(kDir);
    const Config& c = m->config;
    CHECK(c.n_layer == 12);
    CHECK(c.n_head == 12);
    CHECK(c.n_embd == 768);
    CHECK(c.n_positions == 1024);
    CHECK(c.vocab_size == 50257);
    CHECK(c.parameter_count() == 124439808);  // what Hugging Face reports for gpt2
}

static std::vector<int> greedy(const Checkpoint& m, const std::vector<int>& prompt, int64_t n) {
    SamplerConfig sc;
    sc.greedy = true;
    Sampler sampler(sc);
    GenerateOptions o;
    o.max_new_tokens = n;
    o.isa = best_isa();
    return generate(m, sampler, prompt, o).ids;
}

TEST_CASE("GPT-2 124M: 'The dog' greedy ids" * doctest::skip(!kPresent)) {
    auto m = load_checkpoint(kDir);
    Tokenizer tok(kDir);
    std::vector<int> prompt = tok.encode("The dog");
    REQUIRE(prompt == std::vector<int>{464, 3290});
    std::vector<int> all = prompt, more = greedy(*m, prompt, 18);
    all.insert(all.end(), more.begin(), more.end());
    CHECK(all == std::vector<int>{464, 3290, 373, 1043, 287, 257, 2214, 1474, 262, 16246, 286, 2688,
                                  290, 2688, 27262, 13, 198, 198, 464, 3290});
}

TEST_CASE("GPT-2 124M: 'Hello, my dog is a little' greedy text" * doctest::skip(!kPresent)) {
    auto m = load_checkpoint(kDir);
    Tokenizer tok(kDir);
    std::vector<int> ids = greedy(*m, tok.encode("Hello, my dog is a little"), 13);
    CHECK(tok.decode(ids) == " bit of a mess. I'm not sure if he's going");
}
