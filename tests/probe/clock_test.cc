// The core-clock kernel: the chain does exactly the additions it says, and
// the clock it implies is a clock (no test here depends on how fast the
// machine is: only an upper bound no core can beat, and a positive rate).

#include "probe/clock.h"

#include <gtest/gtest.h>

#include "probe/ceiling_check.h"

namespace dnnroof {
namespace {

TEST(Clock, ChainDoesTheAdditionsItCounts) {
  if (!clock_kernel_available()) GTEST_SKIP() << "no chain kernel for this architecture";
  EXPECT_EQ(run_add_chain(0), 0u);
  EXPECT_EQ(run_add_chain(1), kClockChainBlock);
  EXPECT_EQ(run_add_chain(12345), 12345u * kClockChainBlock);
}

TEST(Clock, MeasuredClockIsPlausible) {
  if (!clock_kernel_available()) GTEST_SKIP() << "no chain kernel for this architecture";
  const CoreClock c =
      measure_core_clock(1, {.warmup_s = 0.01, .measure_s = 0.05, .sample_s = 0.002});
  EXPECT_EQ(c.threads, 1);
  // A dependent add takes at least one cycle: a chain can never imply more
  // than the core's clock, and no core runs at 10 GHz. Load only lowers it.
  EXPECT_GT(c.hz, 0);
  EXPECT_LT(c.hz, 10e9) << "the chain ran faster than one add per cycle: the kernel is broken";
  EXPECT_NE(c.origin.find("dependent integer adds"), std::string::npos) << c.origin;
}

TEST(Clock, CountsAreMeasuredOnceEach) {
  if (!clock_kernel_available()) GTEST_SKIP() << "no chain kernel for this architecture";
  const auto clocks =
      measure_core_clocks({1, 0, 1, -3}, {.warmup_s = 0, .measure_s = 0.01, .sample_s = 0.001});
  ASSERT_EQ(clocks.size(), 1u);
  EXPECT_EQ(clocks[0].threads, 1);
}

TEST(Clock, ImpossibleFlagWithAMeasuredClockBlamesTheMeasurement) {
  // 346 GFLOP/s on 2 cores at 64 FLOP/cycle implies 2.70 GHz; against a
  // measured 2.5 GHz (320 GFLOP/s) that is a slow clock measurement.
  const std::string f = compute_ceiling_flag(346e9, 320e9, 2.5e9, 64, 2, true, true);
  EXPECT_NE(f.find("IMPOSSIBLE: 108.1%"), std::string::npos) << f;
  EXPECT_NE(f.find("measured clock"), std::string::npos) << f;
  EXPECT_EQ(f.find("TSC"), std::string::npos) << f;
}

}  // namespace
}  // namespace dnnroof
