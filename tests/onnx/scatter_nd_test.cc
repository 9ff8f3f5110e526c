// ScatterND folds on constants as the ONNX spec defines it (expected values
// worked out here by hand from the spec's examples), and a float mask built
// the way torch 2.x exports swin_t's shifted-window attention (ScatterND into
// a ConstantOfShape, then Sub, Equal, Where) is a constant, not a parameter.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "onnx_testing.h"

namespace dnnroof {
namespace {

using onnx_testing::ModelMaker;
using V = std::vector<std::int64_t>;

// ConstantOfShape(shape) filled with the float `value`: a float tensor that
// is not a weight.
void filled(ModelMaker& m, const std::string& name, const V& shape, float value) {
  m.ints(name + "_shape", shape);
  auto& n = m.node("ConstantOfShape", {name + "_shape"}, {name});
  auto* a = n.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  a->mutable_t()->add_dims(1);
  a->mutable_t()->add_float_data(value);
}

// indices [[k0], [k1], ...]: shape [n, 1].
void index_column(ModelMaker& m, const std::string& name, const V& ks) {
  auto* t = m.proto().mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<std::int64_t>(ks.size()));
  t->add_dims(1);
  for (auto k : ks) t->add_int64_data(k);
}

// The spec's first example, on integers: data [1..8], indices [[4], [3],
// [1], [7]], updates [9, 10, 11, 12] -> [1, 11, 3, 10, 9, 6, 7, 12]; here
// index 3 is written -5 (negative counts from the end: 8 - 5 = 3).
TEST(OnnxScatterND, ElementUpdatesWithANegativeIndex) {
  ModelMaker m(17);
  m.ints("data", {1, 2, 3, 4, 5, 6, 7, 8});
  index_column(m, "idx", {4, -5, 1, 7});
  m.ints("upd", {9, 10, 11, 12});
  m.node("ScatterND", {"data", "idx", "upd"}, {"y"});
  m.output("y");
  const Graph g = m.import();
  EXPECT_TRUE(g.nodes.empty());
  EXPECT_EQ(g.value(g.outputs[0]).int_data, (V{1, 11, 3, 10, 9, 6, 7, 12}));
}

// Opset 16's reduction: duplicate indices combine. data [1, 2, 3, 4],
// indices [[0], [0], [2]], updates [10, 20, 30]:
// add -> [1 + 10 + 20, 2, 3 + 30, 4]; mul -> [1 * 10 * 20, 2, 3 * 30, 4];
// opset 18's max -> [20, 2, 30, 4] and min -> [1, 2, 3, 4].
TEST(OnnxScatterND, Reductions) {
  ModelMaker m(18);
  m.ints("data", {1, 2, 3, 4});
  index_column(m, "idx", {0, 0, 2});
  m.ints("upd", {10, 20, 30});
  for (const char* r : {"add", "mul", "max", "min"}) {
    ModelMaker::attr(m.node("ScatterND", {"data", "idx", "upd"}, {r}), "reduction", std::string(r));
    m.output(r);
  }
  const Graph g = m.import();
  EXPECT_EQ(g.value(g.outputs[0]).int_data, (V{31, 2, 33, 4}));
  EXPECT_EQ(g.value(g.outputs[1]).int_data, (V{200, 2, 90, 4}));
  EXPECT_EQ(g.value(g.outputs[2]).int_data, (V{20, 2, 30, 4}));
  EXPECT_EQ(g.value(g.outputs[3]).int_data, (V{1, 2, 3, 4}));
}

TEST(OnnxScatterND, BadReductionIndexAndShapesAreErrorsNamingTheNode) {
  {
    ModelMaker m(16);  // max arrives at opset 18
    m.ints("data", {1, 2});
    index_column(m, "idx", {0});
    m.ints("upd", {5});
    ModelMaker::attr(m.node("ScatterND", {"data", "idx", "upd"}, {"y"}, "the_scatter"), "reduction",
                     std::string("max"));
    m.output("y");
    const std::string err = onnx_testing::error_of([&] { m.import(); });
    EXPECT_NE(err.find("the_scatter"), std::string::npos) << err;
    EXPECT_NE(err.find("reduction 'max'"), std::string::npos) << err;
  }
  {
    ModelMaker m(17);
    m.ints("data", {1, 2});
    index_column(m, "idx", {2});
    m.ints("upd", {5});
    m.node("ScatterND", {"data", "idx", "upd"}, {"y"}, "the_scatter");
    m.output("y");
    const std::string err = onnx_testing::error_of([&] { m.import(); });
    EXPECT_NE(err.find("the_scatter"), std::string::npos) << err;
    EXPECT_NE(err.find("out of range"), std::string::npos) << err;
  }
  {
    ModelMaker m(17);
    m.ints("data", {1, 2});
    index_column(m, "idx", {0});
    m.ints("upd", {5, 6});  // needs [1]
    m.node("ScatterND", {"data", "idx", "upd"}, {"y"}, "the_scatter");
    m.output("y");
    const std::string err = onnx_testing::error_of([&] { m.import(); });
    EXPECT_NE(err.find("updates have shape [2]"), std::string::npos) << err;
  }
}

// swin_t's mask, small: a [3, 2] zero image whose row 1 is set to 1 and row
// 2 to 2 (slice updates: k = 1 < rank 2), flattened to m = [0, 0, 1, 1, 2, 2],
// then m[None, :] - m[:, None] != 0 -> -100, else 0, added to the scores.
// By hand: entry (i, j) is -100 where m[j] != m[i], so row 0 is
// [0, 0, -100, -100, -100, -100].
TEST(OnnxScatterND, ASwinMaskFoldsToAConstantThatIsNoParameter) {
  ModelMaker m(17);
  m.input("scores", {1, 6, 6});
  filled(m, "zeros", {3, 2}, 0.0F);
  filled(m, "ones", {1, 2}, 1.0F);
  filled(m, "twos", {1, 2}, 2.0F);
  index_column(m, "row1", {1});
  index_column(m, "row2", {-1});
  m.node("ScatterND", {"zeros", "row1", "ones"}, {"s1"});
  m.node("ScatterND", {"s1", "row2", "twos"}, {"s2"});
  m.ints("flat", {6});
  m.node("Reshape", {"s2", "flat"}, {"mask"});
  m.ints("ax0", {0});
  m.ints("ax1", {1});
  m.node("Unsqueeze", {"mask", "ax0"}, {"row"});
  m.node("Unsqueeze", {"mask", "ax1"}, {"col"});
  m.node("Sub", {"row", "col"}, {"diff"});
  m.floats("zero", {0.0F}, true);
  m.floats("minus100", {-100.0F}, true);
  m.node("Equal", {"diff", "zero"}, {"same"});
  m.node("Where", {"same", "zero", "minus100"}, {"bias"});
  m.node("Add", {"scores", "bias"}, {"y"});
  m.output("y");
  m.output("bias");
  const Graph g = m.import();
  ASSERT_EQ(g.nodes.size(), 1U);  // only the Add
  const Value& bias = g.value(g.outputs[1]);
  EXPECT_EQ(bias.role, ValueRole::constant);
  EXPECT_EQ(bias.shape, (Shape{6, 6}));
  ASSERT_EQ(bias.float_data.size(), 36U);
  const std::vector<double> row0{0, 0, -100, -100, -100, -100};
  const std::vector<double> row3{-100, -100, 0, 0, -100, -100};
  EXPECT_EQ(std::vector<double>(bias.float_data.begin(), bias.float_data.begin() + 6), row0);
  EXPECT_EQ(std::vector<double>(bias.float_data.begin() + 18, bias.float_data.begin() + 24), row3);
  EXPECT_EQ(estimate_cost(g).params, 0);
}

// A weight is never folded by arithmetic: ScatterND into an initializer
// reads a parameter at run time, which dnnroof does not lower.
TEST(OnnxScatterND, IntoAWeightIsUnsupported) {
  ModelMaker m(17);
  m.weight("w", {3, 2});
  index_column(m, "row1", {1});
  filled(m, "ones", {1, 2}, 1.0F);
  m.node("ScatterND", {"w", "row1", "ones"}, {"y"}, "the_scatter");
  m.output("y");
  const std::string err = onnx_testing::error_of([&] { m.import(); });
  EXPECT_NE(err.find("the_scatter"), std::string::npos) << err;
  EXPECT_NE(err.find("is a weight"), std::string::npos) << err;
}

}  // namespace
}  // namespace dnnroof
