// core/cpu.h — which vector instruction set the kernels use, chosen at run time.
//
// The program is compiled for plain x86-64; the AVX2 and AVX-512 kernels are
// compiled with per-function target attributes and only called when cpuid says
// the CPU has those instructions. `--kernels ref|avx2|avx512|auto` overrides.
//
// GPTWALK_MAX_ISA=ref|avx2 (environment) caps the sets that count as supported, so one
// machine can run the whole program as a CPU without AVX-512 (or without any vector
// unit) would: `GPTWALK_MAX_ISA=ref make test`. Unset (or avx512): no cap.
#pragma once
#include <string_view>

namespace gw {

enum class Isa { Ref, Avx2, Avx512 };

Isa best_isa();                        // the best set this CPU supports (Ref if not x86)
bool isa_supported(Isa isa);           // can this CPU run kernels of that set, within the cap?
bool cpu_has(Isa isa);                 // does the CPU itself have that set (cap ignored)?
Isa isa_cap();                         // GPTWALK_MAX_ISA, Avx512 when unset; throws gw::Error
                                       // (one line, the value quoted) for a name it does not know
Isa parse_isa(std::string_view name);  // "ref" | "avx2" | "avx512" | "auto"; throws UsageError
                                       // (and gw::Error if the CPU lacks the requested set)
const char* isa_name(Isa isa);         // "ref", "avx2", "avx512"

}  // namespace gw
