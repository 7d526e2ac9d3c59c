// model/safetensors.h — the checkpoint file format, read and written.
//
// Layout of a .safetensors file:
//   [8 bytes] N, little-endian uint64: the length of the header
//   [N bytes] JSON header: { "name": {"dtype": "F32", "shape": [r, c],
//                                     "data_offsets": [begin, end]}, ...,
//                            "__metadata__": {"key": "value"} (optional) }
//   [rest]    the data section; a tensor's bytes are data[begin, end)
// Nothing in the header is trusted: every offset is checked against the file size,
// tensors must lie in order without overlapping, and end - begin must equal
// product(shape) * dtype size.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "core/tensor.h"
#include "core/weight_formats.h"  // f16_to_f32, bf16_to_f32, f32_to_f16, f32_to_bf16

namespace gw {

// The dtypes a safetensors header may name. Weights must be F32, F16 or BF16 (the ones
// gptwalk computes with: core/weight_formats.h); the others are read for their layout only, so
// a file may still carry buffers stored in them (older transformers versions saved
// GPT-2's causal mask `attn.bias` as U8 or BOOL), which the loader skips.
enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U64, U32, U16, U8, BOOL };
const char* dtype_name(DType d);  // "F32", "F16", "BF16", "I64", ..., "BOOL"
size_t dtype_size(DType d);       // bytes per element: 4, 2, 2, 8, 8, 4, 2, 1, 8, 4, 2, 1, 1
bool dtype_is_float_weight(DType d);  // F32, F16 or BF16: usable as a weight

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    Shape shape;
    uint64_t begin = 0, end = 0;  // byte offsets within the data section
    const uint8_t* data = nullptr;  // points into the mapping (not aligned for F16/BF16)
};

// The validated contents of a header: what the file holds and where.
struct SafetensorsIndex {
    std::vector<TensorInfo> tensors;               // in header order; data points into p
    std::map<std::string, std::string> metadata;
};
// Validates the size bytes at p as a safetensors file (header and offsets); the
// in-memory core of SafetensorsFile, and what the fuzzer feeds. Errors name `source`.
SafetensorsIndex parse_safetensors(const uint8_t* p, uint64_t size, const std::string& source);

class SafetensorsFile {
public:
    // Maps the file and validates the header; throws gw::Error "<path>: <problem>".
    explicit SafetensorsFile(const std::string& path);

    const std::string& path() const { return file_.path(); }
    const std::vector<TensorInfo>& tensors() const { return tensors_; }  // in header order
    const TensorInfo* find(const std::string& name) const;              // nullptr if absent
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    size_t file_size() const { return file_.size(); }
    // Lets the pages of a tensor's bytes go (MappedFile::drop_pages): for tensors the
    // loader has converted and will not read again.
    void drop_pages(const TensorInfo& t) const { file_.drop_pages(t.data, size_t(t.end - t.begin)); }

private:
    MappedFile file_;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, std::string> metadata_;
};

// The limits a header must respect (a hostile file cannot make us allocate more).
constexpr uint64_t kMaxHeaderBytes = uint64_t(100) << 20;  // 100 MB

// Writing, for tests and tools/make_random_gpt2: tensors are written in the given
// order with contiguous offsets. `bytes` holds the raw little-endian data.
//
// safetensors_header returns the first part of the file: the 8-byte length and the
// JSON header, padded with spaces to a multiple of 8 bytes (as the reference
// implementation does, so the data section starts 8-aligned). A writer that streams
// large tensors writes this, then each tensor's bytes in the same order.
struct TensorSpec {
    std::string name;
    DType dtype = DType::F32;
    Shape shape;
};
std::string safetensors_header(const std::vector<TensorSpec>& specs,
                               const std::map<std::string, std::string>& metadata = {});

struct TensorToWrite {
    std::string name;
    DType dtype = DType::F32;
    Shape shape;
    std::vector<uint8_t> bytes;
};
// Convenience: F32 values stored as `dtype` (converted).
TensorToWrite make_tensor(const std::string& name, DType dtype, Shape shape,
                          const std::vector<float>& values);
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace gw
