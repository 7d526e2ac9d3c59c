// core/npy.cpp — write and read float32 .npy files.
#include "core/npy.h"

#include <cstdint>
#include <cstring>
#include "core/error.h"
#include "core/mapped_file.h"
#include "core/output_file.h"

namespace gw {

void write_npy(const std::string& path, const float* data, const Shape& shape) {
    std::string dims;
    for (int i = 0; i < shape.ndim; i++) dims += std::to_string(shape.dim[i]) + ", ";
    if (shape.ndim > 1) dims.resize(dims.size() - 2);   // (7, 50257)
    else if (shape.ndim == 1) dims.resize(dims.size() - 1);  // (7,)
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    const size_t prefix = 10;  // magic (6) + version (2) + header length (2)
    size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
    header.append(total - prefix - header.size() - 1, ' ');
    header += '\n';
    OutputFile f(path);
    uint16_t hlen = uint16_t(header.size());
    const char magic[8] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
    f.write(magic, 8);
    char len_le[2] = {char(hlen & 0xFF), char(hlen >> 8)};
    f.write(len_le, 2);
    f.write(header);
    // x86-64 and ARM64 Linux are little-endian, as '<f4' says.
    f.write(data, size_t(shape.numel()) * sizeof(float));
    f.commit();
}

NpyArray read_npy(const std::string& path) {
    std::string bytes = read_file(path, size_t(1) << 31);
    auto bad = [&](const std::string& why) { fail(path, ": not a float32 .npy file: ", why); };
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) bad("missing magic");
    int major = static_cast<unsigned char>(bytes[6]);
    size_t hlen = 0, start = 0;
    if (major == 1) {
        hlen = size_t(uint8_t(bytes[8])) | size_t(uint8_t(bytes[9])) << 8;
        start = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) bad("truncated header");
        hlen = 0;
        for (int i = 0; i < 4; i++) hlen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
        start = 12;
    } else {
        bad("unknown version " + std::to_string(major));
    }
    if (start + hlen > bytes.size()) bad("truncated header");
    std::string header = bytes.substr(start, hlen);
    if (header.find("'descr': '<f4'") == std::string::npos) bad("dtype is not '<f4'");
    if (header.find("'fortran_order': False") == std::string::npos) bad("Fortran order");
    size_t open = header.find("'shape': (");
    size_t close = header.find(')', open);
    if (open == std::string::npos || close == std::string::npos) bad("no shape");
    NpyArray out;
    std::string dims = header.substr(open + 10, close - open - 10);
    size_t p = 0;
    while (p < dims.size()) {
        while (p < dims.size() && (dims[p] == ' ' || dims[p] == ',')) p++;
        if (p >= dims.size()) break;
        size_t q = p;
        while (q < dims.size() && dims[q] >= '0' && dims[q] <= '9') q++;
        if (q == p || out.shape.ndim == kMaxDims) bad("bad shape '" + dims + "'");
        out.shape.dim[out.shape.ndim++] = std::stoll(dims.substr(p, q - p));
        p = q;
    }
    size_t data_bytes = size_t(out.shape.numel()) * sizeof(float);
    if (bytes.size() - start - hlen != data_bytes) bad("data size does not match the shape");
    out.data.resize(size_t(out.shape.numel()));
    std::memcpy(out.data.data(), bytes.data() + start + hlen, data_bytes);
    return out;
}

}  // namespace gw
