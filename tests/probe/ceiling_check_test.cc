#include "probe/ceiling_check.h"

#include <gtest/gtest.h>

namespace dnnroof {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CeilingCheck, AtOrBelowTheTheoreticalPeakIsNotFlagged) {
  EXPECT_EQ(compute_ceiling_flag(73.6e9, 73.6e9, 2.3e9, 32, 1, true), "");
  EXPECT_EQ(compute_ceiling_flag(60e9, 73.6e9, 2.3e9, 32, 1, true), "");
  // Unknown theoretical figure: nothing to compare with.
  EXPECT_EQ(compute_ceiling_flag(60e9, 0, 2.3e9, 32, 1, true), "");
}

TEST(CeilingCheck, TurboAboveTheReportedClockIsNamed) {
  // 88.5 GFLOP/s on one core at 32 FLOP/cycle = 2.765625 GHz, 1.20x the
  // 2.3 GHz assumed (theoretical 2.3e9 x 32 = 73.6 GFLOP/s): 120.2%.
  const std::string f = compute_ceiling_flag(88.5e9, 73.6e9, 2.3e9, 32, 1, true);
  EXPECT_TRUE(has(f, "IMPOSSIBLE")) << f;
  EXPECT_TRUE(has(f, "120.2%")) << f;
  EXPECT_TRUE(has(f, "2.77 GHz")) << f;
  EXPECT_TRUE(has(f, "turbo")) << f;
  EXPECT_TRUE(has(f, "virtual machine")) << f;
}

TEST(CeilingCheck, ImplausibleClockBlamesTheFlopsPerCycle) {
  // 2 cores x 2.3 GHz x 32 FLOP/cycle = 147.2 GFLOP/s assumed; 400 GFLOP/s
  // measured implies 400e9 / 64 = 6.25 GHz: > 1.6 x 2.3 GHz, no turbo does that.
  const std::string f = compute_ceiling_flag(400e9, 147.2e9, 2.3e9, 32, 2, false);
  EXPECT_TRUE(has(f, "271.7%")) << f;
  EXPECT_TRUE(has(f, "6.25 GHz")) << f;
  EXPECT_TRUE(has(f, "FLOP/cycle assumption (32) is too low")) << f;
  EXPECT_FALSE(has(f, "clock is understated")) << f;
}

TEST(CeilingCheck, BandwidthAboveTheDerivedDramFigure) {
  EXPECT_EQ(bandwidth_ceiling_flag(20e9, 25.6e9, "DRAM"), "");
  const std::string f = bandwidth_ceiling_flag(30e9, 25.6e9, "DRAM");
  EXPECT_TRUE(has(f, "117.2%")) << f;  // 30 / 25.6
  EXPECT_TRUE(has(f, "cache")) << f;
}

TEST(CeilingCheck, ShortfallNoteBelowHalf) {
  EXPECT_EQ(compute_shortfall_note(150e9, 294.4e9), "");  // 51%
  const std::string f = compute_shortfall_note(86.3e9, 294.4e9);
  EXPECT_TRUE(has(f, "29%")) << f;  // 86.3 / 294.4 = 29.3%
}

}  // namespace
}  // namespace dnnroof
