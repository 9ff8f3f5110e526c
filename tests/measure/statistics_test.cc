// Statistics against values worked out by hand from the definitions in
// statistics.h (numpy "linear" percentiles, n - 1 stdev, binomial order
// statistics for the median's interval).

#include "measure/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace dnnroof {
namespace {

const std::vector<double> kSkewed = {4, 1, 100, 3, 2};  // unsorted on purpose

TEST(Statistics, SkewedFiveSamples) {
  EXPECT_DOUBLE_EQ(sample_median(kSkewed), 3);
  EXPECT_DOUBLE_EQ(sample_mean(kSkewed), 22);  // 110 / 5
  // Deviations from 22: -21 -20 -19 -18 78; squares 441 400 361 324 6084,
  // sum 7610, / (5 - 1) = 1902.5.
  EXPECT_DOUBLE_EQ(sample_stdev(kSkewed), std::sqrt(1902.5));
  EXPECT_DOUBLE_EQ(sample_min(kSkewed), 1);
  EXPECT_DOUBLE_EQ(sample_max(kSkewed), 100);
  // Sorted 1 2 3 4 100. p5: h = 4 * 0.05 = 0.2 -> 1 + 0.2 * (2 - 1) = 1.2.
  EXPECT_DOUBLE_EQ(percentile(kSkewed, 5), 1.2);
  // p95: h = 3.8 -> 4 + 0.8 * (100 - 4) = 80.8.
  EXPECT_DOUBLE_EQ(percentile(kSkewed, 95), 80.8);
  // p25: h = 1 -> 2; p75: h = 3 -> 4; IQR 2.
  EXPECT_DOUBLE_EQ(interquartile_range(kSkewed), 2);
  EXPECT_DOUBLE_EQ(percentile(kSkewed, 0), 1);
  EXPECT_DOUBLE_EQ(percentile(kSkewed, 100), 100);
  EXPECT_DOUBLE_EQ(percentile(kSkewed, 150), 100);  // clamped
}

TEST(Statistics, EvenCountMedianAndPercentiles) {
  const std::vector<double> x = {10, 20, 30, 40};
  EXPECT_DOUBLE_EQ(sample_median(x), 25);  // h = 1.5 -> 20 + 0.5 * 10
  // p5: h = 3 * 0.05 = 0.15 -> 10 + 0.15 * 10 = 11.5; p95: h = 2.85 -> 38.5.
  EXPECT_DOUBLE_EQ(percentile(x, 5), 11.5);
  EXPECT_DOUBLE_EQ(percentile(x, 95), 38.5);
  // p25: h = 0.75 -> 17.5; p75: h = 2.25 -> 32.5.
  EXPECT_DOUBLE_EQ(interquartile_range(x), 15);
}

TEST(Statistics, EmptyAndSingle) {
  const std::vector<double> none;
  EXPECT_TRUE(std::isnan(sample_mean(none)));
  EXPECT_TRUE(std::isnan(sample_median(none)));
  EXPECT_TRUE(std::isnan(percentile(none, 5)));
  const Summary s = summarize(none);
  EXPECT_EQ(s.n, 0u);
  EXPECT_TRUE(std::isnan(s.median_ci.low));
  EXPECT_TRUE(std::isnan(s.ci_relative_half_width));

  const std::vector<double> one = {7};
  EXPECT_DOUBLE_EQ(sample_median(one), 7);
  EXPECT_TRUE(std::isnan(sample_stdev(one)));
  const MedianInterval ci = median_interval(one);
  EXPECT_FALSE(ci.reached_confidence);
  EXPECT_DOUBLE_EQ(ci.low, 7);
  EXPECT_DOUBLE_EQ(ci.achieved_confidence, 0);  // 1 - 2 * P(B <= 0) = 1 - 2 * 1/2
}

std::vector<double> one_to(int n) {
  std::vector<double> x;
  for (int i = n; i >= 1; --i) x.push_back(i);  // descending: the code must sort
  return x;
}

// The interval's order-statistic ranks (1-based) and whether it reached the
// confidence asked for.
void expect_ranks(const MedianInterval& ci, bool reached, std::size_t lower, std::size_t upper) {
  EXPECT_EQ(ci.reached_confidence, reached);
  EXPECT_EQ(ci.lower_rank, lower);
  EXPECT_EQ(ci.upper_rank, upper);
}

TEST(MedianInterval, TenSamples) {
  // B ~ Bin(10, 1/2): P(B <= 0) = 1/1024, P(B <= 1) = 11/1024 <= 0.025,
  // P(B <= 2) = 56/1024 = 0.0547 > 0.025. So l - 1 = 1: l = 2, u = 10 + 1 - 2 = 9,
  // coverage 1 - 22/1024.
  const MedianInterval ci = median_interval(one_to(10));
  expect_ranks(ci, true, 2, 9);
  EXPECT_DOUBLE_EQ(ci.low, 2);
  EXPECT_DOUBLE_EQ(ci.high, 9);
  EXPECT_NEAR(ci.achieved_confidence, 1 - 22.0 / 1024, 1e-12);
  // Median 5.5: max(5.5 - 2, 9 - 5.5) / 5.5.
  EXPECT_DOUBLE_EQ(relative_half_width(ci, 5.5), 3.5 / 5.5);
}

TEST(MedianInterval, TwentySamples) {
  // Bin(20, 1/2) CDF * 2^20: F(4) = 1+20+190+1140+4845 = 6196,
  // F(5) = 6196 + 15504 = 21700 (0.0207 <= 0.025),
  // F(6) = 21700 + 38760 = 60460 (0.0577 > 0.025). So l = 6, u = 15.
  // Coverage 1 - 2 * 0.0207 = 0.9586 >= 0.95.
  const MedianInterval ci = median_interval(one_to(20));
  expect_ranks(ci, true, 6, 15);
  EXPECT_NEAR(ci.achieved_confidence, 1 - 2 * 21700.0 / 1048576, 1e-12);
  // At 90%: F(6) = 0.0577 > 0.05 still, so l = 6 as well; at 80%:
  // F(6) <= 0.1, F(7) = (60460 + 77520) / 2^20 = 0.1316 > 0.1 -> l = 7.
  EXPECT_EQ(median_interval(one_to(20), 0.80).lower_rank, 7u);
}

TEST(MedianInterval, SmallCountsFallBackToMinMax) {
  // n = 5: [min, max] covers 1 - 2 / 32 = 0.9375 < 0.95.
  const MedianInterval five = median_interval(one_to(5));
  expect_ranks(five, false, 1, 5);
  EXPECT_DOUBLE_EQ(five.achieved_confidence, 0.9375);
  // n = 6: 1 - 2 / 64 = 0.96875 >= 0.95, and l = 2 would give
  // 1 - 2 * 7/64 = 0.78: so [x_(1), x_(6)] and it counts.
  const MedianInterval six = median_interval(one_to(6));
  expect_ranks(six, true, 1, 6);
  EXPECT_DOUBLE_EQ(six.achieved_confidence, 0.96875);
}

TEST(MedianInterval, LargeCountMatchesNormalApproximation) {
  // For n = 10000 the ranks are n/2 -+ 1.96 * sqrt(n) / 2 = 5000 -+ 98,
  // to within a rank or two (the binomial is discrete).
  const MedianInterval ci = median_interval(one_to(10000));
  EXPECT_TRUE(ci.reached_confidence);
  EXPECT_NEAR(static_cast<double>(ci.lower_rank), 5000 - 98, 2);
  EXPECT_EQ(ci.upper_rank, 10001 - ci.lower_rank);
  EXPECT_GE(ci.achieved_confidence, 0.95);
  EXPECT_LT(ci.achieved_confidence, 0.96);
}

TEST(Summary, AgreesWithTheFreeFunctions) {
  const Summary s = summarize(kSkewed);
  EXPECT_EQ(s.n, 5u);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.mean, 22);
  EXPECT_DOUBLE_EQ(s.stdev, std::sqrt(1902.5));
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 100);
  EXPECT_DOUBLE_EQ(s.p5, 1.2);
  EXPECT_DOUBLE_EQ(s.p95, 80.8);
  EXPECT_DOUBLE_EQ(s.iqr, 2);
  EXPECT_DOUBLE_EQ(s.median_ci.low, 1);
  EXPECT_DOUBLE_EQ(s.median_ci.high, 100);
  EXPECT_DOUBLE_EQ(s.ci_relative_half_width, 97.0 / 3);  // max(3 - 1, 100 - 3) / 3
}

}  // namespace
}  // namespace dnnroof
