// model/weights.cpp — the weight table, and loading a checkpoint folder through it (lesson 02).
//
// Loading is: read config.json, map model.safetensors, match every tensor in the
// file to one row of the table (or to a known buffer we skip), check its shape, and
// point the row's destination at the data: a big matrix in place when it is stored in
// the type asked for (by default, as stored), otherwise converted once (widened, rounded
// or quantized: lesson 16); everything else as F32, in place or widened once.
// Anything that does not match is an error naming the tensor.
#include "model/weights.h"

#include <algorithm>  // std::min
#include <charconv>   // std::from_chars
#include <cmath>      // std::isfinite
#include <cstring>    // memcpy, memcmp
#include <limits>
#include <map>
#include <set>

#include "core/error.h"
#include "kernels/convert.h"  // widen_rows, narrow_row, quantize_q8

// F32 tensors are read in place, so the file's little-endian floats must be ours.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "gptwalk reads little-endian safetensors data in place: big-endian hosts are not supported"
#endif

namespace gw {

std::vector<WeightEntry> weight_table(const Config& config, Weights& w) {
    const int64_t C = config.n_embd, P = config.n_positions, V = config.vocab_size;
    w.h.resize(size_t(config.n_layer));  // keeps existing pointers (find_nonfinite relies on it)
    std::vector<WeightEntry> t;
    // A row fills a matrix view (m) or an F32 pointer (v).
    const auto m = [&](std::string name, Shape s, WeightView* dest, const char* dims) {
        t.push_back({std::move(name), s, dest, nullptr, dims});
    };
    const auto v = [&](std::string name, Shape s, const float** dest, const char* dims) {
        t.push_back({std::move(name), s, nullptr, dest, dims});
    };
    m("wte.weight", {V, C}, &w.wte, "(V, C)");
    v("wpe.weight", {P, C}, &w.wpe, "(P, C)");
    for (size_t l = 0; l < w.h.size(); l++) {
        LayerWeights& b = w.h[l];
        const std::string h = "h." + std::to_string(l) + ".";
        // In Hugging Face's order (the order of GPT2LMHeadModel's state_dict).
        v(h + "ln_1.weight", {C}, &b.ln_1_w, "(C)");
        v(h + "ln_1.bias", {C}, &b.ln_1_b, "(C)");
        m(h + "attn.c_attn.weight", {C, 3 * C}, &b.c_attn_w, "(C, 3C)");
        v(h + "attn.c_attn.bias", {3 * C}, &b.c_attn_b, "(3C)");
        m(h + "attn.c_proj.weight", {C, C}, &b.attn_proj_w, "(C, C)");
        v(h + "attn.c_proj.bias", {C}, &b.attn_proj_b, "(C)");
        v(h + "ln_2.weight", {C}, &b.ln_2_w, "(C)");
        v(h + "ln_2.bias", {C}, &b.ln_2_b, "(C)");
        m(h + "mlp.c_fc.weight", {C, 4 * C}, &b.c_fc_w, "(C, 4C)");
        v(h + "mlp.c_fc.bias", {4 * C}, &b.c_fc_b, "(4C)");
        m(h + "mlp.c_proj.weight", {4 * C, C}, &b.mlp_proj_w, "(4C, C)");
        v(h + "mlp.c_proj.bias", {C}, &b.mlp_proj_b, "(C)");
    }
    v("ln_f.weight", {C}, &w.ln_f_w, "(C)");
    v("ln_f.bias", {C}, &w.ln_f_b, "(C)");
    return t;
}

void point_at_f32(const WeightEntry& e, const float* data) {
    if (e.matrix) *e.matrix = f32_view(data, e.shape, e.name);
    else *e.f32 = data;
}

namespace {

// The name without GPT2LMHeadModel's "transformer." prefix (GPT2Model has none).
std::string strip_prefix(const std::string& name) {
    const std::string prefix = "transformer.";
    return name.compare(0, prefix.size(), prefix) == 0 ? name.substr(prefix.size()) : name;
}

// h.{l}.attn.bias (the causal mask, (1, 1, P, P)) and h.{l}.attn.masked_bias (the
// value masked scores got, -1e4): buffers older Hugging Face versions saved with the
// weights. We mask with -INFINITY ourselves, so they carry nothing we need.
// The layer number is parsed, not searched for: scanning every layer for every tensor
// made loading a deep model quadratic (12 * L tensors times L layers).
bool is_attention_buffer(const std::string& key, int64_t n_layer) {
    const size_t dot = key.find('.', 2);
    if (key.compare(0, 2, "h.") != 0 || dot == std::string::npos) return false;
    const std::string rest = key.substr(dot);
    if (rest != ".attn.bias" && rest != ".attn.masked_bias") return false;
    int64_t l = -1;
    const auto r = std::from_chars(key.data() + 2, key.data() + dot, l);
    return r.ec == std::errc() && r.ptr == key.data() + dot && l >= 0 && l < n_layer &&
           key.compare(2, dot - 2, std::to_string(l)) == 0;  // "h.01." is not layer 1's name
}

// "config.json says vocab_size=50257, n_embd=768": the fields a symbolic shape uses.
std::string hint(const Config& c, const std::string& dims) {
    std::string s = "config.json says ";
    if (dims.find('V') != std::string::npos) s += cat("vocab_size=", c.vocab_size, ", ");
    if (dims.find('P') != std::string::npos) s += cat("n_positions=", c.n_positions, ", ");
    return s + cat("n_embd=", c.n_embd);
}

// Elements [start, start + n) of a tensor as F32 (exact for every stored dtype), one
// loop per dtype. Bytes are assembled by hand because F16/BF16 data may sit at any
// address (and the file is little-endian whatever the host).
void widen(float* out, const TensorInfo& t, int64_t start, int64_t n) {
    const uint8_t* p = t.data + size_t(start) * dtype_size(t.dtype);
    switch (t.dtype) {
        case DType::F32: std::memcpy(out, p, size_t(n) * 4); break;
        case DType::F16:
            for (int64_t i = 0; i < n; i++) out[i] = f16_to_f32(uint16_t(p[2 * i] | (p[2 * i + 1] << 8)));
            break;
        case DType::BF16:
            for (int64_t i = 0; i < n; i++) out[i] = bf16_to_f32(uint16_t(p[2 * i] | (p[2 * i + 1] << 8)));
            break;
        default:  // callers check dtype_is_float_weight first (need_float_weight)
            fail("widen: tensor '", t.name, "' is ", dtype_name(t.dtype), ", not a float weight");
    }
}

// Weights are computed with as F32: stored as F32, F16 or BF16, nothing else.
void need_float_weight(const TensorInfo& t, const std::string& path) {
    if (!dtype_is_float_weight(t.dtype))
        fail(path, ": tensor '", t.name, "' is stored as ", dtype_name(t.dtype),
             "; weights must be F32, F16 or BF16");
}

bool aligned_for(const TensorInfo& t) {
    return reinterpret_cast<uintptr_t>(t.data) % dtype_size(t.dtype) == 0;
}

// The stored dtype as a weight type (need_float_weight has checked it is one).
WType wtype_of(DType d) { return d == DType::F32 ? WType::F32 : d == DType::F16 ? WType::F16 : WType::BF16; }

// An F32 tensor (a bias, a layer norm, wpe). An aligned F32 tensor is used in place (a
// pointer into the mapping: no copy, paged in on first touch). Headers padded as the
// reference writer pads them put every F32 tensor on a 4-byte boundary; one that is not
// (the file mixes in F16 tensors of odd length) is copied, because reading a float from a
// misaligned address is undefined behaviour. F16/BF16 are widened once, here.
const float* load_f32(Checkpoint& ck, const TensorInfo& t) {
    if (t.dtype == DType::F32 && aligned_for(t)) return reinterpret_cast<const float*>(t.data);
    const int64_t n = t.shape.numel();
    AlignedBytes buf(size_t(n) * sizeof(float));
    widen(static_cast<float*>(buf.data()), t, 0, n);
    ck.made.push_back(std::move(buf));  // moving keeps the data pointer
    ck.file->drop_pages(t);
    return static_cast<const float*>(ck.made.back().data());
}

// Checks that values [start, start + n) of tensor t, as F32, fit type `want`; throws
// naming the tensor and the first value that does not. F32 and BF16 hold every float
// (BF16 has F32's exponent: a value past its largest finite rounds to infinity, as the
// F32 source would overflow there too). One branch-free pass first (it runs over every
// weight of the model); the search for the culprit only when it fails.
void check_fits(const float* x, int64_t n, int64_t start, WType want, const TensorInfo& t,
                const std::string& path) {
    if (want != WType::F16 && want != WType::Q8) return;
    constexpr float kF16Overflow = 65520.0f;  // halfway to 2^16: rounds to infinity
    bool ok = true;
    for (int64_t i = 0; i < n; i++) {
        const float a = std::fabs(x[i]);
        ok &= want == WType::F16 ? !(a >= kF16Overflow && a <= std::numeric_limits<float>::max()) : a <= kQ8MaxAbs;
    }
    if (ok) return;
    for (int64_t i = 0; i < n; i++) {
        const float a = std::fabs(x[i]);
        if (want == WType::F16 && std::isfinite(a) && std::isinf(f16_to_f32(f32_to_f16(a))))
            fail(path, ": tensor '", t.name, "': value ", x[i], " at index ", start + i,
                 " does not fit f16 (largest ", kF16Max, "); load it as bf16 or f32");
        if (want == WType::Q8 && !(a <= kQ8MaxAbs))  // NaN fails too
            fail(path, ": tensor '", t.name, "': value ", x[i], " at index ", start + i,
                 " cannot be quantized to q8 (finite, |x| <= ", kQ8MaxAbs, "); load it as f32");
    }
}

// A big matrix of the table from file tensor t, in type `want` (model/weights.h): in place
// when the file already holds it that way, otherwise made here, kQ8Block rows of the
// source at a time (widened to F32, checked, converted by kernels/convert.h), and the
// source's pages let go of afterwards (drop_pages).
void load_matrix(Checkpoint& ck, const WeightEntry& e, const TensorInfo& t, WType want, bool conv1d) {
    const std::string& path = ck.file->path();
    const int64_t R = t.shape.dim[0], N = t.shape.dim[1];
    WeightView& v = *e.matrix;
    v.type = want;
    v.shape = t.shape;
    v.name = e.name;
    v.transposed = want == WType::Q8 && conv1d;
    if (want == wtype_of(t.dtype) && aligned_for(t)) {
        v.data = t.data;
        ck.matrices_in_place++;
        return;
    }
    const Isa isa = best_isa();
    WeightView src = v;  // the file's tensor as it is stored, for widen_rows
    src.type = wtype_of(t.dtype);
    src.data = t.data;
    src.transposed = false;
    const int64_t n_blocks = q8_blocks(v.stored_cols());  // Q8 scales per stored row
    AlignedBytes data(want == WType::Q8 ? size_t(R * N) : size_t(R * N) * (want == WType::F32 ? 4 : 2));
    AlignedBytes scales(want == WType::Q8 ? size_t(v.stored_rows() * n_blocks) * 2 : 0);
    int8_t* q = static_cast<int8_t*>(data.data());
    uint16_t* d = static_cast<uint16_t*>(scales.data());
    std::vector<float> x(static_cast<size_t>(kQ8Block * N)), xt(v.transposed ? x.size() : 0);
    for (int64_t r0 = 0; r0 < R; r0 += kQ8Block) {
        const int64_t rows = std::min(kQ8Block, R - r0);
        const float* xr = x.data();  // these rows as F32: read in place when the file has them so
        if (src.type == WType::F32 && aligned_for(t)) xr = src.f32() + r0 * N;
        else if (aligned_for(t)) widen_rows(isa, x.data(), src, r0, r0 + rows, 0, N);
        else widen(x.data(), t, r0 * N, rows * N);  // bytes at an odd address: one at a time
        check_fits(xr, rows * N, r0 * N, want, t, path);
        if (want == WType::F32) {
            std::memcpy(static_cast<float*>(data.data()) + r0 * N, xr, size_t(rows * N) * sizeof(float));
        } else if (want != WType::Q8) {
            narrow_row(isa, static_cast<uint16_t*>(data.data()) + r0 * N, want, xr, rows * N);
        } else if (!v.transposed) {  // wte (V, C): blocks along each row
            for (int64_t r = 0; r < rows; r++)
                quantize_q8(isa, q + (r0 + r) * N, d + (r0 + r) * n_blocks, xr + r * N, N);
        } else {  // Conv1D (R, N) = (IC, OC) stored as (OC, IC): these rows are block r0 / 32 of every output
            for (int64_t r = 0; r < rows; r++)
                for (int64_t j = 0; j < N; j++) xt[size_t(j * rows + r)] = xr[r * N + j];
            for (int64_t j = 0; j < N; j++)
                quantize_q8(isa, q + j * R + r0, d + j * n_blocks + r0 / kQ8Block, &xt[size_t(j * rows)], rows);
        }
    }
    v.data = data.data();
    v.scales = want == WType::Q8 ? d : nullptr;
    ck.made.push_back(std::move(data));
    if (want == WType::Q8) ck.made.push_back(std::move(scales));
    ck.file->drop_pages(t);
}

// GPT-2 ties the output head to the token embedding. A file may store the head
// anyway; we accept it only when it is the same matrix: bit for bit after both are
// widened to F32 (so the two may even be stored in different dtypes).
void check_tied_head(const Checkpoint& ck, const TensorInfo& head, const TensorInfo& wte) {
    const Config& c = ck.config;
    const std::string& path = ck.file->path();
    Shape want{c.vocab_size, c.n_embd};
    if (head.shape != want)
        fail(path, ": tensor 'lm_head.weight': expected shape ", want.str(), " (V, C), got ",
             head.shape.str(), "; ", hint(c, "(V, C)"));
    need_float_weight(head, path);
    const int64_t n = want.numel(), chunk = 1 << 16;
    std::vector<float> a(size_t(std::min(n, chunk))), b(a.size());
    for (int64_t start = 0; start < n; start += chunk) {
        const int64_t m = std::min(chunk, n - start);
        widen(a.data(), head, start, m);
        widen(b.data(), wte, start, m);
        if (std::memcmp(a.data(), b.data(), size_t(m) * 4) == 0) continue;
        for (int64_t i = 0; i < m; i++)
            if (std::memcmp(&a[size_t(i)], &b[size_t(i)], 4) != 0)
                fail(path, ": tensor 'lm_head.weight' differs from wte.weight (first at index ",
                     start + i, ": ", a[size_t(i)], " vs ", b[size_t(i)], "): untied lm_head is not supported");
    }
    ck.file->drop_pages(head);
}

}  // namespace

std::unique_ptr<Checkpoint> load_checkpoint(const std::string& dir, const LoadOptions& options) {
    auto ck = std::make_unique<Checkpoint>();
    ck->dir = dir;
    ck->config = load_config(dir + "/config.json");
    ck->file = std::make_unique<SafetensorsFile>(dir + "/model.safetensors");
    const SafetensorsFile& f = *ck->file;
    const std::string& path = f.path();
    const Config& c = ck->config;

    const auto missing = [&](const WeightEntry& e) {  // throws
        fail(path, ": tensor '", e.name, "' is missing (expected shape ", e.shape.str(), " ", e.dims, "; ",
             hint(c, e.dims), e.name.compare(0, 2, "h.") == 0 ? cat(", n_layer=", c.n_layer) : "", ")");
    };
    // The table has 4 + 12 rows per layer, each needing its own tensor. When the file holds
    // fewer tensors than that, some row is missing (so this block always throws): find the
    // first one with a table of only as many layers as the file could fill, so that config.json saying n_layer=10000000
    // beside a small file is refused at once, not after allocating gigabytes of table.
    // (validate_config bounds n_layer far below where 12 * n_layer could overflow.)
    const int64_t n_tensors = int64_t(f.tensors().size());
    if (n_tensors < 4 + 12 * c.n_layer) {
        std::set<std::string> names;
        for (const TensorInfo& t : f.tensors()) names.insert(strip_prefix(t.name));
        Config fillable = c;
        fillable.n_layer = std::min(c.n_layer, n_tensors / 12 + 1);  // 4 + 12 * this > n_tensors
        Weights scratch;
        for (const WeightEntry& e : weight_table(fillable, scratch))
            if (!names.count(e.name)) missing(e);
    }

    std::vector<WeightEntry> table = weight_table(c, ck->w);
    std::map<std::string, size_t> row_of;  // table name -> row
    for (size_t i = 0; i < table.size(); i++) row_of[table[i].name] = i;

    // Match every tensor in the file to a row, a skipped buffer, or the tied head.
    std::vector<const TensorInfo*> found(table.size(), nullptr);
    const TensorInfo* lm_head = nullptr;
    for (const TensorInfo& t : f.tensors()) {
        if (t.name == "lm_head.weight") {  // GPT2LMHeadModel's head is never prefixed
            lm_head = &t;
            continue;
        }
        const std::string key = strip_prefix(t.name);
        if (is_attention_buffer(key, c.n_layer)) {
            ck->skipped.push_back(t.name);
            continue;
        }
        auto it = row_of.find(key);
        if (it == row_of.end())
            fail(path, ": unexpected tensor '", t.name, "' (not a weight of GPT-2 with n_layer=",
                 c.n_layer, ")");
        if (found[it->second])
            fail(path, ": tensor '", key, "' appears twice, as '", found[it->second]->name, "' and '",
                 t.name, "'");
        found[it->second] = &t;
    }

    for (size_t i = 0; i < table.size(); i++) {
        const WeightEntry& e = table[i];
        const TensorInfo* t = found[i];
        if (!t) missing(e);
        if (t->shape != e.shape)
            fail(path, ": tensor '", t->name, "': expected shape ", e.shape.str(), " ", e.dims,
                 ", got ", t->shape.str(), "; ", hint(c, e.dims));
        need_float_weight(*t, path);
    }
    ck->stored_dtype = found[0]->dtype;  // row 0 is wte.weight
    if (lm_head) {  // compared with the file's wte, before any conversion
        check_tied_head(*ck, *lm_head, *found[0]);
        ck->has_lm_head = true;
    }
    // Each tensor on its own: mixed dtypes are fine. Matrices keep their stored type
    // unless options.weights names one.
    for (size_t i = 0; i < table.size(); i++) {
        const WeightEntry& e = table[i];
        if (e.matrix)
            load_matrix(*ck, e, *found[i], options.weights.value_or(wtype_of(found[i]->dtype)),
                        /*conv1d=*/e.matrix != &ck->w.wte);
        else
            *e.f32 = load_f32(*ck, *found[i]);
    }
    return ck;
}

size_t Checkpoint::weights_bytes() const {
    Weights copy = w;  // a table to read through (the views are shared)
    size_t bytes = 0;
    for (const WeightEntry& e : weight_table(config, copy))
        bytes += e.matrix ? e.matrix->bytes() : size_t(e.shape.numel()) * sizeof(float);
    return bytes;
}

// Calls fn(row, floats) for every row of a table entry as the model holds it: an F32
// vector as one row, a matrix row by row as F32 (read_row_f32).
template <class Fn>
static void for_each_row(const WeightEntry& e, Fn fn) {
    if (!e.matrix) {
        fn(int64_t(0), *e.f32, e.shape.numel());
        return;
    }
    std::vector<float> row(size_t(e.shape.dim[1]));
    for (int64_t r = 0; r < e.shape.dim[0]; r++) {
        read_row_f32(row.data(), *e.matrix, r);
        fn(r, row.data(), e.shape.dim[1]);
    }
}

std::vector<std::string> find_nonfinite(const Checkpoint& ckpt) {
    Weights w = ckpt.w;  // a copy whose table we can read through (the pointers are shared)
    std::vector<std::string> out;
    for (const WeightEntry& e : weight_table(ckpt.config, w)) {
        int64_t count = 0, first = -1;
        for_each_row(e, [&](int64_t r, const float* p, int64_t n) {
            for (int64_t i = 0; i < n; i++)
                if (!std::isfinite(p[i])) {
                    if (first < 0) first = r * n + i;
                    count++;
                }
        });
        if (count > 0) out.push_back(cat(e.name, ": ", count, " non-finite values (first at index ", first, ")"));
    }
    return out;
}

// ---------------------------------------------------------------- training (train/, lesson 18)

void copy_weights_flat(float* flat, const Checkpoint& ckpt) {
    Weights w = ckpt.w;  // a copy of the pointers, for the table to read through
    size_t offset = 0;
    for (const WeightEntry& e : weight_table(ckpt.config, w)) {
        for_each_row(e, [&](int64_t r, const float* row, int64_t n) {  // a matrix in any type as F32
            std::memcpy(flat + offset + size_t(r * n), row, size_t(n) * sizeof(float));
        });
        offset += size_t(e.shape.numel());
    }
}

std::unique_ptr<Checkpoint> checkpoint_over(const Config& config, const float* flat,
                                            const std::string& dir) {
    auto ck = std::make_unique<Checkpoint>();
    ck->dir = dir;
    ck->config = config;
    size_t offset = 0;
    for (const WeightEntry& e : weight_table(config, ck->w)) {
        point_at_f32(e, flat + offset);
        offset += size_t(e.shape.numel());
    }
    return ck;
}

std::vector<QuantError> quantization_error(const Checkpoint& ckpt) {
    Weights w = ckpt.w;
    const SafetensorsFile& f = *ckpt.file;
    std::vector<QuantError> out;
    for (const WeightEntry& e : weight_table(ckpt.config, w)) {
        if (!e.matrix) continue;
        const TensorInfo* t = f.find(e.name);
        if (!t) t = f.find("transformer." + e.name);
        if (!t) fail(f.path(), ": tensor '", e.name, "' is no longer in the file");
        QuantError q{e.name, e.matrix->type};
        double sum_err2 = 0, sum_x2 = 0, max_x = 0;
        std::vector<float> stored(size_t(e.shape.dim[1]));
        for_each_row(e, [&](int64_t r, const float* got, int64_t n) {
            widen(stored.data(), *t, r * n, n);
            for (int64_t i = 0; i < n; i++) {
                const double x = stored[size_t(i)], err = std::fabs(double(got[i]) - x);
                q.max_abs = std::max(q.max_abs, err);
                max_x = std::max(max_x, std::fabs(x));
                sum_err2 += err * err;
                sum_x2 += x * x;
            }
        });
        const double n = double(e.shape.numel());
        q.rms = std::sqrt(sum_err2 / n);
        q.max_rel = max_x > 0 ? q.max_abs / max_x : 0.0;
        q.rms_rel = sum_x2 > 0 ? std::sqrt(sum_err2 / sum_x2) : 0.0;
        out.push_back(q);
    }
    return out;
}

}  // namespace gw
