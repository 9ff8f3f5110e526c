#pragma once
// Which vector instruction set the probe's kernels run with. One binary holds
// kernels for every level (each compiled in its own translation unit with its
// own -m flags) and picks, at run time, the widest one the CPU and the OS
// support, so it runs on any x86-64 (and, with the portable kernels, on any
// other CPU).

#include <string>
#include <string_view>
#include <vector>

namespace dnnroof {

enum class SimdIsa {
  portable,  // plain C++ (no intrinsics): any CPU
  sse2,      // x86-64 baseline, 128-bit, separate multiply and add
  avx2,      // 256-bit with FMA (needs avx2 and fma)
  avx512,    // 512-bit (needs avx512f)
};

// "portable", "sse2", "avx2", "avx512".
std::string_view simd_isa_name(SimdIsa isa);

// The widest level present in `isa_flags` (HostInfo::isa spelling: "avx2",
// "fma", "avx512f", ...): avx512 with "avx512f", avx2 with "avx2" and "fma",
// else sse2 on x86-64 and portable elsewhere. Pure: the flags decide, not the
// CPU this runs on.
SimdIsa best_simd_isa(const std::vector<std::string>& isa_flags);

// True when `flag` is in `isa_flags`.
bool has_isa_flag(const std::vector<std::string>& isa_flags, std::string_view flag);

// True when kernels of `isa` were compiled into this binary (avx2/avx512/sse2
// only on x86-64 builds).
bool simd_isa_compiled(SimdIsa isa);

}  // namespace dnnroof
