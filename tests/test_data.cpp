// test_data.cpp — training windows: the split, the windows' shape, the sampler's determinism.
#include <doctest/doctest.h>

#include <numeric>
#include <set>
#include <vector>

#include "core/error.h"
#include "train/data.h"

using namespace gw;

TEST_CASE("split_tokens: the last fraction is validation; too little for a window is an error") {
    std::vector<int> ids(100);
    std::iota(ids.begin(), ids.end(), 0);
    TokenSplit s = split_tokens(ids, 0.1, 8, "t.txt");
    CHECK(s.train.size() == 90);
    CHECK(s.val.size() == 10);
    CHECK(s.val.front() == 90);  // a held-out stretch at the end, not sampled
    s = split_tokens(ids, 0.0, 8, "t.txt");
    CHECK(s.train.size() == 100);
    CHECK(s.val.empty());
    CHECK_THROWS_WITH_AS(split_tokens(ids, 0.05, 8, "t.txt"), doctest::Contains("validation split"), Error);
    CHECK_THROWS_WITH_AS(split_tokens(std::vector<int>(8), 0.0, 8, "t.txt"),
                         doctest::Contains("t.txt: 8 training tokens, fewer than one window of --seq 8 + 1"), Error);
}

TEST_CASE("sample_windows: targets are the inputs' next tokens; T+1 tokens give the one window") {
    std::vector<int> ids(50);
    std::iota(ids.begin(), ids.end(), 1000);
    WindowSampler a{7}, b{7};
    const int64_t B = 5, T = 6;
    std::vector<int> in(B * T), tg(B * T), in2(B * T), tg2(B * T);
    std::set<int> starts;
    for (int round = 0; round < 20; round++) {
        sample_windows(in.data(), tg.data(), a, ids, B, T);
        sample_windows(in2.data(), tg2.data(), b, ids, B, T);
        CHECK(in == in2);  // the same state, the same windows
        for (int64_t w = 0; w < B; w++) {
            const int s = in[w * T] - 1000;
            starts.insert(s);
            CHECK(s >= 0);
            CHECK(s + T + 1 <= 50);  // a whole window inside the text
            for (int64_t t = 0; t < T; t++) {
                CHECK(in[w * T + t] == 1000 + s + t);
                CHECK(tg[w * T + t] == 1000 + s + t + 1);
            }
        }
    }
    CHECK(starts.size() > 30);  // 100 draws over 44 starts: most of them seen
    std::vector<int> exact(T + 1);
    std::iota(exact.begin(), exact.end(), 5);
    WindowSampler c{123};
    std::vector<int> one_in(T), one_tg(T);
    sample_windows(one_in.data(), one_tg.data(), c, exact, 1, T);
    CHECK(one_in == std::vector<int>(exact.begin(), exact.end() - 1));
    CHECK(one_tg == std::vector<int>(exact.begin() + 1, exact.end()));
    CHECK(tokens_fingerprint(exact) != tokens_fingerprint(ids));
}
