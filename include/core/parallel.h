// core/parallel.h — a small team of threads for the forward pass's parallel regions.
//
// `--threads N` gives the forward pass a team of N members: the calling thread plus
// N-1 workers. A region hands out n pieces of work, and returns when all are done:
//     team.run(pieces, [&](int member, int64_t i) { Range r = share(OC, pieces, i, 16); ... });
// Each member takes the next piece nobody has taken until none is left, so a member that
// starts late (its thread was asleep, or another program had its core) just takes fewer
// pieces; nobody waits for it. share() cuts the work (matrix columns, heads, vocabulary
// rows, elements) into contiguous, near-equal ranges, so no two pieces write the same output.
//
// Why our own threads rather than OpenBLAS's: the attention heads, GELU, layer norm
// and the LM head then run in parallel too, and each member calls OpenBLAS with ONE
// thread, so OpenBLAS never runs threaded inside our parallel region (two thread pools
// fighting over two cores). forward() sets OpenBLAS to 1 thread while its team works.
//
// A forward pass runs dozens of regions back to back, microseconds apart, so workers
// spin briefly for the next one before they sleep; a region then starts in well under a
// microsecond instead of the tens a sleeping thread needs to wake.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace gw {

// [begin, end)
struct Range {
    int64_t begin = 0, end = 0;
    int64_t size() const { return end - begin; }
};

// Part `part` of `parts` near-equal contiguous pieces of [0, n). Piece boundaries are
// multiples of `align` (e.g. 16 floats = one 64-byte cache line, so two members never
// write the same line), except the last end, which is n. Pieces may be empty.
Range share(int64_t n, int parts, int part, int64_t align = 1);

class ThreadTeam {
public:
    explicit ThreadTeam(int size);  // size >= 1 (throws gw::Error otherwise); 1 starts no thread
    ~ThreadTeam();                  // stops and joins the workers
    ThreadTeam(const ThreadTeam&) = delete;
    ThreadTeam& operator=(const ThreadTeam&) = delete;

    int size() const { return size_; }
    // Calls fn(member, i) exactly once for every piece i in [0, n), spread over the
    // members (member 0 is the calling thread; a member's scratch can be indexed by
    // `member`), and returns when all pieces are done. n <= kMaxPieces. An exception
    // thrown by any piece is rethrown here (the first one, if several throw).
    void run(int64_t n, const std::function<void(int member, int64_t i)>& fn);
    static constexpr int64_t kMaxPieces = (int64_t(1) << 20) - 1;

private:
    struct Shared;
    int size_ = 1;
    std::unique_ptr<Shared> shared_;
    std::vector<std::thread> workers_;
};

}  // namespace gw
