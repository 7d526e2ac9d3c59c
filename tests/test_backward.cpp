// test_backward.cpp — the whole model's gradients against an independent float64 reference
// (tests/fixtures/train, made by tools/reference/make_train_fixtures.py with PyTorch's
// autograd), on two random checkpoints, one with an odd head count.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/mapped_file.h"  // read_file
#include "model/safetensors.h"
#include "model/weights.h"
#include "train/backward.h"
#include "testing.h"

using namespace gw;

namespace {

const char* const kCheckpoints[] = {"tests/fixtures/train/oddheads", "tests/fixtures/train/fourheads"};

std::vector<int> flat_ids(const JsonValue& rows) {
    std::vector<int> ids;
    for (const JsonValue& row : rows.items)
        for (const JsonValue& v : row.items) ids.push_back(int(v.integer));
    return ids;
}

// The model's gradients for one batch, float32 through the fast kernels on `threads` threads.
struct Run {
    double loss = 0;
    std::vector<float> grads;
};
Run run_batch(const std::string& dir, const std::vector<int>& inputs, const std::vector<int>& targets,
              int64_t B, int64_t T, int threads, Isa isa) {
    auto ck = load_checkpoint(dir);
    const ParamLayout layout = param_layout(ck->config);
    std::vector<float> params(layout.total);
    copy_weights_flat(params.data(), *ck);
    Run r;
    r.grads.assign(layout.total, 0.0f);
    TrainActivations acts = make_train_activations(ck->config, B, T, threads);
    ThreadTeam team(threads);
    TrainOps ops(team, isa, nullptr);
    r.loss = train_forward(acts, layout, params.data(), inputs.data(), targets.data(), B, T,
                           1.0f / float(B * T), ops);
    train_backward(r.grads.data(), acts, layout, params.data(), inputs.data(), B, T, ops);
    return r;
}

}  // namespace

// The relative error of one parameter tensor's gradient:
//   err = max_i |g_i - g_ref_i| / max_i |g_ref_i|
// (per tensor, normwise: an entry that is tiny because of cancellation is judged against the
// tensor's scale, not its own). The bar is 1e-4; float32 rounding through ~30 chained
// ops of O(1) values is ~1e-6 of a tensor's scale (measured: below 3e-6 on both checkpoints),
// and the reference's F32 storage adds 6e-8. A wrong sign, a missing term or a swapped index
// is off by 1e-2 or more. The loss: within 1e-5 (float sums of O(1) per-position losses).
TEST_CASE("the whole model's gradients equal PyTorch's float64 autograd on two random checkpoints") {
    for (const char* dir : kCheckpoints) {
        CAPTURE(dir);
        const JsonValue fx = parse_json(read_file(std::string(dir) + "/grads.json"), "grads.json");
        const std::vector<int> inputs = flat_ids(*fx.find("inputs")), targets = flat_ids(*fx.find("targets"));
        const int64_t B = int64_t(fx.find("inputs")->items.size()), T = int64_t(inputs.size()) / B;
        const SafetensorsFile want(std::string(dir) + "/grads.safetensors");
        for (Isa isa : {Isa::Ref, best_isa()}) {
            for (int threads : {1, 2}) {
                CAPTURE(isa_name(isa)); CAPTURE(threads);
                const Run r = run_batch(dir, inputs, targets, B, T, threads, isa);
                CHECK(std::fabs(r.loss - fx.find("loss")->number) <= 1e-5);
                const ParamLayout layout = param_layout(load_checkpoint(dir)->config);
                double worst = 0;
                for (const ParamTensor& t : layout.tensors) {
                    const TensorInfo* ref = want.find(t.name);
                    REQUIRE(ref != nullptr);
                    REQUIRE(ref->shape == t.shape);
                    const float* g_ref = reinterpret_cast<const float*>(ref->data);  // F32, aligned by the writer
                    double max_ref = 0, max_err = 0;
                    for (size_t i = 0; i < t.size; i++) {
                        max_ref = std::max(max_ref, double(std::fabs(g_ref[i])));
                        max_err = std::max(max_err, double(std::fabs(r.grads[t.offset + i] - g_ref[i])));
                    }
                    const double err = max_err / max_ref;
                    worst = std::max(worst, err);
                    if (!(err <= 1e-4)) FAIL_CHECK(t.name << ": relative error " << err << " (max |g_ref| " << max_ref << ")");
                }
                MESSAGE(std::string(dir) << " " << std::string(isa_name(isa)) << " threads " << threads << ": loss " << r.loss
                            << ", worst tensor relative error " << worst);
            }
        }
    }
}

TEST_CASE("a training step is repeatable bit for bit, and gradients accumulate over calls") {
    const std::string dir = kCheckpoints[0];
    const JsonValue fx = parse_json(read_file(dir + "/grads.json"), "grads.json");
    const std::vector<int> inputs = flat_ids(*fx.find("inputs")), targets = flat_ids(*fx.find("targets"));
    const int64_t B = 2, T = int64_t(inputs.size()) / 2;
    const Run a = run_batch(dir, inputs, targets, B, T, 2, best_isa());
    const Run b = run_batch(dir, inputs, targets, B, T, 2, best_isa());
    CHECK(a.grads == b.grads);  // the same team size: the same calls on the same pieces
    CHECK(a.loss == b.loss);
    // Two backwards into the same buffer hold twice the gradient: the second adds its sums
    // into the first's (OpenBLAS may add block by block), so within a few roundings of the
    // tensor's scale (1e-5 of max |g|); overwriting instead of adding would be off by |g|.
    auto ck = load_checkpoint(dir);
    const ParamLayout layout = param_layout(ck->config);
    std::vector<float> params(layout.total), grads(layout.total, 0.0f);
    copy_weights_flat(params.data(), *ck);
    TrainActivations acts = make_train_activations(ck->config, B, T, 2);
    ThreadTeam team(2);
    TrainOps ops(team, best_isa(), nullptr);
    for (int i = 0; i < 2; i++) {
        train_forward(acts, layout, params.data(), inputs.data(), targets.data(), B, T, 1.0f / float(B * T), ops);
        train_backward(grads.data(), acts, layout, params.data(), inputs.data(), B, T, ops);
    }
    std::vector<float> twice(a.grads.size());
    for (size_t i = 0; i < twice.size(); i++) twice[i] = 2 * a.grads[i];
    testing::check_close(grads, twice, float(1e-5 * testing::max_abs(twice)), 0, "accumulated gradients");
}
