// train/gradcheck.h — checking a backward pass by central differences (lesson 17).
//
// The derivative of a scalar function f along input x_i, estimated from two more evaluations:
//   fd_i = (f(x + h e_i) - f(x - h e_i)) / 2h
// It misses the true derivative by h^2/6 |f'''| (the truncation of the Taylor series) plus the
// rounding of the two evaluations divided by 2h. In float64 with h = 1e-5 both are tiny, so a
// backward whose gradients agree with fd to ~1e-7 relative is right; one that misses a term or
// a factor is off by percents. In float32 the rounding part is ~1e8 times larger: no h gives
// more than two or three digits (lesson 17's first stage shows it), which is why every
// backward is checked in float64 (the references' float64 overloads), and the fast float32
// one against that reference.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

namespace gw {

// fd (x.size()): f's central differences along every element of x, which is perturbed in
// place, one element at a time, and restored.
std::vector<double> central_differences(const std::function<double()>& f, std::vector<double>& x, double h);

// How far a gradient g is from its central differences fd: the relative error
//   max_i |g_i - fd_i| / max_i |fd_i|
// (normwise: an entry that is small because of cancellation is judged against the array's scale).
struct GradError {
    double max_err = 0;  // max_i |g_i - fd_i| (NaN if any g_i or fd_i is NaN)
    double max_fd = 0;   // max_i |fd_i|
    size_t worst = 0;    // the i of max_err
    double relative() const { return max_fd > 0 ? max_err / max_fd : max_err; }
};
GradError compare_gradients(const std::vector<double>& g, const std::vector<double>& fd);

}  // namespace gw
