// testing.cpp — helpers shared by the test suites.
#include "testing.h"

#include <doctest/doctest.h>
#include <stdio.h>   // popen
#include <stdlib.h>  // mkdtemp, getenv
#include <sys/wait.h>
#include <unistd.h>  // readlink

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/mapped_file.h"  // read_file
#include "core/tensor.h"  // FloatBuffer: 64-byte aligned, so offsets +1, +3 are truly unaligned
#include "train/gradcheck.h"  // central_differences, compare_gradients
#include "core/weight_formats.h"

namespace gw::testing {

bool check_close(const float* got, const float* want, int64_t n, float atol, float rtol,
                 const std::string& what) {
    double max_err = 0;
    int64_t first_bad = -1, n_bad = 0;
    for (int64_t i = 0; i < n; i++) {
        float g = got[i], w = want[i];
        bool ok;
        if (std::isnan(g) || std::isnan(w)) ok = false;
        else if (std::isinf(g) || std::isinf(w)) ok = (g == w);
        else {
            double err = std::fabs(double(g) - double(w));
            if (err > max_err) max_err = err;
            ok = err <= atol + rtol * std::fabs(double(w));
        }
        if (!ok) {
            if (first_bad < 0) first_bad = i;
            n_bad++;
        }
    }
    if (first_bad < 0) return true;
    std::ostringstream msg;
    msg << (what.empty() ? "arrays" : what) << ": " << n_bad << " of " << n
        << " values differ (atol " << atol << ", rtol " << rtol << "); max abs error " << max_err
        << "; first bad index " << first_bad << "; (got, want):";
    for (int64_t i = first_bad, shown = 0; i < n && shown < 4; i++) {
        msg << " [" << i << "] (" << got[i] << ", " << want[i] << ")";
        shown++;
    }
    FAIL_CHECK(msg.str());
    return false;
}

bool check_close(const std::vector<float>& got, const std::vector<float>& want, float atol,
                 float rtol, const std::string& what) {
    if (got.size() != want.size()) {
        FAIL_CHECK((what.empty() ? "arrays" : what) << ": sizes differ: got " << got.size()
                                                    << ", want " << want.size());
        return false;
    }
    return check_close(got.data(), want.data(), int64_t(got.size()), atol, rtol, what);
}

double float_sum_error(int64_t n_terms, double sum_abs_terms) {
    const double nu = double(n_terms) * kFloatU;
    if (nu >= 1) throw std::invalid_argument("float_sum_error: n u >= 1, the bound says nothing");
    return nu / (1 - nu) * sum_abs_terms;
}

std::vector<Isa> supported_isas() {
    std::vector<Isa> out;
    for (Isa i : {Isa::Ref, Isa::Avx2, Isa::Avx512})
        if (isa_supported(i)) out.push_back(i);
    return out;
}

StoredWeights store_weights(WType type, const std::vector<float>& values, int64_t rows, int64_t cols,
                            int64_t offset) {
    StoredWeights s;
    const size_t n = size_t(rows * cols), nb = size_t(q8_blocks(cols)), off = size_t(offset);
    s.view.type = type;
    s.view.shape = Shape{rows, cols};
    s.view.name = "test";
    if (type == WType::Q8) {
        s.q.assign(off + n + 64, int8_t(0x7f));
        s.d.assign(off + size_t(rows) * nb + 32, uint16_t(0x7E00));  // NaN scales past the end
        for (int64_t r = 0; r < rows; r++)
            quantize_q8_row(&s.q[off + size_t(r * cols)], &s.d[off + size_t(r) * nb], &values[size_t(r * cols)], cols);
        s.view.data = &s.q[off];
        s.view.scales = &s.d[off];
    } else {
        s.bits.assign(off + n + 64, uint16_t(0x7E00));  // NaN in both F16 and BF16
        for (size_t i = 0; i < n; i++) s.bits[off + i] = type == WType::F16 ? f32_to_f16(values[i]) : f32_to_bf16(values[i]);
        s.view.data = &s.bits[off];
    }
    s.f32.resize(n);
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++) s.f32[size_t(r * cols + c)] = stored_weight(s.view, r, c);
    return s;
}

std::vector<float> hostile_floats(size_t n, uint64_t seed, bool weights) {
    std::vector<float> v = random_floats(n, seed);
    for (size_t i = 0; i < n; i++) {
        v[i] = float(v[i] * std::pow(10.0, double(int(i % 7)) - 3.0));
        if (weights && i % 7 == 3) v[i] = (i % 2 ? -1.0f : 1.0f) * 60000.0f;
        if (weights && i % 11 == 5) v[i] = 3e-7f;  // an F16 subnormal
    }
    return v;
}

std::vector<float> abs_of(const std::vector<float>& v) {
    std::vector<float> out(v.size());
    for (size_t i = 0; i < v.size(); i++) out[i] = std::fabs(v[i]);
    return out;
}

double max_abs(const std::vector<float>& v) {
    double m = 0;
    for (float x : v) m = std::max(m, double(std::fabs(x)));
    return m;
}

TempDir::TempDir() {
    const char* base = getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/gptwalk-test-XXXXXX";
    if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed for " + templ);
    path = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

std::vector<int> read_ids(const std::string& path) {
    std::istringstream in(read_file(path));
    std::vector<int> ids;
    int id;
    while (in >> id) ids.push_back(id);
    return ids;
}

void write_text_file(const std::string& path, const std::string& contents) {
    std::ofstream f(path, std::ios::binary);
    f << contents;
    if (!f) throw std::runtime_error("cannot write " + path);
}

std::vector<float> random_floats(size_t n, uint64_t seed, float lo, float hi) {
    std::vector<float> out(n);
    uint64_t s = seed;
    for (auto& x : out) {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        double u = double(z >> 11) / double(1ull << 53);  // [0, 1)
        x = float(lo + (hi - lo) * u);
    }
    return out;
}

int run_command(const std::string& command, std::string* output) {
    std::string full = "( " + command + " ) 2>&1";
    FILE* p = popen(full.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed: " + command);
    char buf[4096];
    std::string out;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = pclose(p);
    if (output) *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string build_dir() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) throw std::runtime_error("cannot read /proc/self/exe");
    std::string exe(buf, size_t(n));              // BUILD/tests/test_x
    std::string tests = exe.substr(0, exe.rfind('/'));
    return tests.substr(0, tests.rfind('/'));
}

std::string gptwalk_binary() { return build_dir() + "/gptwalk"; }

std::string tool_binary(const std::string& name) { return build_dir() + "/tools/" + name; }

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

GuardedRow run_guarded_row(void (*fn)(float*, const float*, int64_t), const std::vector<float>& x,
                           int64_t offset, bool in_place) {
    const int64_t n = int64_t(x.size());
    const size_t size = x.size() + size_t(offset) + 16;
    FloatBuffer in(size), out_buf(size);
    for (size_t i = 0; i < size; i++) in[i] = out_buf[i] = NAN;
    std::copy(x.begin(), x.end(), in.data() + offset);
    float* out = in_place ? in.data() + offset : out_buf.data() + offset;
    fn(out, in.data() + offset, n);

    GuardedRow r;
    r.out.assign(out, out + n);
    for (int64_t i = -offset; i < int64_t(size) - offset; i++)
        if ((i < 0 || i >= n) && !std::isnan(out[i])) {
            r.wrote_outside = true;
            r.outside_index = i;
            break;
        }
    return r;
}

double check_gradients(const std::function<double()>& f, std::vector<FdInput> inputs) {
    double worst = 0;
    for (FdInput& in : inputs) {
        if (in.grad.size() != in.x->size()) {
            FAIL_CHECK(in.name << ": gradient has " << in.grad.size() << " entries, input " << in.x->size());
            continue;
        }
        const std::vector<double> fd = central_differences(f, *in.x, kFiniteDiffStep);
        const GradError e = compare_gradients(in.grad, fd);
        worst = std::max(worst, e.relative());
        if (!(e.max_err <= kFiniteDiffRtol * e.max_fd + kFiniteDiffAtol))
            FAIL_CHECK(in.name << ": backward vs central differences: max |g - fd| " << e.max_err << " at index "
                               << e.worst << " (g " << in.grad[e.worst] << ", fd " << fd[e.worst] << "), max |fd| "
                               << e.max_fd);
    }
    return worst;
}

std::vector<double> widen(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

double weighted_sum(const std::vector<double>& out, const std::vector<double>& r) {
    double s = 0;
    for (size_t i = 0; i < out.size(); i++) s += out[i] * r[i];
    return s;
}

}  // namespace gw::testing
