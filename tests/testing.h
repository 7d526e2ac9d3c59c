// testing.h — helpers shared by the test suites.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "core/tensor.h"

namespace gw::testing {

// Compares got[i] with want[i] for i < n: passes when |got - want| <= atol + rtol*|want|
// everywhere (NaN never passes; equal infinities do). On failure the doctest message
// reports the max abs error, the first bad index and a few (got, want) pairs.
// Returns whether it passed, and records a doctest CHECK failure if not.
bool check_close(const float* got, const float* want, int64_t n, float atol, float rtol = 0.0f,
                 const std::string& what = "");
bool check_close(const std::vector<float>& got, const std::vector<float>& want, float atol,
                 float rtol = 0.0f, const std::string& what = "");

// ---- Where tolerances come from. A comparison of two differently computed floats needs a
// tolerance that follows from the computation (and says so beside it); == only where the
// bits are the same by construction (same code path, same order, same kernels).

// float32's unit roundoff u = 2^-24 (~6e-8): a correctly rounded operation returns x(1 + d), |d| <= u.
constexpr double kFloatU = 0x1p-24;

// The worst-case error of a float32 sum or dot product of n terms added in ANY order, with or
// without FMA: gamma_n * sum|terms|, gamma_n = n u / (1 - n u) (Higham, "Accuracy and Stability
// of Numerical Algorithms", 2nd ed., section 3.1). It holds for every OpenBLAS kernel, blocking
// and thread split, and for 8 or 16 vector lanes, so a tolerance built on it is true on every
// CPU; a wrong lane, a lost term or a wrong stride is off by about one |term|, far more.
double float_sum_error(int64_t n_terms, double sum_abs_terms);

// Two float32 runs of one forward pass over the random fixtures (tests/fixtures/forward) that
// differ only in the order of their sums -- one chunk or token by token over the KV cache,
// sgemm or sgemv, the last row alone, another OpenBLAS kernel or vector kernel set -- agree on
// every logit to within this. Why: the fixtures' README measured an independent float32 forward
// pass at 3.4e-6 from the float64 reference, so two float32 runs may differ by twice that,
// 6.8e-6, where their roundings fall on opposite sides; 2e-5 leaves 3x more for other kernels'
// orders (the largest difference measured, over the ref and avx2 kernels and the Zen, Haswell,
// Sandybridge, Nehalem and Prescott OpenBLAS cores: 5.3e-6). A stale or misplaced key, value
// or position is off by 1e-2 or more.
constexpr float kForwardOrderAtol = 2e-5f;

// |v| elementwise (a product of |a| and |b| gives each output's sum of |terms|), and max |v|.
std::vector<float> abs_of(const std::vector<float>& v);
double max_abs(const std::vector<float>& v);

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

// ---- Weights in reduced types, for the kernels' tests (test_matvec, test_convert).

// The kernel sets this CPU runs, within GPTWALK_MAX_ISA, ref first.
std::vector<Isa> supported_isas();

// A (rows, cols) matrix stored in `type` (BF16, F16 or Q8, blocks along each row) at
// `offset` elements past the start of its buffer, with poison after it (F16/BF16 NaN bits,
// Q8 scales of NaN) so that a kernel reading past the end returns NaN.
struct StoredWeights {
    std::vector<uint16_t> bits;  // BF16 / F16
    std::vector<int8_t> q;       // Q8 values
    std::vector<uint16_t> d;     // Q8 scales
    WeightView view;
    std::vector<float> f32;      // (rows, cols) the stored values as F32
};
StoredWeights store_weights(WType type, const std::vector<float>& values, int64_t rows, int64_t cols,
                            int64_t offset);

// Values that hurt: magnitudes from 1e-3 to 1e3 (F16 keeps them all) and signs from a
// random draw, so sums cancel; with `weights`, every 7th near F16's largest (+-60000)
// and every 11th an F16 subnormal (3e-7).
std::vector<float> hostile_floats(size_t n, uint64_t seed, bool weights);

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

// The whitespace-separated token ids of a fixture's *.ids.txt file.
std::vector<int> read_ids(const std::string& path);

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

// ---- Finite differences: how every backward pass is checked (lesson 17; train/gradcheck.h).
// The derivative of a float64 function f along its input x_i, by central differences,
//   fd_i = (f(x + h e_i) - f(x - h e_i)) / 2h,      h = kFiniteDiffStep,
// misses df/dx_i by h^2/6 |f'''| (truncation) plus the rounding of the two evaluations
// divided by 2h: a few units of 2^-53 times the sum of |terms| of f, over 2e-5. The test
// functions are loss = sum_i r_i out_i with inputs and r of size O(1), so |f'''| < 1e2 and
// the sum of |terms| < 1e4: the error is below 1.7e-9 + 6e-8 ~ 6e-8 absolute, on gradients
// of size 0.1 to 10. A backward passes when max_i |g_i - fd_i| <= kFiniteDiffRtol * max_i |fd_i|
// + kFiniteDiffAtol: 1e-6 relative leaves a margin of 10 or more; a missing term, a wrong sign
// or a factor off is wrong by 1e-2 or more of the largest gradient.
constexpr double kFiniteDiffStep = 1e-5;
constexpr double kFiniteDiffRtol = 1e-6;
constexpr double kFiniteDiffAtol = 1e-7;

struct FdInput {
    std::string name;            // for the failure message: "x", "w", "b"
    std::vector<double>* x;      // perturbed in place one element at a time, then restored
    std::vector<double> grad;    // d f / d x as the backward computed it
};
// Compares every input's grad with central differences of f; records a doctest failure
// naming the input, the worst index and both values when one is outside the tolerance.
// Returns the largest max|g - fd| / max|fd| seen (for messages).
double check_gradients(const std::function<double()>& f, std::vector<FdInput> inputs);

// Float64 copies of float test data (exact), and a loss from an output: sum_i r_i out_i,
// whose gradient with respect to out is r.
std::vector<double> widen(const std::vector<float>& v);
double weighted_sum(const std::vector<double>& out, const std::vector<double>& r);

}  // namespace gw::testing
