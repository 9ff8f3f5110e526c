#include "report/chip_rooflines.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>

#include "core/error.h"
#include "fixture.h"

namespace dnnroof {
namespace {

using testing::fixture_chips;
using testing::simple_chip;

TEST(ChipRooflines, OneCeilingPerChipWithThePrecisionSkippingTheRest) {
  const std::array<DType, 1> fp32{DType::fp32};
  const ChipCeilings c = main_memory_ceilings(fixture_chips(), fp32);
  // fx-gpu-a, fx-gpu-b, fx-cpu drawn; fx-asic has no fp32 peak.
  ASSERT_EQ(c.ceilings.size(), 3u);
  EXPECT_EQ(c.chips[0]->id, "fx-gpu-a");
  EXPECT_DOUBLE_EQ(c.ceilings[0].roof.peak_flops, 19.5e12);
  EXPECT_DOUBLE_EQ(c.ceilings[0].roof.bandwidth, 2039e9);
  EXPECT_EQ(c.ceilings[0].roof.level, "HBM2e");
  EXPECT_EQ(c.ceilings[0].label, "Fixture GPU A");
  // The CPU's figures are derived: 10 x 3.125 GHz x 32 and 2 x 6250 MT/s x 8 B.
  EXPECT_EQ(c.chips[2]->id, "fx-cpu");
  EXPECT_NEAR(c.ceilings[2].roof.peak_flops, 1e12, 1);
  EXPECT_NEAR(c.ceilings[2].roof.bandwidth, 100e9, 1);
  ASSERT_EQ(c.skipped.size(), 1u);
  EXPECT_EQ(c.skipped[0].id, "fx-asic");
  EXPECT_NE(c.skipped[0].reason.find("fp32"), std::string::npos);
}

TEST(ChipRooflines, PrecisionListTakesTheFirstAChipHasAndSaysWhich) {
  const std::array<DType, 2> tensor{DType::fp16, DType::bf16};
  const ChipCeilings c = main_memory_ceilings(fixture_chips(), tensor);
  // The GPUs at fp16, the ASIC at bf16; the CPU has neither.
  ASSERT_EQ(c.ceilings.size(), 3u);
  EXPECT_EQ(c.precisions[0], DType::fp16);
  EXPECT_EQ(c.chips[2]->id, "fx-asic");
  EXPECT_EQ(c.precisions[2], DType::bf16);
  EXPECT_EQ(c.ceilings[2].label, "Fixture ASIC (bf16)");
  EXPECT_DOUBLE_EQ(c.ceilings[2].roof.peak_flops / c.ceilings[2].roof.bandwidth, 100.0);
  ASSERT_EQ(c.skipped.size(), 1u);
  EXPECT_EQ(c.skipped[0].id, "fx-cpu");
}

TEST(ChipRooflines, ChipWithoutMainBandwidthIsSkippedWithTheReason) {
  const Chip host = simple_chip("host", ChipKind::cpu, DType::fp32, 3e11, 0);
  const std::array<DType, 1> fp32{DType::fp32};
  const ChipCeilings c = main_memory_ceilings({&host}, fp32);
  EXPECT_TRUE(c.ceilings.empty());
  ASSERT_EQ(c.skipped.size(), 1u);
  EXPECT_EQ(c.skipped[0].reason, "DRAM bandwidth unknown");
  EXPECT_FALSE(main_ridge_point(host, DType::fp32).has_value());
}

TEST(ChipRooflines, ChipsWithTheSameRoofAreDrawnOnceWithBothNames) {
  // t4 and colab-t4: the same card, the same datasheet figures.
  Chip t4 = simple_chip("t4", ChipKind::gpu, DType::fp32, 8.1e12, 320e9);
  t4.name = "NVIDIA Tesla T4";
  Chip colab = simple_chip("colab-t4", ChipKind::gpu, DType::fp32, 8.1e12, 320e9);
  colab.name = "NVIDIA Tesla T4 (Colab)";
  const Chip other = simple_chip("a100", ChipKind::gpu, DType::fp32, 19.5e12, 2039e9);
  // The same bandwidth but another peak: its own line.
  const Chip slower = simple_chip("t4-slow", ChipKind::gpu, DType::fp32, 4e12, 320e9);
  const std::array<DType, 1> fp32{DType::fp32};
  const ChipCeilings merged =
      merge_identical_roofs(main_memory_ceilings({&t4, &other, &colab, &slower}, fp32));
  ASSERT_EQ(merged.ceilings.size(), 3u);
  EXPECT_EQ(merged.chips[0]->id, "t4");
  EXPECT_EQ(merged.ceilings[0].label, "NVIDIA Tesla T4 (also colab-t4)");
  EXPECT_EQ(merged.ceilings[0].short_label, "t4 = colab-t4");
  EXPECT_EQ(merged.chips[1]->id, "a100");
  EXPECT_EQ(merged.chips[2]->id, "t4-slow");
  EXPECT_EQ(merged.precisions.size(), 3u);
}

TEST(ChipRooflines, RidgePointByHand) {
  const Chip* a = &testing::fixture_catalog().get("fx-gpu-a");
  EXPECT_NEAR(*main_ridge_point(*a, DType::fp32), 9.5635, 1e-4);
  EXPECT_NEAR(*main_ridge_point(*a, DType::fp16), 153.016, 1e-3);  // 312e12 / 2039e9
  EXPECT_FALSE(main_ridge_point(*a, DType::bf16).has_value());
}

TEST(ChipPanels, KindsInOrderAndLargeKindsSplitEvenly) {
  std::vector<Chip> storage;
  for (int i = 0; i < 10; ++i) {
    storage.push_back(simple_chip(fmt::format("g{}", i), ChipKind::gpu, DType::fp32, 1e13, 1e12));
  }
  storage.push_back(simple_chip("c0", ChipKind::cpu, DType::fp32, 1e12, 1e11));
  std::vector<const Chip*> chips;
  for (const Chip& c : storage) chips.push_back(&c);

  const std::vector<ChipPanel> panels = panels_by_kind(chips, 4);
  // CPU first (1 chip), then the 10 GPUs as 4 + 3 + 3.
  ASSERT_EQ(panels.size(), 4u);
  EXPECT_EQ(panels[0].title, "CPU");
  EXPECT_EQ(panels[0].chips.size(), 1u);
  EXPECT_EQ(panels[1].title, "GPU (1/3)");
  EXPECT_EQ(panels[1].chips.size(), 4u);
  EXPECT_EQ(panels[2].chips.size(), 3u);
  EXPECT_EQ(panels[3].title, "GPU (3/3)");
  EXPECT_EQ(panels[3].chips.size(), 3u);
  EXPECT_EQ(panels[1].chips[0]->id, "g0");
  EXPECT_EQ(panels[3].chips.back()->id, "g9");
  EXPECT_THROW(panels_by_kind(chips, 0), Error);
}

}  // namespace
}  // namespace dnnroof
