// core/mapped_file.cpp — mmap with RAII, and small whole-file reads.
#include "core/mapped_file.h"

#include <fcntl.h>     // open
#include <sys/mman.h>  // mmap, munmap
#include <sys/stat.h>  // fstat
#include <unistd.h>    // close, read

#include <cerrno>
#include <cstring>  // strerror
#include <utility>  // std::exchange

#include "core/error.h"

namespace gw {

namespace {
// Closes a file descriptor when it goes out of scope (on every error path too).
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) close(fd);
    }
};

Fd open_regular_file(const std::string& path, struct stat* st) {
    Fd f{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) fail(path, ": cannot open: ", std::strerror(errno));
    if (fstat(f.fd, st) != 0) fail(path, ": cannot stat: ", std::strerror(errno));
    if (S_ISDIR(st->st_mode)) fail(path, ": is a directory, expected a file");
    if (!S_ISREG(st->st_mode)) fail(path, ": not a regular file");
    return f;
}
}  // namespace

MappedFile::MappedFile(const std::string& path) : path_(path) {
    struct stat st {};
    Fd f = open_regular_file(path, &st);
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0) return;  // nothing to map; data() stays nullptr
    void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, f.fd, 0);
    if (p == MAP_FAILED) fail(path, ": cannot map ", size_, " bytes: ", std::strerror(errno));
    data_ = static_cast<const uint8_t*>(p);
}

MappedFile::~MappedFile() { release(); }

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      path_(std::move(other.path_)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        path_ = std::move(other.path_);
    }
    return *this;
}

void MappedFile::drop_pages(const void* p, size_t n) const {
    // Only whole pages inside [p, p + n): the pages at either end may hold a neighbour's bytes.
    const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
    const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n) / page * page;
    if (!data_ || end <= begin) return;
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);  // advice: failure is harmless
}

void MappedFile::release() {
    if (data_) munmap(const_cast<uint8_t*>(data_), size_);
    data_ = nullptr;
    size_ = 0;
}

std::string read_file(const std::string& path, size_t max_bytes) {
    struct stat st {};
    Fd f = open_regular_file(path, &st);
    if (static_cast<uint64_t>(st.st_size) > max_bytes)
        fail(path, ": file is ", st.st_size, " bytes, more than the limit of ", max_bytes);
    std::string out(static_cast<size_t>(st.st_size), '\0');
    size_t got = 0;
    while (got < out.size()) {
        ssize_t n = read(f.fd, &out[got], out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(path, ": read failed: ", std::strerror(errno));
        if (n == 0) break;  // file shrank while we read it
        got += static_cast<size_t>(n);
    }
    out.resize(got);
    return out;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace gw
