// model.cpp — the GPT-2 forward pass over a KV cache (lessons 04, 07-11).
#include "model.h"

#include <unistd.h>  // sysconf: this machine's memory

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>

#include "attention.h"
#include "error.h"
#include "gelu.h"
#include "layernorm.h"
#include "linear.h"
#include "parallel.h"

namespace gw {

// ---------------------------------------------------------------- trace

const TracePoint* Trace::find(const std::string& name) const {
    for (const auto& p : points)
        if (p.name == name) return &p;
    return nullptr;
}

const TracePoint& Trace::at(const std::string& name) const {
    const TracePoint* p = find(name);
    if (!p) fail("trace has no point named '", name, "'");
    return *p;
}

void Trace::record(const std::string& name, const float* src, int64_t rows, int64_t cols,
                   int64_t ld) {
    TracePoint p{name, Shape{rows, cols}, std::vector<float>(size_t(rows * cols))};
    for (int64_t r = 0; r < rows; r++)
        std::memcpy(&p.data[size_t(r * cols)], src + r * ld, size_t(cols) * sizeof(float));
    points.push_back(std::move(p));
}

void Trace::record(const std::string& name, const float* src, Shape shape) {
    points.push_back(TracePoint{name, shape, std::vector<float>(src, src + shape.numel())});
}

// ---------------------------------------------------------------- run state

// (Re)allocates the scratch activations so one call can take T positions on `threads`
// threads. Fresh memory is slow to touch the first time (a page fault per 4 KiB page:
// ~17 us each on the development VM), so buffers are sized once, here, and reused.
static void ensure_capacity(RunState& s, const Config& cfg, int64_t T, int threads) {
    const int64_t C = cfg.n_embd, P = cfg.n_positions;
    if (T > s.capacity) {
        s.x = FloatBuffer(size_t(T * C));
        s.xn = FloatBuffer(size_t(T * C));
        s.qkv = FloatBuffer(size_t(T * 3 * C));
        s.heads = FloatBuffer(size_t(T * C));
        s.proj = FloatBuffer(size_t(T * C));
        s.fc = FloatBuffer(size_t(T * 4 * C));
        s.context = FloatBuffer(size_t(T * C));
        s.capacity = T;
    }
    if (s.scores.size() < size_t(threads * s.capacity * P))  // one (T, P) slice per thread
        s.scores = FloatBuffer(size_t(threads * s.capacity * P));
    if (threads > 1 && s.partial.size() < size_t(threads * 4 * C))  // see team_linear
        s.partial = FloatBuffer(size_t(threads * 4 * C));
}

// Bytes of this machine's memory (0 if unknown).
static double physical_memory_bytes() {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? double(pages) * double(page) : 0.0;
}

RunState make_run_state(const Config& cfg, int64_t capacity, int threads) {
    if (threads < 1) fail("make_run_state: threads must be at least 1, got ", threads);
    // The KV cache holds every position of the context, so that no step ever reallocates
    // it: 2 (keys, values) x L x P x C floats. One larger than this machine's memory
    // would only end in the out-of-memory killer; refuse it first.
    const double cache_bytes = 2.0 * double(cfg.n_layer) * double(cfg.n_positions) *
                               double(cfg.n_embd) * sizeof(float);
    const double ram = physical_memory_bytes();
    if (ram > 0 && cache_bytes > ram)
        fail("the KV cache for n_positions ", cfg.n_positions, " (2 x ", cfg.n_layer, " layers x ",
             cfg.n_positions, " positions x ", cfg.n_embd, " floats = ", cache_bytes / double(1 << 30),
             " GiB) is larger than this machine's memory (", ram / double(1 << 30),
             " GiB); use a model with a smaller n_positions");
    RunState s;
    s.n_embd = cfg.n_embd;
    size_t cache = size_t(cfg.n_layer * cfg.n_positions * cfg.n_embd);
    s.k_cache = FloatBuffer(cache);
    s.v_cache = FloatBuffer(cache);
    ensure_capacity(s, cfg, capacity, threads);
    return s;
}

size_t run_state_bytes(const RunState& s) {
    size_t floats = s.k_cache.size() + s.v_cache.size() + s.x.size() + s.xn.size() +
                    s.qkv.size() + s.heads.size() + s.proj.size() + s.fc.size() +
                    s.scores.size() + s.partial.size() + s.context.size();
    return floats * sizeof(float);
}

const float* last_context(const RunState& s) {
    return s.context.data() + (s.last_T - 1) * s.n_embd;
}

// ---------------------------------------------------------------- forward

namespace {
// Adds the seconds since `start` to one OpTimes field, when timing is on.
struct Stopwatch {
    OpTimes* times;
    std::chrono::steady_clock::time_point start;
    explicit Stopwatch(OpTimes* t) : times(t) {
        if (times) start = std::chrono::steady_clock::now();
    }
    void add_to(double OpTimes::*field) {
        if (!times) return;
        auto now = std::chrono::steady_clock::now();
        times->*field += std::chrono::duration<double>(now - start).count();
        start = now;
    }
};

// x (T, C) += y (T, C): the residual connection
void add_inplace(float* x, const float* y, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] += y[i];
}

// ---- each op shared out over the team (parallel.h). With one member every helper is
// the plain call on the whole array. Boundaries between pieces of output columns fall on
// multiples of 16 floats (one 64-byte cache line), so no line is written by two threads.
constexpr int64_t kLine = 16;

// How many pieces to cut n units of work into: 1 on a one-member team (the plain call);
// otherwise one per member (a member whose thread starts late leaves its piece to whoever
// is free first), but no piece smaller than min_units, below which handing it over costs
// more than it saves. More pieces would balance the threads better, but in a decode step
// each piece restarts a memory stream and adds a partial sum: at 2 threads, 4 pieces per
// member cut the time threads waited for each other from 1.2 to 0.2 ms per step, yet the
// step took 15.1 ms instead of 13.2 (and 2 per member: 63 tok/s instead of 69).
int64_t pieces(const ThreadTeam& team, int64_t n, int64_t min_units) {
    if (team.size() == 1) return 1;
    return std::max<int64_t>(1, std::min<int64_t>(team.size(), n / min_units));
}

// Column blocks narrower than this make OpenBLAS's products markedly slower per flop.
constexpr int64_t kMinColumns = 128;
// Element-wise work smaller than this (floats) is done by one thread: a hand-over costs
// about a microsecond, as much as the work itself.
constexpr int64_t kMinElements = 8192;

// out (T, OC) = inp (T, IC) · w + b, the weights being the bulk of the memory traffic.
// Prefill (T > 1): each piece is a block of output columns, reading only its columns of w.
// Decode (T = 1): each piece is a block of ROWS of w, one contiguous stretch of memory
// (strided column blocks stream measurably slower), giving a partial sum of all OC
// outputs in `partial` (pieces, OC); the calling thread then adds the partials in piece
// order, so the result does not depend on which thread ran which piece.
void team_linear(ThreadTeam& team, float* out, const float* inp, const float* w, const float* b,
                 int64_t T, int64_t IC, int64_t OC, float* partial) {
    if (T == 1 && team.size() > 1) {
        const int64_t n = pieces(team, IC, kMinColumns);
        team.run(n, [&](int, int64_t i) {
            Range r = share(IC, int(n), int(i));
            linear_rows_partial(partial + i * OC, inp, w, OC, r.begin, r.end);
        });
        for (int64_t j = 0; j < OC; j++) {
            float sum = b ? b[j] : 0.0f;
            for (int64_t i = 0; i < n; i++) sum += partial[i * OC + j];
            out[j] = sum;
        }
        return;
    }
    const int64_t n = pieces(team, OC, kMinColumns);
    team.run(n, [&](int, int64_t i) {
        Range r = share(OC, int(n), int(i), kLine);
        linear_columns(out, inp, w, b, T, IC, OC, r.begin, r.end);
    });
}

// logits (T, V) = x · wte^T: each piece is a block of token vectors (rows of wte).
void team_lm_head(ThreadTeam& team, float* logits, const float* x, const float* wte, int64_t T,
                  int64_t C, int64_t V) {
    const int64_t n = pieces(team, V, kMinColumns);
    team.run(n, [&](int, int64_t i) {
        Range r = share(V, int(n), int(i), kLine);
        lm_head_columns(logits, x, wte, T, C, V, r.begin, r.end);
    });
}

// Row-wise layer norm: each piece normalises a block of rows.
void team_layernorm(ThreadTeam& team, Isa isa, float* out, const float* x, const float* w,
                    const float* b, int64_t T, int64_t C, float eps) {
    const int64_t n = pieces(team, T * C, kMinElements) > 1 ? std::min(T, int64_t(team.size())) : 1;
    team.run(n, [&](int, int64_t i) {
        Range r = share(T, int(n), int(i));
        if (r.size() > 0)
            layernorm(isa, out + r.begin * C, nullptr, nullptr, x + r.begin * C, w, b, r.size(), C, eps);
    });
}

// Element-wise ops over n floats: each piece is a contiguous block.
void team_gelu(ThreadTeam& team, Isa isa, float* x, int64_t count) {
    const int64_t n = pieces(team, count, kMinElements);
    team.run(n, [&](int, int64_t i) {
        Range r = share(count, int(n), int(i), kLine);
        if (r.size() > 0) gelu(isa, x + r.begin, x + r.begin, r.size());
    });
}
void team_add(ThreadTeam& team, float* x, const float* y, int64_t count) {
    const int64_t n = pieces(team, count, kMinElements);
    team.run(n, [&](int, int64_t i) {
        Range r = share(count, int(n), int(i), kLine);
        add_inplace(x + r.begin, y + r.begin, r.size());
    });
}

// Causal attention: the new keys and values go into the cache first, then each piece is
// a block of heads, computed with its member's own (T, P) slice of the scratch.
void team_attention(ThreadTeam& team, Isa isa, float* out, float* pattern, const float* qkv,
                    float* kc, float* vc, int64_t pos0, int64_t T, int64_t C, int64_t NH,
                    int64_t P, float* scratch) {
    append_kv(kc, vc, qkv, pos0, T, C);
    const int64_t n = pieces(team, NH, 1);
    team.run(n, [&](int member, int64_t i) {
        Range heads = share(NH, int(n), int(i));
        attention_heads(isa, out, pattern, qkv, kc, vc, pos0, T, C, NH, scratch + member * T * P,
                        heads.begin, heads.end);
    });
}

// While our own team runs, OpenBLAS must stay single-threaded (each member calls it);
// the caller's setting comes back afterwards.
struct BlasSingleThreaded {
    int saved = 0;
    explicit BlasSingleThreaded(bool on) : saved(on ? blas_threads() : 0) {
        if (on) set_blas_threads(1);
    }
    ~BlasSingleThreaded() {
        if (saved > 0) set_blas_threads(saved);
    }
};
}  // namespace

void forward(float* logits, const Checkpoint& m, RunState& s, const int* tokens, int64_t T,
             const ForwardOptions& opts) {
    const Config& cfg = m.config;
    const Weights& w = m.w;
    const int64_t C = cfg.n_embd, NH = cfg.n_head, V = cfg.vocab_size, P = cfg.n_positions;
    const int64_t pos0 = s.n_past;
    const float eps = cfg.layer_norm_epsilon;
    const Isa isa = opts.isa;
    Trace* tr = opts.trace;
    if (T <= 0) fail("forward: no tokens to run");
    const int threads = opts.team ? opts.team->size() : opts.threads;
    if (threads < 1) fail("forward: threads must be at least 1, got ", threads);
    if (pos0 + T > P)
        fail("context is full: ", pos0, " + ", T, " positions > n_positions ", P);
    for (int64_t t = 0; t < T; t++)
        if (tokens[t] < 0 || tokens[t] >= V)
            fail("token id ", tokens[t], " is out of range: the vocabulary has ", V, " ids (0..",
                 V - 1, ")");
    ensure_capacity(s, cfg, T, threads);
    if (tr) {
        tr->pos0 = pos0;
        tr->T = T;
        tr->points.clear();
    }
    std::unique_ptr<ThreadTeam> own_team;  // only when the caller gave none
    if (!opts.team) own_team = std::make_unique<ThreadTeam>(threads);
    ThreadTeam& team = opts.team ? *opts.team : *own_team;
    BlasSingleThreaded blas_guard(team.size() > 1);
    Stopwatch sw(opts.times);
    float* x = s.x.data();
    float* part = s.partial.data();

    // Token vector + position vector: both live in the same C-dimensional space.
    for (int64_t t = 0; t < T; t++) {
        const float* e = w.wte + int64_t(tokens[t]) * C;
        const float* p = w.wpe + (pos0 + t) * C;
        for (int64_t c = 0; c < C; c++) x[t * C + c] = e[c] + p[c];
    }
    if (tr) tr->record("embed", x, Shape{T, C});
    sw.add_to(&OpTimes::embed);

    // Only the last row's context vector is asked for (no trace, no all_logits), so the
    // last layer may drop the other rows once their keys and values are in the cache:
    // nothing after that reads them. From its attention on, it runs row T-1 alone,
    // skipping ~7% of a 128-token prefill's multiply-adds (lesson 15).
    const bool every_row = opts.all_logits || tr;

    for (int64_t l = 0; l < cfg.n_layer; l++) {
        const LayerWeights& b = w.h[size_t(l)];
        const bool last_row_only = !every_row && l == cfg.n_layer - 1;
        const int64_t r0 = last_row_only ? T - 1 : 0;  // first row kept after the keys and values
        const int64_t Tr = T - r0;                      // rows kept
        const std::string hl = tr ? "h." + std::to_string(l) + "." : std::string();  // trace names
        float* kc = s.k_cache.data() + l * P * C;
        float* vc = s.v_cache.data() + l * P * C;
        if (tr) tr->record(hl + "resid_pre", x, Shape{T, C});

        // --- attention sub-block: aggregation across positions
        team_layernorm(team, isa, s.xn.data(), x, b.ln_1_w, b.ln_1_b, T, C, eps);
        sw.add_to(&OpTimes::layernorm);
        team_linear(team, s.qkv.data(), s.xn.data(), b.c_attn_w, b.c_attn_b, T, C, 3 * C, part);
        sw.add_to(&OpTimes::matmul);
        std::vector<float> pattern;  // only filled when tracing
        if (tr) pattern.resize(size_t(NH * T * (pos0 + T)));
        append_kv(kc, vc, s.qkv.data(), pos0, r0, C);  // rows dropped below: cache them only
        // From here on the layer runs rows [r0, T): every row but in the last-row-only case.
        float* xr = x + r0 * C;
        team_attention(team, isa, s.heads.data(), tr ? pattern.data() : nullptr, s.qkv.data() + r0 * 3 * C,
                       kc, vc, pos0 + r0, Tr, C, NH, P, s.scores.data());
        sw.add_to(&OpTimes::attention);
        team_linear(team, s.proj.data(), s.heads.data(), b.attn_proj_w, b.attn_proj_b, Tr, C, C, part);
        sw.add_to(&OpTimes::matmul);
        if (tr) {
            tr->record(hl + "ln_1", s.xn.data(), Shape{T, C});
            tr->record(hl + "q", s.qkv.data(), T, C, 3 * C);
            tr->record(hl + "k", s.qkv.data() + C, T, C, 3 * C);
            tr->record(hl + "v", s.qkv.data() + 2 * C, T, C, 3 * C);
            tr->record(hl + "attn_pattern", pattern.data(), Shape{NH, T, pos0 + T});
            tr->record(hl + "attn_heads", s.heads.data(), Shape{T, C});
            tr->record(hl + "attn_out", s.proj.data(), Shape{T, C});
        }
        team_add(team, xr, s.proj.data(), Tr * C);
        sw.add_to(&OpTimes::residual);
        if (tr) tr->record(hl + "resid_mid", x, Shape{T, C});

        // --- MLP sub-block: a position-wise filter
        team_layernorm(team, isa, s.xn.data(), xr, b.ln_2_w, b.ln_2_b, Tr, C, eps);
        sw.add_to(&OpTimes::layernorm);
        team_linear(team, s.fc.data(), s.xn.data(), b.c_fc_w, b.c_fc_b, Tr, C, 4 * C, part);
        sw.add_to(&OpTimes::matmul);
        if (tr) {
            tr->record(hl + "ln_2", s.xn.data(), Shape{T, C});
            tr->record(hl + "mlp_pre", s.fc.data(), Shape{T, 4 * C});
        }
        team_gelu(team, isa, s.fc.data(), Tr * 4 * C);
        sw.add_to(&OpTimes::gelu);
        if (tr) tr->record(hl + "mlp_act", s.fc.data(), Shape{T, 4 * C});
        team_linear(team, s.proj.data(), s.fc.data(), b.mlp_proj_w, b.mlp_proj_b, Tr, 4 * C, C, part);
        sw.add_to(&OpTimes::matmul);
        team_add(team, xr, s.proj.data(), Tr * C);
        sw.add_to(&OpTimes::residual);
        if (tr) {
            tr->record(hl + "mlp_out", s.proj.data(), Shape{T, C});
            tr->record(hl + "resid_post", x, Shape{T, C});
        }
    }

    // The final layer norm gives the context vectors; their dot products with
    // every token vector are the logits. Only the rows we need are computed.
    const int64_t first = every_row ? 0 : T - 1;
    const int64_t rows = T - first;
    float* ctx = s.context.data() + first * C;
    team_layernorm(team, isa, ctx, x + first * C, w.ln_f_w, w.ln_f_b, rows, C, eps);
    sw.add_to(&OpTimes::layernorm);
    if (tr) {
        tr->record("ln_f", s.context.data(), Shape{T, C});
        std::vector<float> all(static_cast<size_t>(T * V));
        team_lm_head(team, all.data(), s.context.data(), w.wte, T, C, V);
        tr->points.push_back(TracePoint{"logits", Shape{T, V}, all});
        const float* want = opts.all_logits ? all.data() : all.data() + (T - 1) * V;
        std::memcpy(logits, want, size_t((opts.all_logits ? T : 1) * V) * sizeof(float));
    } else {
        team_lm_head(team, logits, ctx, w.wte, rows, C, V);
    }
    sw.add_to(&OpTimes::lm_head);
    s.n_past += T;
    s.last_T = T;
}

}  // namespace gw
