// MobileNet V2 / V3 against torchvision's published figures and, for V2,
// against MACs and parameters derived by hand from the paper's table
// (Sandler et al. 2018, Table 2) as torchvision/models/mobilenetv2.py builds it.
#include <gtest/gtest.h>

#include <cstdint>

#include "published_figures.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo_test {
namespace {

TEST(ZooMobileNet, EntriesAreImageClassifiersAt224) {
  for (const char* name : {"mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large"}) {
    const ZooEntry& e = zoo_entry(name);
    EXPECT_EQ(e.family, "MobileNet");
    EXPECT_EQ(e.task, "image classification");
    EXPECT_EQ(e.default_image_size, 224);
  }
}

// The first layer: Conv2d(3, 32, 3, stride 2, padding 1) on 224x224 -> 112x112.
TEST(ZooMobileNet, V2FirstConvByHand) {
  const ModelCost c = cost_of("mobilenet_v2");
  const NodeCost first = node_named(c, "features.0.0");
  EXPECT_EQ(first.output_shape, (Shape{1, 32, 112, 112}));
  EXPECT_DOUBLE_EQ(first.forward.macs, 32.0 * 112 * 112 * 3 * 3 * 3);  // 10,838,016
  EXPECT_DOUBLE_EQ(first.forward.matmul_flops, 2 * 32.0 * 112 * 112 * 3 * 3 * 3);
  EXPECT_DOUBLE_EQ(first.params, 32.0 * 3 * 3 * 3);  // no bias: BatchNorm follows
}

// features.2: the first block of (t=6, c=24, n=2, s=2): 16 -> 96 (1x1) ->
// depthwise 3x3 stride 2 (112 -> 56) -> 24 (1x1), no residual.
TEST(ZooMobileNet, V2InvertedResidualByHand) {
  const ModelCost c = cost_of("mobilenet_v2");
  const NodeCost expand = node_named(c, "features.2.conv.0.0");
  const NodeCost depthwise = node_named(c, "features.2.conv.1.0");
  const NodeCost project = node_named(c, "features.2.conv.2");
  EXPECT_EQ(expand.output_shape, (Shape{1, 96, 112, 112}));
  EXPECT_EQ(depthwise.output_shape, (Shape{1, 96, 56, 56}));
  EXPECT_EQ(project.output_shape, (Shape{1, 24, 56, 56}));
  EXPECT_DOUBLE_EQ(expand.forward.macs, 96.0 * 112 * 112 * 16);  // 19,267,584
  EXPECT_DOUBLE_EQ(depthwise.forward.macs, 96.0 * 56 * 56 * 9);  // one 3x3 filter per channel
  EXPECT_DOUBLE_EQ(project.forward.macs, 24.0 * 56 * 56 * 96);   // 7,225,344
  EXPECT_DOUBLE_EQ(depthwise.params, 96.0 * 9);
  // Block parameters: 1x1 16*96, BN 2*96, depthwise 96*9, BN 2*96, 1x1 96*24, BN 2*24 = 5,136.
  EXPECT_DOUBLE_EQ(params_under(c, "features.2."),
                   16 * 96 + 2 * 96 + 96 * 9 + 2 * 96 + 96 * 24 + 2 * 24);
}

// The whole network's MACs re-derived from the setting table, block by block:
// expand (if t != 1) H_in^2 * hidden * in, depthwise H_out^2 * hidden * 9,
// project H_out^2 * out * hidden.
TEST(ZooMobileNet, V2TotalMacsByHand) {
  struct Row {
    int t, c, n, s;
  };
  const Row rows[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                      {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  double macs = 32.0 * 112 * 112 * 27;  // first conv
  double side = 112;
  double in = 32;
  for (const Row& r : rows) {
    for (int i = 0; i < r.n; ++i) {
      const int stride = i == 0 ? r.s : 1;
      const double hidden = in * r.t;
      const double out_side = side / stride;
      if (r.t != 1) macs += side * side * hidden * in;
      macs += out_side * out_side * hidden * 9;
      macs += out_side * out_side * r.c * hidden;
      side = out_side;
      in = r.c;
    }
  }
  macs += 7.0 * 7 * 1280 * 320;  // last 1x1 conv
  macs += 1280.0 * 1000;         // classifier
  EXPECT_DOUBLE_EQ(macs, 300774272.0);
  const ModelCost c = cost_of("mobilenet_v2");
  EXPECT_DOUBLE_EQ(c.forward.macs, macs);
  EXPECT_DOUBLE_EQ(c.forward.matmul_flops, 2 * macs);
}

// Backward: grad-input and grad-weight each cost the forward MACs, except the
// first conv, whose input (the image) needs no gradient.
TEST(ZooMobileNet, V2BackwardJustUnderTwiceForward) {
  const ModelCost c = cost_of("mobilenet_v2", {}, /*training=*/true);
  const double first_conv = 32.0 * 112 * 112 * 27;
  EXPECT_DOUBLE_EQ(c.backward.macs, 2 * c.forward.macs - first_conv);
  EXPECT_LT(c.backward.macs, 2 * c.forward.macs);
  EXPECT_GT(c.backward.macs, 1.9 * c.forward.macs);
}

// MobileNetV3 details: Hardswish/Hardsigmoid, SE squeeze width
// _make_divisible(expanded // 4, 8) and BatchNorm eps 0.001.
TEST(ZooMobileNet, V3SqueezeExcitationAndActivations) {
  const Graph g = build_zoo_model("mobilenet_v3_large", {});
  // features.4 = bneck(24, 5, 72, 40, SE, RE, 2): squeeze _make_divisible(72 // 4 = 18, 8) = 24.
  bool found_fc1 = false;
  int hardswish = 0;
  int hardsigmoid = 0;
  for (const Node& n : g.nodes) {
    if (n.name == "features.4.block.2.fc1") {
      found_fc1 = true;
      EXPECT_EQ(g.value(n.outputs[0]).shape, (Shape{1, 24, 1, 1}));
    }
    if (n.op == OpKind::BatchNorm) {
      EXPECT_DOUBLE_EQ(n.attrs.get_float("epsilon", 0), 0.001);
    }
    hardswish += n.op == OpKind::Hardswish;
    hardsigmoid += n.op == OpKind::Hardsigmoid;
  }
  EXPECT_TRUE(found_fc1);
  // 8 SE blocks in the large configuration, one Hardsigmoid each.
  EXPECT_EQ(hardsigmoid, 8);
  // Stem + last conv + classifier + 2 per HS block without expansion skip (9 "HS" blocks).
  EXPECT_EQ(hardswish, 1 + 1 + 1 + 2 * 9);
}

TEST(ZooMobileNet, OtherImageSizesAndClasses) {
  ZooOptions o;
  o.image_size = 160;
  o.num_classes = 10;
  const Graph g = build_zoo_model("mobilenet_v2", o);
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{1, 10}));
  // First conv at 160: 32 * 80 * 80 * 27.
  const ModelCost c = estimate_cost(g);
  EXPECT_DOUBLE_EQ(node_named(c, "features.0.0").forward.macs, 32.0 * 80 * 80 * 27);
  // Only the classifier changes the parameter count: 1280 * (1000 - 10) + (1000 - 10).
  EXPECT_DOUBLE_EQ(c.params, 3504872.0 - 1281.0 * 990);
}

}  // namespace
}  // namespace dnnroof::zoo_test
