#include "core/units.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace dnnroof {
namespace {

TEST(FormatSi, PicksThePrefixThatLeavesOneToThousand) {
  EXPECT_EQ(format_si(19.5e12, "FLOP/s"), "19.5 TFLOP/s");
  EXPECT_EQ(format_si(2.039e12, "B/s", 4), "2.039 TB/s");
  EXPECT_EQ(format_si(312e12, "FLOP/s"), "312 TFLOP/s");
  EXPECT_EQ(format_si(0.5, "s"), "500 ms");
  EXPECT_EQ(format_si(0, "B"), "0 B");
  EXPECT_EQ(format_si(999.96e9, "B/s", 3), "1 TB/s");
}

TEST(FormatBinary, UsesPowersOf1024) {
  EXPECT_EQ(format_binary(40.0 * 1024 * 1024), "40 MiB");
  EXPECT_EQ(format_binary(48.0 * 1024), "48 KiB");
  EXPECT_EQ(format_binary(512), "512 B");
}

TEST(ParseQuantity, SiAndBinaryPrefixes) {
  EXPECT_DOUBLE_EQ(parse_quantity("2039 GB/s", "B/s"), 2039e9);
  EXPECT_DOUBLE_EQ(parse_quantity("40 MiB", "B"), 40.0 * 1048576.0);
  EXPECT_DOUBLE_EQ(parse_quantity("19.5 TFLOP/s", "FLOP/s"), 19.5e12);
  EXPECT_DOUBLE_EQ(parse_quantity("624 TOP/s", "FLOP/s"), 624e12);
  EXPECT_DOUBLE_EQ(parse_quantity("3.0 GHz", "Hz"), 3e9);
  EXPECT_DOUBLE_EQ(parse_quantity("1.5e3", "B"), 1500.0);
  EXPECT_DOUBLE_EQ(parse_quantity(" 32 KiB ", "B"), 32768.0);
}

TEST(ParseQuantity, RejectsWrongUnitsAndGarbage) {
  EXPECT_THROW(parse_quantity("2039 GB", "B/s"), Error);
  EXPECT_THROW(parse_quantity("fast", "B/s"), Error);
  EXPECT_THROW(parse_quantity("12 XB", "B"), Error);
  try {
    parse_quantity("2039 Gb/s", "B/s");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2039 Gb/s"), std::string::npos);
  }
}

}  // namespace
}  // namespace dnnroof
