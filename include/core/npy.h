// core/npy.h — NumPy's .npy format, version 1.0: the machine-readable tensor output.
//
// A .npy file is: the magic "\x93NUMPY", version bytes 1 0, a 2-byte little-endian
// header length, an ASCII Python-dict header such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (7, 50257), }
// padded with spaces and a newline so the data starts at a multiple of 64 bytes,
// then the raw little-endian float32 data in C (row-major) order.
// numpy.load reads what write_npy writes.
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"

namespace gw {

void write_npy(const std::string& path, const float* data, const Shape& shape);

struct NpyArray {
    Shape shape;
    std::vector<float> data;
};
// Reads a little-endian float32, C-order .npy (v1 or v2 header); anything else is
// an error naming the file. Used by tests to read golden fixtures.
NpyArray read_npy(const std::string& path);

}  // namespace gw
