// train/ops.cpp — the ops of a training step over a thread team (see train/ops.h).
#include "train/ops.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "kernels/attention.h"
#include "kernels/crossentropy.h"
#include "kernels/embedding.h"
#include "kernels/gelu.h"
#include "kernels/layernorm.h"
#include "kernels/linear.h"

namespace gw {

namespace {
// As in model/forward.cpp: column pieces start on 64-byte lines (16 floats), and products
// narrower than this many columns or rows per piece lose more to OpenBLAS's efficiency
// than a second core gains. Training's matrices are small (the shipped model's C is 192),
// so the floor is lower than the forward pass's 128.
constexpr int64_t kLine = 16;
constexpr int64_t kMinColumns = 64;
constexpr int64_t kMinRows = 16;
constexpr int64_t kMinElements = 8192;  // element-wise work below this stays on one thread

// Shares [0, n) out over the team in at most team.size() pieces of >= min_units (1 piece on
// a one-member team), piece boundaries on multiples of align; fn(member, range).
template <typename Fn>
void shared(ThreadTeam& team, int64_t n, int64_t min_units, int64_t align, const Fn& fn) {
    const int64_t pieces = team.size() == 1 ? 1
                                            : std::max<int64_t>(1, std::min<int64_t>(team.size(), n / min_units));
    team.run(pieces, [&](int member, int64_t i) {
        const Range r = share(n, int(pieces), int(i), align);
        if (r.size() > 0) fn(member, r);
    });
}
}  // namespace

// Adds an op's seconds to one field of times (forward or backward OpTimes, or loss/optimizer).
struct TrainOps::Clock {
    double* field;
    std::chrono::steady_clock::time_point start;
    explicit Clock(double* f) : field(f) {
        if (field) start = std::chrono::steady_clock::now();
    }
    ~Clock() {
        if (field) *field += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
};

double* TrainOps::slot(OpTimes TrainTimes::*part, double OpTimes::*kind) const {
    return times_ ? &((times_->*part).*kind) : nullptr;
}

TrainOps::TrainOps(ThreadTeam& team, Isa isa, TrainTimes* times) : team_(team), isa_(isa), times_(times) {
    if (team_.size() > 1) {
        saved_blas_threads_ = blas_threads();
        set_blas_threads(1);
    }
}

TrainOps::~TrainOps() {
    if (saved_blas_threads_ > 0) set_blas_threads(saved_blas_threads_);
}

// ---------------------------------------------------------------- forward

void TrainOps::embed(float* x, const int* tokens, const float* wte, const float* wpe, int64_t B,
                     int64_t T, int64_t C) {
    Clock clock(slot(&TrainTimes::forward, &OpTimes::embed));
    shared(team_, B, 1, 1, [&](int, Range r) {
        for (int64_t b = r.begin; b < r.end; b++) embedding(x + b * T * C, tokens + b * T, wte, wpe, T, C);
    });
}

void TrainOps::layernorm(float* out, float* mean, float* rstd, const float* x, const float* w,
                         const float* b, int64_t rows, int64_t C, float eps) {
    Clock clock(slot(&TrainTimes::forward, &OpTimes::layernorm));
    shared(team_, rows, std::max<int64_t>(1, kMinElements / C), 1, [&](int, Range r) {
        gw::layernorm(isa_, out + r.begin * C, mean + r.begin, rstd + r.begin, x + r.begin * C, w, b,
                      r.size(), C, eps);
    });
}

void TrainOps::linear(float* out, const float* inp, const float* w, const float* b, int64_t rows,
                      int64_t IC, int64_t OC) {
    Clock clock(slot(&TrainTimes::forward, &OpTimes::matmul));
    shared(team_, OC, kMinColumns, kLine,
           [&](int, Range r) { linear_columns(out, inp, w, b, rows, IC, OC, r.begin, r.end); });
}

void TrainOps::attention(float* out, float* pattern, float* kv, float* scores, const float* qkv,
                         int64_t B, int64_t T, int64_t C, int64_t NH) {
    Clock clock(slot(&TrainTimes::forward, &OpTimes::attention));
    for (int64_t b = 0; b < B; b++)  // each sequence's keys and values, (T, C) each
        append_kv(kv + b * 2 * T * C, kv + b * 2 * T * C + T * C, qkv + b * T * 3 * C, 0, T, C);
    shared(team_, B * NH, 1, 1, [&](int member, Range r) {
        for (int64_t u = r.begin; u < r.end; u++) {  // unit u: head u % NH of sequence u / NH
            const int64_t b = u / NH, h = u % NH;
            const float* k = kv + b * 2 * T * C;
            attention_heads(isa_, out + b * T * C, pattern + b * NH * T * T, qkv + b * T * 3 * C, k, k + T * C,
                            0, T, C, NH, scores + member * T * T, h, h + 1);
        }
    });
}

void TrainOps::gelu(float* out, const float* x, int64_t n) {
    Clock clock(slot(&TrainTimes::forward, &OpTimes::gelu));
    shared(team_, n, kMinElements, kLine, [&](int, Range r) { gw::gelu(isa_, out + r.begin, x + r.begin, r.size()); });
}

void TrainOps::add(float* out, const float* a, const float* b, int64_t n) {
    Clock clock(slot(&TrainTimes::forward, &OpTimes::residual));
    shared(team_, n, kMinElements, kLine, [&](int, Range r) {
        for (int64_t i = r.begin; i < r.end; i++) out[i] = a[i] + b[i];
    });
}

void TrainOps::lm_head(float* logits, const float* x, const float* wte, int64_t rows, int64_t C, int64_t V) {
    Clock clock(slot(&TrainTimes::forward, &OpTimes::lm_head));
    shared(team_, V, kMinColumns, kLine,
           [&](int, Range r) { lm_head_columns(logits, x, wte, rows, C, V, r.begin, r.end); });
}

void TrainOps::crossentropy(float* dlogits, float* losses, const float* logits, const int* targets,
                            int64_t rows, int64_t V, float dloss) {
    Clock clock(times_ ? &times_->loss : nullptr);
    shared(team_, rows, 1, 1, [&](int, Range r) {
        gw::crossentropy(isa_, dlogits ? dlogits + r.begin * V : nullptr, losses + r.begin, logits + r.begin * V,
                         targets + r.begin, r.size(), V, dloss);
    });
}

// ---------------------------------------------------------------- backward

void TrainOps::embed_backward(float* dwte, float* dwpe, const float* dx, const int* tokens, int64_t B,
                              int64_t T, int64_t C) {
    Clock clock(slot(&TrainTimes::backward, &OpTimes::embed));
    shared(team_, C, kLine, kLine, [&](int, Range r) {
        for (int64_t b = 0; b < B; b++)  // sequences in order: every column adds the same way
            embedding_backward(dwte, dwpe, dx + b * T * C, tokens + b * T, T, C, r.begin, r.end);
    });
}

void TrainOps::layernorm_backward(float* dx, float* dw, float* db, const float* dout, const float* x,
                                  const float* w, const float* mean, const float* rstd, int64_t rows,
                                  int64_t C) {
    Clock clock(slot(&TrainTimes::backward, &OpTimes::layernorm));
    shared(team_, rows, std::max<int64_t>(1, kMinElements / C), 1, [&](int, Range r) {
        layernorm_backward_rows(dx + r.begin * C, dout + r.begin * C, x + r.begin * C, w, mean + r.begin,
                                rstd + r.begin, r.size(), C);
    });
    shared(team_, C, kLine, kLine, [&](int, Range r) {
        layernorm_backward_params(dw, db, dout, x, mean, rstd, rows, C, r.begin, r.end);
    });
}

void TrainOps::linear_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp,
                               const float* w, int64_t rows, int64_t IC, int64_t OC) {
    Clock clock(slot(&TrainTimes::backward, &OpTimes::matmul));
    shared(team_, rows, kMinRows, 1, [&](int, Range r) {
        linear_backward_input(dinp + r.begin * IC, dout + r.begin * OC, w, r.size(), IC, OC);
    });
    shared(team_, OC, kMinColumns, kLine, [&](int, Range r) {
        linear_backward_weight(dw, db, dout, inp, rows, IC, OC, r.begin, r.end);
    });
}

void TrainOps::attention_backward(float* dqkv, float* scores, const float* dout, const float* qkv,
                                  const float* pattern, int64_t B, int64_t T, int64_t C, int64_t NH) {
    Clock clock(slot(&TrainTimes::backward, &OpTimes::attention));
    shared(team_, B * NH, 1, 1, [&](int member, Range r) {
        for (int64_t u = r.begin; u < r.end; u++) {
            const int64_t b = u / NH, h = u % NH;
            attention_backward_heads(dqkv + b * T * 3 * C, scores + member * T * T, dout + b * T * C,
                                     qkv + b * T * 3 * C, pattern + b * NH * T * T, T, C, NH, h, h + 1);
        }
    });
}

void TrainOps::gelu_backward(float* dx, const float* x, const float* dout, int64_t n) {
    Clock clock(slot(&TrainTimes::backward, &OpTimes::gelu));
    shared(team_, n, kMinElements, kLine, [&](int, Range r) {
        gw::gelu_backward(isa_, dx + r.begin, x + r.begin, dout + r.begin, r.size());
    });
}

void TrainOps::lm_head_backward(float* dx, float* dwte, const float* dlogits, const float* x,
                                const float* wte, int64_t rows, int64_t C, int64_t V) {
    Clock clock(slot(&TrainTimes::backward, &OpTimes::lm_head));
    shared(team_, rows, kMinRows, 1, [&](int, Range r) {
        lm_head_backward_input(dx + r.begin * C, dlogits + r.begin * V, wte, r.size(), C, V);
    });
    shared(team_, V, kMinColumns, kLine,
           [&](int, Range r) { lm_head_backward_weight(dwte, dlogits, x, rows, C, V, r.begin, r.end); });
}

void TrainOps::zero(float* x, int64_t n) {
    Clock clock(slot(&TrainTimes::backward, &OpTimes::residual));
    shared(team_, n, kMinElements, kLine,
           [&](int, Range r) { std::memset(x + r.begin, 0, size_t(r.size()) * sizeof(float)); });
}

}  // namespace gw
