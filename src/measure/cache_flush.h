#pragma once
// Cold-cache measurements: evict the last-level cache between iterations by
// touching a buffer larger than it (nvbench flushes the GPU's L2 the same way
// with a device buffer; that one belongs in src/exec).

#include <cstddef>
#include <cstdint>

namespace dnnroof {

// Writes every byte of a private buffer of `bytes` (kept per thread between
// calls, grown when needed), then reads one byte of every 64-byte line back,
// so that whatever was cached before is evicted. Pass at least twice the LLC
// size (HostInfo::l3_bytes). Returns the sum of the bytes read, which the
// caller may ignore: call number c (0-based, per thread) writes the value
// c % 251 + 1, so the sum is ceil(bytes / 64) times that value.
std::uint64_t flush_cache(std::size_t bytes);

}  // namespace dnnroof
