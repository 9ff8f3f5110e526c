// SqueezeNet 1.0 and 1.1 (src/zoo/squeezenet.cc) against torchvision's
// published figures and the Fire modules worked out by hand.
#include <gtest/gtest.h>

#include <cstdint>

#include "cnn_testing.h"

namespace dnnroof::cnn_testing {
namespace {

// Fire(in, s, e1, e3): 1x1 squeeze, then 1x1 and 3x3 expands, all with bias.
std::int64_t fire_params(std::int64_t in, std::int64_t s, std::int64_t e1, std::int64_t e3) {
  return (in * s + s) + (s * e1 + e1) + (s * e3 * 9 + e3);
}

TEST(SqueezeNet, ParametersByHand) {
  const std::int64_t v1_0 = (96 * 3 * 49 + 96) + fire_params(96, 16, 64, 64) +
                            fire_params(128, 16, 64, 64) + fire_params(128, 32, 128, 128) +
                            fire_params(256, 32, 128, 128) + fire_params(256, 48, 192, 192) +
                            fire_params(384, 48, 192, 192) + fire_params(384, 64, 256, 256) +
                            fire_params(512, 64, 256, 256) + (512 * 1000 + 1000);
  EXPECT_EQ(v1_0, 1'248'424);
  EXPECT_EQ(static_cast<std::int64_t>(estimate_cost(build("squeezenet1_0")).params), v1_0);
  // 1.1: a 3x3 stem with 64 channels; the same Fires otherwise.
  const std::int64_t v1_1 = v1_0 - (96 * 3 * 49 + 96) - fire_params(96, 16, 64, 64) +
                            (64 * 3 * 9 + 64) + fire_params(64, 16, 64, 64);
  EXPECT_EQ(v1_1, 1'235'496);
  EXPECT_EQ(static_cast<std::int64_t>(estimate_cost(build("squeezenet1_1")).params), v1_1);
}

// Max pools use ceil_mode=True: out = ceil((in - 3) / 2) + 1.
TEST(SqueezeNet, CeilModePoolsAndFireShapes) {
  const Graph g = build("squeezenet1_0");
  // conv 7x7/2: floor((224 - 7) / 2) + 1 = 109; pool: ceil(106 / 2) + 1 = 54;
  // pool: ceil(51 / 2) + 1 = 27 (26 with floor); pool: ceil(24 / 2) + 1 = 13.
  EXPECT_EQ(output_of(g, "features.0"), (Shape{1, 96, 109, 109}));
  EXPECT_EQ(output_of(g, "features.2"), (Shape{1, 96, 54, 54}));
  EXPECT_EQ(output_of(g, "features.6"), (Shape{1, 256, 27, 27}));
  EXPECT_EQ(output_of(g, "features.11"), (Shape{1, 512, 13, 13}));
  // A Fire concatenates its two expands: 64 + 64 = 128 channels.
  EXPECT_EQ(output_of(g, "features.3.expand3x3"), (Shape{1, 64, 54, 54}));
  EXPECT_EQ(output_of(g, "features.3.cat"), (Shape{1, 128, 54, 54}));
  EXPECT_EQ(cnn_testing::value_named(g, "features.12.expand3x3.weight").shape,
            (Shape{256, 64, 3, 3}));

  const Graph h = build("squeezenet1_1");
  // conv 3x3/2: floor(221 / 2) + 1 = 111; pools: 55, 27, 13.
  EXPECT_EQ(output_of(h, "features.0"), (Shape{1, 64, 111, 111}));
  EXPECT_EQ(output_of(h, "features.2"), (Shape{1, 64, 55, 55}));
  EXPECT_EQ(output_of(h, "features.5"), (Shape{1, 128, 27, 27}));
  EXPECT_EQ(output_of(h, "features.8"), (Shape{1, 256, 13, 13}));
}

// The classifier is a 1x1 conv to the classes on 13 x 13, then ReLU and
// global average pooling: its MACs are 13 * 13 * 512 * classes.
TEST(SqueezeNet, ClassifierIsAConvThenReluAndPool) {
  const Graph g = build("squeezenet1_0", 1, 0, 10);
  const ModelCost c = estimate_cost(g);
  EXPECT_EQ(cnn_testing::node_named(g, "classifier.1").op, OpKind::Conv);
  EXPECT_EQ(cnn_testing::node_named(g, "classifier.2").op, OpKind::Relu);
  EXPECT_EQ(static_cast<std::int64_t>(cnn_testing::node_macs(c, "classifier.1")),
            13 * 13 * 512 * 10);
  EXPECT_EQ(output_of(g, "classifier.3"), (Shape{1, 10, 1, 1}));
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{1, 10}));
  EXPECT_EQ(cnn_testing::count_ops(g, OpKind::Gemm), 0);
  const ModelCost full = estimate_cost(build("squeezenet1_0"));
  EXPECT_DOUBLE_EQ(full.forward.macs - c.forward.macs, 13.0 * 13 * 512 * (1000 - 10));
}

}  // namespace
}  // namespace dnnroof::cnn_testing
