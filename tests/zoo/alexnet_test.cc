// AlexNet (src/zoo/alexnet.cc) against torchvision's published figures and
// against the network worked out by hand.
#include <gtest/gtest.h>

#include <cstdint>

#include "cnn_testing.h"

namespace dnnroof::cnn_testing {
namespace {

// Spatial sides at 224 px: conv1 (11, stride 4, pad 2): (224 + 4 - 11) / 4 + 1
// = 55; max pool 3/2: 27; conv2 keeps 27; pool: 13; conv3-5 keep 13; pool: 6.
TEST(AlexNet, MacsAndParametersByHand) {
  const std::int64_t conv1 = 64LL * 55 * 55 * 3 * 11 * 11;
  const std::int64_t conv2 = 192LL * 27 * 27 * 64 * 5 * 5;
  const std::int64_t conv3 = 384LL * 13 * 13 * 192 * 3 * 3;
  const std::int64_t conv4 = 256LL * 13 * 13 * 384 * 3 * 3;
  const std::int64_t conv5 = 256LL * 13 * 13 * 256 * 3 * 3;
  const std::int64_t fc1 = 256LL * 6 * 6 * 4096;
  const std::int64_t fc2 = 4096LL * 4096;
  const std::int64_t fc3 = 4096LL * 1000;
  EXPECT_EQ(conv1, 70'276'800);
  const std::int64_t total = conv1 + conv2 + conv3 + conv4 + conv5 + fc1 + fc2 + fc3;
  EXPECT_EQ(total, 714'188'480);

  const Graph g = build("alexnet");
  const ModelCost c = estimate_cost(g);
  EXPECT_EQ(static_cast<std::int64_t>(c.forward.macs), total);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "features.0")), conv1);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "features.3")), conv2);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "features.10")), conv5);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "classifier.1")), fc1);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "classifier.6")), fc3);
  EXPECT_DOUBLE_EQ(c.forward.matmul_flops, 2.0 * static_cast<double>(total));

  // Parameters: weights plus one bias per output channel / feature.
  const std::int64_t params = (64 * 3 * 121 + 64) + (192 * 64 * 25 + 192) + (384 * 192 * 9 + 384) +
                              (256 * 384 * 9 + 256) + (256 * 256 * 9 + 256) +
                              (9216LL * 4096 + 4096) + (4096LL * 4096 + 4096) +
                              (4096LL * 1000 + 1000);
  EXPECT_EQ(params, 61'100'840);
  EXPECT_EQ(static_cast<std::int64_t>(c.params), params);

  EXPECT_EQ(output_of(g, "features.0"), (Shape{1, 64, 55, 55}));
  EXPECT_EQ(output_of(g, "features.12"), (Shape{1, 256, 6, 6}));
  EXPECT_EQ(output_of(g, "avgpool"), (Shape{1, 256, 6, 6}));
  EXPECT_EQ(value_named(g, "features.0.bias").shape, (Shape{64}));
  EXPECT_EQ(value_named(g, "classifier.4.weight").shape, (Shape{4096, 4096}));
  EXPECT_EQ(cnn_testing::count_ops(g, OpKind::Dropout), 2);
  EXPECT_EQ(cnn_testing::count_ops(g, OpKind::Relu), 7);
}

// At 112 px the features shrink (27, 13, 13, 6, 2 after the last pool) but
// AdaptiveAvgPool2d((6, 6)) brings them back to 6 x 6, so the classifier's
// MACs do not change; ten classes change only the last Linear.
TEST(AlexNet, At112PixelsAndTenClasses) {
  // conv1: (112 + 4 - 11) / 4 + 1 = 27 (floor); pool: 13; conv2 13; pool: 6;
  // conv3-5 at 6; pool: floor((6 - 3) / 2) + 1 = 2.
  const std::int64_t convs = 64LL * 27 * 27 * 3 * 121 + 192LL * 13 * 13 * 64 * 25 +
                             384LL * 6 * 6 * 192 * 9 + 256LL * 6 * 6 * 384 * 9 +
                             256LL * 6 * 6 * 256 * 9;
  const std::int64_t linears = 9216LL * 4096 + 4096LL * 4096 + 4096LL * 10;
  const Graph g = build("alexnet", 1, 112, 10);
  const ModelCost c = estimate_cost(g);
  EXPECT_EQ(static_cast<std::int64_t>(c.forward.macs), convs + linears);
  EXPECT_EQ(output_of(g, "features.12"), (Shape{1, 256, 2, 2}));
  EXPECT_EQ(output_of(g, "avgpool"), (Shape{1, 256, 6, 6}));
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{1, 10}));
  EXPECT_EQ(static_cast<std::int64_t>(c.params),
            61'100'840 - (4096 * 1000 + 1000) + (4096 * 10 + 10));
}

TEST(AlexNet, BatchAndBackward) {
  const double macs = 714'188'480;
  const double conv1 = 64.0 * 55 * 55 * 3 * 11 * 11;
  CostOptions training;
  training.training = true;
  const ModelCost c = estimate_cost(build("alexnet", 64), training);
  EXPECT_EQ(c.forward.macs, 64 * macs);
  EXPECT_DOUBLE_EQ(c.forward.matmul_flops, 2 * 64 * macs);
  // grad-weight everywhere, grad-input everywhere but conv1 (fed by the image).
  EXPECT_DOUBLE_EQ(c.backward.matmul_flops, 2 * (2 * 64 * macs) - 2 * (64 * conv1));
}

}  // namespace
}  // namespace dnnroof::cnn_testing
