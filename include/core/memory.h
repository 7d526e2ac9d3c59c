// core/memory.h — how much memory a run may still take, asked before it allocates.
//
// A hostile config.json (1000 layers, 50000 positions) can make a small run ask for
// gigabytes. Linux grants the allocation anyway (it overcommits) and the run dies later in
// the out-of-memory killer, or drags the machine into swap. So the buffers that grow with
// the input (the KV cache, attention's scratch, a trace, the logits of a long prompt) are
// checked before they are allocated, against what the machine has available NOW:
// MemAvailable of /proc/meminfo (the kernel's estimate of what can be allocated without
// swapping), and no more than the memory limit of the process's cgroup (a container).
#pragma once
#include <cstdint>
#include <string>

namespace gw {

// Bytes available to this process now; UINT64_MAX when /proc/meminfo cannot be read.
uint64_t available_memory_bytes();

// Throws gw::Error "<what> needs X GiB, but only Y GiB of memory is available" when
// `bytes` is more than available_memory_bytes().
void require_memory(double bytes, const std::string& what);

// Bytes as a short text: "3.2 GiB", "512 MiB", "12 KiB".
std::string memory_text(double bytes);

}  // namespace gw
