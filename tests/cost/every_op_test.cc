// Walks every OpKind: builds one node of it (through the builder, so its
// shape rule runs), then costs it forward and backward, with its input
// needing a gradient. The switch has no default: a new OpKind without a case
// here fails the -Wswitch -Werror build.
#include <gtest/gtest.h>

#include <cmath>

#include "cost/cost.h"
#include "graph/detail/shape_rules.h"

namespace dnnroof {
namespace {

// Adds one node of `op` fed by `x` [2, 4, 6, 6] (an activation that needs a
// gradient) and returns its output.
ValueId add_node(GraphBuilder& b, OpKind op, ValueId x) {
  Attributes a;
  switch (op) {
    case OpKind::Conv:
      return b.conv(x, {.out_channels = 4, .kernel = {3, 3}, .padding = {1, 1}});
    case OpKind::ConvTranspose:
      return b.conv_transpose(x, {.out_channels = 4, .kernel = {2, 2}, .stride = {2, 2}});
    case OpKind::Gemm:
      return b.linear(x, 5);
    case OpKind::MatMul:
      return b.matmul(x, b.parameter("w", {6, 3}));
    case OpKind::Attention:
      return b.attention(x, x, x, true);
    case OpKind::BatchNorm:
      return b.batch_norm(x);
    case OpKind::LayerNorm:
      return b.layer_norm(x, {6});
    case OpKind::GroupNorm:
      return b.group_norm(x, 2);
    case OpKind::Lrn:
      return b.lrn(x, 3);
    case OpKind::PRelu:
      return b.prelu(x, 4);
    case OpKind::Relu:
    case OpKind::Relu6:
    case OpKind::LeakyRelu:
    case OpKind::Elu:
    case OpKind::Selu:
    case OpKind::Gelu:
    case OpKind::Silu:
    case OpKind::Hardswish:
    case OpKind::Hardsigmoid:
    case OpKind::Sigmoid:
    case OpKind::Tanh:
    case OpKind::Clip:
    case OpKind::Dropout:
    case OpKind::Identity:
      return b.op(op, {x});
    case OpKind::Softmax:
      return b.softmax(x, 1);
    case OpKind::LogSoftmax:
      return b.log_softmax(x);
    case OpKind::MaxPool:
      return b.max_pool(x, {.kernel = {2, 2}});
    case OpKind::AvgPool:
      return b.avg_pool(x, {.kernel = {3, 3}, .stride = {1, 1}, .padding = {1, 1}});
    case OpKind::GlobalAvgPool:
      return b.global_avg_pool(x);
    case OpKind::GlobalMaxPool:
      return b.op(op, {x});
    case OpKind::AdaptiveAvgPool:
      return b.adaptive_avg_pool(x, {4, 4});
    case OpKind::AdaptiveMaxPool:
      return b.adaptive_max_pool(x, {4, 4});
    case OpKind::Add:
      return b.add(x, b.parameter("p", {1, 4, 1, 1}));
    case OpKind::Sub:
      return b.sub(x, x);
    case OpKind::Mul:
      return b.mul(x, b.parameter("p", {6}));
    case OpKind::Div:
      return b.div(x, b.parameter("p", {1}));
    case OpKind::Concat:
      return b.concat({x, x}, 1);
    case OpKind::Split:
      return b.split(x, {1, 3}, 1)[1];
    case OpKind::Slice:
      return b.slice(x, 2, 1, 5);
    case OpKind::Reshape:
      return b.reshape(x, {2, -1});
    case OpKind::Flatten:
      return b.flatten(x);
    case OpKind::Transpose:
      return b.transpose(x, {0, 2, 3, 1});
    case OpKind::Expand:
      a.set("shape", std::vector<std::int64_t>{3, 2, 4, 6, 6});
      return b.op(op, {x}, a);
    case OpKind::Roll:
      a.set("shifts", std::vector<std::int64_t>{1, 2});
      a.set("axes", std::vector<std::int64_t>{2, 3});
      return b.op(op, {x}, a);
    case OpKind::Pad:
      return b.pad(x, {0, 0, 1, 1, 0, 0, 1, 1});
    case OpKind::ChannelShuffle:
      return b.channel_shuffle(x, 2);
    case OpKind::Gather:
      a.set("axis", std::int64_t{1});
      return b.op(op, {x, b.input("idx", {3}, DType::int64)}, a);
    case OpKind::Embedding:
      return b.embedding(b.input("ids", {2, 5}, DType::int64), 10, 6);
    case OpKind::ReduceMean:
      return b.reduce_mean(x, {2, 3}, true);
    case OpKind::ReduceSum:
      return b.reduce_sum(x, {1}, false);
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Neg:
    case OpKind::Abs:
    case OpKind::Sqrt:
    case OpKind::Reciprocal:
    case OpKind::Softplus:
      return b.op(op, {x});
    case OpKind::Pow:
      return b.op(op, {x, b.parameter("p", {6})});
    case OpKind::Max:
    case OpKind::Min:
      return b.op(op, {x, b.parameter("p", {1, 4, 1, 1})});
    case OpKind::Tile:
      a.set("repeats", std::vector<std::int64_t>{1, 2, 1, 3});
      return b.op(op, {x}, a);
    case OpKind::Equal:
    case OpKind::Less:
    case OpKind::Greater:
      return b.op(op, {x, b.parameter("p", {6})});
    case OpKind::Not:
      return b.op(op, {b.op(OpKind::Equal, {x, x})});
    case OpKind::Where:
      return b.op(op, {b.op(OpKind::Greater, {x, b.parameter("t", {1})}), x,
                       b.parameter("p", {1, 4, 1, 1})});
    case OpKind::Cast:
      a.set("to", std::string("fp16"));
      return b.op(op, {x}, a);
    case OpKind::ReduceMax:
    case OpKind::ReduceMin:
      a.set("axes", std::vector<std::int64_t>{2, 3});
      return b.op(op, {x}, a);
    case OpKind::ArgMax:
    case OpKind::ArgMin:
      a.set("axis", std::int64_t{1});
      return b.op(op, {x}, a);
    case OpKind::count:
      break;
  }
  ADD_FAILURE() << "no case for op " << static_cast<int>(op);
  return x;
}

TEST(EveryOp, ShapeRuleAndCostRulesRun) {
  for (std::size_t i = 0; i < kOpKindCount; ++i) {
    const auto op = static_cast<OpKind>(i);
    SCOPED_TRACE(std::string(op_name(op)));
    ASSERT_TRUE(has_shape_rule(op));
    ASSERT_TRUE(has_cost_rule(op));
    GraphBuilder b("one", DType::fp32);
    // x = data * scale, so x needs a gradient like any inner activation.
    auto data = b.input("data", {2, 4, 6, 6});
    auto x = b.mul(data, b.parameter("scale", {1}));
    auto y = add_node(b, op, x);
    b.output(y);
    const Graph g = b.finish();
    CostOptions o;
    o.training = true;
    const ModelCost c = estimate_cost(g, o);
    EXPECT_TRUE(c.uncovered.empty());
    const NodeCost& n = c.nodes.back();
    ASSERT_EQ(n.op, op);
    for (double v : {n.forward.macs, n.forward.flops(), n.forward.bytes(), n.backward.macs,
                     n.backward.flops(), n.backward.bytes(), n.saved_bytes, n.activation_bytes}) {
      EXPECT_TRUE(std::isfinite(v) && v >= 0) << v;
    }
    if (is_view_op(op, true)) {
      EXPECT_EQ(n.forward.bytes(), 0);
      EXPECT_EQ(n.forward.flops(), 0);
    } else if (op != OpKind::Embedding &&  // Embedding is fed by indices, not x
               is_floating(g.value(g.nodes.back().outputs.at(0)).dtype)) {
      // (A bool or int64 output, of a comparison, Not or ArgMax, ends the
      // gradient: no backward.)
      // Everything else moves bytes and, fed by x, has a backward that writes x's gradient.
      EXPECT_GT(n.forward.bytes(), 0);
      EXPECT_TRUE(n.input_needs_grad);
      EXPECT_GT(n.backward.bytes_written, 0);
    }
    // The matrix class does work forward and backward.
    if (op == OpKind::Conv || op == OpKind::ConvTranspose || op == OpKind::Gemm ||
        op == OpKind::MatMul || op == OpKind::Attention) {
      EXPECT_GT(n.forward.macs, 0);
      EXPECT_GT(n.backward.macs, n.forward.macs);  // grad-input and grad-weight
    }
  }
}

TEST(EveryOp, DropoutIsAViewUnlessActiveInTraining) {
  auto build = [](double ratio) {
    GraphBuilder b("d", DType::fp32);
    auto x = b.input("x", {2, 3, 4});
    b.output(b.dropout(x, ratio));
    return b.finish();
  };
  CostOptions train;
  train.training = true;
  const ModelCost on = estimate_cost(build(0.5), train);
  // 2 FLOPs per element of 24; reads 24 floats, writes 24 floats + 24 mask bytes.
  EXPECT_DOUBLE_EQ(on.forward.flops(), 48);
  EXPECT_DOUBLE_EQ(on.forward.bytes(), 24 * 4 + 24 * 4 + 24);
  const ModelCost off = estimate_cost(build(0.0), train);
  EXPECT_DOUBLE_EQ(off.forward.flops(), 0);
  EXPECT_DOUBLE_EQ(off.forward.bytes(), 0);
  EXPECT_DOUBLE_EQ(estimate_cost(build(0.5)).forward.bytes(), 0);  // inference
}

}  // namespace
}  // namespace dnnroof
