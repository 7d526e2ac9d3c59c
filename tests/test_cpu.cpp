// test_cpu.cpp — instruction-set detection and the --kernels names.
// The independent reference for detection is the kernel's own view of the CPU,
// the "flags" line of /proc/cpuinfo (Linux).
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/cpu.h"
#include "core/error.h"

using namespace gw;

TEST_CASE("isa names round-trip and auto picks the best supported set") {
    CHECK(std::string(isa_name(Isa::Ref)) == "ref");
    CHECK(std::string(isa_name(Isa::Avx2)) == "avx2");
    CHECK(std::string(isa_name(Isa::Avx512)) == "avx512");
    CHECK(parse_isa("ref") == Isa::Ref);  // always available
    CHECK(isa_supported(Isa::Ref));
    CHECK(parse_isa("auto") == best_isa());
    CHECK(isa_supported(best_isa()));
    for (Isa isa : {Isa::Ref, Isa::Avx2, Isa::Avx512})
        if (isa_supported(isa)) CHECK(parse_isa(isa_name(isa)) == isa);
    // best = the widest supported
    Isa want = isa_supported(Isa::Avx512) ? Isa::Avx512
               : isa_supported(Isa::Avx2) ? Isa::Avx2
                                          : Isa::Ref;
    CHECK(best_isa() == want);
    MESSAGE(cat("this CPU: best kernel set is ", isa_name(best_isa())));
}

TEST_CASE("parse_isa: unknown names are usage errors that list the choices") {
    for (const char* bad : {"", "sse", "AVX2", "avx-512", "native", "avx512 "}) {
        CAPTURE(bad);
        try {
            parse_isa(bad);
            FAIL_CHECK("no exception");
        } catch (const UsageError& e) {
            std::string msg = e.what();
            CHECK(msg.find(std::string("'") + bad + "'") != std::string::npos);
            CHECK(msg.find("ref, avx2, avx512 or auto") != std::string::npos);
            CHECK(msg.find('\n') == std::string::npos);  // one line
        }
    }
}

TEST_CASE("parse_isa: a known set this CPU lacks is an Error (not a usage error)") {
    int lacking = 0;
    for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
        if (cpu_has(isa)) continue;  // (a set above GPTWALK_MAX_ISA: the test below)
        lacking++;
        try {
            parse_isa(isa_name(isa));
            FAIL_CHECK(cat("no exception for ", isa_name(isa)));
        } catch (const UsageError&) {
            FAIL_CHECK(cat("a usage error for a known name: ", isa_name(isa)));
        } catch (const Error& e) {
            CHECK(std::string(e.what()).find("lacks") != std::string::npos);
        }
    }
    if (lacking == 0)
        MESSAGE("skipped: this CPU supports every kernel set, so none can be refused");
}

TEST_CASE("detection agrees with /proc/cpuinfo") {
#if defined(__x86_64__) && defined(__linux__)
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    std::set<std::string> flags;
    while (std::getline(f, line))
        if (line.rfind("flags", 0) == 0) {
            std::istringstream words(line.substr(line.find(':') + 1));
            for (std::string w; words >> w;) flags.insert(w);
            break;
        }
    if (flags.empty()) {
        MESSAGE("skipped: no flags line in /proc/cpuinfo");
        return;
    }
    CHECK(cpu_has(Isa::Avx2) == (flags.count("avx2") && flags.count("fma") && flags.count("f16c")));
    CHECK(cpu_has(Isa::Avx512) == bool(flags.count("avx512f")));
#else
    MESSAGE("skipped: needs Linux on x86-64");
#endif
}

// Sets GPTWALK_MAX_ISA for one scope and puts back what the environment had (CI runs this
// whole suite with the variable already set).
struct CapScope {
    std::string old;
    bool had;
    explicit CapScope(const char* value) : had(std::getenv("GPTWALK_MAX_ISA") != nullptr) {
        if (had) old = std::getenv("GPTWALK_MAX_ISA");
        setenv("GPTWALK_MAX_ISA", value, 1);
    }
    ~CapScope() {
        if (had)
            setenv("GPTWALK_MAX_ISA", old.c_str(), 1);
        else
            unsetenv("GPTWALK_MAX_ISA");
    }
};

TEST_CASE("GPTWALK_MAX_ISA caps what counts as supported, and nothing else") {
    for (Isa cap : {Isa::Ref, Isa::Avx2, Isa::Avx512}) {
        CapScope scope(isa_name(cap));
        CAPTURE(isa_name(cap));
        CHECK(isa_cap() == cap);
        for (Isa isa : {Isa::Ref, Isa::Avx2, Isa::Avx512}) {
            CAPTURE(isa_name(isa));
            CHECK(isa_supported(isa) == (cpu_has(isa) && int(isa) <= int(cap)));
            if (cpu_has(isa) && int(isa) > int(cap)) {
                // asking for a set above the cap by name is refused, saying why
                try {
                    parse_isa(isa_name(isa));
                    FAIL_CHECK("no exception");
                } catch (const UsageError&) {
                    FAIL_CHECK("a usage error for a known name");
                } catch (const Error& e) {
                    CHECK(std::string(e.what()).find("GPTWALK_MAX_ISA") != std::string::npos);
                }
            }
        }
        CHECK(int(best_isa()) <= int(cap));
    }
    {
        CapScope scope("");  // empty is the same as unset
        CHECK(isa_cap() == Isa::Avx512);
    }
}

TEST_CASE("GPTWALK_MAX_ISA: a name it does not know is one line that quotes it") {
    for (const char* bad : {"AVX2", "sse4", "auto", "avx512 "}) {
        CapScope scope(bad);
        CAPTURE(bad);
        try {
            best_isa();
            FAIL_CHECK("no exception");
        } catch (const Error& e) {
            std::string msg = e.what();
            CHECK(msg.find(std::string("'") + bad + "'") != std::string::npos);
            CHECK(msg.find('\n') == std::string::npos);
        }
    }
}
