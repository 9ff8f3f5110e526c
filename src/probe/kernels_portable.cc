// Portable kernels: plain C++ for CPUs without a SIMD level of our own
// (non-x86). The compiler may vectorise them for the build's baseline.

#include "probe/detail/kernel_functions.h"

namespace dnnroof::detail::portable {
namespace {

constexpr int kAcc = 8;

template <typename T>
double multiply_add_chains(std::uint64_t iterations, T m) {
  T acc[kAcc] = {};
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kAcc; ++j) acc[j] = acc[j] * m + m;
  }
  double total = 0;
  for (T a : acc) total += static_cast<double>(a);
  return total;
}

}  // namespace

double fp64_fma(std::uint64_t iterations, double x) { return multiply_add_chains(iterations, x); }

double fp32_fma(std::uint64_t iterations, double x) {
  return multiply_add_chains(iterations, static_cast<float>(x));
}

double read_pass(double* a, const double*, const double*, std::size_t n, double) {
  double s[4] = {};
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (std::size_t j = 0; j < 4; ++j) s[j] += a[i + j];
  }
  double total = s[0] + s[1] + s[2] + s[3];
  for (; i < n; ++i) total += a[i];
  return total;
}

double copy_pass(double* a, const double* b, const double*, std::size_t n, double) {
  for (std::size_t i = 0; i < n; ++i) a[i] = b[i];
  return n > 0 ? a[n - 1] : 0.0;
}

double triad_pass(double* a, const double* b, const double* c, std::size_t n, double scalar) {
  for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + scalar * c[i];
  return n > 0 ? a[n - 1] : 0.0;
}

}  // namespace dnnroof::detail::portable
