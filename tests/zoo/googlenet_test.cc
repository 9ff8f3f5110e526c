// GoogLeNet and Inception v3 (src/zoo/googlenet.cc) against torchvision's
// published figures and details of torchvision's definitions.
#include <gtest/gtest.h>

#include <cstdint>

#include "cnn_testing.h"

namespace dnnroof::cnn_testing {
namespace {

TEST(GoogLeNet, TorchvisionDetails) {
  const Graph g = build("googlenet");
  // BasicConv2d: conv without bias, BatchNorm with eps 0.001.
  EXPECT_THROW(value_named(g, "conv1.conv.bias"), Error);
  EXPECT_DOUBLE_EQ(node_named(g, "conv1.bn").attrs.get_float("epsilon", 0), 0.001);
  // The "5x5" branch is a 3x3 conv in torchvision.
  EXPECT_EQ(value_named(g, "inception3a.branch3.1.conv.weight").shape, (Shape{32, 16, 3, 3}));
  // ceil_mode=True pools: 112 -> ceil((112 - 3) / 2) + 1 = 56 (55 with floor).
  EXPECT_EQ(output_of(g, "maxpool1"), (Shape{1, 64, 56, 56}));
  EXPECT_EQ(output_of(g, "maxpool2"), (Shape{1, 192, 28, 28}));
  // Inception 3a: 64 + 128 + 32 + 32 = 256 channels; 5b: 384 + 384 + 128 + 128.
  EXPECT_EQ(output_of(g, "inception3a.cat"), (Shape{1, 256, 28, 28}));
  EXPECT_EQ(output_of(g, "inception5b.cat"), (Shape{1, 1024, 7, 7}));
  EXPECT_EQ(value_named(g, "fc.weight").shape, (Shape{1000, 1024}));
  // No aux classifiers in the inference graph.
  EXPECT_THROW(value_named(g, "aux1.fc1.weight"), Error);
  EXPECT_EQ(cnn_testing::count_ops(g, OpKind::Gemm), 1);
}

// inception_v3: published 27,161,264 parameters include the AuxLogits branch
// (torchvision's pretrained model keeps it; eval mode never runs it). This
// graph is the inference network: the aux branch's parameters are declared
// but no node reads them; the aux branch is, in
// torchvision/models/inception.py's InceptionAux(768, 1000):
//   conv0 = BasicConv2d(768, 128, 1x1):  768 * 128 + 2 * 128       =    98,560
//   conv1 = BasicConv2d(128, 768, 5x5):  128 * 768 * 25 + 2 * 768   = 2,459,136
//   fc    = Linear(768, 1000):           768 * 1000 + 1000          =   769,000
// GFLOPS 5.71 (meta "_ops": 5.713, at 299 px) counts the eval pass, no aux.
TEST(InceptionV3, AuxClassifierCountedButReadByNoNode) {
  const std::int64_t aux = (768 * 128 + 2 * 128) + (128 * 768 * 25 + 2 * 768) + (768 * 1000 + 1000);
  EXPECT_EQ(aux, 3'326'696);
  // The aux parameters are counted but read by no node (eval mode): no traffic.
  const ModelCost c = estimate_cost(build("inception_v3"));
  EXPECT_EQ(static_cast<std::int64_t>(c.unused_params), aux);
  EXPECT_DOUBLE_EQ(c.param_bytes, 4.0 * static_cast<double>(27'161'264 - aux));
  EXPECT_EQ(zoo_entry("inception_v3").default_image_size, 299);
}

TEST(InceptionV3, ShapesThroughTheStages) {
  const Graph g = build("inception_v3");
  EXPECT_EQ(g.value(g.inputs[0]).shape, (Shape{1, 3, 299, 299}));
  // 299 -> 149 (3x3/2) -> 147 (3x3) -> 147 (3x3 pad 1) -> 73 (pool) -> 73 (1x1)
  // -> 71 (3x3) -> 35 (pool).
  EXPECT_EQ(output_of(g, "Conv2d_1a_3x3.conv"), (Shape{1, 32, 149, 149}));
  EXPECT_EQ(output_of(g, "maxpool2"), (Shape{1, 192, 35, 35}));
  // Mixed_5b: 64 + 64 + 96 + 32; Mixed_6a: 384 + 96 + 288 at 17; Mixed_7c: 2048 at 8.
  EXPECT_EQ(output_of(g, "Mixed_5b.cat"), (Shape{1, 256, 35, 35}));
  EXPECT_EQ(output_of(g, "Mixed_6a.cat"), (Shape{1, 768, 17, 17}));
  EXPECT_EQ(output_of(g, "Mixed_7a.cat"), (Shape{1, 1280, 8, 8}));
  EXPECT_EQ(output_of(g, "Mixed_7c.cat"), (Shape{1, 2048, 8, 8}));
  // The factorised 1x7 / 7x1 convs of InceptionC.
  EXPECT_EQ(value_named(g, "Mixed_6b.branch7x7_2.conv.weight").shape, (Shape{128, 128, 1, 7}));
  EXPECT_EQ(value_named(g, "Mixed_6b.branch7x7_3.conv.weight").shape, (Shape{192, 128, 7, 1}));
  // 1x7 conv MACs: 128 out * 17 * 17 * 128 in * 7.
  const ModelCost c = estimate_cost(g);
  EXPECT_EQ(static_cast<std::int64_t>(cnn_testing::node_macs(c, "Mixed_6b.branch7x7_2.conv")),
            128LL * 17 * 17 * 128 * 7);
  EXPECT_EQ(value_named(g, "AuxLogits.fc.weight").shape, (Shape{1000, 768}));
}

TEST(InceptionV3, SmallerImageAndTenClasses) {
  // 224 px: 111, 109, 109, 54, 54, 52, 25 after maxpool2; 12 after Mixed_6a; 5 after Mixed_7a.
  const Graph g = build("inception_v3", 2, 224, 10);
  EXPECT_EQ(output_of(g, "maxpool2"), (Shape{2, 192, 25, 25}));
  EXPECT_EQ(output_of(g, "Mixed_6a.cat"), (Shape{2, 768, 12, 12}));
  EXPECT_EQ(output_of(g, "Mixed_7c.cat"), (Shape{2, 2048, 5, 5}));
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{2, 10}));
}

}  // namespace
}  // namespace dnnroof::cnn_testing
