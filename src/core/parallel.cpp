// core/parallel.cpp — the forward pass's thread team: regions, spinning, sleeping.
#include "core/parallel.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>

#include "core/error.h"

namespace gw {

Range share(int64_t n, int parts, int part, int64_t align) {
    if (parts < 1 || part < 0 || part >= parts || align < 1 || n < 0)
        fail("share: bad split (n ", n, ", parts ", parts, ", part ", part, ", align ", align, ")");
    int64_t units = (n + align - 1) / align;  // whole aligned units, the last maybe partial
    int64_t base = units / parts, extra = units % parts;
    // The first `extra` parts get one unit more.
    int64_t begin = part * base + (part < extra ? part : extra);
    int64_t end = begin + base + (part < extra ? 1 : 0);
    Range r{begin * align, end * align};
    if (r.begin > n) r.begin = n;
    if (r.end > n) r.end = n;
    return r;
}

namespace {
// How long an idle worker keeps checking for the next region before it sleeps. Regions
// of one forward pass come microseconds apart; between forward calls (sampling, the
// caller's own work) workers should not hold a core.
constexpr auto kSpinFor = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();  // tells the core this is a spin loop (saves power, helps SMT)
#endif
}
}  // namespace

// The state of the current region in ONE atomic word, so that a single load says
// which region it is, how many pieces it has and which piece is next, and a single
// compare-and-swap claims a piece of exactly that region:
//   bits 40..63 region number (wraps; only compared for change)
//   bits 20..39 n, the region's number of pieces
//   bits  0..19 next, the first piece nobody has claimed yet
struct Word {
    uint64_t bits;
    uint64_t region() const { return bits >> 40; }
    int64_t n() const { return int64_t((bits >> 20) & 0xFFFFF); }
    int64_t next() const { return int64_t(bits & 0xFFFFF); }
    static uint64_t make(uint64_t region, int64_t n) {
        return ((region & 0xFFFFFF) << 40) | (uint64_t(n) << 20);
    }
};

struct ThreadTeam::Shared {
    std::atomic<uint64_t> word{0};        // see Word
    std::atomic<int64_t> done{0};         // pieces finished in the current region
    std::atomic<int> sleepers{0};         // workers blocked on `wake`
    std::atomic<bool> stop{false};
    const std::function<void(int, int64_t)>* fn = nullptr;  // the current region's work
    std::mutex mutex;                     // guards sleeping and `error`
    std::condition_variable wake;
    std::exception_ptr error;

    void record(std::exception_ptr e) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = e;
    }

    // Claims and runs pieces of the region in `seen` until none is left or the region
    // has changed. The compare-and-swap only succeeds while that region is current and
    // the piece unclaimed, and main() cannot finish a region with a piece unfinished, so
    // fn is that region's function while the piece runs.
    void work(int member, Word seen) {
        uint64_t w = seen.bits;
        for (;;) {
            Word cur{w};
            if (cur.region() != seen.region() || cur.next() >= cur.n()) return;
            if (!word.compare_exchange_weak(w, w + 1)) continue;  // w reloaded: try again
            try {
                (*fn)(member, cur.next());
            } catch (...) {
                record(std::current_exception());
            }
            done.fetch_add(1);
            w = word.load();
        }
    }

    // Waits until the region number differs from `seen` or the team stops.
    void wait_for_region(uint64_t seen) {
        auto changed = [&] { return Word{word.load()}.region() != seen || stop.load(); };
        auto start = std::chrono::steady_clock::now();
        for (int spins = 0;; spins++) {
            if (changed()) return;
            cpu_relax();
            if (spins % 1024 == 1023 && std::chrono::steady_clock::now() - start > kSpinFor) break;
        }
        std::unique_lock<std::mutex> lock(mutex);
        sleepers++;  // seq_cst: run() either sees us asleep or we see its new region
        wake.wait(lock, changed);
        sleepers--;
    }

    void worker(int member) {
        uint64_t seen = 0;  // region 0 is the empty one the team starts with
        for (;;) {
            wait_for_region(seen);
            if (stop.load()) return;
            Word w{word.load()};
            seen = w.region();
            work(member, w);
        }
    }
};

ThreadTeam::ThreadTeam(int size) : size_(size), shared_(std::make_unique<Shared>()) {
    if (size < 1) fail("thread team: size must be at least 1, got ", size);
    for (int m = 1; m < size; m++) workers_.emplace_back([this, m] { shared_->worker(m); });
}

ThreadTeam::~ThreadTeam() {
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        shared_->stop = true;
    }
    shared_->wake.notify_all();
    for (std::thread& t : workers_) t.join();
}

void ThreadTeam::run(int64_t n, const std::function<void(int member, int64_t i)>& fn) {
    if (n < 0 || n > kMaxPieces) fail("thread team: ", n, " pieces (at most ", kMaxPieces, ")");
    if (size_ == 1 || n <= 1) {  // nothing to share: no hand-over at all
        for (int64_t i = 0; i < n; i++) fn(0, i);
        return;
    }
    Shared& s = *shared_;
    s.fn = &fn;
    s.error = nullptr;
    s.done.store(0);
    Word w{Word::make(Word{s.word.load()}.region() + 1, n)};
    s.word.store(w.bits);  // seq_cst, paired with the worker's sleepers++ (no lost wake-up)
    if (s.sleepers.load() > 0) {
        std::lock_guard<std::mutex> lock(s.mutex);  // a sleeper is waiting or about to check
        s.wake.notify_all();
    }
    s.work(0, w);
    // Every piece is claimed; wait for those other members are still running. On a busy
    // machine a member may have lost its core, and then we give ours up while we wait.
    for (int spins = 1; s.done.load() < n; spins++) {
        cpu_relax();
        if (spins % 4096 == 0) std::this_thread::yield();
    }
    if (s.error) std::rethrow_exception(s.error);
}

}  // namespace gw
