// The one formatting rule for measured times (timing_text.h): ± only for a
// 95% interval of at least 10 samples, otherwise the sample count and
// "no 95% CI".
#include "store/timing_text.h"

#include <gtest/gtest.h>

#include <limits>

namespace dnnroof {
namespace {

TimingStats stats(std::size_t n, double median_s, double rel, double confidence) {
  TimingStats t;
  t.n = n;
  t.median_s = median_s;
  t.ci_rel_half_width = rel;
  t.ci_confidence = confidence;
  return t;
}

TEST(TimingText, IntervalFromTenSamplesAt95Percent) {
  // n = 10 at 95%: interval [x_(2), x_(9)], coverage 1 - 22/1024 = 97.85%.
  const TimingStats t = stats(10, 0.0123, 0.012, 1 - 22.0 / 1024);
  EXPECT_TRUE(has_reportable_interval(t));
  EXPECT_EQ(interval_text(t), "±1.2%");
  EXPECT_EQ(time_with_interval_text(t), "12.3 ms ±1.2%");
  const Cell c = interval_cell(t);
  ASSERT_TRUE(c.number.has_value());
  EXPECT_DOUBLE_EQ(*c.number, 0.012);
  EXPECT_DOUBLE_EQ(*time_with_interval_cell(t).number, 0.0123);
  EXPECT_EQ(samples_cell(t).text, "10");
}

TEST(TimingText, NoIntervalBelowTenSamples) {
  // vgg16 batch 8 of the issue: n = 2, [min, max] covers 1 - 2 * 2^-2 = 50%;
  // it was printed "±0.3%". Also n = 9 at a real 95% (l = 2: 1 - 2 * 10/512
  // = 96.1%) is refused: fewer than 10 samples.
  const TimingStats two = stats(2, 1.5, 0.003, 0.5);
  EXPECT_FALSE(has_reportable_interval(two));
  EXPECT_EQ(interval_text(two), "n=2, no 95% CI");
  EXPECT_EQ(time_with_interval_text(two), "1.5 s (n=2, no 95% CI)");
  const Cell c = interval_cell(two);
  EXPECT_FALSE(c.number.has_value());
  EXPECT_EQ(c.text, "no 95% CI");
  EXPECT_EQ(c.text.find("±"), std::string::npos);

  const TimingStats nine = stats(9, 0.002, 0.01, 1 - 20.0 / 512);
  EXPECT_EQ(interval_text(nine), "n=9, no 95% CI");
}

TEST(TimingText, NoIntervalBelow95PercentCoverage) {
  // Many samples but an interval asked at 90%: not a 95% one, so no ±.
  const TimingStats t = stats(50, 0.01, 0.01, 0.90);
  EXPECT_EQ(interval_text(t), "n=50, no 95% CI");
  EXPECT_EQ(time_with_interval_text(t), "10 ms (n=50, no 95% CI)");
}

TEST(TimingText, ConfidenceAbsentFromTheFileIsTheDefault95) {
  // results-schema.md: ci_confidence is optional; read as NaN.
  const TimingStats t = stats(600, 0.0015, 0.0067, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(interval_text(t), "±0.7%");
  const TimingStats few = stats(4, 0.0015, 0.0067, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(interval_text(few), "n=4, no 95% CI");
}

TEST(TimingText, NonFiniteValues) {
  const TimingStats nan_width = stats(20, 0.01, std::numeric_limits<double>::quiet_NaN(), 0.95);
  EXPECT_EQ(interval_text(nan_width), "n=20, no 95% CI");
  const TimingStats no_median = stats(0, std::numeric_limits<double>::quiet_NaN(), 0, 0);
  EXPECT_EQ(time_with_interval_text(no_median), "-");
  EXPECT_EQ(time_with_interval_cell(no_median).text, "-");
}

}  // namespace
}  // namespace dnnroof
