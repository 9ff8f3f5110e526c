// Durations read from the command line and written for people: the one
// formatter (sweep progress, report progress and its caveats) and the budget
// and target parsers of `bench`, `report` and `campaign plan`.
#include "core/duration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "support/files.h"

namespace dnnroof {
namespace {

using test::error_of;

TEST(FormatDuration, SecondsMinutesHours) {
  EXPECT_EQ(format_duration(0), "0 s");
  EXPECT_EQ(format_duration(44.6), "45 s");  // rounded to the second
  EXPECT_EQ(format_duration(59.4), "59 s");
  EXPECT_EQ(format_duration(59.6), "1 min 0 s");  // 60 s after rounding
  EXPECT_EQ(format_duration(130), "2 min 10 s");  // 2 x 60 + 10
  EXPECT_EQ(format_duration(313), "5 min 13 s");  // 5 x 60 + 13
  EXPECT_EQ(format_duration(3599.4), "59 min 59 s");
  EXPECT_EQ(format_duration(3720), "1 h 2 min");                      // 3600 + 2 x 60
  EXPECT_EQ(format_duration(3 * 3600 + 59 * 60 + 59), "3 h 59 min");  // minutes truncated
}

TEST(FormatDuration, NegativeAndNonFinite) {
  EXPECT_EQ(format_duration(-3), "0 s");
  EXPECT_EQ(format_duration(std::numeric_limits<double>::quiet_NaN()), "?");
  EXPECT_EQ(format_duration(std::numeric_limits<double>::infinity()), "?");
}

TEST(ParseDuration, UnitsAndSpaces) {
  EXPECT_DOUBLE_EQ(parse_duration_s("10s"), 10);
  EXPECT_DOUBLE_EQ(parse_duration_s("10"), 10);
  EXPECT_DOUBLE_EQ(parse_duration_s("500ms"), 0.5);
  EXPECT_DOUBLE_EQ(parse_duration_s("2min"), 120);
  EXPECT_DOUBLE_EQ(parse_duration_s("2m"), 120);
  EXPECT_DOUBLE_EQ(parse_duration_s("1h"), 3600);
  EXPECT_DOUBLE_EQ(parse_duration_s(" 1.5 S "), 1.5);
}

TEST(ParseDuration, RefusesWhatIsNotAPositiveDuration) {
  for (const char* bad : {"", "0", "-1s", "10 parsecs", "fast", "inf", "nan"}) {
    const std::string msg = error_of([&] { parse_duration_s(bad); });
    EXPECT_NE(msg.find(std::string("--budget '") + bad + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("10s, 500ms or 2min"), std::string::npos) << msg;
  }
  EXPECT_NE(error_of([] {
              parse_duration_s("0", "campaign plan: --budget");
            }).find("campaign plan: --budget '0'"),
            std::string::npos);
}

TEST(ParseTarget, PercentOrFraction) {
  EXPECT_DOUBLE_EQ(parse_target_fraction("2%"), 0.02);
  EXPECT_DOUBLE_EQ(parse_target_fraction(" 0.5% "), 0.005);
  EXPECT_DOUBLE_EQ(parse_target_fraction("0.02"), 0.02);
  for (const char* bad : {"", "0%", "100%", "2", "1", "0", "2 %x", "two%"}) {
    const std::string msg = error_of([&] { parse_target_fraction(bad); });
    EXPECT_NE(msg.find(std::string("--target '") + bad + "'"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace dnnroof
