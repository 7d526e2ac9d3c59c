// core/output_file.cpp — write a temporary file, then rename it into place (see output_file.h).
#include "core/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace gw {

OutputFile::OutputFile(const std::string& path) : path_(path) {
    if (path.empty()) fail("an output file needs a name");
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        fail("'", path, "': not a regular file (outputs are written to a new file and renamed into place)");
    // mkstemp's template: the same folder, so that the rename stays on one file system.
    std::vector<char> name(path.begin(), path.end());
    const char suffix[] = ".tmp-XXXXXX";
    name.insert(name.end(), suffix, suffix + sizeof(suffix));  // with the terminating 0
    fd_ = mkstemp(name.data());
    if (fd_ < 0) fail("'", path, "': cannot create a file beside it: ", std::strerror(errno));
    tmp_ = name.data();
    // mkstemp makes the file private (0600); give it the permissions a new file gets.
    const mode_t mask = umask(0);
    umask(mask);
    fchmod(fd_, 0666 & ~mask);
}

OutputFile::~OutputFile() {
    if (fd_ >= 0) close(fd_);
    if (!tmp_.empty()) unlink(tmp_.c_str());
}

void OutputFile::write(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
        ssize_t k = ::write(fd_, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) fail("'", path_, "': cannot write: ", std::strerror(k < 0 ? errno : ENOSPC));
        p += k;
        n -= size_t(k);
    }
}

void OutputFile::commit() {
    // Some file systems report a full disk only when the data reaches it.
    if (fsync(fd_) != 0) fail("'", path_, "': cannot write: ", std::strerror(errno));
    const int fd = fd_;
    fd_ = -1;
    if (close(fd) != 0) fail("'", path_, "': cannot write: ", std::strerror(errno));
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
        fail("'", path_, "': cannot rename the finished file into place: ", std::strerror(errno));
    tmp_.clear();
}

void write_output_file(const std::string& path, const std::string& bytes) {
    OutputFile f(path);
    f.write(bytes);
    f.commit();
}

}  // namespace gw
