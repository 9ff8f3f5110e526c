// RegNet against torchvision's published figures and the stage settings of
// the RegNet paper (Radosavovic et al., "Designing Network Design Spaces",
// 2020; the pycls model-zoo configs RegNetY-400MF and RegNetX-1.6GF), which
// torchvision/models/regnet.py derives from (depth, w_0, w_a, w_m).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "published_figures.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo_test {
namespace {

// Stage depths and widths: the number of blocks named block<s>-<j> and the
// channels each stage ends with.
void expect_stages(const char* model, const std::vector<int>& depths,
                   const std::vector<std::int64_t>& widths) {
  SCOPED_TRACE(model);
  const ModelCost c = cost_of(model);
  for (std::size_t s = 0; s < depths.size(); ++s) {
    const std::string stage = "trunk_output.block" + std::to_string(s + 1);
    int blocks = 0;
    for (const NodeCost& n : c.nodes) {
      // The ReLU closing each ResBottleneckBlock: "<stage>.block<s>-<j>.activation".
      const std::string prefix = stage + ".block" + std::to_string(s + 1) + "-";
      const bool block_activation = n.name.rfind(prefix, 0) == 0 &&
                                    n.name.find('.', prefix.size()) != std::string::npos &&
                                    n.name.substr(n.name.find('.', prefix.size())) == ".activation";
      if (n.op == OpKind::Relu && block_activation) {
        ++blocks;
        EXPECT_EQ(n.output_shape[1], widths[s]) << n.name;
      }
    }
    EXPECT_EQ(blocks, depths[s]) << stage;
  }
}

TEST(ZooRegNet, Y400mfStages) {
  expect_stages("regnet_y_400mf", {1, 3, 6, 6}, {48, 104, 208, 440});
}
TEST(ZooRegNet, X16gfStages) {
  expect_stages("regnet_x_1_6gf", {2, 4, 10, 2}, {72, 168, 408, 912});
}

// regnet_y_400mf block1-0: 32 -> 48, stride 2, group width 8 (6 groups), SE
// with int(round(0.25 * 32)) = 8 squeeze channels; stem output 112x112.
TEST(ZooRegNet, Y400mfFirstBlockByHand) {
  const ModelCost c = cost_of("regnet_y_400mf");
  const std::string block = "trunk_output.block1.block1-0.";
  EXPECT_DOUBLE_EQ(node_named(c, block + "proj.0").forward.macs, 48.0 * 56 * 56 * 32);
  EXPECT_DOUBLE_EQ(node_named(c, block + "f.a.0").forward.macs, 48.0 * 112 * 112 * 32);
  EXPECT_DOUBLE_EQ(node_named(c, block + "f.b.0").forward.macs, 48.0 * 56 * 56 * 9 * 8);
  EXPECT_EQ(node_named(c, block + "f.se.fc1").output_shape, (Shape{1, 8, 1, 1}));
  EXPECT_DOUBLE_EQ(node_named(c, block + "f.c.0").forward.macs, 48.0 * 56 * 56 * 48);
}

}  // namespace
}  // namespace dnnroof::zoo_test
