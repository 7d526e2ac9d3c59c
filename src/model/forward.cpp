// model/forward.cpp — the GPT-2 forward pass over a KV cache (lessons 04, 07-11).
#include "model/forward.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "core/memory.h"
#include "core/parallel.h"
#include "kernels/attention.h"
#include "kernels/gelu.h"
#include "kernels/layernorm.h"
#include "kernels/linear.h"
#include "kernels/matvec.h"

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

// Grows the KV cache to room for `positions` positions, keeping the n_past already in it.
// Its layout is (L, Pk, C): each layer's rows move to their new place.
static void grow_kv_cache(RunState& s, const Config& cfg, int64_t positions) {
    const int64_t L = cfg.n_layer, C = cfg.n_embd, old = s.kv_positions;
    require_memory(2.0 * double(L * positions * C) * sizeof(float),
                   cat("the KV cache for ", positions, " positions (2 x ", L, " layers x ", positions, " positions x ",
                       C, " floats; n_positions ", cfg.n_positions, ")"));
    for (FloatBuffer* cache : {&s.k_cache, &s.v_cache}) {
        FloatBuffer grown(size_t(L * positions * C));
        for (int64_t l = 0; l < L && s.n_past > 0; l++)
            std::memcpy(grown.data() + l * positions * C, cache->data() + l * old * C,
                        size_t(s.n_past * C) * sizeof(float));
        *cache = std::move(grown);
    }
    s.kv_positions = positions;
}

// (Re)allocates what one call of T new positions on `threads` threads needs: room in the KV
// cache for positions [0, n_past + T), the scratch activations, and attention's scores.
// Fresh memory is slow to touch the first time (a page fault per 4 KiB page), so buffers
// are sized once and reused; the cache grows by doubling, so a generation copies it a few
// times, not once per token. Each size is checked against the available memory first.
static void ensure_capacity(RunState& s, const Config& cfg, int64_t T, int threads) {
    const int64_t C = cfg.n_embd, need = s.n_past + T;
    if (need > s.kv_positions) grow_kv_cache(s, cfg, std::min(cfg.n_positions, std::max(need, 2 * s.kv_positions)));
    if (T > s.capacity) {
        require_memory(12.0 * double(T * C) * sizeof(float),  // x xn heads proj context: C; qkv: 3C; fc: 4C
                       cat("the activations of ", T, " positions (", T, " x 12 x ", C, " floats)"));
        s.x = FloatBuffer(size_t(T * C));
        s.xn = FloatBuffer(size_t(T * C));
        s.qkv = FloatBuffer(size_t(T * 3 * C));
        s.heads = FloatBuffer(size_t(T * C));
        s.proj = FloatBuffer(size_t(T * C));
        s.fc = FloatBuffer(size_t(T * 4 * C));
        s.context = FloatBuffer(size_t(T * C));
        s.capacity = T;
    }
    const size_t scores = size_t(threads * attention_scratch_floats(s.capacity, s.kv_positions));  // one slice per thread
    if (s.scores.size() < scores) {
        require_memory(double(scores) * sizeof(float), cat("attention's scratch for ", s.kv_positions, " positions"));
        s.scores = FloatBuffer(scores);
    }
    if (s.partial.size() < size_t(threads * 4 * C))  // see Ops::linear (reduced types use it on 1 thread too)
        s.partial = FloatBuffer(size_t(threads * 4 * C));
    if (s.panels.size() < size_t(threads * kPanelFloats))  // widened weights for prefill (linear.h)
        s.panels = FloatBuffer(size_t(threads * kPanelFloats));
}

RunState make_run_state(const Config& cfg, int64_t capacity, int threads, int64_t positions) {
    if (threads < 1) fail("make_run_state: threads must be at least 1, got ", threads);
    RunState s;
    s.n_embd = cfg.n_embd;
    const int64_t room = positions > 0 ? std::max(capacity, positions) : cfg.n_positions;
    grow_kv_cache(s, cfg, std::min(cfg.n_positions, room));
    ensure_capacity(s, cfg, std::min(cfg.n_positions, capacity), threads);
    return s;
}

size_t run_state_bytes(const RunState& s) {
    size_t floats = s.k_cache.size() + s.v_cache.size() + s.x.size() + s.xn.size() +
                    s.qkv.size() + s.heads.size() + s.proj.size() + s.fc.size() +
                    s.scores.size() + s.partial.size() + s.panels.size() + s.context.size();
    return floats * sizeof(float);
}

const float* last_context(const RunState& s) {
    return s.context.data() + (s.last_T - 1) * s.n_embd;
}

// ---------------------------------------------------------------- the ops of one call

namespace {
// How the ops share their work out over the team (parallel.h). With one member every op is
// the plain call on the whole array. Boundaries between pieces of output columns fall on
// multiples of 16 floats (one 64-byte cache line), so no line is written by two threads.
constexpr int64_t kLine = 16;
// Column blocks narrower than this make OpenBLAS's products markedly slower per flop.
constexpr int64_t kMinColumns = 128;
// Element-wise work smaller than this (floats) is done by one thread: a hand-over costs
// about a microsecond, as much as the work itself.
constexpr int64_t kMinElements = 8192;

// How many pieces to cut n units of work into: 1 on a one-member team (the plain call);
// otherwise one per member (a member whose thread starts late leaves its piece to whoever
// is free first), but no piece smaller than min_units. More pieces per member would
// balance the threads better, but in a decode step each piece restarts a memory stream
// and adds a partial sum, which costs more than it balances (docs/performance.md).
int64_t pieces(const ThreadTeam& team, int64_t n, int64_t min_units) {
    if (team.size() == 1) return 1;
    return std::max<int64_t>(1, std::min<int64_t>(team.size(), n / min_units));
}

// The op context of one forward call: each op shares its work out over the team, adds
// its time to one OpTimes field (when timing), and records its output (when tracing).
// So forward() and block() below are left with the math, one line per step.
class Ops {
public:
    Ops(ThreadTeam& team, Isa isa, const Config& cfg, RunState& s, Trace* trace, OpTimes* times)
        : team_(team), isa_(isa), C_(cfg.n_embd), NH_(cfg.n_head),
          eps_(cfg.layer_norm_epsilon), s_(s), trace_(trace), times_(times) {}

    bool tracing() const { return trace_ != nullptr; }

    // x (T, C) = wte[token] + wpe[position]: token and position vectors live in one space.
    void embed(float* x, const int* tokens, const WeightView& wte, const float* wpe, int64_t pos0, int64_t T) {
        Clock clock(this, &OpTimes::embed);
        const int64_t C = C_;
        for (int64_t t = 0; t < T; t++) {
            read_row_f32(x + t * C, wte, tokens[t]);  // the token's row, as F32 whatever wte's type
            for (int64_t c = 0; c < C; c++) x[t * C + c] += wpe[(pos0 + t) * C + c];
        }
        record("embed", x, T, C);
    }

    // out (T, C) = layernorm(x) row by row, with weight w and bias b (C): each piece a block of rows.
    void layernorm(const char* name, float* out, const float* x, const float* w, const float* b, int64_t T) {
        Clock clock(this, &OpTimes::layernorm);
        const int64_t C = C_, n = pieces(team_, T * C, kMinElements) > 1 ? std::min(T, int64_t(team_.size())) : 1;
        team_.run(n, [&](int, int64_t i) {
            Range r = share(T, int(n), int(i));
            if (r.size() > 0)
                gw::layernorm(isa_, out + r.begin * C, nullptr, nullptr, x + r.begin * C, w, b, r.size(), C, eps_);
        });
        record(name, out, T, C);
    }

    // out (T, OC) = inp (T, IC) · w (IC, OC) + b, the weights being the bulk of the memory
    // traffic; w in any type (core/tensor.h), which picks the kernel.
    // Prefill (T > 1): each piece is a block of output columns, reading only its columns of
    // w (sgemm; reduced types a widened panel at a time: linear.h).
    // Decode (T = 1), w stored [in, out] (F32, BF16, F16): each piece is a block of ROWS of
    // w, one contiguous stretch of memory (strided column blocks stream measurably slower),
    // giving a partial sum of all OC outputs; the calling thread adds the partials in piece
    // order, so the result does not depend on which thread ran which piece.
    // Decode, w stored one row per output (Q8, transposed at load): each piece is a block of
    // outputs, each one dot product (matvec.h): no partials to add.
    void linear(const char* name, float* out, const float* inp, const WeightView& w, const float* b, int64_t T,
                int64_t IC, int64_t OC) {
        Clock clock(this, &OpTimes::matmul);
        if (T == 1 && w.transposed) {
            const int64_t n = pieces(team_, OC, kMinColumns);
            team_.run(n, [&](int, int64_t i) {
                Range r = share(OC, int(n), int(i), kLine);
                matvec_dot(isa_, out + r.begin, inp, w, r.begin, r.end);
                for (int64_t j = r.begin; j < r.end; j++) out[j] += b ? b[j] : 0.0f;
            });
        } else if (T == 1 && (team_.size() > 1 || w.type != WType::F32)) {
            float* partial = s_.partial.data();  // (pieces, OC)
            const int64_t n = pieces(team_, IC, kMinColumns);
            team_.run(n, [&](int, int64_t i) {
                Range r = share(IC, int(n), int(i));
                if (w.type == WType::F32) linear_rows_partial(partial + i * OC, inp, w.f32(), OC, r.begin, r.end);
                else matvec_rows(isa_, partial + i * OC, inp, w, r.begin, r.end);
            });
            for (int64_t j = 0; j < OC; j++) {
                float sum = b ? b[j] : 0.0f;
                for (int64_t i = 0; i < n; i++) sum += partial[i * OC + j];
                out[j] = sum;
            }
        } else {
            const int64_t n = pieces(team_, OC, kMinColumns);
            team_.run(n, [&](int member, int64_t i) {
                Range r = share(OC, int(n), int(i), kLine);
                linear_columns(isa_, out, inp, w, b, T, r.begin, r.end, s_.panels.data() + member * kPanelFloats);
            });
        }
        if (name) record(name, out, T, OC);
    }

    // Causal attention of T new rows at absolute positions [pos0, pos0 + T). The keys and
    // values of all of them go into layer l's cache first; then the rows [r0, T) attend
    // (r0 > 0: the last-row trim, see forward()). Each piece is a block of heads, on its
    // member's own (T, P) slice of the scratch. out: (T - r0, C).
    void attention(float* out, const float* qkv, int64_t l, int64_t pos0, int64_t T, int64_t r0) {
        Clock clock(this, &OpTimes::attention);
        const int64_t C = C_, NH = NH_, Pk = s_.kv_positions, Tr = T - r0;
        float* kc = s_.k_cache.data() + l * Pk * C;
        float* vc = s_.v_cache.data() + l * Pk * C;
        append_kv(kc, vc, qkv, pos0, T, C);
        std::vector<float> pattern;  // (NH, T, pos0 + T), only when tracing
        if (trace_) pattern.resize(size_t(NH * T * (pos0 + T)));
        float* scratch = s_.scores.data();
        const int64_t slice = attention_scratch_floats(s_.capacity, Pk);  // each member's own
        const int64_t n = pieces(team_, NH, 1);
        team_.run(n, [&](int member, int64_t i) {
            Range heads = share(NH, int(n), int(i));
            attention_heads(isa_, out, trace_ ? pattern.data() : nullptr, qkv + r0 * 3 * C, kc, vc, pos0 + r0, Tr,
                            C, NH, scratch + member * slice, heads.begin, heads.end);
        });
        if (trace_) {  // when tracing every row is kept (r0 = 0)
            trace_->record(layer_ + "q", qkv, T, C, 3 * C);
            trace_->record(layer_ + "k", qkv + C, T, C, 3 * C);
            trace_->record(layer_ + "v", qkv + 2 * C, T, C, 3 * C);
            trace_->record(layer_ + "attn_pattern", pattern.data(), Shape{NH, T, pos0 + T});
            record("attn_heads", out, T, C);
        }
    }

    // x = gelu(x), n floats: each piece a contiguous block.
    void gelu(const char* name, float* x, int64_t count) {
        Clock clock(this, &OpTimes::gelu);
        const int64_t n = pieces(team_, count, kMinElements);
        team_.run(n, [&](int, int64_t i) {
            Range r = share(count, int(n), int(i), kLine);
            if (r.size() > 0) gw::gelu(isa_, x + r.begin, x + r.begin, r.size());
        });
        record(name, x, count / (4 * C_), 4 * C_);
    }

    // x += y, n floats (the residual connection): each piece a contiguous block.
    void add(const char* name, float* x, const float* y, int64_t count) {
        Clock clock(this, &OpTimes::residual);
        const int64_t n = pieces(team_, count, kMinElements);
        team_.run(n, [&](int, int64_t i) {
            Range r = share(count, int(n), int(i), kLine);
            for (int64_t j = r.begin; j < r.end; j++) x[j] += y[j];
        });
        record(name, x, count / C_, C_);
    }

    // logits (T, V) = ctx (T, C) · wte^T, the tied head: each piece a block of token vectors.
    // One row with reduced weights: a dot product per token vector (matvec.h).
    void lm_head(float* logits, const float* ctx, const WeightView& wte, int64_t T, int64_t V) {
        Clock clock(this, &OpTimes::lm_head);
        const int64_t n = pieces(team_, V, kMinColumns);
        team_.run(n, [&](int member, int64_t i) {
            Range r = share(V, int(n), int(i), kLine);
            if (T == 1 && wte.type != WType::F32) matvec_dot(isa_, logits + r.begin, ctx, wte, r.begin, r.end);
            else lm_head_columns(isa_, logits, ctx, wte, T, r.begin, r.end, s_.panels.data() + member * kPanelFloats);
        });
    }

    // Trace point names of layer l are "h.{l}.<name>"; between layers, plain names.
    void enter_layer(int64_t l) {
        if (trace_) layer_ = l < 0 ? std::string() : "h." + std::to_string(l) + ".";
    }
    // Records the contiguous (rows, cols) floats at x as point `name`, when tracing.
    void record(const char* name, const float* x, int64_t rows, int64_t cols) {
        if (trace_) trace_->record(layer_ + name, x, Shape{rows, cols});
    }

private:
    // Adds the seconds an op takes to one OpTimes field; reads no clock when not timing.
    struct Clock {
        Ops* ops;
        double OpTimes::*field;
        std::chrono::steady_clock::time_point start;
        Clock(Ops* o, double OpTimes::*f) : ops(o), field(f) {
            if (ops->times_) start = std::chrono::steady_clock::now();
        }
        ~Clock() {
            if (ops->times_)
                ops->times_->*field += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
    };

    ThreadTeam& team_;
    Isa isa_;
    int64_t C_, NH_;
    float eps_;
    RunState& s_;
    Trace* trace_;
    OpTimes* times_;
    std::string layer_;  // "h.{l}." inside a layer, when tracing
};

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

// ---------------------------------------------------------------- one block
//   x = x + attn_proj( attention( c_attn( ln_1(x) ) ) )    aggregation across positions
//   x = x + mlp_proj( gelu( c_fc( ln_2(x) ) ) )            a position-wise filter
// x: (T, C) the residual stream of the new rows at positions [pos0, pos0 + T). Rows before
// r0 only give their keys and values: from the attention on, the block runs rows [r0, T).
void block(Ops& op, const LayerWeights& b, RunState& s, int64_t l, float* x, int64_t pos0, int64_t T,
           int64_t r0, int64_t C) {
    float *xn = s.xn.data(), *qkv = s.qkv.data(), *heads = s.heads.data(), *proj = s.proj.data(),
          *fc = s.fc.data(), *xr = x + r0 * C;
    const int64_t Tr = T - r0;
    op.enter_layer(l);
    op.record("resid_pre", x, T, C);

    op.layernorm("ln_1", xn, x, b.ln_1_w, b.ln_1_b, T);
    op.linear(nullptr, qkv, xn, b.c_attn_w, b.c_attn_b, T, C, 3 * C);  // q | k | v (traced by attention)
    op.attention(heads, qkv, l, pos0, T, r0);
    op.linear("attn_out", proj, heads, b.attn_proj_w, b.attn_proj_b, Tr, C, C);
    op.add("resid_mid", xr, proj, Tr * C);

    op.layernorm("ln_2", xn, xr, b.ln_2_w, b.ln_2_b, Tr);
    op.linear("mlp_pre", fc, xn, b.c_fc_w, b.c_fc_b, Tr, C, 4 * C);
    op.gelu("mlp_act", fc, Tr * 4 * C);
    op.linear("mlp_out", proj, fc, b.mlp_proj_w, b.mlp_proj_b, Tr, 4 * C, C);
    op.add("resid_post", xr, proj, Tr * C);
    op.enter_layer(-1);
}
}  // namespace

// ---------------------------------------------------------------- forward

void forward(float* logits, const Checkpoint& m, RunState& s, const int* tokens, int64_t T,
             const ForwardOptions& opts) {
    const Config& cfg = m.config;
    const Weights& w = m.w;
    const int64_t C = cfg.n_embd, V = cfg.vocab_size, P = cfg.n_positions, L = cfg.n_layer;
    const int64_t pos0 = s.n_past;
    if (T <= 0) fail("forward: no tokens to run");
    const int threads = opts.team ? opts.team->size() : opts.threads;
    if (threads < 1) fail("forward: threads must be at least 1, got ", threads);
    if (pos0 + T > P) fail("context is full: ", pos0, " + ", T, " positions > n_positions ", P);
    for (int64_t t = 0; t < T; t++)
        if (tokens[t] < 0 || tokens[t] >= V)
            fail("token id ", tokens[t], " is out of range: the vocabulary has ", V, " ids (0..", V - 1, ")");
    ensure_capacity(s, cfg, T, threads);
    if (opts.trace) {
        // Per layer 19 (T, C) points and the (NH, T, pos0 + T) pattern; embed, ln_f, and the logits twice.
        const double floats = double(L) * double(19 * T * C + cfg.n_head * T * (pos0 + T)) + 2.0 * double(T * (C + V));
        require_memory(floats * sizeof(float), cat("a trace of ", T, " positions"));
        *opts.trace = Trace{pos0, T, {}};
    }
    std::unique_ptr<ThreadTeam> own_team;  // only when the caller gave none
    if (!opts.team) own_team = std::make_unique<ThreadTeam>(threads);
    ThreadTeam& team = opts.team ? *opts.team : *own_team;
    BlasSingleThreaded blas_guard(team.size() > 1);
    Ops op(team, opts.isa, cfg, s, opts.trace, opts.times);
    float* x = s.x.data();

    op.embed(x, tokens, w.wte, w.wpe, pos0, T);

    // When only the last row's logits are asked for (no trace, no all_logits), the last
    // layer keeps only row T-1 once every row's keys and values are in the cache: nothing
    // after that reads the other rows (lesson 15: ~7% of a 128-token prefill).
    const bool every_row = opts.all_logits || op.tracing();
    for (int64_t l = 0; l < L; l++)
        block(op, w.h[size_t(l)], s, l, x, pos0, T, /*r0=*/every_row || l < L - 1 ? 0 : T - 1, C);

    // The final layer norm gives the context vectors; their dot products with every token
    // vector are the logits. Only the rows asked for are computed.
    const int64_t first = every_row ? 0 : T - 1, rows = T - first;
    float* ctx = s.context.data() + first * C;
    op.layernorm("ln_f", ctx, x + first * C, w.ln_f_w, w.ln_f_b, rows);
    if (op.tracing()) {  // the trace keeps every row's logits; the caller gets what it asked for
        std::vector<float> all(size_t(T * V));
        op.lm_head(all.data(), ctx, w.wte, T, V);
        op.record("logits", all.data(), T, V);
        const float* want = opts.all_logits ? all.data() : all.data() + (T - 1) * V;
        std::memcpy(logits, want, size_t((opts.all_logits ? T : 1) * V) * sizeof(float));
    } else {
        op.lm_head(logits, ctx, w.wte, rows, V);
    }
    s.n_past += T;
    s.last_T = T;
}

}  // namespace gw
