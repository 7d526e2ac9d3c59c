// model/weights.cpp — the weight table, and loading a checkpoint folder through it (lesson 02).
//
// Loading is: read config.json, map model.safetensors, match every tensor in the
// file to one row of the table (or to a known buffer we skip), check its shape, and
// point the row's destination at the data: in place for F32, widened once for
// F16/BF16. Anything that does not match is an error naming the tensor.
#include "model/weights.h"

#include <algorithm>  // std::min
#include <charconv>   // std::from_chars
#include <cmath>      // std::isfinite
#include <cstring>    // memcpy, memcmp
#include <map>
#include <set>

#include "core/error.h"

// F32 tensors are read in place, so the file's little-endian floats must be ours.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "gptwalk reads little-endian safetensors data in place: big-endian hosts are not supported"
#endif

namespace gw {

std::vector<WeightEntry> weight_table(const Config& config, Weights& w) {
    const int64_t C = config.n_embd, P = config.n_positions, V = config.vocab_size;
    w.h.resize(size_t(config.n_layer));  // keeps existing pointers (find_nonfinite relies on it)
    std::vector<WeightEntry> t;
    t.push_back({"wte.weight", {V, C}, &w.wte, "(V, C)"});
    t.push_back({"wpe.weight", {P, C}, &w.wpe, "(P, C)"});
    for (size_t l = 0; l < w.h.size(); l++) {
        LayerWeights& b = w.h[l];
        const std::string h = "h." + std::to_string(l) + ".";
        // In Hugging Face's order (the order of GPT2LMHeadModel's state_dict).
        t.push_back({h + "ln_1.weight", {C}, &b.ln_1_w, "(C)"});
        t.push_back({h + "ln_1.bias", {C}, &b.ln_1_b, "(C)"});
        t.push_back({h + "attn.c_attn.weight", {C, 3 * C}, &b.c_attn_w, "(C, 3C)"});
        t.push_back({h + "attn.c_attn.bias", {3 * C}, &b.c_attn_b, "(3C)"});
        t.push_back({h + "attn.c_proj.weight", {C, C}, &b.attn_proj_w, "(C, C)"});
        t.push_back({h + "attn.c_proj.bias", {C}, &b.attn_proj_b, "(C)"});
        t.push_back({h + "ln_2.weight", {C}, &b.ln_2_w, "(C)"});
        t.push_back({h + "ln_2.bias", {C}, &b.ln_2_b, "(C)"});
        t.push_back({h + "mlp.c_fc.weight", {C, 4 * C}, &b.c_fc_w, "(C, 4C)"});
        t.push_back({h + "mlp.c_fc.bias", {4 * C}, &b.c_fc_b, "(4C)"});
        t.push_back({h + "mlp.c_proj.weight", {4 * C, C}, &b.mlp_proj_w, "(4C, C)"});
        t.push_back({h + "mlp.c_proj.bias", {C}, &b.mlp_proj_b, "(C)"});
    }
    t.push_back({"ln_f.weight", {C}, &w.ln_f_w, "(C)"});
    t.push_back({"ln_f.bias", {C}, &w.ln_f_b, "(C)"});
    return t;
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

// The tensor's data as F32. An aligned F32 tensor is used in place (a pointer into
// the mapping: no copy, paged in on first touch). Headers padded as the reference
// writer pads them put every F32 tensor on a 4-byte boundary; one that is not (the
// file mixes in F16 tensors of odd length) is copied, because reading a float from a
// misaligned address is undefined behaviour. F16/BF16 are widened once, here.
const float* as_f32(Checkpoint& ck, const TensorInfo& t) {
    if (t.dtype == DType::F32 && reinterpret_cast<uintptr_t>(t.data) % alignof(float) == 0)
        return reinterpret_cast<const float*>(t.data);
    const int64_t n = t.shape.numel();
    FloatBuffer buf{size_t(n)};
    widen(buf.data(), t, 0, n);
    ck.widened.push_back(std::move(buf));  // moving a FloatBuffer keeps its data pointer
    return ck.widened.back().data();
}

// GPT-2 ties the output head to the token embedding. A file may store the head
// anyway; we accept it only when it is the same matrix: bit for bit after both are
// widened to F32 (so the two may even be stored in different dtypes).
void check_tied_head(const Checkpoint& ck, const TensorInfo& head, const std::string& path) {
    const Config& c = ck.config;
    Shape want{c.vocab_size, c.n_embd};
    if (head.shape != want)
        fail(path, ": tensor 'lm_head.weight': expected shape ", want.str(), " (V, C), got ",
             head.shape.str(), "; ", hint(c, "(V, C)"));
    need_float_weight(head, path);
    const int64_t n = want.numel(), chunk = 1 << 16;
    std::vector<float> buf(size_t(std::min(n, chunk)));
    for (int64_t start = 0; start < n; start += chunk) {
        const int64_t m = std::min(chunk, n - start);
        widen(buf.data(), head, start, m);
        if (std::memcmp(buf.data(), ck.w.wte + start, size_t(m) * 4) == 0) continue;
        for (int64_t i = 0; i < m; i++)
            if (std::memcmp(&buf[size_t(i)], ck.w.wte + start + i, 4) != 0)
                fail(path, ": tensor 'lm_head.weight' differs from wte.weight (first at index ",
                     start + i, ": ", buf[size_t(i)], " vs ", ck.w.wte[start + i],
                     "): untied lm_head is not supported");
    }
}

}  // namespace

std::unique_ptr<Checkpoint> load_checkpoint(const std::string& dir) {
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
        *e.dest = as_f32(*ck, *t);  // each tensor widened on its own: mixed dtypes are fine
    }
    ck->stored_dtype = found[0]->dtype;  // row 0 is wte.weight
    if (lm_head) {
        check_tied_head(*ck, *lm_head, path);
        ck->has_lm_head = true;
    }
    return ck;
}

std::vector<std::string> find_nonfinite(const Checkpoint& ckpt) {
    Weights w = ckpt.w;  // a copy whose table we can read through (the pointers are shared)
    std::vector<std::string> out;
    for (const WeightEntry& e : weight_table(ckpt.config, w)) {
        const float* p = *e.dest;
        const int64_t n = e.shape.numel();
        int64_t count = 0, first = -1;
        for (int64_t i = 0; i < n; i++)
            if (!std::isfinite(p[i])) {
                if (first < 0) first = i;
                count++;
            }
        if (count > 0) out.push_back(cat(e.name, ": ", count, " non-finite values (first at index ", first, ")"));
    }
    return out;
}

// ---------------------------------------------------------------- training (train/, lesson 18)

void copy_weights_flat(float* flat, const Checkpoint& ckpt) {
    Weights w = ckpt.w;  // a copy of the pointers, for the table to read through
    size_t offset = 0;
    for (const WeightEntry& e : weight_table(ckpt.config, w)) {
        const size_t n = size_t(e.shape.numel());
        std::memcpy(flat + offset, *e.dest, n * sizeof(float));
        offset += n;
    }
}

std::unique_ptr<Checkpoint> checkpoint_over(const Config& config, const float* flat,
                                            const std::string& dir) {
    auto ck = std::make_unique<Checkpoint>();
    ck->dir = dir;
    ck->config = config;
    size_t offset = 0;
    for (const WeightEntry& e : weight_table(config, ck->w)) {
        *e.dest = flat + offset;
        offset += size_t(e.shape.numel());
    }
    return ck;
}

}  // namespace gw
