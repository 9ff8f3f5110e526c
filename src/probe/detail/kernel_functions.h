#pragma once
// Private to src/probe: the kernel functions of each SIMD level, defined in
// kernels_<level>.cc (each compiled with its own flags). kernels.cc gathers
// them into the ComputeKernel / MemoryKernel tables; see kernels.h for what
// each computes and returns.

#include <cstddef>
#include <cstdint>

#define DNNROOF_PROBE_KERNEL_FUNCTIONS                                                    \
  double fp64_fma(std::uint64_t iterations, double x);                                    \
  double fp32_fma(std::uint64_t iterations, double x);                                    \
  double read_pass(double* a, const double* b, const double* c, std::size_t n, double s); \
  double copy_pass(double* a, const double* b, const double* c, std::size_t n, double s); \
  double triad_pass(double* a, const double* b, const double* c, std::size_t n, double s);

namespace dnnroof::detail {
namespace portable {
DNNROOF_PROBE_KERNEL_FUNCTIONS
}  // namespace portable
#if defined(__x86_64__)
namespace sse2 {
DNNROOF_PROBE_KERNEL_FUNCTIONS
}  // namespace sse2
namespace avx2 {
DNNROOF_PROBE_KERNEL_FUNCTIONS
}  // namespace avx2
namespace avx512 {
DNNROOF_PROBE_KERNEL_FUNCTIONS
double bf16_dot(std::uint64_t iterations, double x);
double int8_dot(std::uint64_t iterations, double x);
}  // namespace avx512
#endif
}  // namespace dnnroof::detail

#undef DNNROOF_PROBE_KERNEL_FUNCTIONS
