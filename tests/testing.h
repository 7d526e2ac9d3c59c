// testing.h — helpers shared by the test suites.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gw::testing {

// Compares got[i] with want[i] for i < n: passes when |got - want| <= atol + rtol*|want|
// everywhere (NaN never passes; equal infinities do). On failure the doctest message
// reports the max abs error, the first bad index and a few (got, want) pairs.
// Returns whether it passed, and records a doctest CHECK failure if not.
bool check_close(const float* got, const float* want, int64_t n, float atol, float rtol = 0.0f,
                 const std::string& what = "");
bool check_close(const std::vector<float>& got, const std::vector<float>& want, float atol,
                 float rtol = 0.0f, const std::string& what = "");

// A row kernel fn(out, in, n) run on x placed `offset` floats past a 64-byte boundary,
// out of place or in place. Every float around the row holds NaN, so a kernel that reads
// past the row poisons its own result, and one that writes there is reported.
struct GuardedRow {
    std::vector<float> out;      // the row as the kernel left it
    bool wrote_outside = false;  // something outside the row changed
    int64_t outside_index = 0;   // the first such index (negative: before the row)
};
GuardedRow run_guarded_row(void (*fn)(float*, const float*, int64_t), const std::vector<float>& x,
                           int64_t offset, bool in_place);

// A fresh empty directory under $TMPDIR (or /tmp), removed by ~TempDir.
struct TempDir {
    std::string path;
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path + "/" + name; }
};

void write_text_file(const std::string& path, const std::string& contents);

// Deterministic pseudo-random floats in [lo, hi) (splitmix64), for test inputs.
std::vector<float> random_floats(size_t n, uint64_t seed, float lo = -1.0f, float hi = 1.0f);

// Runs a shell command, returning its exit status; stdout+stderr go to *output.
int run_command(const std::string& command, std::string* output);

// The build folder this test binary belongs to (BUILD in BUILD/tests/test_x), and
// the programs built there: BUILD/gptwalk, BUILD/tools/<name>.
std::string build_dir();
std::string gptwalk_binary();
std::string tool_binary(const std::string& name);

// Quotes a string for /bin/sh (single quotes).
std::string shell_quote(const std::string& s);

}  // namespace gw::testing
