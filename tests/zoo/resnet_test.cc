// ResNet, ResNeXt and Wide ResNet (src/zoo/resnet.cc) against torchvision's
// published figures and against ResNet-18 worked out by hand.
#include <gtest/gtest.h>

#include <cstdint>

#include "cnn_testing.h"

namespace dnnroof::cnn_testing {
namespace {

// ResNet-18 parameters, stage by stage (3x3 convs have no bias; each
// BatchNorm has 2 x C parameters).
TEST(ResNet, ResNet18ParametersByLayerArithmetic) {
  const std::int64_t stem = 64 * 3 * 7 * 7 + 2 * 64;
  const std::int64_t layer1 = 2 * (2 * (64 * 64 * 9) + 2 * (2 * 64));
  const std::int64_t layer2 = (128 * 64 * 9 + 128 * 128 * 9 + 2 * (2 * 128)) +  // block 0
                              (128 * 64 + 2 * 128) +                            // downsample
                              (2 * (128 * 128 * 9) + 2 * (2 * 128));            // block 1
  const std::int64_t layer3 = (256 * 128 * 9 + 256 * 256 * 9 + 2 * (2 * 256)) +
                              (256 * 128 + 2 * 256) + (2 * (256 * 256 * 9) + 2 * (2 * 256));
  const std::int64_t layer4 = (512 * 256 * 9 + 512 * 512 * 9 + 2 * (2 * 512)) +
                              (512 * 256 + 2 * 512) + (2 * (512 * 512 * 9) + 2 * (2 * 512));
  const std::int64_t fc = 512 * 1000 + 1000;
  const std::int64_t total = stem + layer1 + layer2 + layer3 + layer4 + fc;
  EXPECT_EQ(total, 11'689'512);  // the arithmetic itself agrees with torchvision

  const Graph g = build("resnet18");
  EXPECT_EQ(static_cast<std::int64_t>(estimate_cost(g).params), total);
  // torchvision's state_dict names and shapes.
  EXPECT_EQ(value_named(g, "conv1.weight").shape, (Shape{64, 3, 7, 7}));
  EXPECT_EQ(value_named(g, "layer2.0.downsample.0.weight").shape, (Shape{128, 64, 1, 1}));
  EXPECT_EQ(value_named(g, "layer2.0.downsample.1.weight").shape, (Shape{128}));
  EXPECT_EQ(value_named(g, "layer4.1.bn2.bias").shape, (Shape{512}));
  EXPECT_EQ(value_named(g, "layer4.1.bn2.running_var").role, ValueRole::buffer);
  EXPECT_EQ(value_named(g, "fc.weight").shape, (Shape{1000, 512}));
  EXPECT_THROW(value_named(g, "layer1.0.downsample.0.weight"), Error);  // 64 -> 64, stride 1
}

// MACs = C_out * H_out * W_out * C_in * k * k, layer by layer at 224 px:
// 112 after conv1, 56 after the max pool, then 56, 28, 14, 7 per stage.
std::int64_t resnet18_macs(std::int64_t s1, std::int64_t s2, std::int64_t s3, std::int64_t s4,
                           std::int64_t s5, std::int64_t classes) {
  // s1: conv1's output side; s2..s5: the output side of layer1..layer4.
  const std::int64_t conv1 = 64 * s1 * s1 * 3 * 7 * 7;
  const std::int64_t layer1 = 4 * (64 * s2 * s2 * 64 * 9);
  auto stage = [](std::int64_t c, std::int64_t s) {
    return c * s * s * (c / 2) * 9 +  // block 0 conv1 (stride 2)
           3 * (c * s * s * c * 9) +  // block 0 conv2, block 1 conv1 and conv2
           c * s * s * (c / 2);       // downsample 1x1 (stride 2)
  };
  return conv1 + layer1 + stage(128, s3) + stage(256, s4) + stage(512, s5) + 512 * classes;
}

TEST(ResNet, ResNet18MacsByHand) {
  const std::int64_t conv1 = 64LL * 112 * 112 * 3 * 7 * 7;
  EXPECT_EQ(conv1, 118'013'952);
  const std::int64_t total = resnet18_macs(112, 56, 28, 14, 7, 1000);
  EXPECT_EQ(total, 1'814'073'344);  // torchvision: 1.814 GMACs

  const ModelCost c = estimate_cost(build("resnet18"));
  EXPECT_EQ(static_cast<std::int64_t>(c.forward.macs), total);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "conv1")), conv1);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "layer2.0.conv1")), 128LL * 28 * 28 * 64 * 9);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "layer3.0.downsample.0")),
            256LL * 14 * 14 * 128);
  EXPECT_EQ(static_cast<std::int64_t>(node_macs(c, "fc")), 512 * 1000);
  EXPECT_DOUBLE_EQ(c.forward.matmul_flops, 2.0 * static_cast<double>(total));
}

TEST(ResNet, ResNet18At112PixelsAndTenClasses) {
  // 112 px: conv1 -> 56, max pool -> 28, layer2 -> 14, layer3 -> 7, and
  // layer4's stride-2 3x3 (padding 1) on 7 gives floor((7 + 2 - 3) / 2) + 1 = 4.
  const Graph g = build("resnet18", 1, 112, 10);
  const ModelCost c = estimate_cost(g);
  EXPECT_EQ(static_cast<std::int64_t>(c.forward.macs), resnet18_macs(56, 28, 14, 7, 4, 10));
  EXPECT_EQ(output_of(g, "layer4.1.conv2"), (Shape{1, 512, 4, 4}));
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{1, 10}));
  // Ten classes change only fc: 512 x 10 + 10 instead of 512 x 1000 + 1000.
  EXPECT_EQ(static_cast<std::int64_t>(c.params),
            11'689'512 - (512 * 1000 + 1000) + (512 * 10 + 10));
}

TEST(ResNet, BatchScalesMacsExactly) {
  const double one = estimate_cost(build("resnet18")).forward.macs;
  const ModelCost c64 = estimate_cost(build("resnet18", 64));
  EXPECT_EQ(c64.forward.macs, 64 * one);
  EXPECT_EQ(c64.batch, 64);
  EXPECT_EQ(static_cast<std::int64_t>(c64.params),
            11'689'512);  // parameters do not grow with the batch
}

// Backward of Conv/Gemm: grad-weight for every layer plus grad-input for
// every layer but conv1, whose input is the image: 2 x forward - 2 x MACs(conv1).
TEST(ResNet, ResNet18BackwardSkipsGradInputOfConv1) {
  CostOptions training;
  training.training = true;
  const ModelCost c = estimate_cost(build("resnet18"), training);
  const double fwd = 2.0 * 1'814'073'344;
  const double conv1 = 64.0 * 112 * 112 * 3 * 7 * 7;
  EXPECT_DOUBLE_EQ(c.forward.matmul_flops, fwd);
  EXPECT_DOUBLE_EQ(c.backward.matmul_flops, 2 * fwd - 2 * conv1);
  EXPECT_LT(c.backward.matmul_flops / c.forward.matmul_flops, 2.0);
  EXPECT_GT(c.backward.matmul_flops / c.forward.matmul_flops, 1.9);
}

TEST(ResNet, BottleneckIsV15AndGroupedAndWideWidths) {
  // v1.5: the stride sits on the 3x3 conv2, so conv1 of layer2.0 keeps 56 px.
  const Graph r50 = build("resnet50");
  EXPECT_EQ(output_of(r50, "layer2.0.conv1"), (Shape{1, 128, 56, 56}));
  EXPECT_EQ(output_of(r50, "layer2.0.conv2"), (Shape{1, 128, 28, 28}));
  EXPECT_EQ(output_of(r50, "layer4.2.conv3"), (Shape{1, 2048, 7, 7}));
  EXPECT_EQ(value_named(r50, "fc.weight").shape, (Shape{1000, 2048}));
  // ResNeXt-50 32x4d: width = 64 * 4 / 64 * 32 = 128 in layer1, 32 groups.
  const Graph rx = build("resnext50_32x4d");
  EXPECT_EQ(value_named(rx, "layer1.0.conv2.weight").shape, (Shape{128, 128 / 32, 3, 3}));
  EXPECT_EQ(cnn_testing::node_named(rx, "layer1.0.conv2").attrs.get_int("group", 1), 32);
  // Wide ResNet-50-2: width = 64 * 128 / 64 = 128 in layer1, 1024 in layer4.
  const Graph w = build("wide_resnet50_2");
  EXPECT_EQ(value_named(w, "layer1.0.conv2.weight").shape, (Shape{128, 128, 3, 3}));
  EXPECT_EQ(value_named(w, "layer4.0.conv2.weight").shape, (Shape{1024, 1024, 3, 3}));
}

TEST(ResNet, DtypeComesFromOptions) {
  ZooOptions o;
  o.dtype = DType::bf16;
  const Graph g = build_zoo_model("resnet18", o);
  EXPECT_EQ(g.dtype, DType::bf16);
  EXPECT_EQ(g.value(g.inputs.at(0)).dtype, DType::bf16);
  EXPECT_EQ(g.value(g.inputs.at(0)).shape, (Shape{1, 3, 224, 224}));
}

TEST(ResNet, RejectsBadOptions) {
  EXPECT_THROW(build("resnet18", 0), Error);
  EXPECT_THROW(build("resnet18", 1, -5), Error);
  EXPECT_THROW(build("resnet18", 1, 0, 0), Error);
  const ZooEntry& e = zoo_entry("resnet18");
  EXPECT_EQ(e.family, "ResNet");
  EXPECT_EQ(e.task, "image classification");
  EXPECT_EQ(e.default_image_size, 224);
}

}  // namespace
}  // namespace dnnroof::cnn_testing
