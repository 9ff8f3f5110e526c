// The elementwise math ops (Exp, Log, Neg, Abs, Sqrt, Reciprocal, Softplus,
// Pow, Max, Min) and Tile across opsets: the IR nodes they become, their
// shapes (numpy broadcasting worked out by hand), their costs from the
// documented per-element rules, and folding when they compute constants.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cost/cost.h"
#include "onnx_testing.h"

namespace dnnroof {
namespace {

using onnx_testing::count_ops;
using onnx_testing::error_of;
using onnx_testing::ModelMaker;
using Ints = std::vector<std::int64_t>;

const Shape& out_shape(const Graph& g) { return g.value(g.outputs.at(0)).shape; }

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(OnnxElementwise, UnaryChainAcrossOpsets) {
  for (int opset : {6, 7, 13, 21}) {
    SCOPED_TRACE(opset);
    ModelMaker m(opset);
    m.input("x", {2, 3, 5});
    m.node("Abs", {"x"}, {"a"});
    m.node("Sqrt", {"a"}, {"b"});
    m.node("Exp", {"b"}, {"c"});
    m.node("Log", {"c"}, {"d"});
    m.node("Reciprocal", {"d"}, {"e"});
    m.node("Softplus", {"e"}, {"f"});
    m.node("Neg", {"f"}, {"y"});
    m.output("y");
    const Graph g = m.import();
    EXPECT_EQ(out_shape(g), (Shape{2, 3, 5}));
    const std::vector<OpKind> want{OpKind::Abs,        OpKind::Sqrt,     OpKind::Exp, OpKind::Log,
                                   OpKind::Reciprocal, OpKind::Softplus, OpKind::Neg};
    ASSERT_EQ(g.nodes.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(g.nodes[i].op, want[i]);
    // 30 elements each: 1 FLOP per element for six of them, Softplus 3.
    EXPECT_DOUBLE_EQ(estimate_cost(g).forward.other_flops, 30.0 * (6 + 3));
  }
}

TEST(OnnxElementwise, VariadicMaxMinBroadcastIntoAChain) {
  // Opset 13: [2, 1, 4], [3, 1] and [4] broadcast to [2, 3, 4].
  ModelMaker m(13);
  m.input("a", {2, 1, 4});
  m.input("b", {3, 1});
  m.input("c", {4});
  m.node("Max", {"a", "b", "c"}, {"mx"});
  m.node("Min", {"mx"}, {"y"});  // one input: an alias
  m.output("y");
  const Graph g = m.import();
  EXPECT_EQ(out_shape(g), (Shape{2, 3, 4}));
  EXPECT_EQ(count_ops(g, OpKind::Max), 2);
  EXPECT_EQ(count_ops(g, OpKind::Min), 0);
  // Two Max nodes, each writing 24 elements: 48 FLOPs.
  EXPECT_DOUBLE_EQ(estimate_cost(g).forward.other_flops, 48);
  // Opset 6 Min of two same-shaped inputs (the pytorch-operator export).
  ModelMaker old(6);
  old.input("a", {3, 4});
  old.input("b", {3, 4});
  old.node("Min", {"a", "b"}, {"y"});
  old.output("y");
  const Graph go = old.import();
  EXPECT_EQ(count_ops(go, OpKind::Min), 1);
  EXPECT_EQ(out_shape(go), (Shape{3, 4}));
}

TEST(OnnxElementwise, PowWithAConstantExponentAndLegacyBroadcast) {
  // x ** 2 (a scalar constant): one Pow node, the exponent a constant, no parameter.
  ModelMaker m(13);
  m.input("x", {4, 8});
  m.floats("two", {2.0F}, true);
  m.node("Pow", {"x", "two"}, {"y"});
  m.output("y");
  const Graph g = m.import();
  EXPECT_EQ(count_ops(g, OpKind::Pow), 1);
  EXPECT_EQ(out_shape(g), (Shape{4, 8}));
  EXPECT_EQ(estimate_cost(g).params, 0);
  // Opset 6 with broadcast=1, axis=1: B [3] aligns with dim 1 of [2, 3, 5].
  ModelMaker old(6);
  old.input("x", {2, 3, 5});
  old.weight("e", {3});
  auto& n = old.node("Pow", {"x", "e"}, {"y"});
  ModelMaker::attr(n, "broadcast", std::int64_t{1});
  ModelMaker::attr(n, "axis", std::int64_t{1});
  old.output("y");
  const Graph go = old.import();
  EXPECT_EQ(out_shape(go), (Shape{2, 3, 5}));
  EXPECT_EQ(estimate_cost(go).params, 3);
}

TEST(OnnxElementwise, TileRepeatsAConstantPerDim) {
  for (int opset : {6, 13}) {
    SCOPED_TRACE(opset);
    ModelMaker m(opset);
    m.input("x", {1, 2, 3});
    m.ints("reps", {4, 1, 2});
    m.node("Tile", {"x", "reps"}, {"y"});
    m.output("y");
    const Graph g = m.import();
    // [1*4, 2*1, 3*2]
    EXPECT_EQ(out_shape(g), (Shape{4, 2, 6}));
    EXPECT_EQ(count_ops(g, OpKind::Tile), 1);
    // A copy: reads 6 floats, writes 48.
    const ModelCost c = estimate_cost(g);
    EXPECT_DOUBLE_EQ(c.forward.flops(), 0);
    EXPECT_DOUBLE_EQ(c.forward.bytes(), (6 + 48) * 4);
  }
  // Repeats computed at run time, or of the wrong length: clear errors.
  ModelMaker rt(13);
  rt.input("x", {1, 2});
  rt.input("r", {2}, {}, onnx::TensorProto::INT64);
  rt.node("Tile", {"x", "r"}, {"y"}, "tile");
  rt.output("y");
  const std::string e1 = error_of([&] { rt.import(); });
  EXPECT_TRUE(contains(e1, "node 'tile' (Tile, opset 13)")) << e1;
  EXPECT_TRUE(contains(e1, "computed at run time")) << e1;
  ModelMaker bad(13);
  bad.input("x", {1, 2});
  bad.ints("reps", {2});
  bad.node("Tile", {"x", "reps"}, {"y"}, "tile");
  bad.output("y");
  const std::string e2 = error_of([&] { bad.import(); });
  EXPECT_TRUE(contains(e2, "repeats [2] has 1 entries for an input of rank 2")) << e2;
}

TEST(OnnxElementwise, MathOnIntegerConstantsFolds) {
  // target = Max(Neg([-2, -3]), Pow([1, 1], [5, 5])) = Max([2, 3], [1, 1]) = [2, 3];
  // x [6] reshaped to [2, 3]: no IR node but the Reshape.
  ModelMaker m(13);
  m.input("x", {6});
  m.ints("neg_in", {-2, -3});
  m.ints("ones", {1, 1});
  m.ints("fives", {5, 5});
  m.node("Neg", {"neg_in"}, {"n"});
  m.node("Pow", {"ones", "fives"}, {"p"});
  m.node("Max", {"n", "p"}, {"target"});
  m.node("Reshape", {"x", "target"}, {"y"});
  m.output("y");
  const Graph g = m.import();
  EXPECT_EQ(out_shape(g), (Shape{2, 3}));
  ASSERT_EQ(g.nodes.size(), 1u);  // only the Reshape
  EXPECT_EQ(g.nodes[0].op, OpKind::Reshape);
}

TEST(OnnxElementwise, RunTimeMaskEqualWhereNotCast) {
  // A causal-style mask on run-time scores: keep = Not(Greater(col, row)) is
  // folded (constants); Equal and Less on the scores are run-time, as are
  // Where and the Casts. scores [2, 4, 4].
  ModelMaker m(13);
  m.input("scores", {2, 4, 4});
  m.floats("zero", {0.0F}, true);
  m.floats("neg", {-1e9F}, true);
  m.node("Less", {"scores", "zero"}, {"is_neg"});                                  // bool [2, 4, 4]
  m.node("Equal", {"scores", "zero"}, {"is_zero"});                                // bool [2, 4, 4]
  m.node("Not", {"is_zero"}, {"nonzero"});                                         // bool
  m.node("Where", {"is_neg", "neg", "scores"}, {"w"});                             // fp32 [2, 4, 4]
  ModelMaker::attr(m.node("Cast", {"nonzero"}, {"nz_f"}), "to", std::int64_t{1});  // to fp32
  m.node("Mul", {"w", "nz_f"}, {"masked"});
  ModelMaker::attr(m.node("Cast", {"masked"}, {"y"}), "to", std::int64_t{1});  // same: alias
  m.output("y");
  const Graph g = m.import();
  EXPECT_EQ(out_shape(g), (Shape{2, 4, 4}));
  for (OpKind op : {OpKind::Less, OpKind::Equal, OpKind::Not, OpKind::Where}) {
    EXPECT_EQ(count_ops(g, op), 1) << op_name(op);
  }
  EXPECT_EQ(count_ops(g, OpKind::Cast), 1);  // the fp32 -> fp32 Cast is an alias
  auto dtype_of_node = [&](OpKind op) {
    for (const Node& n : g.nodes) {
      if (n.op == op) return g.value(n.outputs.at(0)).dtype;
    }
    return DType::count;
  };
  EXPECT_EQ(dtype_of_node(OpKind::Less), DType::boolean);
  EXPECT_EQ(dtype_of_node(OpKind::Not), DType::boolean);
  EXPECT_EQ(dtype_of_node(OpKind::Where), DType::fp32);
  EXPECT_EQ(dtype_of_node(OpKind::Cast), DType::fp32);
  // 32 elements per node: Less, Equal, Not, Where, Mul 1 FLOP each; Cast 0.
  const ModelCost c = estimate_cost(g);
  EXPECT_DOUBLE_EQ(c.forward.other_flops, 5 * 32);
  // Bytes: Less and Equal read 32 floats (the scalar constant too: 4 B) and
  // write 32 bools; Not reads and writes 32 bools; Where reads 32 bools, the
  // scalar and 32 floats, writes 32 floats; Cast reads 32 bools, writes 32
  // floats; Mul reads 64 floats, writes 32.
  const double less_eq = 2 * (32 * 4 + 4 + 32);
  const double not_ = 32 + 32;
  const double where = 32 + 4 + 32 * 4 + 32 * 4;
  const double cast = 32 + 32 * 4;
  const double mul = 64 * 4 + 32 * 4;
  EXPECT_DOUBLE_EQ(c.forward.bytes(), less_eq + not_ + where + cast + mul);
}

// tests/onnx/export_masked_attention.py through Debian's python3-torch:
// q = Linear(16, 16)(x), scores = q @ x^T for x [2, 8, 16], masked with
// torch.where by a causal buffer, compared, cast, exp'd and pow'd.
TEST(OnnxElementwise, TorchExportedMaskedScoresImportAcrossOpsets) {
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 has no torch";
  }
  std::string dir = (std::filesystem::temp_directory_path() / "dnnroof_masked_XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  for (int opset : {11, 13, 17}) {
    SCOPED_TRACE(opset);
    const std::string path = dir + "/masked.onnx";
    const std::string cmd = "/usr/bin/python3 " + std::string(DNNROOF_SOURCE_DIR) +
                            "/tests/onnx/export_masked_attention.py " + path + " " +
                            std::to_string(opset) + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const Graph g = import_onnx_file(path);
    EXPECT_EQ(out_shape(g), (Shape{2, 1, 8, 8}));
    for (OpKind op : {OpKind::Where, OpKind::Greater, OpKind::Equal, OpKind::Cast, OpKind::Exp,
                      OpKind::Abs, OpKind::Neg, OpKind::Pow}) {
      EXPECT_GE(count_ops(g, op), 1) << op_name(op);
    }
    const ModelCost c = estimate_cost(g);
    // Linear: 2 * 8 rows * 16 in * 16 out = 4096 MACs; scores: 2 * 8 * 8 * 16 = 2048.
    EXPECT_DOUBLE_EQ(c.forward.macs, 4096 + 2048);
    // q's weight and bias (256 + 16), and the causal buffer (8 x 8 floats):
    // ONNX does not tell buffers from parameters, so a float initializer of
    // more than one element counts as a parameter (docs/onnx.md).
    EXPECT_DOUBLE_EQ(c.params, 256 + 16 + 64);
  }
  std::filesystem::remove_all(dir);
}

TEST(OnnxElementwise, ReduceMaxMinAndArgMaxMinAcrossOpsets) {
  for (int opset : {13, 18}) {
    SCOPED_TRACE(opset);
    ModelMaker m(opset);
    m.input("x", {2, 3, 5});
    auto& mx = m.node("ReduceMax", {"x"}, {"mx"});
    if (opset >= 18) {
      m.ints("axes", {1});
      mx.add_input("axes");
    } else {
      ModelMaker::attr(mx, "axes", std::vector<std::int64_t>{1});
    }
    ModelMaker::attr(m.node("ReduceMin", {"mx"}, {"mn"}), "keepdims", std::int64_t{0});
    auto& am = m.node("ArgMax", {"x"}, {"idx"});
    ModelMaker::attr(am, "axis", std::int64_t{-1});
    ModelMaker::attr(am, "keepdims", std::int64_t{0});
    m.node("ArgMin", {"x"}, {"first"});
    m.output("mn");
    m.output("idx");
    m.output("first");
    const Graph g = m.import();
    // ReduceMax over dim 1 kept: [2, 1, 5]; ReduceMin over all dims, dropped: [].
    EXPECT_EQ(g.value(g.outputs.at(0)).shape, Shape{});
    EXPECT_EQ(g.value(g.outputs.at(1)).shape, (Shape{2, 3}));
    EXPECT_EQ(g.value(g.outputs.at(1)).dtype, DType::int64);
    EXPECT_EQ(g.value(g.outputs.at(2)).shape, (Shape{1, 3, 5}));  // axis 0, kept
    // 30 - 10 + 10 - 1 + 30 - 6 + 30 - 15 comparisons.
    EXPECT_DOUBLE_EQ(estimate_cost(g).forward.other_flops, 20 + 9 + 24 + 15);
  }
  ModelMaker last(13);
  last.input("x", {2, 3});
  ModelMaker::attr(last.node("ArgMax", {"x"}, {"y"}, "argmax"), "select_last_index",
                   std::int64_t{1});
  last.output("y");
  const std::string err = error_of([&] { last.import(); });
  EXPECT_TRUE(contains(err, "node 'argmax' (ArgMax, opset 13): select_last_index=1")) << err;
}

}  // namespace
}  // namespace dnnroof
