// core/mapped_file.h — reading files: one way to open them, a whole-file read, and a
// read-only mapping (mmap) owned RAII-style.
//
// Every file gptwalk reads (model.safetensors, config.json, the tokenizer files, a --file
// prompt, a .npy) is opened by InputFile, which refuses anything that is not a regular file
// without blocking on it: opening a FIFO for reading waits for a writer, forever if none
// comes, so the file is opened with O_NONBLOCK, its type checked, and only then made
// blocking again.
//
// The checkpoint's F32 tensors are used straight from a MappedFile: no copy, and the
// operating system pages them in on first touch (lesson 02). If the file is cut short while
// in use, the next read of a page past its new end raises SIGBUS; gptwalk then prints one
// line naming the file and exits 1 (see mapped_file.cpp for why a handler, and why that is
// the one process-wide table in the program).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace gw {

// An open file descriptor for reading a regular file; closed by the destructor.
class InputFile {
public:
    explicit InputFile(const std::string& path);  // throws gw::Error naming the path
    ~InputFile();
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    int fd() const { return fd_; }
    // The size fstat reports. Files in /proc and /sys report 0 and still have contents:
    // read_file reads to the end of the file, whatever this says.
    uint64_t size() const { return size_; }

private:
    int fd_ = -1;
    uint64_t size_ = 0;
};

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
    int watch_ = -1;                 // its slot in the SIGBUS handler's table (-1: none)
    std::string path_;
};

// Reads a whole (small) file into a string: config.json, vocab files, prompts. Reads to
// the end, so /proc files work; refuses more than max_bytes, so a hostile path cannot
// exhaust memory.
std::string read_file(const std::string& path, size_t max_bytes = size_t(256) << 20);

// Whether something exists at path (of any type: a FIFO there is found, then refused by
// InputFile with a message that says what it is).
bool file_exists(const std::string& path);

}  // namespace gw
