// model/safetensors.cpp — reading and writing the checkpoint file format (lesson 02).
//
// Reading trusts nothing: the header is bounded before it is parsed, every field
// is type-checked, and every tensor's byte range is checked against its shape, the
// file size and its neighbours before any pointer into the mapping is handed out.
#include "model/safetensors.h"

#include <algorithm>  // std::sort
#include <cstring>    // memcpy

#include "core/error.h"
#include "core/json.h"
#include "core/output_file.h"

namespace gw {

// ---------------------------------------------------------------- dtypes

namespace {
struct DTypeRow {
    DType dtype;
    const char* name;  // as safetensors writes it
    size_t size;       // bytes per element
};
constexpr DTypeRow kDTypes[] = {
    {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2}, {DType::F64, "F64", 8},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2},   {DType::I8, "I8", 1},
    {DType::U64, "U64", 8}, {DType::U32, "U32", 4}, {DType::U16, "U16", 2},   {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1},
};
const DTypeRow& row_of(DType d) {
    for (const DTypeRow& r : kDTypes)
        if (r.dtype == d) return r;
    return kDTypes[0];  // unreachable: every enumerator has a row
}
}  // namespace

const char* dtype_name(DType d) { return row_of(d).name; }
size_t dtype_size(DType d) { return row_of(d).size; }
bool dtype_is_float_weight(DType d) { return d == DType::F32 || d == DType::F16 || d == DType::BF16; }

static uint32_t bits_of(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

// ---------------------------------------------------------------- reading

namespace {

bool parse_dtype(const std::string& s, DType* d) {
    for (const DTypeRow& r : kDTypes)
        if (s == r.name) {
            *d = r.dtype;
            return true;
        }
    return false;
}

const JsonValue& member(const JsonValue& obj, const char* key, const std::string& where) {
    const JsonValue* v = obj.find(key);
    if (!v) fail(where, ": missing \"", key, "\"");
    return *v;
}

// A JSON number that is an exact integer >= 0 (floats like 2.0 or 1e3 are refused).
int64_t non_negative_integer(const JsonValue& v, const std::string& where, const char* what) {
    if (!v.is_number() || !v.is_integer)
        fail(where, ": ", what, " must be an integer, got ",
             v.is_number() ? json_number(v.number) : json_kind_name(v.kind));
    if (v.integer < 0) fail(where, ": ", what, " is negative (", v.integer, ")");
    return v.integer;
}

// One header entry: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}.
TensorInfo parse_entry(const std::string& name, const JsonValue& v, uint64_t data_size,
                       const std::string& path) {
    // Names are echoed by every later message (and by inspect): one with a control character
    // (a newline, a terminal escape) is no tensor of any model, and is refused here, escaped.
    if (printable(name) != name)
        fail(path, ": tensor ", quoted(name), ": the name holds a control character");
    std::string where = cat(path, ": tensor '", name, "'");
    if (!v.is_object()) fail(where, ": expected an object, got ", json_kind_name(v.kind));
    for (const auto& [key, item] : v.members)
        if (key != "dtype" && key != "shape" && key != "data_offsets")
            fail(where, ": unknown field ", quoted(key));

    TensorInfo t;
    t.name = name;
    const JsonValue& dtype = member(v, "dtype", where);
    if (!dtype.is_string()) fail(where, ": dtype must be a string, got ", json_kind_name(dtype.kind));
    if (!parse_dtype(dtype.text, &t.dtype))
        fail(where, ": unsupported dtype ", quoted(dtype.text),
             " (safetensors dtypes gptwalk reads: F32, F16, BF16, F64, I64, I32, I16, I8, U64, U32, "
             "U16, U8, BOOL)");

    const JsonValue& shape = member(v, "shape", where);
    if (!shape.is_array()) fail(where, ": shape must be an array, got ", json_kind_name(shape.kind));
    if (shape.items.size() > size_t(kMaxDims))
        fail(where, ": shape has ", shape.items.size(), " dims; at most ", kMaxDims, " are supported");
    // numel = product of the dims, checked so that numel * dtype size fits in int64.
    const int64_t max_numel = INT64_MAX / int64_t(dtype_size(t.dtype));
    int64_t numel = 1;
    bool overflow = false;
    for (const JsonValue& d : shape.items) {
        int64_t n = non_negative_integer(d, where, "a shape dimension");
        t.shape.dim[t.shape.ndim++] = n;
        if (n != 0 && numel > max_numel / n) overflow = true;
        else numel *= n;
    }
    // A zero dim after an overflowing prefix still means an empty tensor.
    for (int i = 0; i < t.shape.ndim; i++)
        if (t.shape.dim[i] == 0) overflow = false, numel = 0;
    if (overflow) fail(where, ": shape ", t.shape.str(), " has too many elements (the size overflows)");
    uint64_t want_bytes = uint64_t(numel) * dtype_size(t.dtype);

    const JsonValue& offs = member(v, "data_offsets", where);
    if (!offs.is_array() || offs.items.size() != 2)
        fail(where, ": data_offsets must be an array [begin, end]");
    t.begin = uint64_t(non_negative_integer(offs.items[0], where, "data_offsets[0]"));
    t.end = uint64_t(non_negative_integer(offs.items[1], where, "data_offsets[1]"));
    std::string range = cat("data_offsets [", t.begin, ", ", t.end, "]");
    if (t.begin > t.end) fail(where, ": ", range, " are reversed (begin > end)");
    if (t.end > data_size)
        fail(where, ": ", range, " run past the end of the data section (", data_size,
             " bytes): the file is truncated or the header is wrong");
    if (t.end - t.begin != want_bytes) {
        if (numel == 0)
            fail(where, ": shape ", t.shape.str(), " has no elements but ", range, " hold ",
                 t.end - t.begin, " bytes");
        fail(where, ": ", range, " hold ", t.end - t.begin, " bytes, but shape ", t.shape.str(),
             " of ", dtype_name(t.dtype), " needs ", want_bytes, " bytes");
    }
    return t;
}

}  // namespace

SafetensorsIndex parse_safetensors(const uint8_t* p, uint64_t size, const std::string& path) {
    SafetensorsIndex index;
    if (size == 0) fail(path, ": file is empty, not a safetensors file");
    if (size < 8) fail(path, ": file is ", size, " bytes, too short for the 8-byte header length");
    uint64_t n = 0;  // little-endian, whatever the host
    for (int i = 7; i >= 0; i--) n = (n << 8) | p[i];
    if (n > kMaxHeaderBytes)
        fail(path, ": header length ", n, " is absurd (limit ", kMaxHeaderBytes,
             " bytes): not a safetensors file?");
    if (n > size - 8)
        fail(path, ": header length ", n, " exceeds the file size (", size,
             " bytes): truncated or not a safetensors file");

    // The header nests three levels: {name: {"shape": [..]}}; anything deeper is refused.
    JsonLimits limits;
    limits.max_bytes = kMaxHeaderBytes;
    limits.max_depth = 4;
    std::string_view text(reinterpret_cast<const char*>(p + 8), size_t(n));
    JsonValue root = parse_json(text, path, limits);
    if (!root.is_object())
        fail(path, ": header is not a JSON object (got ", json_kind_name(root.kind), ")");

    const uint64_t data_size = size - 8 - n;
    const uint8_t* data = p + 8 + n;
    for (const auto& [name, v] : root.members) {  // duplicate names: refused by parse_json
        if (name == "__metadata__") {
            if (!v.is_object()) fail(path, ": __metadata__ must be an object of strings");
            for (const auto& [key, value] : v.members) {
                if (!value.is_string())
                    fail(path, ": __metadata__ value for ", quoted(key), " must be a string, got ",
                         json_kind_name(value.kind));
                index.metadata[key] = value.text;
            }
            continue;
        }
        TensorInfo t = parse_entry(name, v, data_size, path);
        t.data = data + t.begin;
        index.tensors.push_back(std::move(t));
    }

    // No two tensors may share bytes. Sorted by begin, each must end before the next
    // starts. Empty tensors own no bytes, so they cannot overlap anything.
    std::vector<const TensorInfo*> order;
    for (const TensorInfo& t : index.tensors)
        if (t.end > t.begin) order.push_back(&t);
    std::sort(order.begin(), order.end(),
              [](const TensorInfo* a, const TensorInfo* b) { return a->begin < b->begin; });
    for (size_t i = 1; i < order.size(); i++) {
        const TensorInfo& a = *order[i - 1];
        const TensorInfo& b = *order[i];
        if (b.begin < a.end)
            fail(path, ": tensors '", a.name, "' [", a.begin, ", ", a.end, ") and '", b.name, "' [",
                 b.begin, ", ", b.end, ") overlap");
    }
    return index;
}

SafetensorsFile::SafetensorsFile(const std::string& path) : file_(path) {
    SafetensorsIndex index = parse_safetensors(file_.data(), file_.size(), path);
    tensors_ = std::move(index.tensors);
    metadata_ = std::move(index.metadata);
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
    for (const TensorInfo& t : tensors_)
        if (t.name == name) return &t;
    return nullptr;
}

// ---------------------------------------------------------------- writing

std::string safetensors_header(const std::vector<TensorSpec>& specs,
                               const std::map<std::string, std::string>& metadata) {
    std::string json = "{";
    if (!metadata.empty()) {
        json += "\"__metadata__\":{";
        bool first = true;
        for (const auto& [k, v] : metadata) {
            json += (first ? "" : ",") + json_quote(k) + ":" + json_quote(v);
            first = false;
        }
        json += "}";
    }
    uint64_t offset = 0;
    for (size_t i = 0; i < specs.size(); i++) {
        const TensorSpec& s = specs[i];
        uint64_t bytes = uint64_t(s.shape.numel()) * dtype_size(s.dtype);
        json += (i > 0 || !metadata.empty()) ? "," : "";
        json += json_quote(s.name) + ":{\"dtype\":\"" + dtype_name(s.dtype) + "\",\"shape\":[";
        for (int d = 0; d < s.shape.ndim; d++) json += (d ? "," : "") + std::to_string(s.shape.dim[d]);
        json += "],\"data_offsets\":[" + std::to_string(offset) + "," +
                std::to_string(offset + bytes) + "]}";
        offset += bytes;
    }
    json += "}";
    json.append((8 - json.size() % 8) % 8, ' ');  // pad so the data section is 8-aligned

    std::string out(8, '\0');
    uint64_t n = json.size();
    for (int i = 0; i < 8; i++) out[size_t(i)] = char((n >> (8 * i)) & 0xFF);
    return out + json;
}

TensorToWrite make_tensor(const std::string& name, DType dtype, Shape shape,
                          const std::vector<float>& values) {
    if (int64_t(values.size()) != shape.numel())
        fail("make_tensor '", name, "': ", values.size(), " values for shape ", shape.str());
    if (!dtype_is_float_weight(dtype))
        fail("make_tensor '", name, "': writes F32, F16 or BF16 values, not ", dtype_name(dtype));
    TensorToWrite t{name, dtype, shape, std::vector<uint8_t>(values.size() * dtype_size(dtype))};
    uint8_t* out = t.bytes.data();
    for (float x : values) {
        uint32_t u = dtype == DType::F32 ? bits_of(x)
                     : dtype == DType::F16 ? f32_to_f16(x) : f32_to_bf16(x);
        for (size_t b = 0; b < dtype_size(dtype); b++) *out++ = uint8_t(u >> (8 * b));  // little-endian
    }
    return t;
}

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    std::vector<TensorSpec> specs;
    for (const TensorToWrite& t : tensors) {
        if (uint64_t(t.bytes.size()) != uint64_t(t.shape.numel()) * dtype_size(t.dtype))
            fail(path, ": tensor '", t.name, "' has ", t.bytes.size(), " bytes for shape ",
                 t.shape.str(), " of ", dtype_name(t.dtype));
        specs.push_back({t.name, t.dtype, t.shape});
    }
    OutputFile f(path);
    f.write(safetensors_header(specs, metadata));
    for (const TensorToWrite& t : tensors) f.write(t.bytes.data(), t.bytes.size());
    f.commit();
}

}  // namespace gw
