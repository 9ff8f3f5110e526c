// MNASNet against torchvision's published figures and its depth rounding
// (torchvision/models/mnasnet.py, _get_depths / _round_to_multiple_of).
#include <gtest/gtest.h>

#include "published_figures.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo_test {
namespace {

// alpha 0.5: depths 32, 16, 24, 40, ... * 0.5 rounded to multiples of 8,
// rounding up unless within 10%: 16, 8, 16 (12 -> 16), 24 (20 -> 24), 40, 48,
// 96, 160.
TEST(ZooMnasNet, DepthRoundingByHand) {
  const ModelCost c = cost_of("mnasnet0_5");
  EXPECT_EQ(node_named(c, "layers.0").output_shape, (Shape{1, 16, 112, 112}));
  EXPECT_EQ(node_named(c, "layers.6").output_shape, (Shape{1, 8, 112, 112}));
  // First stack: 8 -> 16, kernel 3, stride 2, expansion 3: mid 24.
  EXPECT_EQ(node_named(c, "layers.8.0.layers.0").output_shape, (Shape{1, 24, 112, 112}));
  EXPECT_DOUBLE_EQ(node_named(c, "layers.8.0.layers.3").forward.macs, 24.0 * 56 * 56 * 9);
  EXPECT_EQ(node_named(c, "layers.8.0.layers.6").output_shape, (Shape{1, 16, 56, 56}));
  EXPECT_EQ(node_named(c, "layers.9.0.layers.6").output_shape, (Shape{1, 24, 28, 28}));
  EXPECT_EQ(node_named(c, "layers.13.0.layers.6").output_shape, (Shape{1, 160, 7, 7}));
  // Head: 1x1 conv 160 -> 1280 at 7x7, then the classifier.
  EXPECT_DOUBLE_EQ(node_named(c, "layers.14").forward.macs, 1280.0 * 7 * 7 * 160);
  EXPECT_DOUBLE_EQ(node_named(c, "classifier.1").forward.macs, 1280.0 * 1000);
}

}  // namespace
}  // namespace dnnroof::zoo_test
