#include "core/strings.h"

#include <gtest/gtest.h>

namespace dnnroof {
namespace {

TEST(Split, KeepsEmptyFields) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_TRUE(split("", ',').empty());
  EXPECT_EQ(split("x", ','), (std::vector<std::string>{"x"}));
}

TEST(EditDistance, ClassicExamples) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("A100", "a100"), 0u);
}

TEST(ClosestMatches, SubstringsFirstThenEditDistance) {
  const std::vector<std::string> ids{"h100-sxm", "h100-pcie", "a100-sxm4-80gb", "t4", "h200"};
  const auto m = closest_matches("h100", ids, 3);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0], "h100-sxm");
  EXPECT_EQ(m[1], "h100-pcie");
  EXPECT_EQ(m[2], "h200");
}

}  // namespace
}  // namespace dnnroof
