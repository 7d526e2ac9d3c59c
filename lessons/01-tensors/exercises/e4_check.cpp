// e4_check.cpp — lesson 01, exercise 4: the check's own test of include/core/strided.h.
// Prints one line: what failed, or what it checked. Exit 0 only when every case holds.
#include <cstdio>
#include <cstdint>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/strided.h"

namespace {

int fail(const char* what, int64_t a, int64_t b) {
    std::printf("%s (c0 = %lld, c1 = %lld)\n", what, (long long)a, (long long)b);
    return 1;
}

bool throws(int64_t c0, int64_t c1, const gw::StridedView& v) {
    try {
        gw::slice_cols(v, c0, c1);
    } catch (const gw::Error&) {
        return true;
    }
    return false;
}

}  // namespace

int main() {
    const int64_t T = 7, C = 24;
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> x(size_t(T * C));
    for (float& v : x) v = u(rng);
    const gw::StridedView all = gw::whole(x.data(), T, C);
    if (all.data != x.data() || all.rows != T || all.cols != C || all.ld != C)
        return fail("whole(x, 7, 24) must be {x, 7, 24, ld 24}", 0, C);
    int64_t checked = 0;
    for (int64_t c0 = 0; c0 <= C; c0++)
        for (int64_t c1 = c0; c1 <= C; c1++) {
            const gw::StridedView s = gw::slice_cols(all, c0, c1);
            if (s.rows != T || s.cols != c1 - c0 || s.ld != C) return fail("slice_cols: wrong rows, cols or ld", c0, c1);
            for (int64_t t = 0; t < T; t++)
                for (int64_t c = 0; c < c1 - c0; c++, checked++)
                    if (s.row(t) + c != x.data() + t * C + c0 + c)  // the same memory, not a copy
                        return fail("slice_cols(x, c0, c1).row(t)[c] is not x[t*C + c0 + c]", c0, c1);
        }
    const gw::StridedView inner = gw::slice_cols(gw::slice_cols(all, 3, 20), 2, 5);
    if (inner.row(4) != x.data() + 4 * C + 5 || inner.cols != 3)
        return fail("a slice of a slice: columns [2, 5) of [3, 20) must be columns [5, 8)", 2, 5);
    for (auto bad : {std::pair<int64_t, int64_t>{-1, 3}, {5, 4}, {0, 25}, {25, 25}})
        if (!throws(bad.first, bad.second, all)) return fail("slice_cols must throw gw::Error for", bad.first, bad.second);
    std::printf("slice_cols: %lld elements of every column range of a (7, 24) matrix, nested slices, bad ranges\n",
                (long long)checked);
    return 0;
}
