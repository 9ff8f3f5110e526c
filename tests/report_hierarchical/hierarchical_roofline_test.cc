#include "report/hierarchical_roofline.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "report/gnuplot.h"
#include "support/study_fixtures.h"

namespace dnnroof {
namespace {

MemoryLevel level(const std::string& name, double bandwidth, bool main = false) {
  MemoryLevel m = test::memory_level(name, bandwidth, main);
  m.bandwidth.derivation = "test";
  return m;
}

// The datasheet view of a VM host: a derived peak, no bandwidth known.
Chip datasheet_host() {
  return test::chip_with("host", "Test CPU", ChipKind::cpu, 294.4e9,
                         {level("L1d", 0), level("L2", 0), level("L3", 0), level("DRAM", 0, true)});
}

Chip measured_host() {
  Chip c = test::chip_with(
      "host-measured", "Test CPU (measured)", ChipKind::cpu, 352e9,
      {level("L1d", 460e9), level("L2", 200e9), level("L3", 54e9), level("DRAM", 28e9, true)});
  c.practical[DType::fp32].value = 250e9;
  return c;
}

TEST(HierarchicalRoofline, EveryMeasuredLevelIsARoofAndTheGemmRoofUsesMainMemory) {
  const Chip d = datasheet_host();
  const Chip m = measured_host();
  const HierarchicalCeilings h = hierarchical_ceilings(d, &m, DType::fp32);
  // 1 datasheet roof (against the measured DRAM, no bandwidth of its own),
  // 4 measured FMA roofs, 1 GEMM roof.
  ASSERT_EQ(h.ceilings.size(), 6u);
  EXPECT_EQ(h.ceilings[0].roof.source, CeilingSource::datasheet);
  EXPECT_EQ(h.ceilings[0].roof.peak_flops, 294.4e9);
  EXPECT_EQ(h.ceilings[0].roof.bandwidth, 28e9);
  EXPECT_EQ(h.ceilings[0].label,
            "theoretical fp32 peak 294 GFLOP/s x DRAM 28 GB/s (measured; no datasheet bandwidth)");
  EXPECT_EQ(h.ceilings[5].label, "fp32 GEMM 250 GFLOP/s x DRAM 28 GB/s");
  const double bw[] = {460e9, 200e9, 54e9, 28e9};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(h.ceilings[1 + i].roof.source, CeilingSource::measured);
    EXPECT_EQ(h.ceilings[1 + i].roof.peak_flops, 352e9);
    EXPECT_EQ(h.ceilings[1 + i].roof.bandwidth, bw[i]);
  }
  EXPECT_EQ(h.ceilings[5].roof.peak_flops, 250e9);
  EXPECT_EQ(h.ceilings[5].roof.bandwidth, 28e9);
  EXPECT_EQ(h.ceilings[5].roof.level, "DRAM");
  EXPECT_EQ(h.notes.size(), 1u);  // the datasheet drawn against measured DRAM
}

TEST(HierarchicalRoofline, FigureHasOneContinuousPolylinePerRoofInItsOwnColour) {
  const Chip d = datasheet_host();
  const Chip m = measured_host();
  const RooflineFigure f = hierarchical_roofline(d, &m, DType::fp32);
  ASSERT_EQ(f.ceilings.size(), 6u);
  // L1d roof: ridge at 352e9 / 460e9 = 0.765 FLOP/B; then flat at the peak.
  const CeilingLine& l1 = f.ceilings[1];
  EXPECT_DOUBLE_EQ(l1.ridge_intensity, 352e9 / 460e9);
  ASSERT_EQ(l1.polyline.size(), 3u);
  EXPECT_DOUBLE_EQ(l1.polyline[0].y, 460e9 * f.x.min);
  EXPECT_DOUBLE_EQ(l1.polyline[1].y, 352e9);
  EXPECT_DOUBLE_EQ(l1.polyline[2].y, 352e9);
  // GEMM roof: ridge at 250e9 / 28e9.
  EXPECT_DOUBLE_EQ(f.ceilings[5].ridge_intensity, 250e9 / 28e9);
  for (std::size_t i = 0; i < f.ceilings.size(); ++i) {
    EXPECT_EQ(f.ceilings[i].colour, static_cast<int>(i));
  }
  EXPECT_NE(f.title.find("Test CPU"), std::string::npos);
  const std::string script = roofline_script({f}, "t", ImageFormat::png, "/tmp/h.png");
  EXPECT_NE(script.find("logscale"), std::string::npos);
}

TEST(HierarchicalRoofline, DatasheetAloneDrawsItsOwnLevels) {
  Chip g;
  g.id = "gpu";
  g.name = "GPU";
  g.peak[DType::fp16].value = 312e12;
  g.memory = {level("L2", 0), level("HBM2e", 2039e9, true)};
  const HierarchicalCeilings h = hierarchical_ceilings(g, nullptr, DType::fp16);
  ASSERT_EQ(h.ceilings.size(), 1u);
  EXPECT_EQ(h.ceilings[0].roof.bandwidth, 2039e9);
  EXPECT_EQ(h.ceilings[0].roof.level, "HBM2e");
}

TEST(HierarchicalRoofline, NothingToDrawIsAnError) {
  const Chip d = datasheet_host();  // no bandwidth, no measured chip
  EXPECT_THROW(hierarchical_ceilings(d, nullptr, DType::fp32), Error);
  const Chip m = measured_host();
  EXPECT_THROW(hierarchical_ceilings(d, &m, DType::int8), Error);
}

}  // namespace
}  // namespace dnnroof
