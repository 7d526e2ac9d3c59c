// test_weights.cpp — the weight table, and load_checkpoint on folders these tests write:
// random checkpoints in the exact Hugging Face layout, and hand-built variants for
// every error (missing, misshapen, unexpected, doubled and untied tensors).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>  // std::rename, std::remove
#include <cstring>
#include <limits>
#include <set>
#include <string>

#include "core/error.h"
#include "model/safetensors.h"
#include "model/weights.h"
#include "perf/random_checkpoint.h"
#include "testing.h"

using namespace gw;
using gw::testing::TempDir;

namespace {

// A tiny GPT-2: every dim distinct, so a shape mix-up cannot go unnoticed.
Config tiny() {
    Config c;
    c.vocab_size = 11, c.n_positions = 5, c.n_embd = 8, c.n_head = 2, c.n_layer = 2;
    return c;
}

// Every table tensor with deterministic values (tensor i gets seed i), named with `prefix`.
std::vector<TensorToWrite> hf_tensors(const Config& c, DType dtype, const std::string& prefix = "") {
    Weights w;
    std::vector<TensorToWrite> out;
    uint64_t seed = 0;
    for (const WeightEntry& e : weight_table(c, w))
        out.push_back(make_tensor(prefix + e.name, dtype, e.shape,
                                  testing::random_floats(size_t(e.shape.numel()), ++seed)));
    return out;
}

TensorToWrite* named(std::vector<TensorToWrite>& ts, const std::string& name) {
    for (TensorToWrite& t : ts)
        if (t.name == name) return &t;
    FAIL("no tensor ", name);
    return nullptr;
}

// dir/config.json from a random checkpoint of `c`, and dir/model.safetensors from `tensors`.
void write_folder(const TempDir& dir, const Config& c, const std::vector<TensorToWrite>& tensors) {
    write_random_checkpoint(dir.path, c, {});
    write_safetensors(dir.file("model.safetensors"), tensors);
}

std::string load_error(const std::string& dir) {
    try {
        load_checkpoint(dir);
    } catch (const Error& e) {
        return e.what();
    }
    return "(loaded)";
}

void check_has(const std::string& msg, std::initializer_list<std::string> parts) {
    for (const std::string& p : parts)
        CHECK_MESSAGE(msg.find(p) != std::string::npos, ("'" + p + "' not in: " + msg));
}

// All the loaded weights of a checkpoint as F32, flattened in table order.
std::vector<float> all_values(Checkpoint& ck) {
    std::vector<float> out;
    for (const WeightEntry& e : weight_table(ck.config, ck.w)) {
        const float* p = e.matrix ? nullptr : *e.f32;
        AsF32 m = e.matrix ? AsF32(*e.matrix) : AsF32(f32_view(p, {1, e.shape.numel()}));
        out.insert(out.end(), m.data(), m.data() + e.shape.numel());
    }
    return out;
}

}  // namespace

TEST_CASE("the weight table: names, shapes, destinations") {
    Config c = tiny();
    Weights w;
    std::vector<WeightEntry> t = weight_table(c, w);
    REQUIRE(t.size() == 2 + 12 * 2 + 2);
    CHECK(t[0].name == "wte.weight");
    CHECK(t[0].shape == Shape{11, 8});
    CHECK(t[0].dims == "(V, C)");
    CHECK(t[1].shape == Shape{5, 8});
    CHECK(t[2].name == "h.0.ln_1.weight");
    CHECK(t[4].name == "h.0.attn.c_attn.weight");
    CHECK(t[4].shape == Shape{8, 24});  // Conv1D: [in, out]
    CHECK(t[12].name == "h.0.mlp.c_proj.weight");
    CHECK(t[12].shape == Shape{32, 8});
    CHECK(t[25].name == "h.1.mlp.c_proj.bias");
    CHECK(t[27].name == "ln_f.bias");
    CHECK(t[12].matrix == &w.h[0].mlp_proj_w);
    CHECK(t[13].f32 == &w.h[0].mlp_proj_b);
    std::set<const void*> dests;
    int64_t matrices = 0;
    for (const WeightEntry& e : t) {
        CHECK((e.matrix == nullptr) != (e.f32 == nullptr));  // exactly one destination
        dests.insert(e.matrix ? static_cast<const void*>(e.matrix) : static_cast<const void*>(e.f32));
        matrices += e.matrix != nullptr;
    }
    CHECK(dests.size() == t.size());  // every row fills its own destination
    CHECK(matrices == 1 + 4 * 2);     // wte and four a layer: the ones --weights converts
}

TEST_CASE("F32 loads in place from the mapping") {
    TempDir dir;
    write_random_checkpoint(dir.path, tiny(), {});
    auto ck = load_checkpoint(dir.path);
    CHECK(ck->config.n_embd == 8);
    CHECK(ck->stored_dtype == DType::F32);
    CHECK(ck->made.empty());
    CHECK(ck->matrices_in_place == 9);
    CHECK(ck->weights_type() == WType::F32);
    CHECK(ck->weights_bytes() == size_t(tiny().parameter_count()) * 4);
    CHECK_FALSE(ck->has_lm_head);
    CHECK(ck->skipped.empty());
    for (const WeightEntry& e : weight_table(ck->config, ck->w)) {
        const TensorInfo* t = ck->file->find(e.name);
        REQUIRE(t);
        CHECK((e.matrix ? e.matrix->data : static_cast<const void*>(*e.f32)) == static_cast<const void*>(t->data));
    }
    CHECK(find_nonfinite(*ck).empty());
}

TEST_CASE("F16 and BF16 widen to the F32 values converted") {
    TempDir d32, d16, dbf;
    RandomCheckpointOptions o;
    write_random_checkpoint(d32.path, tiny(), o);
    o.dtype = DType::F16;
    write_random_checkpoint(d16.path, tiny(), o);
    o.dtype = DType::BF16;
    write_random_checkpoint(dbf.path, tiny(), o);
    auto c32 = load_checkpoint(d32.path), c16 = load_checkpoint(d16.path), cbf = load_checkpoint(dbf.path);
    CHECK(c16->stored_dtype == DType::F16);
    CHECK(cbf->stored_dtype == DType::BF16);
    CHECK(c16->made.size() == 28 - 9);  // every F32 vector widened once; the 9 matrices in place
    CHECK(c16->matrices_in_place == 9);
    CHECK(c16->weights_type() == WType::F16);
    CHECK(cbf->weights_type() == WType::BF16);
    std::vector<float> v32 = all_values(*c32), v16 = all_values(*c16), vbf = all_values(*cbf);
    REQUIRE(v16.size() == v32.size());
    REQUIRE(vbf.size() == v32.size());
    std::vector<float> want16, wantbf;
    for (float x : v32) {
        want16.push_back(f16_to_f32(f32_to_f16(x)));
        wantbf.push_back(bf16_to_f32(f32_to_bf16(x)));
    }
    testing::check_close(v16, want16, 0.0f, 0.0f, "F16 widened");
    testing::check_close(vbf, wantbf, 0.0f, 0.0f, "BF16 widened");
}

TEST_CASE("F16 and BF16 widening, hand-checked values") {
    // F16: 0.1 -> 0x2E66 = 2^-4 * (1 + 614/1024) = 0.0999755859375; 65504 is exact.
    // BF16: 0.1 -> 0x3DCD = 2^-4 * (1 + 77/128) = 0.10009765625; 65504 -> 0x4780 = 65536.
    const std::vector<float> first = {1.0f, -2.0f, 0.1f, 65504.0f};
    for (DType dt : {DType::F16, DType::BF16}) {
        TempDir dir;
        std::vector<TensorToWrite> ts = hf_tensors(tiny(), dt);
        std::vector<float> wte = testing::random_floats(11 * 8, 1);
        std::copy(first.begin(), first.end(), wte.begin());
        *named(ts, "wte.weight") = make_tensor("wte.weight", dt, {11, 8}, wte);
        write_folder(dir, tiny(), ts);
        auto ck = load_checkpoint(dir.path);
        float row[8];
        read_row_f32(row, ck->w.wte, 0);
        CHECK(row[0] == 1.0f);
        CHECK(row[1] == -2.0f);
        CHECK(row[2] == (dt == DType::F16 ? 0.0999755859375f : 0.10009765625f));
        CHECK(row[3] == (dt == DType::F16 ? 65504.0f : 65536.0f));
    }
}

TEST_CASE("mixed dtypes: each tensor widened on its own") {
    TempDir dir;
    std::vector<TensorToWrite> ts = hf_tensors(tiny(), DType::F32);
    std::vector<float> wte = testing::random_floats(11 * 8, 1);
    *named(ts, "wte.weight") = make_tensor("wte.weight", DType::F16, {11, 8}, wte);
    write_folder(dir, tiny(), ts);
    auto ck = load_checkpoint(dir.path);
    CHECK(ck->stored_dtype == DType::F16);
    CHECK(ck->made.empty());                  // wte used as F16 in place, the rest as F32
    CHECK(ck->w.wte.type == WType::F16);
    CHECK(ck->w.h[0].c_fc_w.type == WType::F32);
    CHECK(AsF32(ck->w.wte).data()[5] == f16_to_f32(f32_to_f16(wte[5])));
}

TEST_CASE("misaligned F32 tensors are copied, not read in place") {
    // A 2-byte F16 buffer first shifts every F32 tensor after it to an address 2 mod 4.
    TempDir dir;
    std::vector<TensorToWrite> ts = hf_tensors(tiny(), DType::F32);
    ts.insert(ts.begin(), make_tensor("h.0.attn.masked_bias", DType::F16, {}, {-1e4f}));
    write_folder(dir, tiny(), ts);
    auto ck = load_checkpoint(dir.path);
    CHECK(ck->made.size() == 28);
    CHECK(ck->matrices_in_place == 0);
    CHECK(reinterpret_cast<uintptr_t>(ck->w.wpe) % alignof(float) == 0);
    std::vector<float> want = testing::random_floats(5 * 8, 2);  // wpe, table row 1, got seed 2
    testing::check_close(ck->w.wpe, want.data(), 40, 0.0f, 0.0f, "wpe");
}

TEST_CASE("the transformer. prefix, alone or mixed") {
    TempDir plain, prefixed, mixed;
    write_random_checkpoint(plain.path, tiny(), {});
    RandomCheckpointOptions o;
    o.transformer_prefix = true;
    write_random_checkpoint(prefixed.path, tiny(), o);
    auto a = load_checkpoint(plain.path), b = load_checkpoint(prefixed.path);
    REQUIRE(b->file->find("transformer.h.1.ln_2.bias"));
    testing::check_close(all_values(*b), all_values(*a), 0.0f, 0.0f, "prefixed");

    std::vector<TensorToWrite> ts = hf_tensors(tiny(), DType::F32);
    named(ts, "wpe.weight")->name = "transformer.wpe.weight";  // some with, some without: fine
    write_folder(mixed, tiny(), ts);
    CHECK(load_checkpoint(mixed.path)->w.wpe[0] == testing::random_floats(1, 2)[0]);

    ts.push_back(make_tensor("wpe.weight", DType::F32, {5, 8}, std::vector<float>(40)));
    write_folder(mixed, tiny(), ts);
    check_has(load_error(mixed.path), {mixed.file("model.safetensors") + ": ", "tensor 'wpe.weight' appears twice",
                                       "'transformer.wpe.weight'"});
}

TEST_CASE("lm_head: tied is accepted, untied or misshapen is refused") {
    TempDir dir;
    RandomCheckpointOptions o;
    o.lm_head = true;
    o.transformer_prefix = true;
    o.dtype = DType::BF16;
    write_random_checkpoint(dir.path, tiny(), o);
    CHECK(load_checkpoint(dir.path)->has_lm_head);

    std::vector<TensorToWrite> ts = hf_tensors(tiny(), DType::F32);
    std::vector<float> head = testing::random_floats(11 * 8, 1);  // wte, table row 0, got seed 1
    ts.push_back(make_tensor("lm_head.weight", DType::F32, {11, 8}, head));
    write_folder(dir, tiny(), ts);
    CHECK(load_checkpoint(dir.path)->has_lm_head);

    head[17] += 0.5f;
    ts.back() = make_tensor("lm_head.weight", DType::F32, {11, 8}, head);
    write_folder(dir, tiny(), ts);
    check_has(load_error(dir.path), {dir.file("model.safetensors") + ": ", "lm_head.weight",
                                     "first at index 17", "untied lm_head is not supported"});

    ts.back() = make_tensor("lm_head.weight", DType::F32, {8, 11}, head);
    write_folder(dir, tiny(), ts);
    check_has(load_error(dir.path), {"tensor 'lm_head.weight': expected shape (11, 8) (V, C), got (8, 11)"});
}

TEST_CASE("attention buffers are skipped and recorded") {
    TempDir dir;
    RandomCheckpointOptions o;
    o.attn_bias_buffers = true;
    write_random_checkpoint(dir.path, tiny(), o);
    auto ck = load_checkpoint(dir.path);
    CHECK(ck->skipped == std::vector<std::string>{"h.0.attn.bias", "h.0.attn.masked_bias",
                                                  "h.1.attn.bias", "h.1.attn.masked_bias"});
    o.transformer_prefix = true;
    write_random_checkpoint(dir.path, tiny(), o);
    CHECK(load_checkpoint(dir.path)->skipped.at(0) == "transformer.h.0.attn.bias");
}

TEST_CASE("attention buffers in any dtype are skipped; a weight that is not a float is refused") {
    // Some older transformers versions saved GPT-2's causal-mask buffer with the weights, as
    // U8 or BOOL: (1, 1, P, P) bytes, 1 on and below the diagonal.
    TempDir dir;
    const Config c = tiny();
    std::vector<TensorToWrite> ts = hf_tensors(c, DType::F32);
    const int64_t P = c.n_positions;
    std::vector<uint8_t> mask(size_t(P * P));
    for (int64_t i = 0; i < P; i++)
        for (int64_t j = 0; j <= i; j++) mask[size_t(i * P + j)] = 1;
    ts.push_back({"h.0.attn.bias", DType::U8, {1, 1, P, P}, mask});
    ts.push_back({"h.1.attn.bias", DType::BOOL, {1, 1, P, P}, mask});
    ts.push_back({"h.1.attn.masked_bias", DType::F64, {}, std::vector<uint8_t>(8, 0)});
    write_folder(dir, c, ts);
    auto ck = load_checkpoint(dir.path);
    CHECK(ck->skipped.size() == 3);
    CHECK(ck->file->find("h.0.attn.bias")->dtype == DType::U8);
    CHECK(ck->file->find("h.1.attn.masked_bias")->end - ck->file->find("h.1.attn.masked_bias")->begin == 8);

    // the same dtypes where a weight belongs: one line naming the tensor and its dtype
    std::vector<TensorToWrite> bad = hf_tensors(c, DType::F32);
    const int64_t n = named(bad, "h.1.ln_2.bias")->shape.numel();
    *named(bad, "h.1.ln_2.bias") = {"h.1.ln_2.bias", DType::I64, {n}, std::vector<uint8_t>(size_t(8 * n))};
    write_folder(dir, c, bad);
    check_has(load_error(dir.path), {"tensor 'h.1.ln_2.bias' is stored as I64", "weights must be F32, F16 or BF16"});
    bad = hf_tensors(c, DType::F32);
    bad.push_back({"lm_head.weight", DType::U8, {c.vocab_size, c.n_embd},
                   std::vector<uint8_t>(size_t(c.vocab_size * c.n_embd))});
    write_folder(dir, c, bad);
    check_has(load_error(dir.path), {"tensor 'lm_head.weight' is stored as U8"});
    CHECK_THROWS_AS(make_tensor("x", DType::I32, {1}, {1.0f}), Error);  // the writer converts floats only
}

TEST_CASE("missing, misshapen and unexpected tensors") {
    TempDir dir;
    const std::string file = dir.file("model.safetensors") + ": ";
    std::vector<TensorToWrite> ts = hf_tensors(tiny(), DType::F32);
    std::vector<TensorToWrite> missing = ts;
    missing.erase(missing.begin() + 23);  // h.1.mlp.c_fc.bias
    write_folder(dir, tiny(), missing);
    check_has(load_error(dir.path), {file, "tensor 'h.1.mlp.c_fc.bias' is missing", "(32,)"});

    // The file is fine but config.json disagrees with it: the hint shows the config.
    write_folder(dir, tiny(), ts);
    Config other = tiny();
    other.n_positions = 6;
    write_random_checkpoint(dir.path + "/other", other, {});
    std::rename((dir.path + "/other/config.json").c_str(), dir.file("config.json").c_str());
    check_has(load_error(dir.path), {file, "tensor 'wpe.weight': expected shape (6, 8) (P, C), got (5, 8)",
                                     "config.json says n_positions=6, n_embd=8"});

    write_random_checkpoint(dir.path, tiny(), {});
    std::vector<TensorToWrite> bad = ts;
    *named(bad, "h.0.mlp.c_fc.weight") = make_tensor("h.0.mlp.c_fc.weight", DType::F32, {32, 8},
                                                     std::vector<float>(256));
    write_safetensors(dir.file("model.safetensors"), bad);
    check_has(load_error(dir.path), {file, "'h.0.mlp.c_fc.weight': expected shape (8, 32) (C, 4C), got (32, 8)",
                                     "n_embd=8"});

    for (const char* extra : {"h.0.attn.extra", "h.2.ln_1.weight", "h.2.attn.bias", "transformer.lm_head.weight"}) {
        std::vector<TensorToWrite> more = ts;
        more.push_back(make_tensor(extra, DType::F32, {1}, {0.0f}));
        write_safetensors(dir.file("model.safetensors"), more);
        check_has(load_error(dir.path), {file, std::string("unexpected tensor '") + extra + "'"});
    }
}

TEST_CASE("missing files and a bad config name their path") {
    TempDir dir;
    check_has(load_error(dir.path), {dir.file("config.json") + ": cannot open"});
    write_random_checkpoint(dir.path, tiny(), {});
    std::remove(dir.file("model.safetensors").c_str());
    check_has(load_error(dir.path), {dir.file("model.safetensors") + ": cannot open"});
    testing::write_text_file(dir.file("config.json"), R"({"n_embd": 8, "n_head": 3})");
    check_has(load_error(dir.path), {dir.file("config.json") + ": "});
}

TEST_CASE("find_nonfinite reports each tensor with NaN or Inf") {
    TempDir dir;
    std::vector<TensorToWrite> ts = hf_tensors(tiny(), DType::F32);
    std::vector<float> ln = testing::random_floats(8, 9);
    ln[0] = std::numeric_limits<float>::infinity();
    ln[5] = -std::numeric_limits<float>::infinity();
    *named(ts, "h.0.ln_1.bias") = make_tensor("h.0.ln_1.bias", DType::F32, {8}, ln);
    std::vector<float> lnf = testing::random_floats(8, 9);
    lnf[3] = std::numeric_limits<float>::quiet_NaN();
    *named(ts, "ln_f.weight") = make_tensor("ln_f.weight", DType::BF16, {8}, lnf);  // NaN survives widening
    write_folder(dir, tiny(), ts);
    auto ck = load_checkpoint(dir.path);  // non-finite values do not stop loading
    CHECK(find_nonfinite(*ck) == std::vector<std::string>{"h.0.ln_1.bias: 2 non-finite values (first at index 0)",
                                                         "ln_f.weight: 1 non-finite values (first at index 3)"});
}

// ---- --weights: the matrices converted at load (model/weights.h, core/weight_formats.h)

namespace {
std::string load_error(const std::string& dir, WType type) {
    try {
        LoadOptions o;
        o.weights = type;
        load_checkpoint(dir, o);
    } catch (const Error& e) {
        return e.what();
    }
    return "(loaded)";
}
}  // namespace

TEST_CASE("--weights: every matrix in the asked type, each the stored values rounded or quantized") {
    for (DType stored : {DType::F32, DType::F16, DType::BF16}) {
        TempDir dir;
        RandomCheckpointOptions ro;
        ro.dtype = stored;
        write_random_checkpoint(dir.path, tiny(), ro);
        auto as_stored = load_checkpoint(dir.path);
        for (WType t : {WType::F32, WType::BF16, WType::F16, WType::Q8}) {
            CAPTURE(std::string(dtype_name(stored)));
            CAPTURE(std::string(wtype_name(t)));
            LoadOptions o;
            o.weights = t;
            auto ck = load_checkpoint(dir.path, o);
            CHECK(ck->weights_type() == t);
            const bool same = (t == WType::F32 && stored == DType::F32) || (t == WType::F16 && stored == DType::F16) ||
                              (t == WType::BF16 && stored == DType::BF16);
            CHECK(ck->matrices_in_place == (same ? 9 : 0));
            std::vector<WeightEntry> a = weight_table(ck->config, ck->w), b = weight_table(as_stored->config, as_stored->w);
            for (size_t i = 0; i < a.size(); i++) {
                if (!a[i].matrix) {  // the small tensors are F32 whatever --weights says
                    CHECK(b[i].f32 != nullptr);
                    continue;
                }
                const WeightView& v = *a[i].matrix;
                CHECK(v.type == t);
                CHECK(v.shape == a[i].shape);
                // Q8 Conv1D weights are stored one row per output; wte keeps its rows.
                CHECK(v.transposed == (t == WType::Q8 && a[i].name != "wte.weight"));
                const AsF32 got(v), src(*b[i].matrix);
                const int64_t rows = v.shape.dim[0], cols = v.shape.dim[1];
                for (int64_t r = 0; r < rows; r++)
                    for (int64_t c = 0; c < cols; c++) {
                        const float x = src.row(r)[c];
                        float want = x;
                        if (t == WType::BF16) want = bf16_to_f32(f32_to_bf16(x));
                        if (t == WType::F16) want = f16_to_f32(f32_to_f16(x));
                        if (t == WType::Q8) {
                            // The block of 32 this weight quantized with: along the row (wte) or down the column.
                            const bool down = v.transposed;
                            const int64_t n = down ? rows : cols, at = down ? r : c, b0 = at / kQ8Block * kQ8Block;
                            std::vector<float> blk;
                            for (int64_t k = b0; k < std::min(n, b0 + kQ8Block); k++) blk.push_back(down ? src.row(k)[c] : src.row(r)[k]);
                            std::vector<int8_t> q(blk.size());
                            uint16_t d = 0;
                            quantize_q8_row(q.data(), &d, blk.data(), int64_t(blk.size()));
                            want = f16_to_f32(d) * float(q[size_t(at - b0)]);
                        }
                        REQUIRE(got.row(r)[c] == want);
                    }
            }
        }
    }
}

TEST_CASE("--weights: the bytes held shrink with the type; quantization_error is bounded by the format") {
    TempDir dir;
    write_random_checkpoint(dir.path, tiny(), {});
    const Config c = tiny();
    const size_t matrices = size_t(c.n_layer * 12 * c.n_embd * c.n_embd + c.vocab_size * c.n_embd);
    const size_t rest = size_t(c.parameter_count()) - matrices;
    for (WType t : {WType::F32, WType::BF16, WType::F16, WType::Q8}) {
        CAPTURE(wtype_name(t));
        LoadOptions o;
        o.weights = t;
        auto ck = load_checkpoint(dir.path, o);
        // Q8: one byte a weight and a 2-byte scale per block of 32 along each stored row.
        size_t q8 = matrices + 2 * size_t(c.vocab_size * q8_blocks(c.n_embd) +
                                          c.n_layer * (3 * c.n_embd * q8_blocks(c.n_embd) + c.n_embd * q8_blocks(c.n_embd) +
                                                       4 * c.n_embd * q8_blocks(c.n_embd) + c.n_embd * q8_blocks(4 * c.n_embd)));
        const size_t want = rest * 4 + (t == WType::Q8 ? q8 : matrices * (t == WType::F32 ? 4 : 2));
        CHECK(ck->weights_bytes() == want);
        for (const QuantError& q : quantization_error(*ck)) {
            CAPTURE(q.name);
            CAPTURE(std::string(wtype_name(t)));
            CHECK(q.type == t);
            if (t == WType::F32) CHECK(q.max_abs == 0.0);
            // Rounding to p significant bits moves a value by at most 2^-p of itself: BF16
            // keeps 8 (2^-8), F16 11 (2^-11; these values are far from its subnormals), so
            // both the worst error against max |w| and the RMS error against the RMS of w
            // are below it. Q8 moves a value by half a step of amax / 127 of its block,
            // <= max |w| / 254 (the F16 rounding of the scale adds at most 2^-10 of it).
            const double bound = t == WType::BF16 ? 0x1p-8 : t == WType::F16 ? 0x1p-11 : (1 + 0x1p-10) / 254.0;
            if (t != WType::F32) CHECK(q.max_rel <= bound);
            if (t == WType::BF16 || t == WType::F16) CHECK(q.rms_rel <= bound);
        }
    }
}

TEST_CASE("--weights: values a type cannot hold are refused, naming the tensor and the value") {
    TempDir dir;
    std::vector<TensorToWrite> ts = hf_tensors(tiny(), DType::F32);
    std::vector<float> fc = testing::random_floats(8 * 32, 11);
    fc[17] = 70000.0f;  // beyond F16's 65504
    *named(ts, "h.1.mlp.c_fc.weight") = make_tensor("h.1.mlp.c_fc.weight", DType::F32, {8, 32}, fc);
    write_folder(dir, tiny(), ts);
    check_has(load_error(dir.path, WType::F16),
              {dir.file("model.safetensors"), "tensor 'h.1.mlp.c_fc.weight'", "70000", "index 17", "does not fit f16"});
    CHECK(load_error(dir.path, WType::BF16) == "(loaded)");  // BF16 has F32's range
    CHECK(load_error(dir.path, WType::Q8) == "(loaded)");

    fc[17] = std::numeric_limits<float>::quiet_NaN();
    *named(ts, "h.1.mlp.c_fc.weight") = make_tensor("h.1.mlp.c_fc.weight", DType::F32, {8, 32}, fc);
    write_folder(dir, tiny(), ts);
    check_has(load_error(dir.path, WType::Q8), {"tensor 'h.1.mlp.c_fc.weight'", "index 17", "cannot be quantized to q8"});
    CHECK(load_error(dir.path, WType::F32) == "(loaded)");  // kept as stored; inspect --check finds it

    fc[17] = 1e10f;  // a Q8 scale of 1e10 / 127 is beyond F16
    *named(ts, "h.1.mlp.c_fc.weight") = make_tensor("h.1.mlp.c_fc.weight", DType::F32, {8, 32}, fc);
    write_folder(dir, tiny(), ts);
    check_has(load_error(dir.path, WType::Q8), {"index 17", "cannot be quantized to q8"});
}

TEST_CASE("point_at_f32 fills a table row with numbers owned elsewhere") {
    Config c = tiny();
    Weights w;
    std::vector<WeightEntry> t = weight_table(c, w);
    std::vector<std::vector<float>> owned;
    for (const WeightEntry& e : t) {
        owned.push_back(testing::random_floats(size_t(e.shape.numel()), owned.size() + 1));
        point_at_f32(e, owned.back().data());
    }
    CHECK(w.wte.type == WType::F32);
    CHECK(w.wte.f32() == owned[0].data());
    CHECK(w.wte.shape == (Shape{11, 8}));
    CHECK(w.wpe == owned[1].data());
    CHECK(w.h[1].mlp_proj_w.f32() == owned[24].data());
    CHECK(w.h[1].mlp_proj_w.name == "h.1.mlp.c_proj.weight");
}
