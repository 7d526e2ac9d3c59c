// test_embedding.cpp — token + position vectors, and where their gradient goes.
#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "kernels/embedding.h"
#include "testing.h"

using namespace gw;
using gw::testing::random_floats;
using gw::testing::widen;

TEST_CASE("embedding backward: float64 against central differences; repeated tokens add up") {
    const int64_t T = 5, C = 3, V = 6, P = 7;
    const int tokens[T] = {4, 1, 4, 0, 4};  // token 4 three times: its row gets three gradients
    std::vector<double> wte = widen(random_floats(size_t(V * C), 111));
    std::vector<double> wpe = widen(random_floats(size_t(P * C), 112));
    const std::vector<double> r = widen(random_floats(size_t(T * C), 113));
    std::vector<double> x(size_t(T * C)), dwte(wte.size(), 0.0), dwpe(wpe.size(), 0.0);
    auto loss = [&] {
        embedding(x.data(), tokens, wte.data(), wpe.data(), T, C);
        return testing::weighted_sum(x, r);
    };
    embedding_backward(dwte.data(), dwpe.data(), r.data(), tokens, T, C, 0, C);
    testing::check_gradients(loss, {{"wte", &wte, dwte}, {"wpe", &wpe, dwpe}});
    // Rows of tokens that never occur (2, 3, 5) and positions past T (5, 6) get exactly 0.
    for (int64_t c = 0; c < C; c++) {
        CHECK(dwte[size_t(2 * C + c)] == 0.0);
        CHECK(dwpe[size_t(6 * C + c)] == 0.0);
    }
}

TEST_CASE("embedding backward in column shares gives the same bits") {
    const int64_t T = 9, C = 40, V = 5;
    const int tokens[T] = {1, 2, 1, 1, 0, 4, 4, 2, 1};
    const auto dx = random_floats(size_t(T * C), 114);
    std::vector<float> a(size_t(V * C), 0.5f), pa(size_t(T * C), 0.25f), b = a, pb = pa;
    embedding_backward(a.data(), pa.data(), dx.data(), tokens, T, C, 0, C);
    for (auto [c0, c1] : {std::pair<int64_t, int64_t>{0, 16}, {16, 17}, {17, C}})
        embedding_backward(b.data(), pb.data(), dx.data(), tokens, T, C, c0, c1);
    CHECK(a == b);  // every column adds its rows in position order, whoever runs it
    CHECK(pa == pb);
}
