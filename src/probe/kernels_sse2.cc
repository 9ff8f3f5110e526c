// SSE2 kernels (128-bit, the x86-64 baseline: every x86-64 CPU runs them).
// SSE2 has no FMA: a multiply-add step is a multiply and an add, 2 FLOP per
// lane as an FMA counts.

#include <emmintrin.h>

#include "probe/detail/kernel_functions.h"

namespace dnnroof::detail::sse2 {
namespace {

// The chain acc = acc * m + m has a multiply and an add (about 8 cycles) per
// step and two pipes: 12 chains keep them busy within 16 registers.
constexpr int kAcc = 12;

}  // namespace

double fp64_fma(std::uint64_t iterations, double x) {
  const __m128d m = _mm_set1_pd(x);
  __m128d acc[kAcc];
  for (auto& a : acc) a = _mm_setzero_pd();
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kAcc; ++j) acc[j] = _mm_add_pd(_mm_mul_pd(acc[j], m), m);
  }
  double total = 0;
  for (auto& a : acc) {
    alignas(16) double lanes[2];
    _mm_store_pd(lanes, a);
    total += lanes[0] + lanes[1];
  }
  return total;
}

double fp32_fma(std::uint64_t iterations, double x) {
  const __m128 m = _mm_set1_ps(static_cast<float>(x));
  __m128 acc[kAcc];
  for (auto& a : acc) a = _mm_setzero_ps();
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kAcc; ++j) acc[j] = _mm_add_ps(_mm_mul_ps(acc[j], m), m);
  }
  double total = 0;
  for (auto& a : acc) {
    alignas(16) float lanes[4];
    _mm_store_ps(lanes, a);
    for (float v : lanes) total += v;
  }
  return total;
}

double read_pass(double* a, const double*, const double*, std::size_t n, double) {
  __m128d s[8];
  for (auto& v : s) v = _mm_setzero_pd();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (std::size_t j = 0; j < 8; ++j) s[j] = _mm_add_pd(s[j], _mm_loadu_pd(a + i + 2 * j));
  }
  double total = 0;
  for (auto& v : s) {
    alignas(16) double lanes[2];
    _mm_store_pd(lanes, v);
    total += lanes[0] + lanes[1];
  }
  for (; i < n; ++i) total += a[i];
  return total;
}

double copy_pass(double* a, const double* b, const double*, std::size_t n, double) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (std::size_t j = 0; j < 4; ++j) {
      _mm_storeu_pd(a + i + 2 * j, _mm_loadu_pd(b + i + 2 * j));
    }
  }
  for (; i < n; ++i) a[i] = b[i];
  return n > 0 ? a[n - 1] : 0.0;
}

double triad_pass(double* a, const double* b, const double* c, std::size_t n, double scalar) {
  const __m128d s = _mm_set1_pd(scalar);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (std::size_t j = 0; j < 4; ++j) {
      const std::size_t k = i + 2 * j;
      _mm_storeu_pd(a + k, _mm_add_pd(_mm_loadu_pd(b + k), _mm_mul_pd(s, _mm_loadu_pd(c + k))));
    }
  }
  for (; i < n; ++i) a[i] = b[i] + scalar * c[i];
  return n > 0 ? a[n - 1] : 0.0;
}

}  // namespace dnnroof::detail::sse2
