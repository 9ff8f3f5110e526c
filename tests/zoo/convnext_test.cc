// ConvNeXt-T against torchvision's published figures and a CNBlock worked by
// hand (torchvision/models/convnext.py).
#include <gtest/gtest.h>

#include "published_figures.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo_test {
namespace {

// features.1.0 at 56x56, dim 96: depthwise 7x7 with bias, LayerNorm, 96 ->
// 384 -> 96 pointwise Linear layers, layer_scale [96, 1, 1].
TEST(ZooConvNeXt, BlockByHand) {
  const ModelCost c = cost_of("convnext_tiny");
  expect_macs(c, {{"features.1.0.block.0", 96.0 * 56 * 56 * 49},
                  {"features.1.0.block.3", 56.0 * 56 * 96 * 384},
                  {"features.1.0.block.5", 56.0 * 56 * 384 * 96}});
  EXPECT_DOUBLE_EQ(node_named(c, "features.1.0.block.0").params, 96.0 * 49 + 96);
  EXPECT_EQ(node_named(c, "features.1.0.block.3").output_shape, (Shape{1, 56, 56, 384}));
  // dw 96*49+96, LN 2*96, Linear 96*384+384, Linear 384*96+96, layer_scale 96.
  EXPECT_DOUBLE_EQ(params_under(c, "features.1.0."),
                   96 * 49 + 96 + 2 * 96 + 96 * 384 + 384 + 384 * 96 + 96 + 96);
}

// Stem: 4x4 stride-4 conv with bias (3 -> 96) at 56x56; downsampling 2x2
// stride-2 convs after stages 1-3.
TEST(ZooConvNeXt, StemAndDownsamplingByHand) {
  expect_macs(cost_of("convnext_tiny"), {{"features.0.0", 96.0 * 56 * 56 * 3 * 16},
                                         {"features.2.1", 192.0 * 28 * 28 * 96 * 4},
                                         {"features.4.1", 384.0 * 14 * 14 * 192 * 4},
                                         {"features.6.1", 768.0 * 7 * 7 * 384 * 4}});
}

// The learnt per-channel layer scale is a parameter multiplied in: 3 + 3 + 9
// + 3 blocks of 96, 192, 384, 768 channels.
TEST(ZooConvNeXt, LayerScaleParameters) {
  const Graph g = build_zoo_model("convnext_tiny", {});
  double scale_params = 0;
  int count = 0;
  for (const Value& v : g.values) {
    if (v.role == ValueRole::parameter && v.name.size() > 12 &&
        v.name.substr(v.name.size() - 12) == ".layer_scale") {
      ++count;
      EXPECT_EQ(v.shape.size(), 3u);
      scale_params += static_cast<double>(numel(v.shape));
    }
  }
  EXPECT_EQ(count, 18);
  EXPECT_DOUBLE_EQ(scale_params, 3 * 96 + 3 * 192 + 9 * 384 + 3 * 768);
}

}  // namespace
}  // namespace dnnroof::zoo_test
