#include "hw/cuda_devices.h"

#include <gtest/gtest.h>

#include <string>

namespace dnnroof {
namespace {

// Device 0 as the CUDA runtime reports it: its name, compute capability,
// SMs, boost clock, memory clock and bus width; 40 GB and 40 MiB of L2 (an
// A100 40GB's, which no test here reads for another device).
CudaDeviceInfo device(const std::string& name, int cc_major, int cc_minor, int sm_count,
                      double sm_clock_hz, double memory_clock_hz, int memory_bus_bits) {
  return {.index = 0,
          .name = name,
          .cc_major = cc_major,
          .cc_minor = cc_minor,
          .sm_count = sm_count,
          .sm_clock_hz = sm_clock_hz,
          .memory_clock_hz = memory_clock_hz,
          .memory_bus_bits = memory_bus_bits,
          .memory_bytes = 40e9,
          .l2_bytes = 40.0 * 1024 * 1024};
}

// Runtime figures of an A100 SXM4 40GB as the CUDA runtime reports them:
// 108 SMs, compute capability 8.0, 1410 MHz boost, HBM2 at 1215 MHz on a
// 5120-bit bus. Datasheet: 19.5 TFLOP/s fp32, 9.7 fp64, 1555 GB/s.
CudaDeviceInfo a100_like() {
  return device("NVIDIA A100-SXM4-40GB", 8, 0, 108, 1410e6, 1215e6, 5120);
}

TEST(CudaDeviceChip, A100PeaksAndBandwidthByHand) {
  const Chip c = cuda_device_chip(a100_like());
  EXPECT_EQ(c.id, "cuda:0");
  EXPECT_EQ(c.kind, ChipKind::gpu);
  // 108 SMs x 64 lanes x 2 x 1.41 GHz = 19.49 TFLOP/s.
  EXPECT_DOUBLE_EQ(*c.peak_flops(DType::fp32), 108.0 * 64 * 2 * 1410e6);
  // 108 x 32 x 2 x 1.41 GHz = 9.75 TFLOP/s.
  EXPECT_DOUBLE_EQ(*c.peak_flops(DType::fp64), 108.0 * 32 * 2 * 1410e6);
  // 2 x 1215 MHz x 5120 bit / 8 = 1555.2 GB/s.
  EXPECT_DOUBLE_EQ(c.main_memory().bandwidth.value, 1555.2e9);
  EXPECT_FALSE(c.peak_flops(DType::fp16).has_value());  // tensor peaks: not derivable
  EXPECT_NE(c.peak.at(DType::fp32).derivation.find("108 SMs x 64 fp32 lanes"), std::string::npos);
  ASSERT_NE(c.find_level("L2"), nullptr);
}

TEST(CudaDeviceChip, T4MatchesItsDatasheet) {
  // T4: 40 SMs, 7.5, 1590 MHz, GDDR6 5001 MHz on 256 bits: 8.1 TFLOP/s, 320 GB/s.
  const Chip c = cuda_device_chip(device("Tesla T4", 7, 5, 40, 1590e6, 5001e6, 256));
  EXPECT_NEAR(*c.peak_flops(DType::fp32), 8.1e12, 0.05e12);
  EXPECT_NEAR(c.main_memory().bandwidth.value, 320e9, 0.1e9);
}

TEST(CudaDeviceChip, LanesPerSmByComputeCapability) {
  EXPECT_EQ(fp32_lanes_per_sm(8, 0), 64);   // A100
  EXPECT_EQ(fp32_lanes_per_sm(8, 6), 128);  // RTX 30
  EXPECT_EQ(fp32_lanes_per_sm(8, 9), 128);  // Ada
  EXPECT_EQ(fp32_lanes_per_sm(9, 0), 128);  // H100
  EXPECT_EQ(fp64_lanes_per_sm(9, 0), 64);
  EXPECT_EQ(fp64_lanes_per_sm(8, 6), 2);
}

// On a machine with a GPU: every device becomes a chip with positive peaks.
// Elsewhere: skipped, saying why (no device, or built without CUDA).
TEST(CudaDevices, QueryGivesUsableChipsOrSaysWhyNot) {
  const CudaDeviceQuery q = query_cuda_devices();
  EXPECT_FALSE(q.status.empty());
  if (q.devices.empty()) GTEST_SKIP() << "no CUDA device here: " << q.status;
  for (const CudaDeviceInfo& d : q.devices) {
    const Chip c = cuda_device_chip(d);
    EXPECT_GT(*c.peak_flops(DType::fp32), 1e12) << d.name;
    EXPECT_GT(c.main_memory().bandwidth.value, 1e11) << d.name;
  }
}

}  // namespace
}  // namespace dnnroof
