// AVX2 + FMA kernels (256-bit). Compiled alone with -mavx2 -mfma; run only
// after the dispatch saw avx2 and fma. No standard-library code here (see
// kernels_avx512.cc for why).

#include <immintrin.h>

#include "probe/detail/kernel_functions.h"

namespace dnnroof::detail::avx2 {
namespace {

// 10 accumulators: FMA latency 4-5 cycles x 2 pipes, within 16 registers.
constexpr int kAcc = 10;

}  // namespace

double fp64_fma(std::uint64_t iterations, double x) {
  const __m256d m = _mm256_set1_pd(x);
  __m256d acc[kAcc];
  for (auto& a : acc) a = _mm256_setzero_pd();
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kAcc; ++j) acc[j] = _mm256_fmadd_pd(acc[j], m, m);
  }
  double total = 0;
  for (auto& a : acc) {
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, a);
    for (double v : lanes) total += v;
  }
  return total;
}

double fp32_fma(std::uint64_t iterations, double x) {
  const __m256 m = _mm256_set1_ps(static_cast<float>(x));
  __m256 acc[kAcc];
  for (auto& a : acc) a = _mm256_setzero_ps();
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kAcc; ++j) acc[j] = _mm256_fmadd_ps(acc[j], m, m);
  }
  double total = 0;
  for (auto& a : acc) {
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, a);
    for (float v : lanes) total += v;
  }
  return total;
}

double read_pass(double* a, const double*, const double*, std::size_t n, double) {
  __m256d s[8];
  for (auto& v : s) v = _mm256_setzero_pd();
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (std::size_t j = 0; j < 8; ++j) s[j] = _mm256_add_pd(s[j], _mm256_loadu_pd(a + i + 4 * j));
  }
  double total = 0;
  for (auto& v : s) {
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, v);
    for (double l : lanes) total += l;
  }
  for (; i < n; ++i) total += a[i];
  return total;
}

double copy_pass(double* a, const double* b, const double*, std::size_t n, double) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (std::size_t j = 0; j < 4; ++j) {
      _mm256_storeu_pd(a + i + 4 * j, _mm256_loadu_pd(b + i + 4 * j));
    }
  }
  for (; i < n; ++i) a[i] = b[i];
  return n > 0 ? a[n - 1] : 0.0;
}

double triad_pass(double* a, const double* b, const double* c, std::size_t n, double scalar) {
  const __m256d s = _mm256_set1_pd(scalar);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (std::size_t j = 0; j < 4; ++j) {
      const std::size_t k = i + 4 * j;
      _mm256_storeu_pd(a + k, _mm256_fmadd_pd(s, _mm256_loadu_pd(c + k), _mm256_loadu_pd(b + k)));
    }
  }
  for (; i < n; ++i) a[i] = b[i] + scalar * c[i];
  return n > 0 ? a[n - 1] : 0.0;
}

}  // namespace dnnroof::detail::avx2
