// test_parallel.cpp — the thread team, the work split, and the forward pass on 2 and 3
// threads against the same float64 reference fixtures as test_model.cpp
// (tests/fixtures/forward/README.md says how they were made).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/mapped_file.h"
#include "core/npy.h"
#include "core/parallel.h"
#include "kernels/attention.h"
#include "kernels/linear.h"
#include "model/forward.h"
#include "model/generate.h"
#include "testing.h"

using namespace gw;
using gw::testing::abs_of;
using gw::testing::check_close;
using gw::testing::float_sum_error;
using gw::testing::kForwardOrderAtol;
using gw::testing::max_abs;
using gw::testing::random_floats;
using gw::testing::read_ids;

TEST_CASE("share: hand-worked splits") {
    // 10 in 3 parts: 4 + 3 + 3
    CHECK(share(10, 3, 0).begin == 0);
    CHECK(share(10, 3, 0).end == 4);
    CHECK(share(10, 3, 1).begin == 4);
    CHECK(share(10, 3, 1).end == 7);
    CHECK(share(10, 3, 2).begin == 7);
    CHECK(share(10, 3, 2).end == 10);
    // 40 floats in 2 parts on 16-float boundaries: units 16,16,8 -> [0, 32) and [32, 40)
    CHECK(share(40, 2, 0, 16).end == 32);
    CHECK(share(40, 2, 1, 16).begin == 32);
    CHECK(share(40, 2, 1, 16).end == 40);
    // more parts than work: the last parts are empty
    CHECK(share(1, 2, 0).size() == 1);
    CHECK(share(1, 2, 1).size() == 0);
    CHECK_THROWS_AS(share(10, 0, 0), Error);
    CHECK_THROWS_AS(share(10, 2, 2), Error);
}

TEST_CASE("share: the parts tile [0, n) in order, aligned, near-equal") {
    for (int64_t n : {0, 1, 5, 16, 17, 768, 2304, 50257})
        for (int parts : {1, 2, 3, 4, 7})
            for (int64_t align : {1, 16}) {
                CAPTURE(n); CAPTURE(parts); CAPTURE(align);
                int64_t at = 0, smallest = n, largest = 0;
                for (int p = 0; p < parts; p++) {
                    Range r = share(n, parts, p, align);
                    CHECK(r.begin == at);
                    CHECK(r.end >= r.begin);
                    if (r.end < n) CHECK(r.end % align == 0);
                    at = r.end;
                    smallest = std::min(smallest, r.size());
                    largest = std::max(largest, r.size());
                }
                CHECK(at == n);
                // parts differ by at most one unit, plus the partial unit at the end
                if (n >= parts * align) CHECK(largest - smallest < 2 * align);
            }
}

TEST_CASE("a team runs every piece exactly once per region, many regions in a row") {
    for (int size : {1, 2, 3, 4}) {
        CAPTURE(size);
        ThreadTeam team(size);
        CHECK(team.size() == size);
        const int64_t n = 37;
        std::vector<int> hits(size_t(n), 0);  // each piece writes only its own slot
        std::vector<int> bad_member(size_t(n), 0);
        for (int region = 0; region < 2000; region++)
            team.run(n, [&](int m, int64_t i) {
                hits[size_t(i)]++;
                if (m < 0 || m >= size) bad_member[size_t(i)]++;
            });
        for (int64_t i = 0; i < n; i++) {
            CHECK(hits[size_t(i)] == 2000);
            CHECK(bad_member[size_t(i)] == 0);
        }
        int calls = 0;
        team.run(0, [&](int, int64_t) { calls++; });  // no pieces: nothing runs
        team.run(1, [&](int m, int64_t) { calls += 1 + m; });  // one piece: on the caller
        CHECK(calls == 1);
    }
    CHECK_THROWS_AS(ThreadTeam(0), Error);
    ThreadTeam team(2);
    CHECK_THROWS_AS(team.run(ThreadTeam::kMaxPieces + 1, [](int, int64_t) {}), Error);
}

TEST_CASE("members share the pieces: each member has its own scratch slot") {
    ThreadTeam team(3);
    std::vector<int64_t> sum_by_member(3, 0);  // written only by that member
    team.run(300, [&](int m, int64_t i) { sum_by_member[size_t(m)] += i; });
    CHECK(sum_by_member[0] + sum_by_member[1] + sum_by_member[2] == 299 * 300 / 2);
}

TEST_CASE("a team sleeps between far-apart regions and wakes for the next") {
    ThreadTeam team(2);
    std::atomic<int> calls{0};
    for (int region = 0; region < 3; region++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // longer than the spin
        team.run(4, [&](int, int64_t) { calls++; });
    }
    CHECK(calls.load() == 12);
}

TEST_CASE("an exception in any piece reaches run()'s caller; the team still works") {
    ThreadTeam team(3);
    CHECK_THROWS_WITH_AS(team.run(6, [](int, int64_t i) {
        if (i == 4) throw std::runtime_error("piece 4 failed");
    }),
                         "piece 4 failed", std::runtime_error);
    std::vector<int> got(6, 0);
    team.run(6, [&](int, int64_t i) { got[size_t(i)] = int(i) + 1; });
    int sum = 0;
    for (int v : got) sum += v;
    CHECK(sum == 21);
}

TEST_CASE("column blocks of linear and lm_head put together equal the whole product") {
    const int64_t T = 3, IC = 40, OC = 56, V = 45;
    auto x = random_floats(size_t(T * IC), 21), w = random_floats(size_t(IC * OC), 22);
    auto b = random_floats(size_t(OC), 23), wte = random_floats(size_t(V * IC), 24);
    // Each output's sum of |terms| (|b_j| + sum_i |x_i w_ij|, and sum_c |x_c e_vc|): OpenBLAS's
    // float sums, blocked any way, are within float_sum_error of the exact value (testing.h),
    // linear_ref within one rounding of it; the blocks are different shapes of product (N = 16
    // or 24 instead of 56), which OpenBLAS may run with other kernels, so no bit-equality.
    std::vector<float> abs_lin(size_t(T * OC)), abs_head(size_t(T * V));
    linear_ref(abs_lin.data(), abs_of(x).data(), abs_of(w).data(), abs_of(b).data(), T, IC, OC);
    lm_head(abs_head.data(), abs_of(x).data(), abs_of(wte).data(), T, IC, V);
    const float tol_lin = float(float_sum_error(IC + 2, max_abs(abs_lin)));  // + the reference's rounding
    const float tol_head = float(2 * float_sum_error(IC, 1.001 * max_abs(abs_head)));  // two float runs
    for (int64_t rows : {int64_t(1), T}) {  // the gemv and the gemm paths
        std::vector<float> want(size_t(rows * OC)), got(size_t(rows * OC), -7.0f);
        linear_ref(want.data(), x.data(), w.data(), b.data(), rows, IC, OC);
        for (int p = 0; p < 3; p++) {
            Range r = share(OC, 3, p, 16);
            linear_columns(got.data(), x.data(), w.data(), b.data(), rows, IC, OC, r.begin, r.end);
        }
        check_close(got, want, tol_lin, 0.0f, "linear in 3 column blocks");
        std::vector<float> lw(size_t(rows * V)), lg(size_t(rows * V), -7.0f);
        lm_head(lw.data(), x.data(), wte.data(), rows, IC, V);
        for (int p = 0; p < 2; p++) {
            Range r = share(V, 2, p, 16);
            lm_head_columns(lg.data(), x.data(), wte.data(), rows, IC, V, r.begin, r.end);
        }
        check_close(lg, lw, tol_head, 0.0f, "lm_head in 2 row blocks of wte");
    }
    // one input row: partial sums over 4 row blocks of w (one empty), plus the bias: one sum
    // of IC + 1 terms in another grouping, and 4 more float additions, so IC + 6 roundings at most
    std::vector<float> want(static_cast<size_t>(OC)), got(static_cast<size_t>(OC)),
        part(static_cast<size_t>(4 * OC), -7.0f);
    linear_ref(want.data(), x.data(), w.data(), b.data(), 1, IC, OC);
    int64_t cuts[5] = {0, 13, 13, 30, IC};
    for (int p = 0; p < 4; p++)
        linear_rows_partial(part.data() + p * OC, x.data(), w.data(), OC, cuts[p], cuts[p + 1]);
    for (int64_t j = 0; j < OC; j++)
        got[size_t(j)] = b[size_t(j)] + part[size_t(j)] + part[size_t(OC + j)] +
                         part[size_t(2 * OC + j)] + part[size_t(3 * OC + j)];
    check_close(got, want, float(float_sum_error(IC + 6, max_abs(abs_lin))), 0.0f,
                "linear as partial sums over row blocks");
}

TEST_CASE("attention in row blocks and head ranges equals attention_ref (T beyond one block)") {
    // 150 new rows = blocks of 64, 64 and 22 rows; once from an empty cache, once after 70
    // cached positions. Heads are computed in two ranges, [0, 1) and [1, 3), as a team would.
    const int64_t NH = 3, HS = 8, C = NH * HS, P = 230;
    for (int64_t pos0 : {int64_t(0), int64_t(70)}) {
        CAPTURE(pos0);
        const int64_t T = 150, Tk = pos0 + T;
        auto qkv = random_floats(size_t(Tk * 3 * C), 31 + uint64_t(pos0), -2.0f, 2.0f);
        std::vector<float> kc_ref(size_t(P * C)), vc_ref(size_t(P * C)), out_ref(size_t(Tk * C));
        std::vector<float> pat_ref(size_t(NH * T * Tk));
        std::vector<float> kc(size_t(P * C)), vc(size_t(P * C)), out(size_t(T * C)),
            pat(size_t(NH * T * Tk), 9.0f), scratch(size_t(T * P));
        const float* q_new = qkv.data() + pos0 * 3 * C;  // the rows after the cached ones
        if (pos0 > 0) {  // fill both caches with the first pos0 positions
            std::vector<float> tmp(size_t(pos0 * C)), tmp_pat(size_t(NH * pos0 * pos0));
            attention_ref(tmp.data(), tmp_pat.data(), qkv.data(), kc_ref.data(), vc_ref.data(), 0, pos0, C, NH);
            append_kv(kc.data(), vc.data(), qkv.data(), 0, pos0, C);
        }
        attention_ref(out_ref.data(), pat_ref.data(), q_new, kc_ref.data(), vc_ref.data(), pos0, T, C, NH);
        append_kv(kc.data(), vc.data(), q_new, pos0, T, C);
        attention_heads(best_isa(), out.data(), pat.data(), q_new, kc.data(), vc.data(), pos0, T, C,
                        NH, scratch.data(), 0, 1);
        attention_heads(best_isa(), out.data(), pat.data(), q_new, kc.data(), vc.data(), pos0, T, C,
                        NH, scratch.data(), 1, 3);
        // As in test_attention.cpp (the same tolerances, and why).
        check_close(out.data(), out_ref.data(), T * C, 1e-5f, 1e-5f, "out");
        check_close(pat, pat_ref, 1e-6f, 1e-5f, "pattern");
    }
}

// ---- the forward pass on several threads


TEST_CASE("forward on 2 and 3 threads matches the float64 reference, trace included") {
    const float kAtol = 1e-4f, kRtol = 1e-4f;  // the fixtures' README, as in test_model.cpp
    for (const char* name : {"f32", "bf16_oddheads"}) {
        std::string dir = std::string("tests/fixtures/forward/") + name;
        auto m = load_checkpoint(dir);
        std::vector<int> ids = read_ids(dir + "/ids.txt");
        NpyArray want = read_npy(dir + "/logits.npy");
        std::vector<int> tids = read_ids(dir + "/trace/ids.txt");
        for (int threads : {2, 3}) {
            CAPTURE(name);
            CAPTURE(threads);
            RunState s = make_run_state(m->config, 1);
            std::vector<float> got(want.data.size());
            ForwardOptions o;
            o.isa = best_isa();
            o.all_logits = true;
            o.threads = threads;
            forward(got.data(), *m, s, ids.data(), int64_t(ids.size()), o);
            check_close(got, want.data, kAtol, kRtol, "logits");

            Trace trace;
            ForwardOptions ot;
            ot.isa = best_isa();
            ot.trace = &trace;
            ot.threads = threads;
            RunState st = make_run_state(m->config, 1);
            std::vector<float> last(static_cast<size_t>(m->config.vocab_size));
            forward(last.data(), *m, st, tids.data(), int64_t(tids.size()), ot);
            for (const TracePoint& p : trace.points) {
                CAPTURE(p.name);
                NpyArray tw = read_npy(dir + "/trace/" + p.name + ".npy");
                check_close(p.data, tw.data, kAtol, kRtol, p.name);
            }
        }
    }
}

TEST_CASE("on 2 threads, token by token over the KV cache equals one chunk, within kForwardOrderAtol") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    std::vector<int> ids = read_ids("tests/fixtures/forward/f32/ids.txt");
    const int64_t T = int64_t(ids.size()), V = m->config.vocab_size;
    ForwardOptions o;
    o.isa = best_isa();
    o.all_logits = true;
    o.threads = 2;
    RunState s1 = make_run_state(m->config, T);
    std::vector<float> chunk(static_cast<size_t>(T * V)), step(static_cast<size_t>(T * V));
    forward(chunk.data(), *m, s1, ids.data(), T, o);
    RunState s2 = make_run_state(m->config, 1);
    for (int64_t t = 0; t < T; t++) forward(step.data() + t * V, *m, s2, &ids[size_t(t)], 1, o);
    // 2 threads: column blocks (prefill) against row-block partial sums (decode): testing.h.
    check_close(step, chunk, kForwardOrderAtol, 0.0f, "token by token vs one chunk");
}

TEST_CASE("on 2 threads, decode steps give bit-identical logits run after run") {
    // Which thread runs which piece changes from run to run; the sums must not. The pieces are
    // the same (share() of the same sizes), each is the same single-threaded OpenBLAS call on
    // data of the same alignment (64-byte FloatBuffers), and the partials are added in piece
    // order: the bits are the same by construction, so the tolerance is 0. (Across thread
    // COUNTS the pieces differ, and so do the sums' orders: no bits are promised there.)
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    std::vector<int> ids = read_ids("tests/fixtures/forward/f32/ids.txt");
    const int64_t V = m->config.vocab_size, steps = 12;
    std::vector<float> runs[2];
    for (auto& logits : runs) {
        ThreadTeam team(2);
        ForwardOptions o;
        o.isa = best_isa();
        o.team = &team;
        RunState s = make_run_state(m->config, 4, 2);
        logits.resize(size_t(steps * V));
        forward(logits.data(), *m, s, ids.data(), 4, o);
        for (int64_t t = 1; t < steps; t++) forward(logits.data() + t * V, *m, s, &ids[size_t(3 + t)], 1, o);
    }
    check_close(runs[1], runs[0], 0.0f, 0.0f, "second run vs first");
}

TEST_CASE("forward leaves OpenBLAS's thread count as it found it; refuses 0 threads") {
    auto m = load_checkpoint("tests/fixtures/forward/f32");
    set_blas_threads(2);
    int before = blas_threads();  // 2, or 1 on a single-threaded OpenBLAS build
    RunState s = make_run_state(m->config, 1);
    std::vector<float> logits(static_cast<size_t>(m->config.vocab_size));
    ForwardOptions o;
    o.threads = 3;
    int id = 5;
    forward(logits.data(), *m, s, &id, 1, o);
    CHECK(blas_threads() == before);
    o.threads = 0;
    CHECK_THROWS_AS(forward(logits.data(), *m, s, &id, 1, o), Error);
    set_blas_threads(1);
}
