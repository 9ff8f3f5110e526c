// The roofline formulas and the CPU peak derivation, against numbers worked
// out by hand.

#include "hw/chip.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace dnnroof {
namespace {

// A100 SXM4 80GB: 19.5 TFLOP/s fp32, 2039 GB/s HBM2e, L2 at 5120 GB/s.
Chip a100_like() {
  Chip chip;
  chip.id = "a100-like";
  chip.kind = ChipKind::gpu;
  chip.peak[DType::fp32] = Figure{19.5e12, "datasheet", ""};
  MemoryLevel l2;
  l2.name = "L2";
  l2.bandwidth.value = 5120e9;
  MemoryLevel hbm;
  hbm.name = "HBM2e";
  hbm.is_main = true;
  hbm.bandwidth.value = 2039e9;
  chip.memory = {l2, hbm};
  return chip;
}

TEST(RidgePoint, IsPeakOverBandwidth) {
  // 19.5e12 / 2039e9 = 9.56351...
  EXPECT_NEAR(ridge_point(19.5e12, 2039e9), 9.5635, 1e-4);
  // T4 fp16: 65e12 / 320e9 = 203.125 exactly.
  EXPECT_DOUBLE_EQ(ridge_point(65e12, 320e9), 203.125);
}

TEST(RidgePoint, UnknownBandwidthIsNaN) {
  EXPECT_TRUE(std::isnan(ridge_point(1e12, 0)));
  EXPECT_TRUE(std::isnan(ridge_point(0, 1e9)));
}

TEST(AttainableFlops, MemoryRoofBelowRidgeComputeRoofAbove) {
  // Intensity 2 FLOP/B: 2 x 2039e9 = 4.078e12, under the 19.5e12 roof.
  EXPECT_DOUBLE_EQ(attainable_flops(19.5e12, 2039e9, 2.0), 4.078e12);
  // Intensity 100 FLOP/B: 100 x 2039e9 = 203.9e12 > 19.5e12, so the flat roof.
  EXPECT_DOUBLE_EQ(attainable_flops(19.5e12, 2039e9, 100.0), 19.5e12);
  // Intensity 0: nothing can be done.
  EXPECT_DOUBLE_EQ(attainable_flops(19.5e12, 2039e9, 0.0), 0.0);
}

TEST(AttainableFlops, RejectsNegativeIntensity) {
  EXPECT_THROW(attainable_flops(1e12, 1e9, -1.0), Error);
  EXPECT_THROW(attainable_flops(1e12, 1e9, std::nan("")), Error);
}

TEST(AttainableFlops, OfChipUsesMainMemoryOrTheNamedLevel) {
  const Chip chip = a100_like();
  EXPECT_DOUBLE_EQ(attainable_flops(chip, DType::fp32, 2.0), 4.078e12);
  // Against L2: 2 x 5120e9 = 10.24e12.
  EXPECT_DOUBLE_EQ(attainable_flops(chip, DType::fp32, 2.0, "l2"), 10.24e12);
  EXPECT_NEAR(ridge_point(chip, DType::fp32), 9.5635, 1e-4);
  // 19.5e12 / 5120e9 = 3.80859375
  EXPECT_DOUBLE_EQ(ridge_point(chip, DType::fp32, "L2"), 3.80859375);
}

TEST(AttainableFlops, MissingPrecisionNamesChipAndPrecision) {
  const Chip chip = a100_like();
  try {
    attainable_flops(chip, DType::fp8, 1.0);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("a100-like"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fp8"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fp32"), std::string::npos) << msg;  // what it has
  }
  EXPECT_THROW(ridge_point(chip, DType::fp32, "L3"), Error);
}

TEST(AttainableFlops, UnknownBandwidthIsAnError) {
  Chip chip = a100_like();
  chip.memory[1].bandwidth.value = 0;
  try {
    ridge_point(chip, DType::fp32);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("HBM2e"), std::string::npos) << e.what();
  }
}

TEST(Chip, LevelsAndKinds) {
  const Chip chip = a100_like();
  EXPECT_EQ(chip.main_memory().name, "HBM2e");
  ASSERT_NE(chip.find_level("hbm2E"), nullptr);
  EXPECT_EQ(chip.find_level("L3"), nullptr);
  EXPECT_EQ(chip.peak_flops(DType::fp32), 19.5e12);
  EXPECT_FALSE(chip.peak_flops(DType::bf16).has_value());
  Chip none;
  none.id = "none";
  EXPECT_THROW(none.main_memory(), Error);

  EXPECT_EQ(chip_kind_name(ChipKind::asic), "asic");
  EXPECT_EQ(parse_chip_kind("soc"), ChipKind::soc);
  EXPECT_EQ(parse_chip_kind("GPU"), ChipKind::gpu);
  EXPECT_FALSE(parse_chip_kind("fpga").has_value());
}

Chip two_socket_xeon() {
  Chip chip;
  chip.id = "xeon";
  chip.kind = ChipKind::cpu;
  CpuMicroarch cpu;
  cpu.sockets = 2;
  cpu.cores_per_socket = 40;
  cpu.allcore_clock_hz = 3.0e9;
  cpu.flops_per_cycle[DType::fp64] = 32;
  cpu.flops_per_cycle[DType::fp32] = 64;
  cpu.flops_per_cycle[DType::int8] = 256;
  cpu.memory_channels = 8;
  cpu.memory_mts = 3200;
  chip.cpu = cpu;
  MemoryLevel dram;
  dram.name = "DRAM";
  dram.is_main = true;
  chip.memory = {dram};
  return chip;
}

TEST(DeriveCpuFigures, PeakIsSocketsCoresClockFlopsPerCycle) {
  Chip chip = two_socket_xeon();
  derive_cpu_figures(chip);
  // 2 x 40 x 3.0e9 x 32 = 7.68e12
  EXPECT_DOUBLE_EQ(chip.peak.at(DType::fp64).value, 7.68e12);
  EXPECT_EQ(chip.peak.at(DType::fp64).derivation,
            "2 sockets x 40 cores x 3.0 GHz x 32 FLOP/cycle = 7.68 TFLOP/s");
  // 2 x 40 x 3.0e9 x 64 = 15.36e12
  EXPECT_DOUBLE_EQ(chip.peak.at(DType::fp32).value, 15.36e12);
  // 2 x 40 x 3.0e9 x 256 = 61.44e12 OP/s
  EXPECT_DOUBLE_EQ(chip.peak.at(DType::int8).value, 61.44e12);
  EXPECT_EQ(chip.peak.at(DType::int8).derivation,
            "2 sockets x 40 cores x 3.0 GHz x 256 OP/cycle = 61.44 TOP/s");
  EXPECT_FALSE(chip.peak.contains(DType::bf16));
}

TEST(DeriveCpuFigures, BandwidthIsSocketsChannelsTransfersTimesEightBytes) {
  Chip chip = two_socket_xeon();
  derive_cpu_figures(chip);
  // 2 x 8 x 3200e6 x 8 = 409.6e9
  EXPECT_DOUBLE_EQ(chip.main_memory().bandwidth.value, 409.6e9);
  EXPECT_EQ(chip.main_memory().bandwidth.derivation,
            "2 sockets x 8 channels x 3200 MT/s x 8 B = 409.6 GB/s");

  Chip one = two_socket_xeon();
  one.cpu->sockets = 1;
  derive_cpu_figures(one);
  // 1 x 8 x 3200e6 x 8 = 204.8e9; 1 x 40 x 3e9 x 64 = 7.68e12
  EXPECT_DOUBLE_EQ(one.main_memory().bandwidth.value, 204.8e9);
  EXPECT_EQ(one.main_memory().bandwidth.derivation,
            "1 socket x 8 channels x 3200 MT/s x 8 B = 204.8 GB/s");
  EXPECT_EQ(one.peak.at(DType::fp32).derivation,
            "1 socket x 40 cores x 3.0 GHz x 64 FLOP/cycle = 7.68 TFLOP/s");
}

TEST(DeriveCpuFigures, PublishedFiguresWin) {
  Chip chip = two_socket_xeon();
  chip.peak[DType::fp32] = Figure{5e12, "vendor datasheet", ""};
  chip.memory[0].bandwidth = Figure{300e9, "vendor datasheet", ""};
  derive_cpu_figures(chip);
  EXPECT_DOUBLE_EQ(chip.peak.at(DType::fp32).value, 5e12);
  EXPECT_EQ(chip.peak.at(DType::fp32).source, "vendor datasheet");
  EXPECT_TRUE(chip.peak.at(DType::fp32).derivation.empty());
  EXPECT_DOUBLE_EQ(chip.main_memory().bandwidth.value, 300e9);
  // The precisions it did not publish are still derived.
  EXPECT_DOUBLE_EQ(chip.peak.at(DType::fp64).value, 7.68e12);
}

TEST(DeriveCpuFigures, ClockWithTwoDecimals) {
  Chip chip = two_socket_xeon();
  chip.cpu->sockets = 1;
  chip.cpu->cores_per_socket = 4;
  chip.cpu->allcore_clock_hz = 2.25e9;
  chip.cpu->flops_per_cycle = {{DType::fp32, 32}};
  derive_cpu_figures(chip);
  // 1 x 4 x 2.25e9 x 32 = 288e9
  EXPECT_DOUBLE_EQ(chip.peak.at(DType::fp32).value, 288e9);
  EXPECT_EQ(chip.peak.at(DType::fp32).derivation,
            "1 socket x 4 cores x 2.25 GHz x 32 FLOP/cycle = 288 GFLOP/s");
}

TEST(DeriveCpuFigures, NeedsAMicroarchitecture) {
  Chip chip = a100_like();
  EXPECT_THROW(derive_cpu_figures(chip), Error);
}

}  // namespace
}  // namespace dnnroof
