#include "hw/cuda_devices.h"

#include <gtest/gtest.h>

namespace dnnroof {
namespace {

// Runtime figures of an A100 SXM4 40GB as the CUDA runtime reports them:
// 108 SMs, compute capability 8.0, 1410 MHz boost, HBM2 at 1215 MHz on a
// 5120-bit bus. Datasheet: 19.5 TFLOP/s fp32, 9.7 fp64, 1555 GB/s.
CudaDeviceInfo a100_like() {
  CudaDeviceInfo d;
  d.index = 0;
  d.name = "NVIDIA A100-SXM4-40GB";
  d.cc_major = 8;
  d.cc_minor = 0;
  d.sm_count = 108;
  d.sm_clock_hz = 1410e6;
  d.memory_clock_hz = 1215e6;
  d.memory_bus_bits = 5120;
  d.memory_bytes = 40e9;
  d.l2_bytes = 40.0 * 1024 * 1024;
  return d;
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
  CudaDeviceInfo d = a100_like();
  d.name = "Tesla T4";
  d.cc_major = 7;
  d.cc_minor = 5;
  d.sm_count = 40;
  d.sm_clock_hz = 1590e6;
  d.memory_clock_hz = 5001e6;
  d.memory_bus_bits = 256;
  const Chip c = cuda_device_chip(d);
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
