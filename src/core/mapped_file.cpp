// core/mapped_file.cpp — opening files for reading, whole-file reads, mmap with RAII, and
// what happens when a mapped file is cut short under us.
#include "core/mapped_file.h"

#include <errno.h>     // program_invocation_short_name (glibc)
#include <fcntl.h>     // open, fcntl
#include <signal.h>    // sigaction
#include <sys/mman.h>  // mmap, munmap
#include <sys/stat.h>  // fstat
#include <unistd.h>    // close, read, write, _exit

#include <algorithm>  // std::min
#include <atomic>
#include <cstring>  // strerror
#include <utility>  // std::exchange

#include "core/error.h"
#include "core/json.h"  // quoted

namespace gw {

// ---------------------------------------------------------------- opening

namespace {
const char* file_type(mode_t m) {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a plain file";
}
}  // namespace

InputFile::InputFile(const std::string& path) {
    // O_NONBLOCK: open() of a FIFO returns at once instead of waiting for a writer.
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) fail(path, ": cannot open: ", std::strerror(errno));
    struct stat st {};
    if (fstat(fd_, &st) != 0) fail(path, ": cannot stat: ", std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        fail(path, ": not a regular file (", file_type(st.st_mode), "); give a file");
    // A regular file never blocks; clearing the flag keeps reads plain (no EAGAIN to handle).
    const int flags = fcntl(fd_, F_GETFL);
    if (flags < 0 || fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK) != 0)
        fail(path, ": cannot read: ", std::strerror(errno));
    size_ = uint64_t(st.st_size);
}

InputFile::~InputFile() {
    if (fd_ >= 0) close(fd_);
}

std::string read_file(const std::string& path, size_t max_bytes) {
    InputFile f(path);
    if (f.size() > max_bytes) fail(path, ": file is ", f.size(), " bytes, more than the limit of ", max_bytes);
    // Read to the end of the file, whatever fstat said: /proc files say 0 and have text.
    std::string out(size_t(f.size()) + 1, '\0');  // one byte more sees the end (or growth)
    size_t got = 0;
    for (;;) {
        if (got == out.size()) {
            if (out.size() > max_bytes) fail(path, ": file is more than the limit of ", max_bytes, " bytes");
            out.resize(std::min(max_bytes + 1, out.size() * 2 + 4096));
        }
        const ssize_t n = read(f.fd(), &out[got], out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(path, ": read failed: ", std::strerror(errno));
        if (n == 0) break;
        got += size_t(n);
    }
    out.resize(got);
    return out;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
}

// ---------------------------------------------------------------- a mapped file cut short
//
// Reading a mapped page past the file's current end raises SIGBUS: the checkpoint was
// truncated, or rewritten in place instead of replaced by a rename, while gptwalk ran. The
// weights are gone, so the run cannot go on, and nothing can be unwound from inside a signal
// handler; what the handler can do is print one line naming the file and exit 1, instead
// of the shell's bare "Bus error". Other ways were weighed and refused:
//   - copying the weights into our own memory at load: doubles the memory and the load time
//     of a 6 GB checkpoint, and loses what lesson 02 teaches (the mapping is the weights);
//   - MAP_POPULATE or mlock: truncation removes the pages past the new end from every
//     mapping, private ones included, so pre-faulting does not keep them;
//   - a read lease (F_SETLEASE): needs the file's owner or CAP_LEASE, and only delays the writer;
//   - checking the file's size before each read: a race, and a cost on every step.
// The handler can only reach what is in static storage, so the live mappings are kept in
// the fixed table below: the one piece of process-wide state in gptwalk besides the
// GPTWALK_MAX_ISA cap (docs/conventions.md), there because a signal handler can reach
// nothing else. A fault outside every mapping in it is not ours: the previous action runs
// (a crash with a core dump, or the sanitizer's report).

namespace {

struct Watched {
    std::atomic<int> state{0};  // 0 free, 1 being filled or emptied, 2 live
    std::atomic<uintptr_t> begin{0}, end{0};
    char message[640];          // the whole line, written before the slot goes live
    size_t length = 0;
};
constexpr int kWatchSlots = 16;  // a run maps one checkpoint; tests and tools a few more
Watched g_watched[kWatchSlots];
struct sigaction g_previous;      // the SIGBUS action before ours, for faults that are not ours
std::atomic<bool> g_installed{false};

void on_sigbus(int, siginfo_t* info, void*) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(info->si_addr);
    for (Watched& w : g_watched) {
        if (w.state.load(std::memory_order_acquire) == 2 && at >= w.begin.load(std::memory_order_relaxed) &&
            at < w.end.load(std::memory_order_relaxed)) {
            ssize_t ignored = write(2, w.message, w.length);  // async-signal-safe: write, _exit
            (void)ignored;
            _exit(1);
        }
    }
    // Not a mapped file of ours: put the previous action back and raise the signal again;
    // it is delivered to that action as soon as this handler returns.
    sigaction(SIGBUS, &g_previous, nullptr);
    raise(SIGBUS);
}

// Starts watching [p, p + n) for SIGBUS; returns the slot, or -1 when the table is full
// (then a truncation is a plain crash, as it was before this handler existed).
int watch_mapping(const void* p, size_t n, const std::string& path) {
    if (!g_installed.exchange(true)) {
        struct sigaction sa {};
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGBUS, &sa, &g_previous);
    }
    const std::string line = cat(program_invocation_short_name, ": ", quoted(path, 400),
                                 ": the file changed while it was being read (truncated or rewritten in place); "
                                 "stopped\n");
    for (int i = 0; i < kWatchSlots; i++) {
        int expected = 0;
        if (!g_watched[i].state.compare_exchange_strong(expected, 1)) continue;
        Watched& w = g_watched[i];
        w.length = std::min(line.size(), sizeof w.message);
        std::memcpy(w.message, line.data(), w.length);
        w.begin.store(reinterpret_cast<uintptr_t>(p), std::memory_order_relaxed);
        w.end.store(reinterpret_cast<uintptr_t>(p) + n, std::memory_order_relaxed);
        w.state.store(2, std::memory_order_release);
        return i;
    }
    return -1;
}

void unwatch_mapping(int slot) {
    if (slot >= 0) g_watched[slot].state.store(0, std::memory_order_release);
}

}  // namespace

// ---------------------------------------------------------------- mapping

MappedFile::MappedFile(const std::string& path) : path_(path) {
    InputFile f(path);
    size_ = static_cast<size_t>(f.size());
    if (size_ == 0) return;  // nothing to map; data() stays nullptr
    void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, f.fd(), 0);
    if (p == MAP_FAILED) fail(path, ": cannot map ", size_, " bytes: ", std::strerror(errno));
    data_ = static_cast<const uint8_t*>(p);
    watch_ = watch_mapping(data_, size_, path);
}

MappedFile::~MappedFile() { release(); }

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      watch_(std::exchange(other.watch_, -1)),
      path_(std::move(other.path_)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        watch_ = std::exchange(other.watch_, -1);
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
    unwatch_mapping(std::exchange(watch_, -1));
    if (data_) munmap(const_cast<uint8_t*>(data_), size_);
    data_ = nullptr;
    size_ = 0;
}

}  // namespace gw
