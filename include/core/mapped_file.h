// core/mapped_file.h — a read-only file mapped into memory (mmap), owned RAII-style.
//
// The checkpoint's F32 tensors are used straight from this mapping: no copy, and
// the operating system pages them in on first touch (lesson 02).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace gw {

class MappedFile {
public:
    MappedFile() = default;
    explicit MappedFile(const std::string& path);  // throws gw::Error naming the path
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    const std::string& path() const { return path_; }

    // Tells the kernel we are done with bytes [p, p + n) of the mapping for now: their
    // pages leave this process's resident set (a later read pages them in again). The
    // loader calls it after converting a tensor it will not read in place (lesson 16), so
    // a 3 GB F16 file made into 1.6 GB of Q8 never holds both.
    void drop_pages(const void* p, size_t n) const;

private:
    void release();
    const uint8_t* data_ = nullptr;  // nullptr for an empty file (mmap of 0 bytes is invalid)
    size_t size_ = 0;
    std::string path_;
};

// Reads a whole (small) file into a string: config.json, vocab files, prompts.
// Refuses files larger than max_bytes so a hostile path cannot exhaust memory.
std::string read_file(const std::string& path, size_t max_bytes = size_t(256) << 20);

bool file_exists(const std::string& path);

}  // namespace gw
