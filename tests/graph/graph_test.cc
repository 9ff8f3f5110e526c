// The builder: names, parameters, errors, validation, re-inference.
#include "graph/graph.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "support/files.h"

namespace dnnroof {
namespace {

using test::error_of;

TEST(Graph, NumelAndShapeStr) {
  EXPECT_EQ(numel({1, 3, 224, 224}), 150528);
  EXPECT_EQ(numel({}), 1);
  EXPECT_EQ(shape_str({1, 3, 224, 224}), "[1, 3, 224, 224]");
  EXPECT_EQ(shape_str({}), "[]");
}

TEST(Graph, AttributesTypedGetters) {
  Attributes a;
  a.set("k", std::int64_t{3});
  a.set("eps", 1e-5);
  a.set("mode", std::string("flash"));
  EXPECT_EQ(a.get_int("k", 0), 3);
  EXPECT_EQ(a.get_int("absent", 7), 7);
  EXPECT_DOUBLE_EQ(a.get_float("k", 0), 3.0);  // an int reads as a float
  EXPECT_EQ(a.get_ints("k", {}), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(a.get_string("mode", ""), "flash");
  EXPECT_THROW(a.get_int("eps", 0), Error);
  EXPECT_THROW(a.get_string("k", ""), Error);
}

TEST(Graph, TorchvisionStyleNamesAndParameters) {
  GraphBuilder b("t", DType::fp32);
  auto x = b.input("x", {1, 64, 56, 56});
  ValueId y;
  {
    auto s1 = b.scope("layer1");
    auto s2 = b.scope(0);
    y = b.conv(x, {.out_channels = 64, .kernel = {3, 3}, .padding = {1, 1}, .bias = false},
               "conv1");
    y = b.batch_norm(y, 1e-5, "bn1");
    y = b.relu(y);
    y = b.relu(y);
  }
  y = b.linear(b.flatten(b.global_avg_pool(y)), 10, true, "fc");
  b.output(y);
  Graph g = b.finish();
  std::vector<std::string> params;
  std::vector<std::string> buffers;
  std::int64_t param_elems = 0;
  for (const auto& v : g.values) {
    if (v.role == ValueRole::parameter) {
      params.push_back(v.name);
      param_elems += numel(v.shape);
    }
    if (v.role == ValueRole::buffer) buffers.push_back(v.name);
  }
  EXPECT_EQ(params, (std::vector<std::string>{"layer1.0.conv1.weight", "layer1.0.bn1.weight",
                                              "layer1.0.bn1.bias", "fc.weight", "fc.bias"}));
  EXPECT_EQ(buffers,
            (std::vector<std::string>{"layer1.0.bn1.running_mean", "layer1.0.bn1.running_var"}));
  // conv 64*64*3*3 + bn 2*64 + fc 10*64 + 10
  EXPECT_EQ(param_elems, 36864 + 128 + 640 + 10);
  EXPECT_EQ(g.nodes[0].name, "layer1.0.conv1");
  EXPECT_EQ(g.nodes[0].module, "layer1.0");
  EXPECT_EQ(g.nodes[2].name, "layer1.0.relu");
  EXPECT_EQ(g.nodes[3].name, "layer1.0.relu_1");
  EXPECT_EQ(g.nodes.back().name, "fc");
  EXPECT_EQ(g.nodes.back().module, "");
}

TEST(Graph, ShapeErrorsNameNodeAndOp) {
  GraphBuilder b("t", DType::fp32);
  auto x = b.input("x", {1, 64, 56, 56});
  auto w = b.parameter("w", {32, 32, 3, 3});
  std::string msg;
  {
    auto s1 = b.scope("layer1");
    auto s2 = b.scope(0);
    msg = error_of([&] { b.op(OpKind::Conv, {x, w}, {}, "conv1"); });
  }
  EXPECT_NE(msg.find("node 'layer1.0.conv1' (Conv)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("input has 64 channels, weight expects 32"), std::string::npos) << msg;
  auto y = b.input("y", {1, 10});
  msg = error_of([&] { b.add(x, y); });
  EXPECT_NE(msg.find("(Add)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("do not broadcast"), std::string::npos) << msg;
  msg = error_of([&] { b.op(OpKind::Relu, {x, y}); });
  EXPECT_NE(msg.find("has 2 inputs, expects 1"), std::string::npos) << msg;
}

TEST(Graph, ValidateCatchesBadGraphs) {
  GraphBuilder b("t", DType::fp32);
  auto x = b.input("x", {2, 8});
  b.output(b.relu(b.linear(x, 4)));
  Graph g = b.finish();
  EXPECT_NO_THROW(validate(g));
  Graph bad = g;
  bad.value(bad.nodes.back().outputs[0]).shape = {2, 5};
  EXPECT_NE(error_of([&] { validate(bad); }).find("node 'relu' (ReLU)"), std::string::npos);
  Graph dup = g;
  dup.nodes[1].name = dup.nodes[0].name;
  EXPECT_NE(error_of([&] { validate(dup); }).find("used twice"), std::string::npos);
  Graph order = g;
  std::swap(order.nodes[0], order.nodes[1]);
  EXPECT_THROW(validate(order), Error);
}

TEST(Graph, InferShapesAfterBatchChange) {
  GraphBuilder b("t", DType::fp16);
  auto x = b.input("x", {1, 3, 32, 32});
  auto y = b.conv(x, {.out_channels = 8, .kernel = {3, 3}, .stride = {2, 2}});
  b.output(b.reshape(y, {0, -1}));
  Graph g = b.finish();
  g.value(g.inputs[0]).shape[0] = 64;
  infer_shapes(g);
  // floor((32 - 2 - 1)/2) + 1 = 15; 8*15*15 = 1800.
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{64, 1800}));
  EXPECT_EQ(g.value(g.outputs[0]).dtype, DType::fp16);
  EXPECT_NO_THROW(validate(g));
}

TEST(Graph, FinishNeedsAnOutput) {
  GraphBuilder b("t", DType::fp32);
  b.input("x", {1});
  EXPECT_THROW(b.finish(), Error);
}

}  // namespace
}  // namespace dnnroof
