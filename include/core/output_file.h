// core/output_file.h — every file gptwalk writes goes through here (.npy, PNG, JSON, checkpoints).
//
// Written to a temporary file beside the target, then renamed over it: a reader sees the
// old file or the whole new one, never half of one, and a failure (a full disk, a killed
// process) leaves the old file as it was. Every write, the flush to disk and the rename
// are checked, so "wrote X" is only printed for a file that is really there.
// A target that exists but is not a regular file (a FIFO, /dev/full, a folder) is refused:
// renaming over it would replace the device or pipe itself.
#pragma once
#include <cstddef>
#include <string>

namespace gw {

class OutputFile {
public:
    explicit OutputFile(const std::string& path);  // creates the temporary file; throws gw::Error
    ~OutputFile();                                  // removes it, unless commit() ran
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    void write(const void* data, size_t n);  // throws gw::Error naming the target (and why)
    void write(const std::string& bytes) { write(bytes.data(), bytes.size()); }
    void commit();                           // flush to disk, rename into place; throws gw::Error

private:
    std::string path_, tmp_;
    int fd_ = -1;
};

// The whole file at once.
void write_output_file(const std::string& path, const std::string& bytes);

}  // namespace gw
