// ShuffleNetV2 against torchvision's published figures and hand-derived
// block arithmetic (torchvision/models/shufflenetv2.py).
#include <gtest/gtest.h>

#include "published_figures.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo_test {
namespace {

// stage2.0 of x1_0: stride 2, 24 -> 116 channels (58 per branch), input
// 56x56 (conv1 stride 2, maxpool stride 2), output 28x28.
TEST(ZooShuffleNet, DownsamplingBlockByHand) {
  const ModelCost c = cost_of("shufflenet_v2_x1_0");
  expect_macs(c, {{"stage2.0.branch1.0", 24.0 * 28 * 28 * 9},
                  {"stage2.0.branch1.2", 58.0 * 28 * 28 * 24},
                  {"stage2.0.branch2.0", 58.0 * 56 * 56 * 24},
                  {"stage2.0.branch2.3", 58.0 * 28 * 28 * 9},
                  {"stage2.0.branch2.5", 58.0 * 28 * 28 * 58}});
  // branch1: dw 24*9, BN 2*24, 1x1 24*58, BN 2*58; branch2: 1x1 24*58, BN 2*58,
  // dw 58*9, BN 2*58, 1x1 58*58, BN 2*58.
  EXPECT_DOUBLE_EQ(params_under(c, "stage2.0."),
                   24 * 9 + 48 + 24 * 58 + 116 + 24 * 58 + 116 + 58 * 9 + 116 + 58 * 58 + 116);
}

// A stride-1 block splits the channels in two, transforms one half and
// shuffles the concatenation with 2 groups; there are 3 + 7 + 3 of them and
// 3 downsampling blocks, each ending in ChannelShuffle.
TEST(ZooShuffleNet, SplitAndShuffle) {
  const Graph g = build_zoo_model("shufflenet_v2_x0_5", {});
  int shuffles = 0;
  int splits = 0;
  for (const Node& n : g.nodes) {
    if (n.op == OpKind::ChannelShuffle) {
      ++shuffles;
      EXPECT_EQ(n.attrs.get_int("groups", 0), 2);
    }
    if (n.op == OpKind::Split) {
      ++splits;
      EXPECT_EQ(g.value(n.outputs[0]).shape[1], g.value(n.outputs[1]).shape[1]);
    }
  }
  EXPECT_EQ(shuffles, 16);
  EXPECT_EQ(splits, 13);
}

}  // namespace
}  // namespace dnnroof::zoo_test
