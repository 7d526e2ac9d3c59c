// core/output_file.cpp — write a temporary file, then rename it into place (see output_file.h).
#include "core/output_file.h"

#include <dirent.h>
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

// ---------------------------------------------------------------- folders (training checkpoints)

namespace {
bool is_dir(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool dir_is_empty(const std::string& p) {
    DIR* d = opendir(p.c_str());
    if (!d) return false;
    bool empty = true;
    while (dirent* e = readdir(d))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) empty = false;
    closedir(d);
    return empty;
}
// Removes a folder of plain files (the ones this module wrote), then the folder.
void remove_flat_dir(const std::string& p) {
    if (DIR* d = opendir(p.c_str())) {
        while (dirent* e = readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                unlink((p + "/" + e->d_name).c_str());
        closedir(d);
    }
    rmdir(p.c_str());
}
}  // namespace

OutputFolder::OutputFolder(const std::string& path, const std::string& marker) : path_(path) {
    while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
    if (path_.empty()) fail("an output folder needs a name");
    struct stat st;
    if (stat(path_.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) fail("'", path_, "': exists and is not a folder");
        if (!dir_is_empty(path_) && stat((path_ + "/" + marker).c_str(), &st) != 0)
            fail("'", path_, "': exists and is not a folder this command wrote (no ", marker,
                 "); choose a new output folder");
    }
    std::vector<char> name(path_.begin(), path_.end());
    const char suffix[] = ".tmp-XXXXXX";
    name.insert(name.end(), suffix, suffix + sizeof(suffix));
    if (!mkdtemp(name.data())) fail("'", path_, "': cannot create a folder beside it: ", std::strerror(errno));
    tmp_ = name.data();
    const mode_t mask = umask(0);  // mkdtemp makes it private (0700): give it a new folder's permissions
    umask(mask);
    chmod(tmp_.c_str(), 0777 & ~mask);
}

OutputFolder::~OutputFolder() {
    if (!committed_) remove_flat_dir(tmp_);
}

void OutputFolder::commit() {
    if (!is_dir(path_)) {
        if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
            fail("'", path_, "': cannot rename the finished folder into place: ", std::strerror(errno));
        committed_ = true;
        return;
    }
#if defined(__linux__) && defined(RENAME_EXCHANGE)
    // One step: the new folder takes the name, the old one takes the temporary name.
    if (renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) == 0) {
        committed_ = true;
        remove_flat_dir(tmp_);  // now the old folder
        return;
    }
#endif
    // Two steps: between them the name is missing for a moment (never half-written).
    const std::string old = tmp_ + ".old";
    if (std::rename(path_.c_str(), old.c_str()) != 0)
        fail("'", path_, "': cannot move the old folder aside: ", std::strerror(errno));
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        std::rename(old.c_str(), path_.c_str());
        fail("'", path_, "': cannot rename the finished folder into place: ", std::strerror(err));
    }
    committed_ = true;
    remove_flat_dir(old);
}

}  // namespace gw
