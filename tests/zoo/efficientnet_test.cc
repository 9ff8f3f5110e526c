// EfficientNet B0-B4 against torchvision's published figures (at the crop
// size of the weights they describe) and the compound scaling rules of
// torchvision/models/efficientnet.py.
#include <gtest/gtest.h>

#include "published_figures.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo_test {
namespace {

TEST(ZooEfficientNet, DefaultImageSizes) {
  EXPECT_EQ(zoo_entry("efficientnet_b0").default_image_size, 224);
  EXPECT_EQ(zoo_entry("efficientnet_b1").default_image_size, 240);
  EXPECT_EQ(zoo_entry("efficientnet_b2").default_image_size, 288);
  EXPECT_EQ(zoo_entry("efficientnet_b3").default_image_size, 300);
  EXPECT_EQ(zoo_entry("efficientnet_b4").default_image_size, 380);
  const Graph g = build_zoo_model("efficientnet_b4", {});
  EXPECT_EQ(g.value(g.inputs[0]).shape, (Shape{1, 3, 380, 380}));
}

// B0, features.2.0 (MBConv 6, k3, s2, 16 -> 24) at 112x112 input: expand
// 16 -> 96, depthwise to 56x56, SE squeeze max(1, 16 // 4) = 4 with SiLU,
// project 96 -> 24.
TEST(ZooEfficientNet, B0BlockByHand) {
  const ModelCost c = cost_of("efficientnet_b0");
  EXPECT_DOUBLE_EQ(node_named(c, "features.2.0.block.0.0").forward.macs, 96.0 * 112 * 112 * 16);
  EXPECT_DOUBLE_EQ(node_named(c, "features.2.0.block.1.0").forward.macs, 96.0 * 56 * 56 * 9);
  const NodeCost fc1 = node_named(c, "features.2.0.block.2.fc1");
  EXPECT_EQ(fc1.output_shape, (Shape{1, 4, 1, 1}));
  EXPECT_DOUBLE_EQ(fc1.params, 96.0 * 4 + 4);
  EXPECT_DOUBLE_EQ(node_named(c, "features.2.0.block.2.fc2").params, 4.0 * 96 + 96);
  EXPECT_DOUBLE_EQ(node_named(c, "features.2.0.block.3.0").forward.macs, 24.0 * 56 * 56 * 96);
}

// B4: width 1.4 and depth 1.8. Stem _make_divisible(32 * 1.4, 8) = 48; blocks
// per stage ceil(n * 1.8) for n = 1, 2, 2, 3, 3, 4, 1: 2, 4, 4, 6, 6, 8, 2;
// head 4 * _make_divisible(320 * 1.4, 8) = 4 * 448 = 1792.
TEST(ZooEfficientNet, B4ScalingByHand) {
  const Graph g = build_zoo_model("efficientnet_b4", {});
  int blocks_per_stage[8] = {};
  for (const Node& n : g.nodes) {
    // The depthwise conv of each MBConv: "features.<s>.<j>.block.<k>.0" with groups > 1.
    if (n.op == OpKind::Conv && n.attrs.get_int("group", 1) > 1) {
      ++blocks_per_stage[n.name[9] - '0'];
    }
    if (n.name == "features.0.0") {
      EXPECT_EQ(g.value(n.outputs[0]).shape[1], 48);
    }
    if (n.name == "features.8.0") {
      EXPECT_EQ(g.value(n.outputs[0]).shape[1], 1792);
    }
  }
  const int expected[8] = {0, 2, 4, 4, 6, 6, 8, 2};
  for (int s = 0; s < 8; ++s) EXPECT_EQ(blocks_per_stage[s], expected[s]) << "stage " << s;
  const ModelCost c = estimate_cost(g);
  EXPECT_DOUBLE_EQ(node_named(c, "classifier.1").forward.macs, 1792.0 * 1000);
}

}  // namespace
}  // namespace dnnroof::zoo_test
