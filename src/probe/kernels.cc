#include "probe/kernels.h"

#include <array>

#include "probe/detail/kernel_functions.h"

namespace dnnroof {

namespace {

// Accumulator counts match the loops in kernels_<level>.cc.
constexpr std::array<ComputeKernel, 2> kPortableCompute{{
    {"portable-fp64-muladd", SimdIsa::portable, DType::fp64, "", 8, 1, detail::portable::fp64_fma},
    {"portable-fp32-muladd", SimdIsa::portable, DType::fp32, "", 8, 1, detail::portable::fp32_fma},
}};
constexpr std::array<MemoryKernel, 3> kPortableMemory{{
    {MemoryKernelKind::read, SimdIsa::portable, detail::portable::read_pass},
    {MemoryKernelKind::copy, SimdIsa::portable, detail::portable::copy_pass},
    {MemoryKernelKind::triad, SimdIsa::portable, detail::portable::triad_pass},
}};

#if defined(__x86_64__)
constexpr std::array<ComputeKernel, 2> kSse2Compute{{
    {"sse2-fp64-muladd", SimdIsa::sse2, DType::fp64, "", 12, 2, detail::sse2::fp64_fma},
    {"sse2-fp32-muladd", SimdIsa::sse2, DType::fp32, "", 12, 4, detail::sse2::fp32_fma},
}};
constexpr std::array<MemoryKernel, 3> kSse2Memory{{
    {MemoryKernelKind::read, SimdIsa::sse2, detail::sse2::read_pass},
    {MemoryKernelKind::copy, SimdIsa::sse2, detail::sse2::copy_pass},
    {MemoryKernelKind::triad, SimdIsa::sse2, detail::sse2::triad_pass},
}};
constexpr std::array<ComputeKernel, 2> kAvx2Compute{{
    {"avx2-fp64-fma", SimdIsa::avx2, DType::fp64, "", 10, 4, detail::avx2::fp64_fma},
    {"avx2-fp32-fma", SimdIsa::avx2, DType::fp32, "", 10, 8, detail::avx2::fp32_fma},
}};
constexpr std::array<MemoryKernel, 3> kAvx2Memory{{
    {MemoryKernelKind::read, SimdIsa::avx2, detail::avx2::read_pass},
    {MemoryKernelKind::copy, SimdIsa::avx2, detail::avx2::copy_pass},
    {MemoryKernelKind::triad, SimdIsa::avx2, detail::avx2::triad_pass},
}};
constexpr std::array<ComputeKernel, 4> kAvx512Compute{{
    {"avx512-fp64-fma", SimdIsa::avx512, DType::fp64, "", 12, 8, detail::avx512::fp64_fma},
    {"avx512-fp32-fma", SimdIsa::avx512, DType::fp32, "", 12, 16, detail::avx512::fp32_fma},
    {"avx512-bf16-vdpbf16ps", SimdIsa::avx512, DType::bf16, "avx512_bf16", 12, 32,
     detail::avx512::bf16_dot},
    {"avx512-int8-vpdpbusd", SimdIsa::avx512, DType::int8, "avx512_vnni", 12, 64,
     detail::avx512::int8_dot},
}};
constexpr std::array<MemoryKernel, 3> kAvx512Memory{{
    {MemoryKernelKind::read, SimdIsa::avx512, detail::avx512::read_pass},
    {MemoryKernelKind::copy, SimdIsa::avx512, detail::avx512::copy_pass},
    {MemoryKernelKind::triad, SimdIsa::avx512, detail::avx512::triad_pass},
}};
#endif

}  // namespace

std::string_view memory_kernel_name(MemoryKernelKind kind) {
  switch (kind) {
    case MemoryKernelKind::read:
      return "read";
    case MemoryKernelKind::copy:
      return "copy";
    case MemoryKernelKind::triad:
      return "triad";
  }
  return "?";
}

int arrays_touched(MemoryKernelKind kind) {
  switch (kind) {
    case MemoryKernelKind::read:
      return 1;
    case MemoryKernelKind::copy:
      return 2;
    case MemoryKernelKind::triad:
      return 3;
  }
  return 0;
}

double bytes_moved(MemoryKernelKind kind, std::size_t elements) {
  return static_cast<double>(arrays_touched(kind)) * static_cast<double>(elements) * sizeof(double);
}

std::span<const ComputeKernel> compute_kernels_for(SimdIsa isa) {
  switch (isa) {
    case SimdIsa::portable:
      return kPortableCompute;
#if defined(__x86_64__)
    case SimdIsa::sse2:
      return kSse2Compute;
    case SimdIsa::avx2:
      return kAvx2Compute;
    case SimdIsa::avx512:
      return kAvx512Compute;
#endif
    default:
      return {};
  }
}

std::span<const MemoryKernel> memory_kernels_for(SimdIsa isa) {
  switch (isa) {
    case SimdIsa::portable:
      return kPortableMemory;
#if defined(__x86_64__)
    case SimdIsa::sse2:
      return kSse2Memory;
    case SimdIsa::avx2:
      return kAvx2Memory;
    case SimdIsa::avx512:
      return kAvx512Memory;
#endif
    default:
      return {};
  }
}

}  // namespace dnnroof
