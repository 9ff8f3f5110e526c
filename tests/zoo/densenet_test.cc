// DenseNet-121 and -169 (src/zoo/densenet.cc) against torchvision's published
// figures and the dense-block arithmetic worked out by hand.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "cnn_testing.h"

namespace dnnroof::cnn_testing {
namespace {

// DenseNet-BC, growth k = 32, bottleneck 4k = 128: a dense layer reading c
// channels has BN(c), 1x1 conv c -> 128, BN(128), 3x3 conv 128 -> 32; a
// transition has BN(c) and a 1x1 conv c -> c / 2; no conv has a bias.
std::int64_t densenet_params(const std::array<int, 4>& blocks) {
  std::int64_t c = 64;
  std::int64_t total = 64 * 3 * 7 * 7 + 2 * 64;  // conv0, norm0
  for (int b = 0; b < 4; ++b) {
    for (int l = 0; l < blocks[b]; ++l) {
      total += 2 * c + c * 128 + 2 * 128 + 128 * 32 * 9;
      c += 32;
    }
    if (b < 3) {
      total += 2 * c + c * (c / 2);
      c /= 2;
    }
  }
  return total + 2 * c + (c * 1000 + 1000);  // norm5, classifier
}

TEST(DenseNet, ParametersByHand) {
  EXPECT_EQ(densenet_params({6, 12, 24, 16}), 7'978'856);
  EXPECT_EQ(densenet_params({6, 12, 32, 32}), 14'149'480);
}

TEST(DenseNet, ChannelsGrowByConcatenation) {
  const Graph g = build("densenet121");
  // Block 1: 64 + 6 * 32 = 256 at 56 px, halved by transition1 to 128 at 28.
  EXPECT_EQ(output_of(g, "features.denseblock1.cat"), (Shape{1, 256, 56, 56}));
  EXPECT_EQ(output_of(g, "features.transition1.pool"), (Shape{1, 128, 28, 28}));
  // Block 2: 128 + 12 * 32 = 512; block 3: 256 + 24 * 32 = 1024; block 4: 512 + 16 * 32.
  EXPECT_EQ(output_of(g, "features.denseblock2.cat"), (Shape{1, 512, 28, 28}));
  EXPECT_EQ(output_of(g, "features.denseblock3.cat"), (Shape{1, 1024, 14, 14}));
  EXPECT_EQ(output_of(g, "features.norm5"), (Shape{1, 1024, 7, 7}));
  // The 6th layer of block 1 reads 64 + 5 * 32 = 224 channels.
  EXPECT_EQ(value_named(g, "features.denseblock1.denselayer6.conv1.weight").shape,
            (Shape{128, 224, 1, 1}));
  EXPECT_EQ(output_of(g, "features.denseblock1.denselayer6.cat"), (Shape{1, 224, 56, 56}));
  EXPECT_EQ(value_named(g, "classifier.weight").shape, (Shape{1000, 1024}));
  // One concat per dense layer after the first of its block, one per block.
  EXPECT_EQ(cnn_testing::count_ops(g, OpKind::Concat),
            (6 - 1) + (12 - 1) + (24 - 1) + (16 - 1) + 4);
  EXPECT_EQ(cnn_testing::count_ops(g, OpKind::AvgPool), 3);

  const Graph h = build("densenet169");
  EXPECT_EQ(value_named(h, "classifier.weight").shape, (Shape{1000, 1664}));
}

// A transition's 1x1 conv runs before its 2x2 average pool (MACs at the
// larger side): transition1 costs 128 * 56 * 56 * 256.
TEST(DenseNet, TransitionConvBeforePool) {
  const ModelCost c = estimate_cost(build("densenet121", 8));
  EXPECT_EQ(static_cast<std::int64_t>(cnn_testing::node_macs(c, "features.transition1.conv")),
            8LL * 128 * 56 * 56 * 256);
  EXPECT_EQ(static_cast<std::int64_t>(cnn_testing::node_macs(c, "features.conv0")),
            8LL * 64 * 112 * 112 * 3 * 49);
}

}  // namespace
}  // namespace dnnroof::cnn_testing
