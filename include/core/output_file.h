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

// ---------------------------------------------------------------- folders (training checkpoints)
// A folder of files written as one: everything goes into a temporary folder beside the
// target (DIR.tmp-XXXXXX), and commit() puts it in place, swapping it with the old folder in
// one step where the file system can (Linux renameat2 RENAME_EXCHANGE), else renaming the old
// one aside first. A reader sees the old folder or the whole new one; a crash or a full disk
// before commit() leaves the old folder as it was and never a half-written one under its name.
// An existing target is only replaced when it is empty or holds `marker` (a file that only
// gptwalk's own folders of this kind have), so a mistyped --out never replaces someone's folder.
class OutputFolder {
public:
    OutputFolder(const std::string& path, const std::string& marker);  // throws gw::Error
    ~OutputFolder();                                                    // removes the temporary folder unless committed
    OutputFolder(const OutputFolder&) = delete;
    OutputFolder& operator=(const OutputFolder&) = delete;

    std::string file(const std::string& name) const { return tmp_ + "/" + name; }  // write here (with OutputFile)
    const std::string& path() const { return path_; }
    void commit();  // throws gw::Error naming the target

private:
    std::string path_, tmp_;
    bool committed_ = false;
};

}  // namespace gw
