// test_encoding_walk.cpp — invariants of the encoding-walk record on the shipped model and on
// the random fixtures (tests/fixtures/forward/README.md), and the `walk encode` command.
#include <doctest/doctest.h>
#include <stb/stb_image.h>  // stbi_load (implementation lives in libstb)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/mapped_file.h"
#include "core/vecmath.h"
#include "testing.h"
#include "walks/encoding_walk.h"

using namespace gw;
using gw::testing::check_close;
using gw::testing::kFloatU;
using gw::testing::read_ids;


// Each model with a prompt for it: the three random fixtures (their 7 trace ids) and the
// shipped model ("In the beginning God created the", ids from its tokenizer, checked below).
struct Case {
    std::string dir;
    std::vector<int> ids;
};
static std::vector<Case> cases() {
    std::vector<Case> out;
    for (const char* f : {"f32", "f16_prefix", "bf16_oddheads"}) {
        std::string dir = std::string("tests/fixtures/forward/") + f;
        out.push_back({dir, read_ids(dir + "/trace/ids.txt")});
    }
    // "In the beginning God created the" in GPT-2's tokenizer (the first three ids as in
    // tests/fixtures/tiny-gpt2/greedy.json, made by the independent reference tokenizer).
    out.push_back({"weights/tiny-gpt2", {818, 262, 3726, 1793, 2727, 262}});
    return out;
}

TEST_CASE("the logit lens at h_L is the model's own logits; ln_f statistics are per h") {
    for (const Case& c : cases()) {
        CAPTURE(c.dir);
        auto m = load_checkpoint(c.dir);
        const int64_t T = int64_t(c.ids.size()), L = m->config.n_layer, V = m->config.vocab_size;
        Trace tr = traced_forward(*m, c.ids, best_isa());
        std::vector<float> lens(size_t(T * V));
        logit_lens(lens.data(), *m, tr.at(half_layer_point(2 * L)).data.data(), T);
        // The same (T, C) . wte^T product after ln_f, which the lens computes with layernorm_ref
        // and the trace with the best kernels (with GPTWALK_MAX_ISA=ref: the same bits). The
        // kernels' layernorm error, ~1e-6 relative (test_layernorm.cpp allows 1e-5), moves a
        // logit by ~1e-6 sum_i |c_i e_i| (~4e-5 at most on the shipped model, |c| ~ 40); the
        // worst seen is 9e-6, 1/20 of 1e-4 + 1e-5 |logit|. Skipping ln_f's γ or β is off by ~1.
        check_close(lens, tr.at("logits").data, 1e-4f, 1e-5f, "lens at h_L vs logits");
        // Layer norm forgets scale: the lens of 3h equals the lens of h, which holds only if the
        // mean and variance are computed for the vector actually given.
        // (h_L: its variance is large enough that ε's share is negligible at either scale: x̂ of 3h
        // and of h differ by (4/9) ε / var relatively, < 1e-5 for var > 0.5 as here, so logits by
        // < 1e-4 |logit|; 3h itself is one rounding, u, from exact. Worst seen: 1% of the tolerance.)
        std::vector<float> h3 = tr.at(half_layer_point(2 * L)).data, lens3(size_t(T * V));
        logit_lens(lens.data(), *m, h3.data(), T);
        for (float& x : h3) x *= 3.0f;
        logit_lens(lens3.data(), *m, h3.data(), T);
        check_close(lens3, lens, 1e-3f, 1e-4f, "lens of 3h vs lens of h");
    }
}

TEST_CASE("position records: walk points, layer-norm balls and attention rows") {
    for (const Case& c : cases()) {
        CAPTURE(c.dir);
        auto m = load_checkpoint(c.dir);
        const int64_t T = int64_t(c.ids.size()), C = m->config.n_embd, L = m->config.n_layer;
        const int64_t K = 2 * L + 1, NH = m->config.n_head, V = m->config.vocab_size;
        Trace tr = traced_forward(*m, c.ids, best_isa());
        for (int64_t t = 0; t < T; t++) {
            CAPTURE(t);
            PositionRecord r = position_record(*m, tr, t);
            REQUIRE(int64_t(r.points.size()) == K);
            const float* logits = tr.at("logits").data.data() + t * V;
            CHECK(r.predicted == top_k_indices(logits, V, 1)[0]);
            const WalkPoint& last = r.points.back();
            CHECK(last.name == "h." + std::to_string(L - 1) + ".resid_post");
            CHECK(last.depth == double(L));
            CHECK(std::fabs(last.cos_final - 1.0) < 1e-6);  // cos(h_L, h_L) = 1, in double: ~1e-16
            // The lens at h_L is the logits up to d <= 1e-4 + 1e-5 |logit| (the test above), and
            // KL of two softmaxes whose logits differ by at most d is <= d^2 / 2: ~1e-7 at most.
            CHECK(last.kl_to_final < 1e-6);                   // KL(p_L || p_L) = 0
            // Exact ranks: these positions' top-1 logits lead by >= 0.03, 100x that d.
            CHECK(last.final_rank == 1);
            CHECK(last.lens_top[0] == r.predicted);
            // Logits moved by at most d move ln p by at most 2d: |Δp| <= 2d p (2.01 for e^2d).
            double max_logit = 0;
            for (int64_t v = 0; v < V; v++) max_logit = std::max(max_logit, double(std::fabs(logits[v])));
            const double p_real = softmax_probs(logits, V)[size_t(r.predicted)];
            CHECK(std::fabs(last.final_prob - p_real) <= 2.01 * (1e-4 + 1e-5 * max_logit) * p_real);
            for (int64_t k = 1; k < K; k++) {
                // h_k = h_{k-1} + Δ: the update's length is the step's length
                const float* a = tr.at(r.points[size_t(k)].name).data.data() + t * C;
                const float* b = tr.at(r.points[size_t(k - 1)].name).data.data() + t * C;
                std::vector<float> step(static_cast<size_t>(C));
                for (int64_t i = 0; i < C; i++) step[size_t(i)] = a[i] - b[i];
                // The trace's h_k is float(h_{k-1} + Δ), and step = float(h_k - h_{k-1}): each
                // element is within u |h_k| + u |step| of Δ, so the norms are within
                // u (|h_k| + |step|) (2u covers the second-order terms and the double norms).
                CHECK(std::fabs(r.points[size_t(k)].update_norm - norm(step.data(), C)) <=
                      2 * kFloatU * (r.points[size_t(k)].norm + r.points[size_t(k)].update_norm));
                CHECK(r.points[size_t(k)].lens_top_prob[0] >= r.points[size_t(k)].lens_top_prob[1]);
            }
            // Layer-norm ball: |x̂| = √C · sqrt(var / (var + eps)), mean 0. (var + eps = std²)
            REQUIRE(int64_t(r.balls.size()) == 2 * L + 1);
            const double eps = m->config.layer_norm_epsilon;
            for (const LayerNormBall& b : r.balls) {
                CAPTURE(b.name);
                double var = b.input_std * b.input_std - eps;
                // x̂ = (x - mean) rstd in float, from float mean and rstd: a few u relative
                // (~1e-7 seen); 1e-4 checks the formula, a missing ε or mean is off by far more.
                CHECK(std::fabs(b.xhat_norm - std::sqrt(double(C) * var / (var + eps))) < 1e-4 * std::sqrt(double(C)));
                // the model's ε share (a property of these rows, not a rounding question)
                CHECK(std::fabs(b.xhat_norm - std::sqrt(double(C))) < 0.01 * std::sqrt(double(C)));
                // mean(x̂) is exactly (mean - float(mean)) rstd plus the mean of the roundings of
                // x - mean and of * rstd (each <= u |x̂_c|, and mean |x̂_c| <= 1): at most
                // u (|mean| / std + 2).
                CHECK(std::fabs(b.xhat_mean) <= kFloatU * (std::fabs(b.input_mean) / b.input_std + 2) * 1.01);
                // layernorm_ref against the kernel the trace used: test_layernorm.cpp's bound,
                // 1e-5 (1 + |y|), with |y| <= |out| (0 with GPTWALK_MAX_ISA=ref: the same code).
                CHECK(b.max_err <= 1e-5 * (1 + b.out_norm));
            }
            CHECK(r.balls.back().name == "ln_f");
            // Attention rows: t+1 weights summing to 1; the pattern is exactly 0 beyond t.
            REQUIRE(int64_t(r.layers.size()) == L);
            for (int64_t l = 0; l < L; l++) {
                const float* pat = tr.at("h." + std::to_string(l) + ".attn_pattern").data.data();
                REQUIRE(int64_t(r.layers[size_t(l)].heads.size()) == NH);
                // Σ_h Σ_j a_j (v_j W_h) in double from float pieces, against the traced attn_out
                // (float sums over keys, then over C): ~(T + C) u |terms|; worst seen 2e-6.
                CHECK(r.layers[size_t(l)].recompose_err < 1e-4);
                for (int64_t h = 0; h < NH; h++) {
                    const HeadRow& row = r.layers[size_t(l)].heads[size_t(h)];
                    REQUIRE(int64_t(row.weights.size()) == t + 1);
                    double s = 0;
                    for (float a : row.weights) s += a;
                    // Every softmax here (ref or vector) rounds each e_j / sum twice at most,
                    // the same way for the whole row up to u each: the row sums to 1 within 2u + u^2.
                    CHECK(std::fabs(s - 1.0) <= 3 * kFloatU);
                    for (int64_t j = t + 1; j < T; j++) CHECK(pat[(h * T + t) * T + j] == 0.0f);  // written 0
                    // With the row summing to s, H <= s ln n - s ln s, which is ln n + (s - 1)(ln n - 1):
                    // the slack is 3u |ln n - 1|, and 3u more for the double sum.
                    const double ln_n = std::log(double(t + 1));
                    CHECK(row.entropy <= ln_n + 3 * kFloatU * (std::fabs(ln_n - 1) + 1));
                }
            }
        }
    }
}

static bool same(const PositionRecord& a, const PositionRecord& b) {
    if (a.position != b.position || a.predicted != b.predicted || a.points.size() != b.points.size()) return false;
    for (size_t k = 0; k < a.points.size(); k++) {
        const WalkPoint &p = a.points[k], &q = b.points[k];
        if (p.norm != q.norm || p.cos_final != q.cos_final || p.lens_top != q.lens_top ||
            p.lens_top_prob != q.lens_top_prob || p.final_rank != q.final_rank ||
            p.final_prob != q.final_prob || p.kl_to_final != q.kl_to_final ||
            p.update_norm != q.update_norm || p.update_cos != q.update_cos)
            return false;
    }
    for (size_t i = 0; i < a.balls.size(); i++)
        if (a.balls[i].xhat_norm != b.balls[i].xhat_norm || a.balls[i].input_norm != b.balls[i].input_norm ||
            a.balls[i].out_norm != b.balls[i].out_norm)
            return false;
    for (size_t l = 0; l < a.layers.size(); l++)
        for (size_t h = 0; h < a.layers[l].heads.size(); h++) {
            const HeadRow &x = a.layers[l].heads[h], &y = b.layers[l].heads[h];
            if (x.weights != y.weights || x.value_norm != y.value_norm || x.written_norm != y.written_norm) return false;
        }
    return true;
}

// Bit-identical by construction: every op is row by row (layer norm, GELU, each product's row
// of output reads only its own row of input) or causal (row i's scores and sums stop at key i,
// the masked weights are exactly 0), and both runs have the same shapes.
TEST_CASE("changing a later token leaves every earlier position's record bit-identical") {
    for (const Case& c : cases()) {
        CAPTURE(c.dir);
        auto m = load_checkpoint(c.dir);
        const int64_t T = int64_t(c.ids.size());
        const int64_t j = T - 2;  // the changed position
        std::vector<int> ids2 = c.ids;
        ids2[size_t(j)] = (ids2[size_t(j)] + 1) % int(m->config.vocab_size);
        Trace a = traced_forward(*m, c.ids, Isa::Ref), b = traced_forward(*m, ids2, Isa::Ref);
        for (int64_t t = 0; t < j; t++) CHECK(same(position_record(*m, a, t), position_record(*m, b, t)));
        CHECK(!same(position_record(*m, a, j), position_record(*m, b, j)));      // the test can fail
        CHECK(!same(position_record(*m, a, T - 1), position_record(*m, b, T - 1)));
    }
}

TEST_CASE("perturbation: filters see only their own position, attention aggregates") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    std::vector<int> ids = read_ids("tests/fixtures/forward/f32/trace/ids.txt");  // 7 ids
    const int64_t L = m->config.n_layer;
    const int new_id = nearest_token(*m, ids[3]);
    CHECK(new_id != ids[3]);
    PerturbationRecord p = perturbation(*m, ids, 3, new_id, 6, best_isa());
    const size_t S = p.stages.size();
    REQUIRE(p.change.size() == size_t(L) * S);
    CHECK(p.earlier_positions == 3);
    CHECK(p.earlier_identical);
    auto stage = [&](int64_t l, const std::string& name) {
        for (size_t s = 0; s < S; s++)
            if (p.stages[s] == name) return p.change[size_t(l) * S + s];
        FAIL("no stage " << name);
        return 0.0;
    };
    // Layer 0 at position 6: its own input is untouched, so every filter before attention
    // gives bit-identical values; attention reads position 3 and changes.
    for (const char* s : {"resid_pre", "ln_1", "q", "k", "v"}) CHECK(stage(0, s) == 0.0);
    CHECK(stage(0, "attn_row") > 0.0);
    CHECK(stage(0, "attn_out") > 0.0);
    CHECK(stage(L - 1, "resid_post") > 0.0);
    CHECK(p.logits_change > 0.0);
    for (int64_t l = 0; l < L; l++) {
        // ln_1: layernorm_ref against the trace's kernel, 1e-5 (1 + |y|) with |y| < 6 here.
        // mlp: that, then sgemv (one row) against the trace's sgemm and gelu_ref against the
        // kernel: float sums of C and 4C terms, ~1e-6 seen (1.4e-6 worst), 1/70 of 1e-4.
        CHECK(p.ln_1_filter_err[size_t(l)] < 1e-4);
        CHECK(p.mlp_filter_err[size_t(l)] < 1e-4);
    }
    // Watching a position before the change: nothing at all changes.
    PerturbationRecord early = perturbation(*m, ids, 3, new_id, 2, best_isa());
    for (double c : early.change) CHECK(c == 0.0);
    CHECK(early.logits_change == 0.0);
    // Watching the changed position itself: its input changes from the start.
    PerturbationRecord own = perturbation(*m, ids, 3, new_id, 3, best_isa());
    CHECK(own.change[0] > 0.0);  // layer 0 resid_pre = embed
    CHECK_THROWS_AS(perturbation(*m, ids, 7, new_id, 2, Isa::Ref), Error);
}

TEST_CASE("the nearest token maximises the cosine over all other tokens") {
    auto m = load_checkpoint("tests/fixtures/forward/bf16_oddheads");
    const int64_t C = m->config.n_embd, V = m->config.vocab_size;
    const AsF32 wte(m->w.wte);  // (V, C)
    for (int id : {0, 5, int(V - 1)}) {
        int n = nearest_token(*m, id);
        CHECK(n != id);
        double best = cosine(wte.row(id), wte.row(n), C);
        for (int64_t v = 0; v < V; v++)  // the same cosine() of the same rows: == holds at v = n
            if (v != id) CHECK(cosine(wte.row(id), wte.row(v), C) <= best);
    }
}

TEST_CASE("the whole walk: rank grid, attention pictures' data, the 2-D path") {
    auto m = load_checkpoint("tests/fixtures/forward/f16_prefix");
    std::vector<int> ids = read_ids("tests/fixtures/forward/f16_prefix/ids.txt");  // 20 = P ids
    const int64_t T = int64_t(ids.size()), L = m->config.n_layer, K = 2 * L + 1;
    EncodingWalk w = encoding_walk(*m, ids, 4, best_isa());
    CHECK(w.at.position == 4);
    CHECK(w.grid_first == 0);
    const int64_t Tg = int64_t(w.grid_predicted.size());
    CHECK(Tg == T);
    REQUIRE(int64_t(w.grid_rank.size()) == K * Tg);
    // h_L: rank 1 exactly (the lens at h_L is the logits within ~1e-5; these 20 positions' top-1
    // logits lead by >= 8.5e-3).
    for (int64_t i = 0; i < Tg; i++) CHECK(w.grid_rank[size_t((K - 1) * Tg + i)] == 1);
    CHECK(w.grid_rank[size_t(4)] == w.at.points[0].final_rank);
    REQUIRE(int64_t(w.mean_pattern.size()) == L * Tg * Tg);
    for (int64_t l = 0; l < L; l++)
        for (int64_t i = 0; i < Tg; i++) {
            double s = 0;
            for (int64_t j = 0; j < Tg; j++) s += w.mean_pattern[size_t((l * Tg + i) * Tg + j)];
            // NH float rows (each sums to 1 within 2u + u^2), each scaled by float(1/NH) and
            // added in float: every entry is within (NH + 1) u of the exact mean, relatively.
            CHECK(std::fabs(s - 1.0) <= double(m->config.n_head + 4) * kFloatU);
        }
    CHECK(w.focus_layer.size() == size_t(kFocusHeads));
    CHECK(w.focus_pattern.size() == size_t(kFocusHeads * Tg * Tg));
    CHECK(int64_t(w.path_xy.size()) == Tg * K * 2);
    CHECK(w.path_explained[0] >= w.path_explained[1]);
    CHECK(w.path_explained[0] + w.path_explained[1] <= 1.0 + 1e-9);  // double PCA: ~1e-15 over
}

// ---------------------------------------------------------------- the command

using gw::testing::run_command;
using gw::testing::shell_quote;

// Runs gptwalk (stdin from /dev/null, so --step must never wait; `timeout` catches a hang).
static int gptwalk(const std::string& args, std::string* out) {
    return run_command("timeout 120 " + shell_quote(gw::testing::gptwalk_binary()) + " " + args + " </dev/null", out);
}

static std::string fmt(const char* spec, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, x);
    return buf;
}

// The line of the output that starts with `prefix` (empty if none).
static std::string line_starting(const std::string& out, const std::string& prefix) {
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line))
        if (line.compare(0, prefix.size(), prefix) == 0) return line;
    return "";
}

// Decodes a PNG and checks it has the size the command printed ("wrote F (W x H pixels)").
static void check_png(const std::string& out, const std::string& path) {
    std::string line = line_starting(out, "wrote " + path + " (");
    REQUIRE_MESSAGE(!line.empty(), "no 'wrote " << path << "' line");
    int want_w = 0, want_h = 0;
    REQUIRE(std::sscanf(line.c_str() + 8 + path.size(), "%d x %d", &want_w, &want_h) == 2);
    int w = 0, h = 0, channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &w, &h, &channels, 0);
    REQUIRE_MESSAGE(data != nullptr, path << ": stbi_load failed");
    stbi_image_free(data);
    CHECK(w == want_w);
    CHECK(h == want_h);
    CHECK(channels == 3);
    CHECK(w >= 800);
}

TEST_CASE("walk encode: output, JSON with the printed numbers, PNG, --step without a terminal") {
    gw::testing::TempDir tmp;
    const std::string js = tmp.file("w.json"), png = tmp.file("w.png");
    std::string out;
    REQUIRE(gptwalk("walk encode --model tests/fixtures/forward/f32 --prompt-ids 62,51,76,90,73,10,64 --step"
                    " --json " + js + " --png " + png, &out) == 0);
    INFO(out);
    JsonValue j = parse_json(read_file(js), js);
    CHECK(j.find("position")->integer == 6);
    CHECK(j.find("tokens")->items[0].is_null());  // no tokenizer in this folder
    const JsonValue& points = *j.find("points");
    REQUIRE(points.items.size() == 5);  // 2 layers: K = 5
    for (const JsonValue& p : points.items) {
        std::string line = line_starting(out, p.find("name")->text + " ");
        CAPTURE(line);
        REQUIRE(!line.empty());
        CHECK(line.find(" " + fmt("%.3f", p.find("norm")->number) + " ") != std::string::npos);
        CHECK(line.find(" " + fmt("%+.4f", p.find("cos_final")->number) + " ") != std::string::npos);
        CHECK(line.find(" " + fmt("%.4f", p.find("kl_to_final")->number) + " ") != std::string::npos);
        CHECK(line.find("#" + std::to_string(p.find("lens_top")->items[0].integer) + " ") != std::string::npos);
    }
    for (const JsonValue& b : j.find("layer_norms")->items) {
        std::string line = line_starting(out, b.find("name")->text + " ");
        CHECK(line.find(" " + fmt("%.4f", b.find("xhat_norm")->number) + " ") != std::string::npos);
    }
    const JsonValue& pert = *j.find("perturbation");
    CHECK(pert.find("changed")->integer == 3);  // default: position / 2
    CHECK(pert.find("earlier_identical")->boolean);
    CHECK(out.find("every traced value bit-identical: yes") != std::string::npos);
    CHECK(out.find("first change at position 6: h.0.attn_row") != std::string::npos);
    CHECK(j.find("notes")->items.size() >= 5);
    CHECK(out.find("our own formalisation") != std::string::npos);
    check_png(out, png);
}

TEST_CASE("walk encode on the shipped model with text") {
    gw::testing::TempDir tmp;
    const std::string js = tmp.file("w.json");
    std::string out;
    REQUIRE(gptwalk("walk encode --prompt 'In the beginning God created the' --position 3 --perturb 1 --json " + js,
                    &out) == 0);
    INFO(out);
    JsonValue j = parse_json(read_file(js), js);
    CHECK(j.find("ids")->items.size() == 6);
    CHECK(j.find("position")->integer == 3);
    CHECK(j.find("tokens")->items[3].text == " God");
    CHECK(out.find("encoding walk of position 3 of 6: ' God'") != std::string::npos);
    const std::string pred = j.find("predicted_token")->items[0].text;
    CHECK(out.find("prediction here (argmax of its logits): '" + pred + "'") != std::string::npos);
}

TEST_CASE("walk encode: bad flags exit 2 with one line") {
    const char* bad[] = {"walk encode --prompt-ids 1,2 --model tests/fixtures/forward/f32 --position 2",
                         "walk encode --prompt-ids 1,2 --model tests/fixtures/forward/f32 --perturb -1",
                         "walk encode --prompt-ids 1,2 --model tests/fixtures/forward/f32 --perturb-id 101",
                         "walk encode --prompt-ids 1,2 --bogus",
                         "walk encode --prompt-ids 1,2 extra",
                         "walk encode --model tests/fixtures/forward/f32",
                         "walk encode --prompt-ids 1,x"};
    for (const std::string args : bad) {
        CAPTURE(args);
        std::string out;
        CHECK(gptwalk(args, &out) == 2);
        CHECK(std::count(out.begin(), out.end(), '\n') == 1);
        CHECK(out.rfind("gptwalk: ", 0) == 0);
    }
}
