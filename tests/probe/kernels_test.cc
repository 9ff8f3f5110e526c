// The kernels count their work right: multiply-adds per iteration derived by
// hand from each loop's accumulators and lanes, checked against the count the
// kernel reports and against what the kernel really computed (with every
// operand 1, each multiply-add adds exactly 1 to the sum of the lanes).

#include "probe/kernels.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "hw/host.h"
#include "probe/isa.h"
#include "probe/probe.h"

namespace dnnroof {
namespace {

// Multiply-adds per iteration, by hand: accumulators x lanes (x 2 for the
// bf16 pair dot product, x 4 for the int8 quad dot product).
const std::map<std::string, double>& hand_macs_per_iteration() {
  static const std::map<std::string, double> m{
      {"portable-fp64-muladd", 8 * 1},
      {"portable-fp32-muladd", 8 * 1},
      {"sse2-fp64-muladd", 12 * 2},
      {"sse2-fp32-muladd", 12 * 4},
      {"avx2-fp64-fma", 10 * 4},
      {"avx2-fp32-fma", 10 * 8},
      {"avx512-fp64-fma", 12 * 8},
      {"avx512-fp32-fma", 12 * 16},
      {"avx512-bf16-vdpbf16ps", 12 * 16 * 2},
      {"avx512-int8-vpdpbusd", 12 * 16 * 4},
  };
  return m;
}

// The levels this CPU runs, from the host's flags: the best one and those
// below it.
std::vector<SimdIsa> runnable_levels() {
  const SimdIsa best = best_simd_isa(detect_host_info().isa);
  std::vector<SimdIsa> out;
  for (SimdIsa isa : {SimdIsa::portable, SimdIsa::sse2, SimdIsa::avx2, SimdIsa::avx512}) {
    if (simd_isa_compiled(isa) && static_cast<int>(isa) <= static_cast<int>(best)) {
      out.push_back(isa);
    }
  }
  return out;
}

TEST(ComputeKernels, CountTheirFlopsExactly) {
  const auto flags = detect_host_info().isa;
  int checked = 0;
  for (SimdIsa isa : runnable_levels()) {
    for (const ComputeKernel& k : compute_kernels_for(isa)) {
      SCOPED_TRACE(std::string(k.name));
      auto it = hand_macs_per_iteration().find(std::string(k.name));
      ASSERT_NE(it, hand_macs_per_iteration().end()) << "no hand count for this kernel";
      EXPECT_EQ(k.macs(100), 100 * it->second);
      EXPECT_EQ(k.flops(100), 2 * 100 * it->second);
      if (!k.needs_flag.empty() && !has_isa_flag(flags, k.needs_flag)) continue;
      // The loop really does that many multiply-adds.
      EXPECT_EQ(k.run(100, 1.0), 100 * it->second);
      EXPECT_EQ(k.run(7, 1.0), 7 * it->second);
      EXPECT_EQ(k.run(0, 1.0), 0.0);
      ++checked;
    }
  }
  EXPECT_GE(checked, 2);
}

TEST(ComputeKernels, TablesHaveEveryLevel) {
  EXPECT_EQ(compute_kernels_for(SimdIsa::portable).size(), 2u);
#if defined(__x86_64__)
  EXPECT_EQ(compute_kernels_for(SimdIsa::sse2).size(), 2u);
  EXPECT_EQ(compute_kernels_for(SimdIsa::avx2).size(), 2u);
  EXPECT_EQ(compute_kernels_for(SimdIsa::avx512).size(), 4u);
#endif
}

TEST(MemoryKernels, CountBytesAsStreamDoes) {
  // 1000 doubles: read touches 1 array, copy 2, triad 3; 8 B each.
  EXPECT_EQ(bytes_moved(MemoryKernelKind::read, 1000), 8000.0);
  EXPECT_EQ(bytes_moved(MemoryKernelKind::copy, 1000), 16000.0);
  EXPECT_EQ(bytes_moved(MemoryKernelKind::triad, 1000), 24000.0);
  EXPECT_EQ(bytes_moved(MemoryKernelKind::triad, 0), 0.0);
}

TEST(MemoryKernels, TouchEveryElement) {
  // 1037 = a multiple of every unrolled step plus a tail.
  constexpr std::size_t n = 1037;
  for (SimdIsa isa : runnable_levels()) {
    for (const MemoryKernel& k : memory_kernels_for(isa)) {
      SCOPED_TRACE(std::string(simd_isa_name(isa)) + " " + std::string(memory_kernel_name(k.kind)));
      std::vector<double> a(n), b(n), c(n, 2.0);
      std::iota(a.begin(), a.end(), 1.0);  // 1..N
      std::iota(b.begin(), b.end(), 0.0);  // 0..N-1
      const double r = k.run(a.data(), b.data(), c.data(), n, 3.0);
      switch (k.kind) {
        case MemoryKernelKind::read:
          EXPECT_EQ(r, 1037.0 * 1038.0 / 2);  // 1 + ... + N
          break;
        case MemoryKernelKind::copy:
          for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(a[i], static_cast<double>(i)) << i;
          EXPECT_EQ(r, 1036.0);
          break;
        case MemoryKernelKind::triad:
          for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(a[i], i + 3.0 * 2.0) << i;
          EXPECT_EQ(r, 1036.0 + 6.0);
          break;
      }
    }
  }
}

TEST(Dispatch, WidestLevelInTheFlags) {
#if defined(__x86_64__)
  EXPECT_EQ(best_simd_isa({"sse4_2", "avx", "avx2", "fma", "avx512f"}), SimdIsa::avx512);
  EXPECT_EQ(best_simd_isa({"sse4_2", "avx", "avx2", "fma"}), SimdIsa::avx2);
  EXPECT_EQ(best_simd_isa({"avx", "avx2"}), SimdIsa::sse2);  // AVX2 without FMA
  EXPECT_EQ(best_simd_isa({}), SimdIsa::sse2);
#else
  EXPECT_EQ(best_simd_isa({}), SimdIsa::portable);
#endif
}

TEST(Dispatch, PicksWhatThisCpuHas) {
  const auto flags = detect_host_info().isa;
  const std::vector<ComputeKernel> kernels = select_compute_kernels(flags);
  ASSERT_FALSE(kernels.empty());
  for (const ComputeKernel& k : kernels) {
    SCOPED_TRACE(std::string(k.name));
    if (k.isa == SimdIsa::avx512) {
      EXPECT_TRUE(has_isa_flag(flags, "avx512f"));
    }
    if (k.isa == SimdIsa::avx2) {
      EXPECT_TRUE(has_isa_flag(flags, "avx2"));
      EXPECT_TRUE(has_isa_flag(flags, "fma"));
    }
    if (k.precision == DType::bf16) {
      EXPECT_TRUE(has_isa_flag(flags, "avx512_bf16"));
    }
    if (k.precision == DType::int8) {
      EXPECT_TRUE(has_isa_flag(flags, "avx512_vnni"));
    }
  }
#if defined(__x86_64__)
  // The compiler's own view of the CPU agrees with the chosen level.
  __builtin_cpu_init();
  const SimdIsa isa = kernels.front().isa;
  if (__builtin_cpu_supports("avx512f")) {
    EXPECT_EQ(isa, SimdIsa::avx512);
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_EQ(isa, SimdIsa::avx2);
  } else {
    EXPECT_EQ(isa, SimdIsa::sse2);
  }
#endif
  // fp64 and fp32 are always there.
  EXPECT_EQ(kernels[0].precision, DType::fp64);
  EXPECT_EQ(kernels[1].precision, DType::fp32);
}

TEST(Sweep, SizesDoubleFromFourKiB) {
  EXPECT_EQ(sweep_sizes(65536, 2.0), (std::vector<double>{4096, 8192, 16384, 32768, 65536}));
  // Up to and including the first size at or past the maximum.
  EXPECT_EQ(sweep_sizes(20000, 2.0), (std::vector<double>{4096, 8192, 16384, 32768}));
}

TEST(Sweep, ElementCountsIncreaseAndRoundToTheUnroll) {
  // Triad on 2 threads: 3 arrays x 8 B x 2 threads = 48 B per element.
  // 4096/48 = 85 -> 64; 5793/48 = 120 -> 64 again (dropped); 8192/48 = 170
  // -> 128; 11585/48 = 241 -> 192; 16384/48 = 341 -> 320.
  EXPECT_EQ(sweep_element_counts({4096, 5793, 8192, 11585, 16384}, 48),
            (std::vector<std::size_t>{64, 128, 192, 320}));
  EXPECT_EQ(sweep_element_counts({100}, 48), (std::vector<std::size_t>{64}));  // at least 64
}

TEST(Sweep, CapacitiesPerThreadShare) {
  HostInfo host;
  host.physical_cores = 4;
  host.l1d_bytes = 4 * 48.0 * 1024;
  host.l2_bytes = 4 * 2.0 * 1024 * 1024;
  host.l3_bytes = 30.0 * 1024 * 1024;
  const auto one = level_capacities(host, 1);
  ASSERT_EQ(one.size(), 3u);
  EXPECT_EQ(one[0].bytes, 48.0 * 1024);
  EXPECT_EQ(one[1].bytes, 2.0 * 1024 * 1024);
  EXPECT_EQ(one[2].bytes, 30.0 * 1024 * 1024);
  const auto all = level_capacities(host, 4);
  EXPECT_EQ(all[0].bytes, 4 * 48.0 * 1024);
  EXPECT_EQ(all[2].bytes, 30.0 * 1024 * 1024);
}

TEST(RunProbe, SmallSweepHasEveryPart) {
  // Structure only (no timing asserted): a sweep to 16 KiB on 1 thread.
  ProbeOptions o;
  o.quick = true;
  o.threads = 1;
  o.max_working_set_bytes = 16384;
  std::size_t calls = 0;
  const ProbeResult r = run_probe(detect_host_info(), o, [&](const ProbeProgress& p) {
    ++calls;
    EXPECT_EQ(p.step, calls);
  });
  EXPECT_EQ(r.all_threads, 1);
  EXPECT_EQ(r.compute.size(), select_compute_kernels(r.host.isa).size());
  for (const auto& c : r.compute) EXPECT_GT(c.rate.median, 0) << c.kernel;
  const BandwidthCurve* triad = r.curve(MemoryKernelKind::triad, 1);
  ASSERT_NE(triad, nullptr);
  ASSERT_EQ(triad->points.size(), 3u);  // 4, 8, 16 KiB
  for (const auto& p : triad->points) EXPECT_GT(p.rate.median, 0);
  // 4 KiB of triad on 1 thread = 3 arrays of 170 doubles, rounded down to
  // 128 (a multiple of 64): 3 x 128 x 8 B.
  EXPECT_EQ(triad->points[0].working_set_bytes, 3 * 128 * 8.0);
  // Steps: the core clock (1 thread), the compute peaks, 3 triad sizes.
  EXPECT_EQ(calls, 1 + r.compute.size() + 3);
  // The clock was measured on the one thread count used, and is the host's now.
  // (Other counts may come from a clock saved earlier in this boot.)
  std::string origin;
  EXPECT_GT(host_clock_hz(r.host, 1, &origin), 0);
  EXPECT_EQ(origin.find("saved by dnnroof"), std::string::npos) << origin;
  EXPECT_NE(origin.find("on 1 core at once"), std::string::npos) << origin;
  EXPECT_TRUE(r.host.clock_measured);
}

}  // namespace
}  // namespace dnnroof
