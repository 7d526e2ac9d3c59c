// model/forward.h — the GPT-2 forward pass, its KV cache, and an opt-in trace.
//
// One call runs T new tokens at positions [n_past, n_past + T) through the model,
// appends their keys and values to the cache, and returns logits:
//   x = wte[token] + wpe[position]                               embed        (T, C)
//   for each of the L blocks:
//     x = x + attn_proj( attention( c_attn( ln_1(x) ) ) )      resid_mid    (T, C)
//     x = x + mlp_proj( gelu( c_fc( ln_2(x) ) ) )              resid_post   (T, C)
//   c = ln_f(x)                                                the context vectors (T, C)
//   logits = c · wte^T                                         (T, V): dot products with token vectors
// Legend: T new tokens, C n_embd, NH heads, HS head size, V vocab, L layers, P n_positions.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "core/parallel.h"
#include "core/tensor.h"
#include "model/weights.h"

namespace gw {

// ---- trace: named snapshots of the activations (lesson 10, the walks, --dump-trace) ----
struct TracePoint {
    std::string name;  // "embed", "h.3.resid_post", "ln_f", "logits", ...
    Shape shape;
    std::vector<float> data;
};

// Recording is opt-in: forward() records only when given a Trace, and does no
// extra work otherwise. Points of one forward call cover its T new positions
// (attention patterns cover all pos0 + T keys).
struct Trace {
    int64_t pos0 = 0;  // absolute position of row 0
    int64_t T = 0;     // rows recorded
    std::vector<TracePoint> points;

    const TracePoint* find(const std::string& name) const;  // nullptr if absent
    const TracePoint& at(const std::string& name) const;    // throws gw::Error if absent
    // Copies a (rows, cols) block whose rows are `ld` floats apart.
    void record(const std::string& name, const float* src, int64_t rows, int64_t cols, int64_t ld);
    void record(const std::string& name, const float* src, Shape shape);  // contiguous
};

// Time spent per kind of op, in seconds (bench); forward() adds to it when given one.
struct OpTimes {
    double embed = 0, layernorm = 0, matmul = 0, attention = 0, gelu = 0, residual = 0,
           lm_head = 0;
    double total() const { return embed + layernorm + matmul + attention + gelu + residual + lm_head; }
};

// Everything a forward pass writes: the KV cache and scratch activations. A copy is a
// fork: it holds its own copy of the cache, and forward() on it leaves the original as it was
// (beam search keeps one per kept prefix; each copy costs run_state_bytes()).
struct RunState {
    int64_t n_past = 0;      // positions already in the cache
    int64_t capacity = 0;    // most positions one forward call can take without regrowing
    int64_t kv_positions = 0;  // Pk: positions the KV cache has room for (grows, up to P)
    int64_t n_embd = 0;      // C
    int64_t last_T = 0;      // T of the last forward call
    FloatBuffer k_cache;     // (L, Pk, C) keys of every position so far
    FloatBuffer v_cache;     // (L, Pk, C) values
    FloatBuffer x;           // (T, C) the residual stream
    FloatBuffer xn;          // (T, C) layer-norm output
    FloatBuffer qkv;         // (T, 3C)
    FloatBuffer heads;       // (T, C) attention output, heads side by side, before attn_proj
    FloatBuffer proj;        // (T, C) output of attn_proj / mlp_proj
    FloatBuffer fc;          // (T, 4C) MLP hidden layer
    FloatBuffer scores;      // (threads, min(T, 64), Pk) attention scores of one head per thread
    FloatBuffer partial;     // (threads, 4C) partial sums of a decode step's products
    FloatBuffer panels;      // (threads, kPanelFloats) weights widened for prefill (linear.h)
    FloatBuffer context;     // (T, C) ln_f output: the context vectors of the last call
};

// A run state for forward calls of up to `capacity` positions on `threads` threads, with a
// KV cache for `positions` positions (0: the whole context, n_positions). A run that knows
// its length asks for that: a config's n_positions can be far more than a run needs, or
// than the machine has. All of them grow on demand (the cache doubles, up to n_positions),
// but growing inside a timed call costs page faults. Every buffer is checked against the
// memory available before it is allocated (core/memory.h): gw::Error when it would not fit.
RunState make_run_state(const Config& config, int64_t capacity = 1, int threads = 1, int64_t positions = 0);
// Bytes held by a run state (KV cache + scratch), for the memory report.
size_t run_state_bytes(const RunState& state);

struct ForwardOptions {
    Isa isa = Isa::Ref;          // which vector kernels to use
    bool all_logits = false;     // logits for every new position, or only the last one
    Trace* trace = nullptr;      // record the named points (nullptr: record nothing)
    OpTimes* times = nullptr;    // accumulate per-op time (nullptr: no clock reads)
    // Threads of the forward pass's own team (parallel.h): every op is shared out over
    // them, and OpenBLAS is held at 1 thread meanwhile. 1: everything on the calling
    // thread, with OpenBLAS left as set_blas_threads() set it.
    int threads = 1;
    // A team to run on (its size then replaces `threads`), kept by the caller across calls:
    // starting threads for every call costs more than a decode step can spare on some
    // machines (see docs/performance.md). nullptr: forward makes one for the call.
    ThreadTeam* team = nullptr;
};

// Runs tokens (T) at positions [state.n_past, state.n_past + T) and advances n_past.
// logits: (T, V) when opts.all_logits, else (1, V) for the last position.
// After the call, state.context row t holds the context vector of new position t:
// always for the last row, for every row when all_logits or tracing. Throws gw::Error on an id outside [0, V)
// or when the context (P positions) would overflow.
void forward(float* logits, const Checkpoint& model, RunState& state, const int* tokens,
             int64_t T, const ForwardOptions& opts);

// The context vector of the last position run (C floats).
const float* last_context(const RunState& state);

}  // namespace gw
