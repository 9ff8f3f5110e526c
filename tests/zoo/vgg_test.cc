// VGG with and without BatchNorm (src/zoo/vgg.cc) against torchvision's
// published figures and VGG-16 worked out by hand.
#include <gtest/gtest.h>

#include <cstdint>

#include "cnn_testing.h"

namespace dnnroof::cnn_testing {
namespace {

// VGG-16 ("D"): 3x3 convs with padding 1 at 224, 112, 56, 28, 14 px.
TEST(Vgg, Vgg16MacsAndParametersByHand) {
  auto conv = [](std::int64_t out, std::int64_t in, std::int64_t side) {
    return out * side * side * in * 9;
  };
  const std::int64_t convs = conv(64, 3, 224) + conv(64, 64, 224) +         //
                             conv(128, 64, 112) + conv(128, 128, 112) +     //
                             conv(256, 128, 56) + 2 * conv(256, 256, 56) +  //
                             conv(512, 256, 28) + 2 * conv(512, 512, 28) +  //
                             3 * conv(512, 512, 14);                        //
  const std::int64_t linears = 512LL * 7 * 7 * 4096 + 4096LL * 4096 + 4096LL * 1000;
  EXPECT_EQ(convs + linears, 15'470'264'320);

  const Graph g = build("vgg16");
  const ModelCost c = estimate_cost(g);
  EXPECT_EQ(static_cast<std::int64_t>(c.forward.macs), convs + linears);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "features.0")), 64LL * 224 * 224 * 3 * 9);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "features.28")), 512LL * 14 * 14 * 512 * 9);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "classifier.0")), 25088LL * 4096);

  auto conv_params = [](std::int64_t out, std::int64_t in) { return out * in * 9 + out; };
  const std::int64_t params = conv_params(64, 3) + conv_params(64, 64) + conv_params(128, 64) +
                              conv_params(128, 128) + conv_params(256, 128) +
                              2 * conv_params(256, 256) + conv_params(512, 256) +
                              5 * conv_params(512, 512) + (25088LL * 4096 + 4096) +
                              (4096LL * 4096 + 4096) + (4096LL * 1000 + 1000);
  EXPECT_EQ(params, 138'357'544);
  EXPECT_EQ(static_cast<std::int64_t>(c.params), params);

  // features.<i> counts every layer: 13 convs, 13 ReLUs, 5 pools = 31 (0..30).
  EXPECT_EQ(output_of(g, "features.30"), (Shape{1, 512, 7, 7}));
  EXPECT_EQ(value_named(g, "features.28.weight").shape, (Shape{512, 512, 3, 3}));
  EXPECT_EQ(value_named(g, "classifier.6.weight").shape, (Shape{1000, 4096}));
}

TEST(Vgg, BatchNormVariantAddsTwoParametersPerChannelAndShiftsIndices) {
  // vgg16_bn: 13 BatchNorms over 2 x (64 + 64 + 128 + 128 + 3 x 256 + 6 x 512)
  const std::int64_t bn = 2 * (64 + 64 + 128 + 128 + 3 * 256 + 6 * 512);
  EXPECT_EQ(138'357'544 + bn, 138'365'992);
  const Graph g = build("vgg16_bn");
  EXPECT_EQ(static_cast<std::int64_t>(estimate_cost(g).params), 138'357'544 + bn);
  // conv, bn, relu per conv: features.1 is the first BatchNorm, 43 layers in all.
  EXPECT_EQ(cnn_testing::node_named(g, "features.1").op, OpKind::BatchNorm);
  EXPECT_EQ(output_of(g, "features.43"), (Shape{1, 512, 7, 7}));
  EXPECT_EQ(cnn_testing::count_ops(g, OpKind::BatchNorm), 13);
}

// At 112 px the last pool gives 3 x 3 and AdaptiveAvgPool2d((7, 7)) brings it
// back to 7 x 7: conv MACs are a quarter, the classifier's are unchanged.
TEST(Vgg, At112PixelsAndTenClasses) {
  const ModelCost full = estimate_cost(build("vgg16"));
  const Graph g = build("vgg16", 1, 112, 10);
  const ModelCost c = estimate_cost(g);
  const double linears224 = 25088.0 * 4096 + 4096.0 * 4096 + 4096.0 * 1000;
  const double linears112 = 25088.0 * 4096 + 4096.0 * 4096 + 4096.0 * 10;
  EXPECT_DOUBLE_EQ(c.forward.macs - linears112, (full.forward.macs - linears224) / 4);
  EXPECT_EQ(output_of(g, "features.30"), (Shape{1, 512, 3, 3}));
  EXPECT_EQ(output_of(g, "avgpool"), (Shape{1, 512, 7, 7}));
  EXPECT_EQ(static_cast<std::int64_t>(c.params), 138'357'544 - 4'097'000 + (4096 * 10 + 10));
}

TEST(Vgg, BatchAndBackward) {
  const double macs = 15'470'264'320;
  const double conv1 = 64.0 * 224 * 224 * 3 * 9;
  CostOptions training;
  training.training = true;
  const ModelCost c = estimate_cost(build("vgg16", 64), training);
  EXPECT_EQ(c.forward.macs, 64 * macs);
  EXPECT_DOUBLE_EQ(c.backward.matmul_flops, 2 * (2 * 64 * macs) - 2 * (64 * conv1));
}

}  // namespace
}  // namespace dnnroof::cnn_testing
