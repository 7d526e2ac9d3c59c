// test_memory.cpp — available memory, read before the big buffers are allocated.
#include <doctest/doctest.h>
#include <unistd.h>

#include <string>

#include "core/error.h"
#include "core/memory.h"

TEST_CASE("available memory is MemAvailable or less, and no more than the machine has") {
    const uint64_t available = gw::available_memory_bytes();
    const double total = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
    CHECK(available > 0);
    CHECK(double(available) <= total);
}

TEST_CASE("require_memory refuses what is not available, naming what asked") {
    CHECK_NOTHROW(gw::require_memory(4096, "a page"));
    try {
        gw::require_memory(1e30, "the KV cache for 10^30 bytes");
        FAIL("1e30 bytes were found available");
    } catch (const gw::Error& e) {
        const std::string m = e.what();
        CHECK(m.rfind("the KV cache for 10^30 bytes needs ", 0) == 0);
        CHECK(m.find(" of memory is available") != std::string::npos);
    }
}

TEST_CASE("memory_text: bytes in the largest unit that leaves a number >= 1") {
    CHECK(gw::memory_text(512) == "512 bytes");
    CHECK(gw::memory_text(12 * 1024) == "12 KiB");
    CHECK(gw::memory_text(3.25 * (1 << 30)) == "3.25 GiB");
    CHECK(gw::memory_text(1.5e9 * 1024 * 1024) == "1.43e+03 TiB");
}
