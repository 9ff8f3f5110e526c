// ONNX files as exporters write them: every integer shape-arithmetic op
// folds (values worked out here by hand from the ONNX operator spec), a
// weight shared through Identity nodes is one tensor, and a file's graph is
// named by the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "onnx_testing.h"

namespace dnnroof {
namespace {

using onnx_testing::ModelMaker;
using onnx_testing::value_named;

// A graph output that folded to a constant: its integer data.
std::vector<std::int64_t> folded_ints(const Graph& g, std::size_t output = 0) {
  const Value& v = g.value(g.outputs.at(output));
  EXPECT_EQ(v.role, ValueRole::constant);
  return v.int_data;
}
std::vector<double> folded_floats(const Graph& g, std::size_t output = 0) {
  return g.value(g.outputs.at(output)).float_data;
}

TEST(OnnxShapeArithmetic, ModFollowsTheDivisorSignUnlessFmod) {
  ModelMaker m(17);
  m.ints("a", {-7, 7, -7, 7, 6});
  m.ints("b", {3, -3, -3, 3, 3});
  m.node("Mod", {"a", "b"}, {"py"});
  ModelMaker::attr(m.node("Mod", {"a", "b"}, {"c"}), "fmod", std::int64_t{1});
  m.output("py");
  m.output("c");
  const Graph g = m.import();
  // Python's %: -7 % 3 = 2, 7 % -3 = -2, -7 % -3 = -1, 7 % 3 = 1, 6 % 3 = 0.
  EXPECT_EQ(folded_ints(g, 0), (std::vector<std::int64_t>{2, -2, -1, 1, 0}));
  // C's fmod: the sign of the dividend.
  EXPECT_EQ(folded_ints(g, 1), (std::vector<std::int64_t>{-1, 1, -1, 1, 0}));
  EXPECT_TRUE(g.nodes.empty());
}

TEST(OnnxShapeArithmetic, ModByZeroIsAnErrorNamingTheNode) {
  ModelMaker m(17);
  m.ints("a", {5}, true);
  m.ints("z", {0}, true);
  m.node("Mod", {"a", "z"}, {"r"}, "the_mod");
  m.output("r");
  const std::string err = onnx_testing::error_of([&] { m.import(); });
  EXPECT_NE(err.find("the_mod"), std::string::npos) << err;
  EXPECT_NE(err.find("division by zero"), std::string::npos) << err;
}

TEST(OnnxShapeArithmetic, FloorCeilRoundSignOnScalars) {
  ModelMaker m(17);
  m.floats("x", {-2.5F}, true);
  m.floats("y", {2.5F}, true);
  m.floats("z", {3.5F}, true);
  m.node("Floor", {"x"}, {"floor"});
  m.node("Ceil", {"x"}, {"ceil"});
  m.node("Round", {"x"}, {"round_neg"});  // halves to even: -2
  m.node("Round", {"y"}, {"round_pos"});  // 2
  m.node("Round", {"z"}, {"round_odd"});  // 4
  m.node("Sign", {"x"}, {"sign"});
  for (const char* o : {"floor", "ceil", "round_neg", "round_pos", "round_odd", "sign"})
    m.output(o);
  const Graph g = m.import();
  const std::vector<double> want{-3, -2, -2, 2, 4, -1};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(folded_floats(g, i), std::vector<double>{want[i]}) << i;
  }
}

TEST(OnnxShapeArithmetic, ComparisonsAndLogicOnShapes) {
  ModelMaker m(17);
  m.ints("a", {1, 5, 3});
  m.ints("b", {2, 5, 1});
  m.node("LessOrEqual", {"a", "b"}, {"le"});
  m.node("GreaterOrEqual", {"a", "b"}, {"ge"});
  m.node("And", {"le", "ge"}, {"eq"});
  m.node("Or", {"le", "ge"}, {"any"});
  m.node("Xor", {"le", "ge"}, {"ne"});
  m.node("Where", {"le", "a", "b"}, {"min"});
  m.ints("c", {4, 0, 9});
  m.node("Max", {"a", "b", "c"}, {"max3"});
  m.node("Min", {"a", "b", "c"}, {"min3"});
  for (const char* o : {"le", "ge", "eq", "any", "ne", "min", "max3", "min3"}) m.output(o);
  const Graph g = m.import();
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(folded_ints(g, 0), (V{1, 1, 0}));
  EXPECT_EQ(folded_ints(g, 1), (V{0, 1, 1}));
  EXPECT_EQ(folded_ints(g, 2), (V{0, 1, 0}));
  EXPECT_EQ(folded_ints(g, 3), (V{1, 1, 1}));
  EXPECT_EQ(folded_ints(g, 4), (V{1, 0, 1}));
  EXPECT_EQ(folded_ints(g, 5), (V{1, 5, 1}));
  EXPECT_EQ(folded_ints(g, 6), (V{4, 5, 9}));
  EXPECT_EQ(folded_ints(g, 7), (V{1, 0, 1}));
  EXPECT_EQ(g.value(g.outputs[0]).dtype, DType::boolean);
}

// torch 2.x's attention with a dynamic batch: head_dim from Shape, a Mod of
// two constants, Range over the batch, all folding into a Reshape target.
TEST(OnnxShapeArithmetic, ExportedAttentionShapeChainFolds) {
  ModelMaker m(17);
  m.input("x", {-1, 197, 768}, {"batch"});
  m.node("Shape", {"x"}, {"s"});
  m.ints("i0", {0}, true);
  m.ints("i2", {2}, true);
  m.node("Gather", {"s", "i0"}, {"n"});
  m.node("Gather", {"s", "i2"}, {"e"});
  m.ints("heads", {12}, true);
  m.node("Div", {"e", "heads"}, {"hd"});  // 768 / 12 = 64
  m.ints("k", {768}, true);
  m.node("Mod", {"k", "heads"}, {"rem"});  // 0: the check torch exports
  m.node("Add", {"hd", "rem"}, {"hd2"});
  m.ints("one", {1}, true);
  m.node("Range", {"i0", "n", "one"}, {"r"});  // [0, n)
  m.node("Shape", {"r"}, {"rn"});              // [n]
  m.ints("ax", {0});
  m.node("Unsqueeze", {"heads", "ax"}, {"h1"});
  m.node("Unsqueeze", {"hd2", "ax"}, {"d1"});
  m.ints("minus1", {-1});
  ModelMaker::attr(m.node("Concat", {"rn", "minus1", "h1", "d1"}, {"target"}), "axis",
                   std::int64_t{0});
  m.node("Reshape", {"x", "target"}, {"y"});
  m.output("y");
  OnnxImportOptions o;
  o.batch = 4;
  const Graph g = m.import(o);
  ASSERT_EQ(g.nodes.size(), 1U);
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{4, 197, 12, 64}));
}

// torch's exporter gives each user of a shared initializer its own Identity:
// the tensor is still one parameter, loaded by its initializer's name.
TEST(OnnxShapeArithmetic, AWeightSharedThroughIdentitiesIsCountedOnce) {
  ModelMaker m(17);
  m.input("x", {1, 3, 8, 8});
  m.weight("w1", {4, 3, 3, 3});
  m.weight("w2", {4, 4, 3, 3});
  m.weight("zero_bias", {4});
  m.node("Identity", {"zero_bias"}, {"b1"});
  m.node("Identity", {"zero_bias"}, {"b2"});
  m.node("Identity", {"b2"}, {"b3"});  // an Identity of an Identity
  m.node("Conv", {"x", "w1", "b1"}, {"c1"});
  m.node("Conv", {"c1", "w2", "b3"}, {"y"});
  m.output("y");
  const Graph g = m.import();
  EXPECT_EQ(estimate_cost(g).params, 4 * 3 * 9 + 4 * 4 * 9 + 4);
  EXPECT_EQ(value_named(g, "zero_bias").role, ValueRole::parameter);
  EXPECT_THROW(value_named(g, "b1"), Error);
  EXPECT_THROW(value_named(g, "b3"), Error);
}

TEST(OnnxShapeArithmetic, AFileIsNamedByItsStem) {
  ModelMaker m(17);
  m.input("x", {1, 4});
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  m.proto().mutable_graph()->set_name("main_graph");
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("dnnroof-stem-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / "my_model.v2.onnx";
  std::ofstream(file, std::ios::binary) << m.bytes();
  const Graph g = import_onnx_file(file.string());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(g.name, "my_model.v2");
  EXPECT_EQ(m.import().name, "main_graph");  // from memory: the name inside
}

}  // namespace
}  // namespace dnnroof
