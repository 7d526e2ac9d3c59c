// test_forward_ref.cpp — the plain forward pass (forward_ref.h) against the float64
// Python reference, and then the fast forward() against it: every kernel set, one and two
// threads, one chunk and token by token through the KV cache, every trace point.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/mapped_file.h"
#include "core/npy.h"
#include "model/forward.h"
#include "model/forward_ref.h"
#include "testing.h"

using namespace gw;
using gw::testing::check_close;
using gw::testing::read_ids;

static const char* kFixtures[] = {"f32", "f16_prefix", "bf16_oddheads"};
// The fixtures' tolerance (tests/fixtures/forward/README.md): float32 compute vs float64.
static const float kAtol = 1e-4f, kRtol = 1e-4f;
// forward() vs forward_ref(): two float32 evaluations of the same expression that differ
// only in the order of their sums (BLAS blocking, vector lanes, threads, the cache). The
// test above holds each of them within kAtol + kRtol·|x| of the float64 values on models of
// this scale, so they may be twice that apart from each other: 2e-4 absolute and relative.
static const float kAtolPair = 2 * kAtol, kRtolPair = 2 * kRtol;

// forward_ref's buffer for a trace point named as forward() and the fixtures name it.
static std::vector<float> ref_point(const RefActivations& a, const std::string& name, int64_t C) {
    if (name == "embed") return a.embed;
    if (name == "ln_f") return a.ln_f;
    if (name == "logits") return a.logits;
    size_t dot = name.find('.', 2);
    const RefLayer& l = a.h.at(std::stoul(name.substr(2, dot - 2)));
    const std::string p = name.substr(dot + 1);
    if (p == "resid_pre") {
        size_t i = std::stoul(name.substr(2, dot - 2));
        return i == 0 ? a.embed : a.h[i - 1].resid_post;
    }
    if (p == "q" || p == "k" || p == "v") {  // a C-wide column block of qkv (T, 3C)
        const int64_t off = p == "q" ? 0 : p == "k" ? C : 2 * C, T = int64_t(l.qkv.size()) / (3 * C);
        std::vector<float> out(size_t(T * C));
        for (int64_t t = 0; t < T; t++)
            for (int64_t c = 0; c < C; c++) out[size_t(t * C + c)] = l.qkv[size_t(t * 3 * C + off + c)];
        return out;
    }
    const std::pair<const char*, const std::vector<float>*> named[] = {
        {"ln_1", &l.ln_1},       {"attn_pattern", &l.pattern}, {"attn_heads", &l.heads},
        {"attn_out", &l.attn_out}, {"resid_mid", &l.resid_mid}, {"ln_2", &l.ln_2},
        {"mlp_pre", &l.mlp_pre}, {"mlp_act", &l.mlp_act},     {"mlp_out", &l.mlp_out},
        {"resid_post", &l.resid_post}};
    for (const auto& [n, v] : named)
        if (p == n) return *v;
    FAIL("no forward_ref buffer for trace point " << name);
    return {};
}

TEST_CASE("forward_ref: every activation and the logits match the float64 reference") {
    for (const char* name : kFixtures) {
        CAPTURE(name);
        const std::string dir = std::string("tests/fixtures/forward/") + name;
        auto m = load_checkpoint(dir);
        // the full context's logits
        std::vector<int> ids = read_ids(dir + "/ids.txt");
        check_close(forward_ref(*m, ids).logits, read_npy(dir + "/logits.npy").data, kAtol, kRtol,
                    std::string(name) + " logits");
        // every trace point the fixture has (its trace/ holds one .npy per point)
        std::vector<int> tids = read_ids(dir + "/trace/ids.txt");
        RefActivations a = forward_ref(*m, tids);
        RunState s = make_run_state(m->config, int64_t(tids.size()));
        std::vector<float> last(static_cast<size_t>(m->config.vocab_size));
        Trace names;  // forward() lists the point names, in order
        ForwardOptions o;
        o.trace = &names;
        forward(last.data(), *m, s, tids.data(), int64_t(tids.size()), o);
        for (const TracePoint& p : names.points) {
            CAPTURE(p.name);
            check_close(ref_point(a, p.name, m->config.n_embd), read_npy(dir + "/trace/" + p.name + ".npy").data,
                        kAtol, kRtol, std::string(name) + " " + p.name);
        }
    }
}

TEST_CASE("forward_ref refuses what forward refuses") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    CHECK_THROWS_AS(forward_ref(*m, {}), Error);
    CHECK_THROWS_AS(forward_ref(*m, {1, int(m->config.vocab_size)}), Error);
    CHECK_THROWS_AS(forward_ref(*m, std::vector<int>(size_t(m->config.n_positions + 1), 1)), Error);
}

static std::vector<Isa> supported_isas() {
    std::vector<Isa> out;
    for (Isa isa : {Isa::Ref, Isa::Avx2, Isa::Avx512})
        if (isa_supported(isa)) out.push_back(isa);
    return out;
}

TEST_CASE("forward matches forward_ref: every kernel set, 1 and 2 threads, one chunk and token by token") {
    // The shipped model (GPT-2's vocabulary, 8 layers) and the odd-head fixture.
    const std::pair<std::string, std::vector<int>> cases[] = {
        {"weights/tiny-gpt2", {464, 3290, 7342, 319, 262, 2603, 13, 632, 373, 257, 922, 1110}},
        {"tests/fixtures/forward/bf16_oddheads", read_ids("tests/fixtures/forward/bf16_oddheads/ids.txt")},
    };
    for (const auto& [dir, ids] : cases) {
        CAPTURE(dir);
        auto m = load_checkpoint(dir);
        const int64_t T = int64_t(ids.size()), V = m->config.vocab_size;
        const RefActivations want = forward_ref(*m, ids);
        for (Isa isa : supported_isas())
            for (int threads : {1, 2}) {
                CAPTURE(isa_name(isa));
                CAPTURE(threads);
                ForwardOptions o;
                o.isa = isa;
                o.threads = threads;
                o.all_logits = true;
                RunState chunk = make_run_state(m->config, T, threads);
                std::vector<float> got(size_t(T * V));
                forward(got.data(), *m, chunk, ids.data(), T, o);
                check_close(got, want.logits, kAtolPair, kRtolPair, "one chunk");
                RunState step = make_run_state(m->config, 1, threads);
                o.all_logits = false;
                for (int64_t t = 0; t < T; t++)
                    forward(got.data() + t * V, *m, step, &ids[size_t(t)], 1, o);
                check_close(got, want.logits, kAtolPair, kRtolPair, "token by token");
            }
        // every trace point of the fast path, at its widest kernels
        Trace tr;
        ForwardOptions o;
        o.isa = best_isa();
        o.trace = &tr;
        RunState s = make_run_state(m->config, T);
        std::vector<float> last(static_cast<size_t>(V));
        forward(last.data(), *m, s, ids.data(), T, o);
        for (const TracePoint& p : tr.points) {
            CAPTURE(p.name);
            check_close(p.data, ref_point(want, p.name, m->config.n_embd), kAtolPair, kRtolPair, p.name);
        }
    }
}
