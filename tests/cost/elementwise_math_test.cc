// The elementwise math kinds (Exp, Log, Neg, Abs, Sqrt, Reciprocal, Softplus,
// Pow, Max, Min) and Tile, costed in training on one node fed by an
// activation that needs a gradient. Every expectation is worked out from the
// shapes and docs/cost-model.md's per-element rule, written next to it.
#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"
#include "cost/cost.h"
#include "graph/detail/shape_rules.h"

namespace dnnroof {
namespace {

// h = x * scale with x [2, 3, 4] (24 elements) and a scalar parameter, so h
// needs a gradient; `make` adds the node under test on h. Returns its cost.
NodeCost cost_of(const std::function<ValueId(GraphBuilder&, ValueId)>& make) {
  GraphBuilder b("t", DType::fp32);
  const ValueId x = b.input("x", {2, 3, 4});
  const ValueId h = b.mul(x, b.parameter("scale", {1}));
  b.output(make(b, h));
  CostOptions o;
  o.training = true;
  const ModelCost c = estimate_cost(b.finish(), o);
  EXPECT_TRUE(c.uncovered.empty());
  return c.nodes.back();
}

TEST(ElementwiseMathCost, UnaryPerElementRules) {
  struct Case {
    OpKind op;
    double fwd;  // FLOPs per element forward
    double bwd;  // per element backward
    bool saved;  // saves one tensor of 24 floats (its input or its output)
  };
  const Case cases[] = {
      {OpKind::Exp, 1, 1, true},         // y = e^x; dx = dy * y
      {OpKind::Log, 1, 1, true},         // dx = dy / x
      {OpKind::Neg, 1, 1, false},        // dx = -dy, nothing saved
      {OpKind::Abs, 1, 2, true},         // dx = dy * sign(x)
      {OpKind::Sqrt, 1, 2, true},        // dx = dy / (2 y)
      {OpKind::Reciprocal, 1, 3, true},  // dx = -dy * y * y
      {OpKind::Softplus, 3, 4, true},    // exp, add, log; dx = dy * z / (z + 1), z = e^x
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(std::string(op_name(k.op)));
    const NodeCost n = cost_of([&](GraphBuilder& b, ValueId h) { return b.op(k.op, {h}); });
    EXPECT_EQ(n.output_shape, (Shape{2, 3, 4}));
    EXPECT_DOUBLE_EQ(n.forward.macs, 0);
    EXPECT_DOUBLE_EQ(n.forward.other_flops, k.fwd * 24);
    EXPECT_DOUBLE_EQ(n.backward.other_flops, k.bwd * 24);
    // Reads 24 floats, writes 24 floats.
    EXPECT_DOUBLE_EQ(n.forward.bytes_read, 24 * 4);
    EXPECT_DOUBLE_EQ(n.forward.bytes_written, 24 * 4);
    EXPECT_DOUBLE_EQ(n.saved_bytes, k.saved ? 24 * 4 : 0);
    // Backward reads grad-out (+ the saved tensor), writes grad-input.
    EXPECT_DOUBLE_EQ(n.backward.bytes_read, 24 * 4 + (k.saved ? 24 * 4 : 0));
    EXPECT_DOUBLE_EQ(n.backward.bytes_written, 24 * 4);
  }
}

TEST(ElementwiseMathCost, PowBroadcastExponentParameter) {
  // h [2,3,4] ** p [4] (a parameter): out 24 elements.
  const NodeCost n = cost_of([](GraphBuilder& b, ValueId h) {
    return b.op(OpKind::Pow, {h, b.parameter("p", {4})});
  });
  EXPECT_DOUBLE_EQ(n.forward.other_flops, 24);
  // grad-a 4 * 24 = 96 (no reduction); grad-b 3 * 24 + (24 - 4) = 92.
  EXPECT_DOUBLE_EQ(n.backward.other_flops, 96 + 92);
  // Saves h (24 floats) and, because p needs a gradient, the output (24).
  EXPECT_DOUBLE_EQ(n.saved_bytes, (24 + 24) * 4);
  // Forward reads h and p: (24 + 4) floats.
  EXPECT_DOUBLE_EQ(n.forward.bytes_read, 28 * 4);
  // Backward writes grad-h (24) and grad-p (4).
  EXPECT_DOUBLE_EQ(n.backward.bytes_written, 28 * 4);
}

TEST(ElementwiseMathCost, MaxAndMinAgainstAScalarParameter) {
  for (OpKind op : {OpKind::Max, OpKind::Min}) {
    SCOPED_TRACE(std::string(op_name(op)));
    const NodeCost n = cost_of([&](GraphBuilder& b, ValueId h) {
      return b.op(op, {h, b.parameter("floor", {1})});
    });
    EXPECT_EQ(n.output_shape, (Shape{2, 3, 4}));
    EXPECT_DOUBLE_EQ(n.forward.other_flops, 24);
    // Each input: compare + select 2 * 24; the scalar's gradient is reduced: 24 - 1.
    EXPECT_DOUBLE_EQ(n.backward.other_flops, 48 + (48 + 23));
    EXPECT_DOUBLE_EQ(n.saved_bytes, 24 * 4);  // h only; the parameter is not an activation
  }
}

TEST(ElementwiseMathCost, TileIsACopyWhoseGradientSumsTheRepeats) {
  const NodeCost n = cost_of([](GraphBuilder& b, ValueId h) {
    Attributes a;
    a.set("repeats", std::vector<std::int64_t>{2, 1, 3});
    return b.op(OpKind::Tile, {h}, a);
  });
  // [2*2, 3*1, 4*3] = [4, 3, 12]: 144 elements.
  EXPECT_EQ(n.output_shape, (Shape{4, 3, 12}));
  EXPECT_DOUBLE_EQ(n.forward.flops(), 0);
  EXPECT_DOUBLE_EQ(n.forward.bytes_read, 24 * 4);
  EXPECT_DOUBLE_EQ(n.forward.bytes_written, 144 * 4);
  EXPECT_DOUBLE_EQ(n.backward.other_flops, 144 - 24);
  EXPECT_DOUBLE_EQ(n.backward.bytes_read, 144 * 4);
  EXPECT_DOUBLE_EQ(n.backward.bytes_written, 24 * 4);
}

TEST(ElementwiseMathCost, TileRejectsBadRepeats) {
  GraphBuilder b("t", DType::fp32);
  const ValueId x = b.input("x", {2, 3});
  Attributes one;
  one.set("repeats", std::vector<std::int64_t>{2});
  EXPECT_THROW(b.op(OpKind::Tile, {x}, one), Error);  // rank 2, one repeat
  Attributes zero;
  zero.set("repeats", std::vector<std::int64_t>{1, 0});
  EXPECT_THROW(b.op(OpKind::Tile, {x}, zero), Error);
}

TEST(ElementwiseMathCost, ComparisonsEndTheGradientWhereRoutesIt) {
  GraphBuilder b("t", DType::fp32);
  const ValueId x = b.input("x", {2, 3, 4});
  const ValueId h = b.mul(x, b.parameter("scale", {1}));
  const ValueId cond = b.op(OpKind::Greater, {h, b.parameter("t", {1})});
  b.output(b.op(OpKind::Where, {cond, h, b.parameter("p", {1})}));
  CostOptions o;
  o.training = true;
  const ModelCost c = estimate_cost(b.finish(), o);
  ASSERT_EQ(c.nodes.size(), 3u);
  const NodeCost& greater = c.nodes[1];
  const NodeCost& where = c.nodes[2];
  // Greater: 24 compares, reads h (24 floats) and t (1), writes 24 bools;
  // its output is bool: no backward at all, though h and t need gradients.
  EXPECT_DOUBLE_EQ(greater.forward.other_flops, 24);
  EXPECT_DOUBLE_EQ(greater.forward.bytes_read, 25 * 4);
  EXPECT_DOUBLE_EQ(greater.forward.bytes_written, 24);
  EXPECT_FALSE(greater.input_needs_grad);
  EXPECT_DOUBLE_EQ(greater.backward.flops(), 0);
  EXPECT_DOUBLE_EQ(greater.backward.bytes(), 0);
  // Where: 24 selects; backward grad-h 24, grad-p 24 + (24 - 1) reduction.
  EXPECT_DOUBLE_EQ(where.forward.other_flops, 24);
  EXPECT_DOUBLE_EQ(where.backward.other_flops, 24 + 24 + 23);
  // Saves the condition: 24 bools. Backward reads grad-out (24 floats) and the
  // condition, writes grad-h (24 floats) and grad-p (1); the parameter p is
  // also read (grad-input is computed).
  EXPECT_DOUBLE_EQ(where.saved_bytes, 24);
  EXPECT_DOUBLE_EQ(where.backward.bytes_read, 24 * 4 + 24 + 4);
  EXPECT_DOUBLE_EQ(where.backward.bytes_written, 25 * 4);
}

TEST(ElementwiseMathCost, ReduceMaxAndArgMax) {
  // amax of h [2, 3, 4] over axes 1, 2 -> [2]: 24 - 2 = 22 comparisons;
  // backward 2 * 24; saves h (24 floats) and the result (2).
  const NodeCost mx = cost_of([](GraphBuilder& b, ValueId h) {
    Attributes a;
    a.set("axes", std::vector<std::int64_t>{1, 2});
    a.set("keepdims", std::int64_t{0});
    return b.op(OpKind::ReduceMax, {h}, a);
  });
  EXPECT_EQ(mx.output_shape, (Shape{2}));
  EXPECT_DOUBLE_EQ(mx.forward.other_flops, 22);
  EXPECT_DOUBLE_EQ(mx.backward.other_flops, 48);
  EXPECT_DOUBLE_EQ(mx.saved_bytes, (24 + 2) * 4);
  // argmax over axis 2, kept: [2, 3, 1] int64: 24 - 6 = 18 comparisons,
  // writes 6 x 8 bytes, and no backward (an integer output).
  const NodeCost am = cost_of([](GraphBuilder& b, ValueId h) {
    Attributes a;
    a.set("axis", std::int64_t{2});
    return b.op(OpKind::ArgMax, {h}, a);
  });
  EXPECT_EQ(am.output_shape, (Shape{2, 3, 1}));
  EXPECT_DOUBLE_EQ(am.forward.other_flops, 18);
  EXPECT_DOUBLE_EQ(am.forward.bytes_written, 6 * 8);
  EXPECT_DOUBLE_EQ(am.backward.bytes(), 0);
  EXPECT_FALSE(am.input_needs_grad);
}

}  // namespace
}  // namespace dnnroof
