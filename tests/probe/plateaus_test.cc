// Plateau detection on synthetic curves with hand-placed plateaus, noise,
// transitions and an outlier.

#include "probe/plateaus.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"

namespace dnnroof {
namespace {

constexpr double kKiB = 1024;
constexpr double kMiB = 1024 * kKiB;

// 4 KiB x 2^k, k = 0..18 (4 KiB .. 1 GiB), bandwidths in GB/s.
std::vector<CurvePoint> curve_of(const std::vector<double>& gb_per_s) {
  std::vector<CurvePoint> out;
  double size = 4 * kKiB;
  for (double v : gb_per_s) {
    out.push_back({size, v * 1e9});
    size *= 2;
  }
  return out;
}

// L1 200 GB/s at 4-32 KiB, L2 100 at 128 KiB-1 MiB, L3 40 at 8-32 MiB, DRAM
// 12 at 128 MiB-1 GiB, each with +-3% noise, and transition points between.
std::vector<double> four_levels() {
  return {206,   194,   204,   196,     // 0-3: 4, 8, 16, 32 KiB
          150,                          // 4: 64 KiB, transition
          103,   97,    102,   98,      // 5-8: 128 KiB .. 1 MiB
          75,    55,                    // 9-10: 2, 4 MiB, transition
          41.2,  38.8,  40,             // 11-13: 8, 16, 32 MiB
          25,                           // 14: 64 MiB, transition
          12.36, 11.64, 12.24, 11.76};  // 15-18: 128 MiB .. 1 GiB
}

const std::vector<LevelCapacity> kLevels{{"L1d", 48 * kKiB}, {"L2", 2 * kMiB}, {"L3", 32 * kMiB}};

TEST(Plateaus, FourLevelsWithNoiseAndTransitions) {
  const auto plateaus = detect_plateaus(curve_of(four_levels()), kLevels);
  ASSERT_EQ(plateaus.size(), 4u);
  EXPECT_EQ(plateaus[0].level, "L1d");
  EXPECT_EQ(plateaus[0].first, 0u);
  EXPECT_EQ(plateaus[0].last, 3u);
  EXPECT_EQ(plateaus[0].min_bytes, 4 * kKiB);
  EXPECT_EQ(plateaus[0].max_bytes, 32 * kKiB);
  EXPECT_DOUBLE_EQ(plateaus[0].bytes_per_s, 200e9);  // (196 + 204) / 2

  EXPECT_EQ(plateaus[1].level, "L2");
  EXPECT_EQ(plateaus[1].first, 5u);
  EXPECT_EQ(plateaus[1].last, 8u);
  EXPECT_DOUBLE_EQ(plateaus[1].bytes_per_s, 100e9);

  EXPECT_EQ(plateaus[2].level, "L3");
  EXPECT_EQ(plateaus[2].first, 11u);
  EXPECT_EQ(plateaus[2].last, 13u);
  EXPECT_DOUBLE_EQ(plateaus[2].bytes_per_s, 40e9);

  EXPECT_EQ(plateaus[3].level, "DRAM");
  EXPECT_EQ(plateaus[3].first, 15u);
  EXPECT_EQ(plateaus[3].last, 18u);
  EXPECT_EQ(plateaus[3].max_bytes, 1024 * kMiB);
  EXPECT_DOUBLE_EQ(plateaus[3].bytes_per_s, 12e9);  // (11.76 + 12.24) / 2
}

TEST(Plateaus, ARegionSlowerThanTheLevelBehindItIsNotThatLevel) {
  // The all-core curve whose other core was busy at the small sizes: the
  // "L1d" region (4-32 KiB) runs at 90 GB/s, below the L2 plateau's 100.
  std::vector<double> v = four_levels();
  for (int i = 0; i < 4; ++i) v[static_cast<std::size_t>(i)] = 90;
  v[4] = 95;  // the transition now joins nothing faster
  const auto plateaus = detect_plateaus(curve_of(v), kLevels);
  ASSERT_FALSE(plateaus.empty());
  for (const Plateau& p : plateaus) EXPECT_NE(p.level, "L1d") << p.bytes_per_s;
  // Within 10% of the slower level still counts: an L3 at 38 against a DRAM
  // at 40 keeps its name (0.95 >= 0.9), one at 35 does not (0.875).
  std::vector<Plateau> regions{{"", 0, 1, 8 * kMiB, 16 * kMiB, 38e9},
                               {"", 2, 4, 128 * kMiB, 512 * kMiB, 40e9}};
  auto named = name_plateaus(regions, kLevels);
  EXPECT_EQ(named[0].level, "L3");
  EXPECT_EQ(named[1].level, "DRAM");
  regions[0].bytes_per_s = 35e9;
  named = name_plateaus(regions, kLevels);
  EXPECT_EQ(named[0].level, "");
  EXPECT_EQ(named[1].level, "DRAM");
}

TEST(Plateaus, OneOutlierDoesNotSplitAPlateau) {
  auto v = four_levels();
  v[6] = 60;  // a dip at 256 KiB inside the L2 plateau
  const auto plateaus = detect_plateaus(curve_of(v), kLevels);
  ASSERT_EQ(plateaus.size(), 4u);
  EXPECT_EQ(plateaus[1].level, "L2");
  EXPECT_EQ(plateaus[1].first, 5u);
  EXPECT_EQ(plateaus[1].last, 8u);
  EXPECT_DOUBLE_EQ(plateaus[1].bytes_per_s, 100e9);  // median of 103, 60, 102, 98
}

TEST(Plateaus, TransitionsAreNotPlateaus) {
  const auto regions = find_flat_regions(curve_of(four_levels()));
  // The four plateaus only: 64 KiB, 2-4 MiB and 64 MiB are lone points.
  ASSERT_EQ(regions.size(), 4u);
  for (const auto& r : regions) EXPECT_TRUE(r.level.empty());
}

TEST(Plateaus, LongerRegionKeepsTheLevelName) {
  // Two flat regions inside L2's range (48 KiB, 2 MiB]: 64-128 KiB at 150
  // and 256 KiB-1 MiB at 100 (3 points): the longer is L2, the other unnamed.
  const std::vector<double> v{200, 200, 200, 200, 150, 150, 100, 100, 100, 40, 40, 40};
  const auto named = name_plateaus(find_flat_regions(curve_of(v)), kLevels);
  ASSERT_EQ(named.size(), 4u);
  EXPECT_EQ(named[0].level, "L1d");
  EXPECT_EQ(named[1].level, "");
  EXPECT_EQ(named[1].first, 4u);
  EXPECT_EQ(named[2].level, "L2");
  EXPECT_EQ(named[2].first, 6u);
  EXPECT_EQ(named[3].level, "L3");  // 2-8 MiB
  EXPECT_EQ(detect_plateaus(curve_of(v), kLevels).size(), 3u);
}

TEST(Plateaus, UnknownCacheLevelsAreSkipped) {
  // No L2 or L3 reported: everything past L1 is DRAM.
  const auto plateaus =
      detect_plateaus(curve_of(four_levels()), {{"L1d", 48 * kKiB}, {"L2", 0}, {"L3", 0}});
  ASSERT_EQ(plateaus.size(), 2u);
  EXPECT_EQ(plateaus[0].level, "L1d");
  EXPECT_EQ(plateaus[1].level, "DRAM");
  EXPECT_EQ(plateaus[1].first, 15u);  // of the three past L1, the last one
}

TEST(Plateaus, LastRegionPastTheLlcIsDram) {
  // The LLC stops helping before its nominal 32 MiB: DRAM's flat region runs
  // 16 MiB .. 64 MiB (middle 32 MiB, inside L3's window), then one lower
  // point at 128 MiB. Reaching past 32 MiB, it is DRAM, not L3.
  const std::vector<double> v{200, 200, 200, 200, 150, 100,  100, 100,
                              100, 40,  40,  40,  13,  12.5, 12,  10};
  const auto plateaus = detect_plateaus(curve_of(v), kLevels);
  ASSERT_EQ(plateaus.size(), 4u);
  EXPECT_EQ(plateaus[2].level, "L3");
  EXPECT_EQ(plateaus[2].first, 9u);  // 2 .. 8 MiB
  EXPECT_EQ(plateaus[3].level, "DRAM");
  EXPECT_EQ(plateaus[3].first, 12u);  // 16 MiB
  EXPECT_EQ(plateaus[3].last, 14u);   // 64 MiB
  EXPECT_DOUBLE_EQ(plateaus[3].bytes_per_s, 12.5e9);
}

TEST(Plateaus, EmptyAndUnsortedCurves) {
  EXPECT_TRUE(detect_plateaus({}, kLevels).empty());
  EXPECT_THROW(find_flat_regions({{8192, 1e9}, {4096, 1e9}}), Error);
}

}  // namespace
}  // namespace dnnroof
