// core/cpu.cpp — which vector instruction set the kernels may use (lesson 05).
//
// The compiler's __builtin_cpu_supports reads cpuid (and, for AVX/AVX-512, checks
// that the operating system saves the wide registers). The kernels need:
//   avx2   : AVX2 + FMA + F16C (8 floats a register, fused multiply-add, F16 <-> F32;
//            every CPU with AVX2 has F16C too, but it is its own cpuid bit)
//   avx512 : AVX-512 Foundation (16 floats a register, mask registers)
// Asked on every call rather than cached: it is a few instructions (and one getenv for
// the cap), and caching would need hidden state (docs/conventions.md).
#include "core/cpu.h"

#include <cstdlib>
#include <string_view>

#include "core/error.h"

namespace gw {

bool cpu_has(Isa isa) {
    switch (isa) {
        case Isa::Ref: return true;
#if defined(__x86_64__)
        case Isa::Avx2:
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
        case Isa::Avx512: return __builtin_cpu_supports("avx512f");
#else
        case Isa::Avx2: return false;
        case Isa::Avx512: return false;
#endif
    }
    return false;
}

Isa isa_cap() {
    const char* v = std::getenv("GPTWALK_MAX_ISA");
    if (!v || !*v) return Isa::Avx512;
    std::string_view name(v);
    if (name == "ref") return Isa::Ref;
    if (name == "avx2") return Isa::Avx2;
    if (name == "avx512") return Isa::Avx512;
    fail("GPTWALK_MAX_ISA='", name, "' is not a kernel set: choose ref, avx2 or avx512 (or unset it)");
}

// The sets are ordered Ref < Avx2 < Avx512, and each kernel set needs only its own
// instructions, so a cap at avx2 leaves ref and avx2.
bool isa_supported(Isa isa) { return int(isa) <= int(isa_cap()) && cpu_has(isa); }

Isa best_isa() {
    if (isa_supported(Isa::Avx512)) return Isa::Avx512;
    if (isa_supported(Isa::Avx2)) return Isa::Avx2;
    return Isa::Ref;
}

const char* isa_name(Isa isa) {
    switch (isa) {
        case Isa::Ref: return "ref";
        case Isa::Avx2: return "avx2";
        case Isa::Avx512: return "avx512";
    }
    return "?";
}

// What each set needs from the CPU, for the error message.
static const char* isa_needs(Isa isa) {
    switch (isa) {
        case Isa::Ref: return "nothing";
        case Isa::Avx2: return "avx2, fma and f16c";
        case Isa::Avx512: return "avx512f";
    }
    return "?";
}

Isa parse_isa(std::string_view name) {
    if (name == "auto") return best_isa();
    Isa isa;
    if (name == "ref")
        isa = Isa::Ref;
    else if (name == "avx2")
        isa = Isa::Avx2;
    else if (name == "avx512")
        isa = Isa::Avx512;
    else
        throw UsageError(cat("unknown kernel set '", name, "': choose ref, avx2, avx512 or auto"));
    if (!cpu_has(isa))
        fail("kernel set '", name, "' needs ", isa_needs(isa),
             ", which this CPU lacks; the best here is '", isa_name(best_isa()), "' (use auto)");
    if (!isa_supported(isa))
        fail("kernel set '", name, "' is above GPTWALK_MAX_ISA=", isa_name(isa_cap()),
             "; the best allowed here is '", isa_name(best_isa()), "' (use auto)");
    return isa;
}

}  // namespace gw
