// Op mapping across opsets: attributes that became inputs, old semantics
// (Softmax's 2-D coercion, legacy broadcast), Gemm forms, constant folding
// of shape subgraphs and of weights, roles of initializers. Each model is
// built here with the onnx.proto classes; expected shapes and counts are
// worked out by hand in the comments.
#include <gtest/gtest.h>

#include "cost/cost.h"
#include "onnx_testing.h"

namespace dnnroof {
namespace {

using onnx_testing::count_ops;
using onnx_testing::ModelMaker;
using onnx_testing::value_named;
using Ints = std::vector<std::int64_t>;

const Shape& out_shape(const Graph& g) { return g.value(g.outputs.at(0)).shape; }

TEST(OnnxOpsets, ClipBoundsAsAttributesThenInputs) {
  ModelMaker old(9);
  old.input("x", {1, 4});
  auto& n = old.node("Clip", {"x"}, {"y"});
  ModelMaker::attr(n, "min", 0.0F);
  ModelMaker::attr(n, "max", 6.0F);
  old.output("y");
  const Graph a = old.import();
  ASSERT_EQ(a.nodes.size(), 1U);
  EXPECT_DOUBLE_EQ(a.nodes[0].attrs.get_float("max", 0), 6.0);

  ModelMaker now(13);
  now.input("x", {1, 4});
  now.floats("lo", {0.0F}, true);
  now.floats("hi", {6.0F}, true);
  now.node("Clip", {"x", "lo", "hi"}, {"y"});
  now.output("y");
  const Graph b = now.import();
  ASSERT_EQ(b.nodes.size(), 1U);
  EXPECT_DOUBLE_EQ(b.nodes[0].attrs.get_float("min", -1), 0.0);
  EXPECT_DOUBLE_EQ(b.nodes[0].attrs.get_float("max", 0), 6.0);
}

TEST(OnnxOpsets, SoftmaxBeforeOpset13CoercesTo2D) {
  // [2, 3, 4, 5] with axis 1 (the old default): rows of 3*4*5 = 60.
  ModelMaker old(11);
  old.input("x", {2, 3, 4, 5});
  old.node("Softmax", {"x"}, {"y"});
  old.output("y");
  const Graph a = old.import();
  ASSERT_EQ(a.nodes.size(), 3U);  // reshape, softmax over the last dim, reshape back
  EXPECT_EQ(a.value(a.nodes[1].outputs[0]).shape, (Shape{2, 60}));
  EXPECT_EQ(out_shape(a), (Shape{2, 3, 4, 5}));
  // Opset 13: axis -1 by default, a single node.
  ModelMaker now(13);
  now.input("x", {2, 3, 4, 5});
  now.node("Softmax", {"x"}, {"y"});
  now.output("y");
  EXPECT_EQ(now.import().nodes.size(), 1U);
}

TEST(OnnxOpsets, SliceAttributesThenInputs) {
  // x[:, 1:3] and x[:, ::2] on [2, 6].
  ModelMaker old(9);
  old.input("x", {2, 6});
  auto& n = old.node("Slice", {"x"}, {"y"});
  ModelMaker::attr(n, "starts", Ints{1});
  ModelMaker::attr(n, "ends", Ints{3});
  ModelMaker::attr(n, "axes", Ints{1});
  old.output("y");
  EXPECT_EQ(out_shape(old.import()), (Shape{2, 2}));

  ModelMaker now(13);
  now.input("x", {2, 6});
  now.ints("s", {0});
  now.ints("e", {INT64_MAX});
  now.ints("a", {1});
  now.ints("st", {2});
  now.node("Slice", {"x", "s", "e", "a", "st"}, {"y"});
  now.output("y");
  EXPECT_EQ(out_shape(now.import()), (Shape{2, 3}));
}

TEST(OnnxOpsets, SqueezeUnsqueezeSplitReduceAxesAsAttributesThenInputs) {
  for (int opset : {11, 13, 18}) {
    SCOPED_TRACE(opset);
    ModelMaker m(opset);
    m.input("x", {2, 6});
    auto& u = m.node(
        "Unsqueeze",
        opset >= 13 ? std::vector<std::string>{"x", "ax0"} : std::vector<std::string>{"x"}, {"u"});
    auto& sp =
        m.node("Split",
               opset >= 13 ? std::vector<std::string>{"u", "sizes"} : std::vector<std::string>{"u"},
               {"p", "q"});
    auto& sq = m.node(
        "Squeeze",
        opset >= 13 ? std::vector<std::string>{"q", "ax0"} : std::vector<std::string>{"q"}, {"s"});
    auto& r = m.node(
        "ReduceMean",
        opset >= 18 ? std::vector<std::string>{"s", "ax1"} : std::vector<std::string>{"s"}, {"r"});
    if (opset >= 13) {
      m.ints("ax0", {0});
      m.ints("sizes", {2, 4});
    } else {
      ModelMaker::attr(u, "axes", Ints{0});
      ModelMaker::attr(sp, "split", Ints{2, 4});
      ModelMaker::attr(sq, "axes", Ints{0});
    }
    if (opset >= 18) {
      m.ints("ax1", {1});
    } else {
      ModelMaker::attr(r, "axes", Ints{1});
    }
    ModelMaker::attr(sp, "axis", std::int64_t{2});
    ModelMaker::attr(r, "keepdims", std::int64_t{0});
    m.output("r");
    m.output("p");
    const Graph g = m.import();
    // [2, 6] -> [1, 2, 6] -> split dim 2 into 2 + 4 -> q [1, 2, 4] -> [2, 4] -> mean dim 1: [2].
    EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{2}));
    EXPECT_EQ(g.value(g.outputs[1]).shape, (Shape{1, 2, 2}));
  }
}

TEST(OnnxOpsets, ShapeGatherUnsqueezeConcatReshapeChainFolds) {
  // The exporter's flatten: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])).
  ModelMaker m(13);
  m.input("x", {3, 4, 5}, {"N"});
  m.node("Shape", {"x"}, {"shape"});
  m.ints("zero", {0}, true);
  m.node("Gather", {"shape", "zero"}, {"n"});
  m.ints("ax", {0});
  m.node("Unsqueeze", {"n", "ax"}, {"n1"});
  m.ints("minus1", {-1});
  auto& c = m.node("Concat", {"n1", "minus1"}, {"target"});
  ModelMaker::attr(c, "axis", std::int64_t{0});
  m.node("Reshape", {"x", "target"}, {"y"});
  m.output("y");
  OnnxImportOptions o;
  o.batch = 7;  // the symbolic N
  const Graph g = m.import(o);
  ASSERT_EQ(g.nodes.size(), 1U);  // only the Reshape is a node
  EXPECT_EQ(g.nodes[0].op, OpKind::Reshape);
  EXPECT_EQ(out_shape(g), (Shape{7, 20}));
}

TEST(OnnxOpsets, ConstantOfShapeWeightsAreParametersAndBatchNormStatsBuffers) {
  // Conv 3 -> 8, 3x3, fed by ConstantOfShape weights; BatchNorm stats too.
  ModelMaker m(9);
  m.input("x", {1, 3, 10, 10});
  m.ints("wshape", {8, 3, 3, 3});
  m.ints("cshape", {8});
  m.node("ConstantOfShape", {"wshape"}, {"w"});
  for (const char* n : {"scale", "bias", "mean", "var"}) m.node("ConstantOfShape", {"cshape"}, {n});
  m.node("Conv", {"x", "w"}, {"c"});
  m.node("BatchNormalization", {"c", "scale", "bias", "mean", "var"}, {"y"});
  m.output("y");
  const Graph g = m.import();
  const ModelCost cost = estimate_cost(g);
  EXPECT_EQ(cost.params, 8 * 3 * 3 * 3 + 8 + 8);
  EXPECT_EQ(cost.buffers, 8 + 8);
  EXPECT_EQ(out_shape(g), (Shape{1, 8, 8, 8}));
  EXPECT_EQ(value_named(g, "w").role, ValueRole::parameter);
  EXPECT_EQ(value_named(g, "mean").role, ValueRole::buffer);
}

TEST(OnnxOpsets, GemmForms) {
  // transB = 1: one Gemm node with weight [out, in] and bias [out].
  ModelMaker a(13);
  a.input("x", {2, 5});
  a.weight("w", {3, 5});
  a.weight("b", {3});
  auto& n = a.node("Gemm", {"x", "w", "b"}, {"y"});
  ModelMaker::attr(n, "transB", std::int64_t{1});
  a.output("y");
  const Graph ga = a.import();
  ASSERT_EQ(ga.nodes.size(), 1U);
  EXPECT_EQ(ga.nodes[0].op, OpKind::Gemm);
  EXPECT_EQ(estimate_cost(ga).forward.macs, 2 * 5 * 3);
  EXPECT_EQ(estimate_cost(ga).params, 3 * 5 + 3);
  // transB = 0, alpha 2: MatMul, a scale by alpha, Add of C.
  ModelMaker b(13);
  b.input("x", {2, 5});
  b.weight("w", {5, 3});
  b.weight("b", {3});
  auto& m = b.node("Gemm", {"x", "w", "b"}, {"y"});
  ModelMaker::attr(m, "alpha", 2.0F);
  b.output("y");
  const Graph gb = b.import();
  EXPECT_EQ(count_ops(gb, OpKind::MatMul), 1);
  EXPECT_EQ(count_ops(gb, OpKind::Mul), 1);
  EXPECT_EQ(count_ops(gb, OpKind::Add), 1);
  EXPECT_EQ(out_shape(gb), (Shape{2, 3}));
  EXPECT_EQ(estimate_cost(gb).forward.macs, 2 * 5 * 3);
  // transA = 1 is refused by name.
  ModelMaker c(13);
  c.input("x", {5, 2});
  c.weight("w", {3, 5});
  auto& t = c.node("Gemm", {"x", "w"}, {"y"}, "fc");
  ModelMaker::attr(t, "transA", std::int64_t{1});
  c.output("y");
  const std::string err = onnx_testing::error_of([&] { c.import(); });
  EXPECT_NE(err.find("node 'fc' (Gemm, opset 13)"), std::string::npos) << err;
  EXPECT_NE(err.find("transA"), std::string::npos) << err;
}

TEST(OnnxOpsets, FlattenAxisAndPadDropoutAcrossOpsets) {
  // Flatten axis 2 of [2, 3, 4, 5] -> [6, 20].
  ModelMaker f(9);
  f.input("x", {2, 3, 4, 5});
  auto& n = f.node("Flatten", {"x"}, {"y"});
  ModelMaker::attr(n, "axis", std::int64_t{2});
  f.output("y");
  EXPECT_EQ(out_shape(f.import()), (Shape{6, 20}));
  // Pad: attribute in opset 9, input in 13; then Dropout with ratio input (12+).
  for (int opset : {9, 13}) {
    ModelMaker p(opset);
    p.input("x", {1, 2, 4, 4});
    const Ints pads{0, 0, 1, 2, 0, 0, 3, 4};
    if (opset < 11) {
      ModelMaker::attr(p.node("Pad", {"x"}, {"p"}), "pads", pads);
    } else {
      p.ints("pads", pads);
      p.node("Pad", {"x", "pads"}, {"p"});
    }
    if (opset >= 12) {
      p.floats("ratio", {0.25F}, true);
      p.node("Dropout", {"p", "ratio"}, {"y"});
    } else {
      ModelMaker::attr(p.node("Dropout", {"p"}, {"y"}), "ratio", 0.25F);
    }
    p.output("y");
    const Graph g = p.import();
    EXPECT_EQ(out_shape(g), (Shape{1, 2, 4 + 1 + 3, 4 + 2 + 4}));
    EXPECT_DOUBLE_EQ(g.nodes.back().attrs.get_float("ratio", 0), 0.25);
  }
}

TEST(OnnxOpsets, PoolingAutoPadCeilModeAndCountIncludePad) {
  // SAME_UPPER, 3x3 stride 2 on 7: out ceil(7/2) = 4, total pad 2 -> 1 + 1.
  ModelMaker m(11);
  m.input("x", {1, 1, 7, 7});
  auto& p = m.node("MaxPool", {"x"}, {"a"});
  ModelMaker::attr(p, "kernel_shape", Ints{3, 3});
  ModelMaker::attr(p, "strides", Ints{2, 2});
  ModelMaker::attr(p, "auto_pad", std::string("SAME_UPPER"));
  // AveragePool 2x2/2 with ceil_mode on 4 -> 2; count_include_pad defaults to 0 in ONNX.
  auto& q = m.node("AveragePool", {"a"}, {"y"});
  ModelMaker::attr(q, "kernel_shape", Ints{2, 2});
  ModelMaker::attr(q, "strides", Ints{2, 2});
  ModelMaker::attr(q, "ceil_mode", std::int64_t{1});
  m.output("y");
  const Graph g = m.import();
  EXPECT_EQ(g.value(g.nodes[0].outputs[0]).shape, (Shape{1, 1, 4, 4}));
  EXPECT_EQ(g.nodes[0].attrs.get_ints("pads", {}), (Ints{1, 1, 1, 1}));
  EXPECT_EQ(g.nodes[1].attrs.get_int("count_include_pad", 1), 0);
  EXPECT_EQ(out_shape(g), (Shape{1, 1, 2, 2}));
}

TEST(OnnxOpsets, LegacyBroadcastOfOpset6AlignsAtAxis) {
  // Opset 6 Add with broadcast=1, axis=1: B [3] aligns with A's dim 1 of [2, 3, 4, 5].
  ModelMaker m(6);
  m.input("x", {2, 3, 4, 5});
  m.weight("b", {3});
  auto& n = m.node("Add", {"x", "b"}, {"y"});
  ModelMaker::attr(n, "broadcast", std::int64_t{1});
  ModelMaker::attr(n, "axis", std::int64_t{1});
  m.output("y");
  const Graph g = m.import();
  EXPECT_EQ(out_shape(g), (Shape{2, 3, 4, 5}));
  EXPECT_EQ(estimate_cost(g).params, 3);
}

TEST(OnnxOpsets, NormsActivationsAndGatherMap) {
  ModelMaker m(17);
  m.input("x", {2, 4, 6});
  m.weight("g", {6});
  m.weight("b", {6});
  m.node("LayerNormalization", {"x", "g", "b"}, {"ln"});
  m.weight("slope", {4, 1});
  m.node("PRelu", {"ln", "slope"}, {"pr"});
  m.node("HardSwish", {"pr"}, {"hs"});
  ModelMaker::attr(m.node("LeakyRelu", {"hs"}, {"lr"}), "alpha", 0.2F);
  m.node("Selu", {"lr"}, {"se"});
  m.weight("in_s", {4});
  m.weight("in_b", {4});
  m.node("InstanceNormalization", {"se", "in_s", "in_b"}, {"inorm"});
  m.ints("idx", {0, 2});
  ModelMaker::attr(m.node("Gather", {"inorm", "idx"}, {"y"}), "axis", std::int64_t{2});
  m.output("y");
  const Graph g = m.import();
  EXPECT_EQ(out_shape(g), (Shape{2, 4, 2}));
  EXPECT_EQ(count_ops(g, OpKind::GroupNorm), 1);
  // Parameters: LayerNorm 6 + 6, PReLU 4, InstanceNorm 4 + 4.
  EXPECT_EQ(estimate_cost(g).params, 6 + 6 + 4 + 4 + 4);
}

TEST(OnnxOpsets, ExportedGeluPatternBecomesOneNode) {
  // torch's GELU before opset 20: x * (1 + erf(x / sqrt 2)) * 0.5.
  ModelMaker m(13);
  m.input("x", {2, 8});
  m.floats("sqrt2", {1.4142135F}, true);
  m.floats("one", {1.0F}, true);
  m.floats("half", {0.5F}, true);
  m.node("Div", {"x", "sqrt2"}, {"d"});
  m.node("Erf", {"d"}, {"e"});
  m.node("Add", {"e", "one"}, {"a"});
  m.node("Mul", {"x", "a"}, {"m"});
  m.node("Mul", {"m", "half"}, {"y"});
  m.output("y");
  const Graph g = m.import();
  ASSERT_EQ(g.nodes.size(), 1U);
  EXPECT_EQ(g.nodes[0].op, OpKind::Gelu);
  EXPECT_EQ(out_shape(g), (Shape{2, 8}));
  // The same chain with 0.25 for 0.5 is not GELU: refused, naming the pattern.
  m.proto().mutable_graph()->mutable_initializer(2)->set_float_data(0, 0.25F);
  const std::string err = onnx_testing::error_of([&] { m.import(); });
  EXPECT_NE(err.find("Erf alone is not supported"), std::string::npos) << err;
}

TEST(OnnxOpsets, AWeightReadInTwoLayoutsIsCountedOnce) {
  // b [1, 3] is Gemm's bias (read as [3]) and an Add operand ([1, 3]).
  ModelMaker m(13);
  m.input("x", {2, 5});
  m.weight("w", {3, 5});
  m.weight("b", {1, 3});
  ModelMaker::attr(m.node("Gemm", {"x", "w", "b"}, {"g"}), "transB", std::int64_t{1});
  m.node("Add", {"g", "b"}, {"y"});
  m.output("y");
  const Graph g = m.import();
  EXPECT_EQ(estimate_cost(g).params, 3 * 5 + 3);
  EXPECT_EQ(out_shape(g), (Shape{2, 3}));
}

TEST(OnnxOpsets, EmbeddingFromGatherOnATable) {
  ModelMaker m(13);
  m.input("ids", {2, 7}, {}, onnx::TensorProto::INT64);
  m.weight("table", {100, 16});
  m.node("Gather", {"table", "ids"}, {"e"});
  m.output("e");
  const Graph g = m.import();
  EXPECT_EQ(g.nodes.at(0).op, OpKind::Embedding);
  EXPECT_EQ(out_shape(g), (Shape{2, 7, 16}));
  EXPECT_EQ(estimate_cost(g).params, 1600);
}

TEST(OnnxOpsets, SymbolicDimsFromOptions) {
  ModelMaker m(13);
  m.input("x", {-1, -1, 8}, {"batch", "seq"});
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  OnnxImportOptions o;
  o.batch = 3;
  o.dims["seq"] = 11;
  EXPECT_EQ(out_shape(m.import(o)), (Shape{3, 11, 8}));
  o.dims.clear();
  const std::string err = onnx_testing::error_of([&] { m.import(o); });
  EXPECT_NE(err.find("graph input 'x' dim 1 ('seq') is unknown"), std::string::npos) << err;
  EXPECT_NE(err.find("--dim seq=N"), std::string::npos) << err;
  EXPECT_EQ(parse_dim_assignment("seq=128"), (std::pair<std::string, std::int64_t>{"seq", 128}));
  EXPECT_FALSE(onnx_testing::error_of([] { parse_dim_assignment("seq=0"); }).empty());
  EXPECT_FALSE(onnx_testing::error_of([] { parse_dim_assignment("seq"); }).empty());
}

TEST(OnnxOpsets, ExternalDataWeightsAreCountedFromTheirDims) {
  // The weight's bytes live in a file that does not exist: analysis never opens it.
  ModelMaker m(13);
  m.input("x", {1, 64});
  auto* t = m.proto().mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(32);
  t->add_dims(64);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* loc = t->add_external_data();
  loc->set_key("location");
  loc->set_value("missing_weights.bin");
  m.node("MatMul", {"x", "w_t"}, {"y"});
  ModelMaker::attr(m.node("Transpose", {"w"}, {"w_t"}), "perm", Ints{1, 0});
  m.output("y");
  // Nodes out of order on purpose: the importer sorts them.
  const Graph g = m.import();
  EXPECT_EQ(out_shape(g), (Shape{1, 32}));
  EXPECT_EQ(estimate_cost(g).params, 32 * 64);
}

}  // namespace
}  // namespace dnnroof
