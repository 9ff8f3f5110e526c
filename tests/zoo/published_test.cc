// Every zoo model torchvision publishes figures for, in one table: its
// parameters exactly (the cost model's count and the graph's parameter
// values), its [1, 1000] output, its forward MACs against the published
// GFLOPS and Conv/Gemm FLOPs = 2 x MACs; and one table of models that must
// re-batch (built at batch 1, given batch 3 and re-inferred, they equal the
// graph built at batch 3); and one table of models built at a larger batch
// (N x the forward MACs of batch 1, the same parameters).
//
// Published figures: the "Params" and "GFLOPS" columns of torchvision's
// "Table of all available classification weights"
// (https://pytorch.org/vision/stable/models.html), which are the weights'
// meta["num_params"] and meta["_ops"] in torchvision/models/<family>.py
// (IMAGENET1K_V1 rows; torchvision >= 0.15). "GFLOPS" there is GMACs of
// convolutions and matrix products (attention's Q K^T and A V included) at
// batch 1 and the weights' crop size (224; 299 for inception_v3): exactly
// dnnroof's forward `macs` (DESIGN.md, "Counting conventions"). GoogLeNet's
// and Inception-v3's figures leave out the auxiliary classifiers, which the
// pretrained models drop in evaluation.
//
// While writing the mobile and transformer builders every figure of theirs
// was reproduced to all its published decimals by counting the MACs of
// aten.convolution, aten.mm/addmm and aten.bmm/baddbmm under a
// TorchDispatchMode (torchvision 0.14, ViT run outside the fused inference
// fast path so its attention shows as bmm).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>

#include "cnn_testing.h"
#include "cost/cost.h"
#include "zoo/zoo.h"

namespace dnnroof {
namespace {

struct PublishedRow {
  const char* name;
  std::int64_t params;
  double gmacs;  // the table's "GFLOPS"
};
void PrintTo(const PublishedRow& r, std::ostream* os) { *os << r.name; }

const PublishedRow kPublished[] = {
    {"alexnet", 61'100'840, 0.714},
    {"convnext_tiny", 28'589'128, 4.456},
    {"densenet121", 7'978'856, 2.834},
    {"densenet169", 14'149'480, 3.36},
    {"efficientnet_b0", 5'288'548, 0.386},
    {"efficientnet_b1", 7'794'184, 0.687},
    {"efficientnet_b2", 9'109'994, 1.088},
    {"efficientnet_b3", 12'233'232, 1.827},
    {"efficientnet_b4", 19'341'616, 4.394},
    {"googlenet", 6'624'904, 1.498},
    {"inception_v3", 27'161'264, 5.713},
    {"mnasnet0_5", 2'218'512, 0.104},
    {"mnasnet1_0", 4'383'312, 0.314},
    {"mobilenet_v2", 3'504'872, 0.301},
    {"mobilenet_v3_small", 2'542'856, 0.057},
    {"mobilenet_v3_large", 5'483'032, 0.217},
    {"regnet_y_400mf", 4'344'144, 0.402},
    {"regnet_x_1_6gf", 9'190'136, 1.603},
    {"resnet18", 11'689'512, 1.814},
    {"resnet34", 21'797'672, 3.664},
    {"resnet50", 25'557'032, 4.089},
    {"resnet101", 44'549'160, 7.801},
    {"resnet152", 60'192'808, 11.514},
    {"resnext50_32x4d", 25'028'904, 4.23},
    {"wide_resnet50_2", 68'883'240, 11.398},
    {"shufflenet_v2_x0_5", 1'366'792, 0.040},
    {"shufflenet_v2_x1_0", 2'278'604, 0.145},
    {"shufflenet_v2_x2_0", 7'393'996, 0.583},
    {"squeezenet1_0", 1'248'424, 0.819},
    {"squeezenet1_1", 1'235'496, 0.349},
    {"swin_t", 28'288'354, 4.491},
    {"vgg11", 132'863'336, 7.609},
    {"vgg13", 133'047'848, 11.308},
    {"vgg16", 138'357'544, 15.47},
    {"vgg19", 143'667'240, 19.632},
    {"vgg11_bn", 132'868'840, 7.609},
    {"vgg13_bn", 133'053'736, 11.308},
    {"vgg16_bn", 138'365'992, 15.47},
    {"vgg19_bn", 143'678'248, 19.632},
    {"vit_b_16", 86'567'656, 17.564},
};

class ZooPublished : public ::testing::TestWithParam<PublishedRow> {};

// Parameters exactly; MACs within 0.5% or within the rounding of the three
// published decimals (+-0.0005, for the tiniest models such as
// shufflenet_v2_x0_5's 0.040), whichever is larger.
TEST_P(ZooPublished, MatchesTorchvision) {
  const PublishedRow& p = GetParam();
  const Graph g = build_zoo_model(p.name, {});
  const ModelCost c = estimate_cost(g);
  EXPECT_EQ(static_cast<std::int64_t>(c.params), p.params);
  EXPECT_EQ(cnn_testing::graph_parameter_count(g), p.params);
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{1, 1000}));
  EXPECT_NEAR(c.forward.macs / 1e9, p.gmacs, std::max(0.005 * p.gmacs, 0.0005));
  EXPECT_DOUBLE_EQ(c.forward.matmul_flops, 2 * c.forward.macs);
  EXPECT_TRUE(c.uncovered.empty()) << c.coverage_line();
}

std::string published_name(const ::testing::TestParamInfo<PublishedRow>& row) {
  return row.param.name;
}
INSTANTIATE_TEST_SUITE_P(Torchvision, ZooPublished, ::testing::ValuesIn(kPublished),
                         published_name);

struct RebatchRow {
  const char* name;
  std::int64_t image_size = 0;  // 0: the model's own
  std::int64_t seq_len = 0;
};
void PrintTo(const RebatchRow& r, std::ostream* os) { *os << r.name << " " << r.image_size; }

// The builders write reshapes with 0 / -1 for the batch: swin_t also at 256
// px (padded windows), gpt2 at a 32-token sequence.
const RebatchRow kRebatch[] = {
    {"convnext_tiny"},  {"efficientnet_b0"},    {"mnasnet0_5"},
    {"mobilenet_v2"},   {"mobilenet_v3_small"}, {"mobilenet_v3_large"},
    {"regnet_y_400mf"}, {"regnet_x_1_6gf"},     {"shufflenet_v2_x1_0"},
    {"swin_t"},         {"swin_t", 256},        {"gpt2", 0, 32},
};

class ZooRebatch : public ::testing::TestWithParam<RebatchRow> {};

TEST_P(ZooRebatch, EqualsTheGraphBuiltAtThatBatch) {
  ZooOptions options;
  options.image_size = GetParam().image_size;
  options.seq_len = GetParam().seq_len;
  options.batch = 1;
  Graph g = build_zoo_model(GetParam().name, options);
  g.value(g.inputs[0]).shape[0] = 3;
  infer_shapes(g);
  options.batch = 3;
  const Graph direct = build_zoo_model(GetParam().name, options);
  EXPECT_EQ(g.value(g.outputs[0]).shape, direct.value(direct.outputs[0]).shape);
  const ModelCost a = estimate_cost(g);
  const ModelCost b = estimate_cost(direct);
  EXPECT_DOUBLE_EQ(a.forward.macs, b.forward.macs);
  EXPECT_DOUBLE_EQ(a.forward.flops(), b.forward.flops());
  EXPECT_DOUBLE_EQ(a.params, b.params);
}

std::string rebatch_name(const ::testing::TestParamInfo<RebatchRow>& row) {
  std::string n = row.param.name;
  if (row.param.image_size > 0) n.append("_").append(std::to_string(row.param.image_size));
  if (row.param.seq_len > 0) n.append("_seq").append(std::to_string(row.param.seq_len));
  return n;
}
INSTANTIATE_TEST_SUITE_P(Zoo, ZooRebatch, ::testing::ValuesIn(kRebatch), rebatch_name);

struct BatchRow {
  const char* name;
  std::int64_t batch;
};
void PrintTo(const BatchRow& r, std::ostream* os) { *os << r.name << " x" << r.batch; }

const BatchRow kBatchScaling[] = {
    {"mobilenet_v2", 4},
    {"mobilenet_v3_small", 4},
    {"mobilenet_v3_large", 4},
    {"shufflenet_v2_x1_0", 3},
    {"swin_t", 2},
    {"vit_b_16", 2},
};

class ZooBatchScaling : public ::testing::TestWithParam<BatchRow> {};

// Work grows with the batch, parameters do not: N rows of logits, N x the
// forward MACs of batch 1, the same parameters.
TEST_P(ZooBatchScaling, WorkScalesParametersDoNot) {
  ZooOptions options;
  options.batch = GetParam().batch;
  const Graph g = build_zoo_model(GetParam().name, options);
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{GetParam().batch, 1000}));
  const ModelCost n = estimate_cost(g);
  const ModelCost one = estimate_cost(build_zoo_model(GetParam().name, {}));
  EXPECT_DOUBLE_EQ(n.forward.macs, static_cast<double>(GetParam().batch) * one.forward.macs);
  EXPECT_DOUBLE_EQ(n.params, one.params);
}

std::string batch_name(const ::testing::TestParamInfo<BatchRow>& row) {
  return std::string(row.param.name) + "_x" + std::to_string(row.param.batch);
}
INSTANTIATE_TEST_SUITE_P(Zoo, ZooBatchScaling, ::testing::ValuesIn(kBatchScaling), batch_name);

}  // namespace
}  // namespace dnnroof
