// The GPU probe on a real GPU (LABELS gpu): skips cleanly without one.
#include "probe/cuda_probe.h"

#include <gtest/gtest.h>

#include "hw/cuda_query.h"
#include "probe/cuda_counts.h"
#include "probe/detail/cuda_probe_device.h"

namespace dnnroof {
namespace {

bool have_gpu() { return cuda_probe_built() && !query_cuda_devices().devices.empty(); }

TEST(CudaProbe, WithoutAGpuNothingIsMeasuredAndTheStatusSaysWhy) {
  if (have_gpu()) GTEST_SKIP() << "a GPU is present";
  const CudaProbeResult r = run_cuda_probes(true);
  EXPECT_TRUE(r.devices.empty());
  EXPECT_FALSE(r.status.empty());
}

TEST(CudaProbe, FmaKernelsDoTheCountedWork) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  // Multiplier 1, addend 1: each FMA adds exactly 1 to its lane. Thread 0
  // sums 8 chains x 100 iterations (x 2 lanes when packed).
  EXPECT_DOUBLE_EQ(cuda_fma_check(0, CudaFmaType::fp64, 2, 64, 100).thread0_sum, 800.0);
  EXPECT_DOUBLE_EQ(cuda_fma_check(0, CudaFmaType::fp32, 2, 64, 100).thread0_sum, 800.0);
  EXPECT_DOUBLE_EQ(cuda_fma_check(0, CudaFmaType::fp16x2, 2, 64, 100).thread0_sum, 1600.0);
  const CudaDeviceInfo d = query_cuda_devices().devices.front();
  if (d.cc_major >= 8) {
    // bf16 holds integers exactly up to 256: 100 per chain and lane is exact.
    EXPECT_DOUBLE_EQ(cuda_fma_check(0, CudaFmaType::bf16x2, 2, 64, 100).thread0_sum, 1600.0);
  }
}

TEST(CudaProbe, QuickProbeGivesPlausibleCeilings) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  const CudaProbeResult r = run_cuda_probes(true);
  ASSERT_FALSE(r.devices.empty());
  const CudaDeviceProbe& d = r.devices.front();
  ASSERT_FALSE(d.compute.empty());
  for (const ComputeCeiling& c : d.compute) {
    EXPECT_GT(c.rate.best, 1e9) << c.kernel;  // any CUDA GPU does > 1 GFLOP/s
    EXPECT_GE(c.rate.best, c.rate.median) << c.kernel;
  }
  for (const CudaBandwidth& b : d.bandwidth) EXPECT_GT(b.rate.best, 1e9) << b.level;
  for (const GemmCeiling& g : d.gemm) EXPECT_GT(g.rate.best, 1e9) << dtype_name(g.precision);
  const Chip chip = cuda_measured_chip(d);
  EXPECT_EQ(chip.id, "cuda-0-measured");
  EXPECT_GT(chip.main_memory().bandwidth.value, 0);
}

}  // namespace
}  // namespace dnnroof
