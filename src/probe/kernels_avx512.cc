// AVX-512 kernels. No standard-library code here: an inline function
// instantiated in this file would be compiled with AVX-512 and might be the
// copy the linker keeps for the whole program. This file alone is compiled with -mavx512f
// -mavx512bw -mavx512vl -mavx512bf16 -mavx512vnni -mavx2 -mfma (src/probe/CMakeLists.txt); its
// functions run only after the dispatch saw avx512f (and avx512_bf16 / avx512_vnni for those
// kernels) in the host's ISA.

#include <immintrin.h>

#include "probe/detail/kernel_functions.h"

namespace dnnroof::detail::avx512 {
namespace {

// 12 accumulators: an FMA has a latency of 4 cycles and two pipes issue one
// each per cycle, so 8 independent chains keep them busy; 12 leave margin
// for the bf16/int8 dot products (latency 5-6) and stay within 32 registers.
constexpr int kAcc = 12;

double sum_lanes(const double* lanes, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += lanes[i];
  return s;
}

}  // namespace

double fp64_fma(std::uint64_t iterations, double x) {
  const __m512d m = _mm512_set1_pd(x);
  __m512d acc[kAcc];
  for (auto& a : acc) a = _mm512_setzero_pd();
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kAcc; ++j) acc[j] = _mm512_fmadd_pd(acc[j], m, m);
  }
  double total = 0;
  for (auto& a : acc) {
    alignas(64) double lanes[8];
    _mm512_store_pd(lanes, a);
    total += sum_lanes(lanes, 8);
  }
  return total;
}

double fp32_fma(std::uint64_t iterations, double x) {
  const __m512 m = _mm512_set1_ps(static_cast<float>(x));
  __m512 acc[kAcc];
  for (auto& a : acc) a = _mm512_setzero_ps();
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kAcc; ++j) acc[j] = _mm512_fmadd_ps(acc[j], m, m);
  }
  double total = 0;
  for (auto& a : acc) {
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, a);
    for (float v : lanes) total += v;
  }
  return total;
}

// VDPBF16PS: each fp32 lane += a[2i] * b[2i] + a[2i+1] * b[2i+1] (bf16
// inputs): 16 lanes x 2 = 32 multiply-adds per instruction.
double bf16_dot(std::uint64_t iterations, double x) {
  const __m512 xs = _mm512_set1_ps(static_cast<float>(x));
  const __m512bh m = _mm512_cvtne2ps_pbh(xs, xs);
  __m512 acc[kAcc];
  for (auto& a : acc) a = _mm512_setzero_ps();
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kAcc; ++j) acc[j] = _mm512_dpbf16_ps(acc[j], m, m);
  }
  double total = 0;
  for (auto& a : acc) {
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, a);
    for (float v : lanes) total += v;
  }
  return total;
}

// VPDPBUSD: each int32 lane += sum of 4 products u8 x s8: 16 lanes x 4 = 64
// multiply-adds per instruction.
double int8_dot(std::uint64_t iterations, double x) {
  const __m512i m = _mm512_set1_epi8(static_cast<char>(static_cast<int>(x)));
  __m512i acc[kAcc];
  for (auto& a : acc) a = _mm512_setzero_si512();
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kAcc; ++j) acc[j] = _mm512_dpbusd_epi32(acc[j], m, m);
  }
  double total = 0;
  for (auto& a : acc) {
    alignas(64) std::int32_t lanes[16];
    _mm512_store_si512(lanes, a);
    for (std::int32_t v : lanes) total += v;
  }
  return total;
}

double read_pass(double* a, const double*, const double*, std::size_t n, double) {
  __m512d s[8];
  for (auto& v : s) v = _mm512_setzero_pd();
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    for (std::size_t j = 0; j < 8; ++j) s[j] = _mm512_add_pd(s[j], _mm512_loadu_pd(a + i + 8 * j));
  }
  double total = 0;
  for (auto& v : s) {
    alignas(64) double lanes[8];
    _mm512_store_pd(lanes, v);
    total += sum_lanes(lanes, 8);
  }
  for (; i < n; ++i) total += a[i];
  return total;
}

double copy_pass(double* a, const double* b, const double*, std::size_t n, double) {
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (std::size_t j = 0; j < 4; ++j) {
      _mm512_storeu_pd(a + i + 8 * j, _mm512_loadu_pd(b + i + 8 * j));
    }
  }
  for (; i < n; ++i) a[i] = b[i];
  return n > 0 ? a[n - 1] : 0.0;
}

double triad_pass(double* a, const double* b, const double* c, std::size_t n, double scalar) {
  const __m512d s = _mm512_set1_pd(scalar);
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (std::size_t j = 0; j < 4; ++j) {
      const std::size_t k = i + 8 * j;
      _mm512_storeu_pd(a + k, _mm512_fmadd_pd(s, _mm512_loadu_pd(c + k), _mm512_loadu_pd(b + k)));
    }
  }
  for (; i < n; ++i) a[i] = b[i] + scalar * c[i];
  return n > 0 ? a[n - 1] : 0.0;
}

}  // namespace dnnroof::detail::avx512
