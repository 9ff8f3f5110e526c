// The cost model against values worked out by hand (the arithmetic is
// written out next to each expectation), following DESIGN.md's contract.
#include "cost/cost.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "graph/detail/shape_rules.h"

namespace dnnroof {
namespace {

TEST(Cost, EveryOpKindHasEveryFace) {
  for (std::size_t i = 0; i < kOpKindCount; ++i) {
    const auto op = static_cast<OpKind>(i);
    EXPECT_FALSE(op_name(op).empty()) << i;
    EXPECT_TRUE(has_shape_rule(op)) << op_name(op);
    EXPECT_TRUE(has_cost_rule(op)) << op_name(op);
  }
  EXPECT_TRUE(is_view_op(OpKind::Reshape, false));
  EXPECT_TRUE(is_view_op(OpKind::Dropout, false));
  EXPECT_FALSE(is_view_op(OpKind::Dropout, true));
  EXPECT_FALSE(is_view_op(OpKind::Concat, false));
}

// x [2, 3, 8, 8] -> Conv(3 -> 4, k3, p1, bias) -> [2, 4, 8, 8].
Graph single_conv() {
  GraphBuilder b("conv", DType::fp32);
  auto x = b.input("x", {2, 3, 8, 8});
  b.output(b.conv(x, {.out_channels = 4, .kernel = {3, 3}, .padding = {1, 1}}));
  return b.finish();
}

TEST(Cost, SingleConvForward) {
  const ModelCost c = estimate_cost(single_conv());
  // MACs = N*Cout*H*W*(Cin/g)*kh*kw = 2*4*8*8*3*3*3 = 13824.
  EXPECT_DOUBLE_EQ(c.forward.macs, 13824);
  EXPECT_DOUBLE_EQ(c.forward.matmul_flops, 27648);
  EXPECT_DOUBLE_EQ(c.forward.other_flops, 0);  // bias ignored
  // Parameters 4*3*3*3 + 4 = 112.
  EXPECT_DOUBLE_EQ(c.params, 112);
  EXPECT_DOUBLE_EQ(c.buffers, 0);
  // Reads x (2*3*64 = 384) + 112 params, writes 2*4*64 = 512 elements, fp32.
  EXPECT_DOUBLE_EQ(c.forward.bytes_read, (384 + 112) * 4);
  EXPECT_DOUBLE_EQ(c.forward.bytes_written, 512 * 4);
  EXPECT_DOUBLE_EQ(c.forward.intensity(), 27648.0 / 4032.0);
  // Compulsory = params + input + output: the same for one layer.
  EXPECT_DOUBLE_EQ(c.compulsory_forward_bytes, 4032);
  EXPECT_DOUBLE_EQ(c.activation_bytes, 2048);
  EXPECT_DOUBLE_EQ(c.backward.flops(), 0);  // inference
  EXPECT_EQ(c.batch, 2);
  EXPECT_EQ(c.coverage_line(), "all 1 nodes have a cost rule");
}

TEST(Cost, SingleConvTrainingSkipsGradInputOfTheFirstLayer) {
  CostOptions o;
  o.training = true;
  const ModelCost c = estimate_cost(single_conv(), o);
  ASSERT_EQ(c.nodes.size(), 1u);
  EXPECT_FALSE(c.nodes[0].input_needs_grad);
  // Only grad-weight: 13824 MACs; bias grad = one add per output = 512.
  EXPECT_DOUBLE_EQ(c.backward.macs, 13824);
  EXPECT_DOUBLE_EQ(c.backward.matmul_flops, 27648);
  EXPECT_DOUBLE_EQ(c.backward.other_flops, 512);
  // Reads grad-out (512) + saved x (384); weights are not needed without
  // grad-input. Writes the weight and bias gradients (112).
  EXPECT_DOUBLE_EQ(c.backward.bytes_read, (512 + 384) * 4);
  EXPECT_DOUBLE_EQ(c.backward.bytes_written, 112 * 4);
  EXPECT_DOUBLE_EQ(c.saved_bytes, 384 * 4);
  // Compulsory backward = 2*params + outputs + inputs = (224 + 512 + 384)*4.
  EXPECT_DOUBLE_EQ(c.compulsory_backward_bytes, (224 + 512 + 384) * 4);
}

TEST(Cost, LinearOverLeadingDims) {
  GraphBuilder b("fc", DType::fp32);
  auto x = b.input("x", {5, 10});
  b.output(b.linear(x, 7));
  const ModelCost c = estimate_cost(b.finish());
  // rows*in*out = 5*10*7 = 350 MACs; params 70 + 7.
  EXPECT_DOUBLE_EQ(c.forward.macs, 350);
  EXPECT_DOUBLE_EQ(c.forward.flops(), 700);
  EXPECT_DOUBLE_EQ(c.params, 77);
}

// x [1,2,4,4] -> conv1 (1x1, 2->2, no bias) -> bn -> relu -> conv2 (3x3 p1,
// no bias) -> add(conv2, relu).
Graph small_block(std::int64_t batch, DType dt = DType::fp32) {
  GraphBuilder b("block", dt);
  auto x = b.input("x", {batch, 2, 4, 4});
  auto c1 = b.conv(x, {.out_channels = 2, .kernel = {1, 1}, .bias = false}, "conv1");
  auto r = b.relu(b.batch_norm(c1, 1e-5, "bn1"));
  auto c2 =
      b.conv(r, {.out_channels = 2, .kernel = {3, 3}, .padding = {1, 1}, .bias = false}, "conv2");
  b.output(b.add(c2, r));
  return b.finish();
}

TEST(Cost, ConvBnReluAddBlock) {
  const ModelCost inf = estimate_cost(small_block(1));
  // conv1: 1*2*16*2*1 = 64 MACs; conv2: 1*2*16*2*9 = 576 MACs.
  EXPECT_DOUBLE_EQ(inf.forward.macs, 640);
  EXPECT_DOUBLE_EQ(inf.forward.matmul_flops, 1280);
  // BN inference 2*32, ReLU 32, Add 32.
  EXPECT_DOUBLE_EQ(inf.forward.other_flops, 64 + 32 + 32);
  // Params: conv1 4 + bn 2+2 + conv2 2*2*9 = 36 -> 44; buffers 2+2.
  EXPECT_DOUBLE_EQ(inf.params, 44);
  EXPECT_DOUBLE_EQ(inf.buffers, 4);

  CostOptions o;
  o.training = true;
  const ModelCost tr = estimate_cost(small_block(1), o);
  // Training BN forward is 5/elem: 160.
  EXPECT_DOUBLE_EQ(tr.forward.other_flops, 160 + 32 + 32);
  // Backward: conv1 grad-weight only (64 MACs); conv2 grad-input and
  // grad-weight (2*576); BN 8*32 (its input needs a gradient); ReLU 32;
  // Add without broadcast 0.
  EXPECT_DOUBLE_EQ(tr.backward.macs, 64 + 2 * 576);
  EXPECT_DOUBLE_EQ(tr.backward.matmul_flops, 2 * (64 + 2 * 576));
  EXPECT_DOUBLE_EQ(tr.backward.other_flops, 256 + 32);
  EXPECT_FALSE(tr.nodes[0].input_needs_grad);
  EXPECT_TRUE(tr.nodes[3].input_needs_grad);
  // Saved, distinct: x (conv1), c1 (bn), relu out (relu, conv2) = 3 * 32 elements.
  EXPECT_DOUBLE_EQ(tr.saved_bytes, 3 * 32 * 4);
}

TEST(Cost, DtypeChangesBytesOnly) {
  CostOptions fp32;
  CostOptions bf16;
  bf16.dtype = DType::bf16;
  CostOptions i8;
  i8.dtype = DType::int8;
  const ModelCost a = estimate_cost(small_block(4), fp32);
  const ModelCost b = estimate_cost(small_block(4), bf16);
  const ModelCost c = estimate_cost(small_block(4), i8);
  EXPECT_DOUBLE_EQ(a.forward.flops(), b.forward.flops());
  EXPECT_DOUBLE_EQ(a.forward.flops(), c.forward.flops());
  EXPECT_DOUBLE_EQ(a.forward.macs, c.forward.macs);
  EXPECT_DOUBLE_EQ(a.forward.bytes(), 2 * b.forward.bytes());
  EXPECT_DOUBLE_EQ(a.forward.bytes(), 4 * c.forward.bytes());
  EXPECT_DOUBLE_EQ(a.param_bytes, 44 * 4);
  EXPECT_DOUBLE_EQ(b.param_bytes, 44 * 2);
  // A graph built in fp16 is costed in fp16 unless told otherwise.
  EXPECT_DOUBLE_EQ(estimate_cost(small_block(4, DType::fp16)).forward.bytes(), b.forward.bytes());
}

TEST(Cost, BatchScalesWorkAndActivationsNotParameters) {
  const ModelCost one = estimate_cost(small_block(1));
  const ModelCost eight = estimate_cost(small_block(8));
  EXPECT_DOUBLE_EQ(eight.forward.flops(), 8 * one.forward.flops());
  EXPECT_DOUBLE_EQ(eight.activation_bytes, 8 * one.activation_bytes);
  EXPECT_DOUBLE_EQ(eight.params, one.params);
  EXPECT_DOUBLE_EQ(eight.input_bytes, 8 * one.input_bytes);
  // Per-node traffic: activations scale, parameters do not: params+buffers
  // = 48 elements read once per pass at any batch.
  EXPECT_DOUBLE_EQ(eight.forward.bytes() - 8 * one.forward.bytes(), -7.0 * 48 * 4);
  EXPECT_EQ(eight.batch, 8);
}

// q [1,2,4,8], k, v [1,2,6,8]: 1*2*4*6 = 48 scores.
Graph attention_graph() {
  GraphBuilder b("attn", DType::fp32);
  auto q = b.input("q", {1, 2, 4, 8});
  auto k = b.input("k", {1, 2, 6, 8});
  auto v = b.input("v", {1, 2, 6, 8});
  b.output(b.attention(q, k, v));
  return b.finish();
}

TEST(Cost, AttentionPlainVersusFlash) {
  CostOptions plain;
  CostOptions flash;
  flash.attention = AttentionMemory::flash;
  const ModelCost p = estimate_cost(attention_graph(), plain);
  const ModelCost f = estimate_cost(attention_graph(), flash);
  // QK^T 48*8 + PV 48*8 = 768 MACs; scale + softmax 6 per score = 288.
  EXPECT_DOUBLE_EQ(p.forward.macs, 768);
  EXPECT_DOUBLE_EQ(p.forward.other_flops, 288);
  EXPECT_DOUBLE_EQ(f.forward.flops(), p.forward.flops());
  // Flash: q 64 + k 96 + v 96 read, out 64 written, fp32.
  EXPECT_DOUBLE_EQ(f.forward.bytes(), (64 + 96 + 96 + 64) * 4);
  // Plain adds S and P written and read: 4 * 48 elements.
  EXPECT_DOUBLE_EQ(p.forward.bytes() - f.forward.bytes(), 4 * 48 * 4);
}

TEST(Cost, AttentionBackwardDoublesTheProducts) {
  GraphBuilder b("attn", DType::fp32);
  auto x = b.input("x", {1, 4, 8});
  auto q = b.reshape(b.linear(x, 8, false, "q"), {1, 1, 4, 8});
  auto k = b.reshape(b.linear(x, 8, false, "k"), {1, 1, 4, 8});
  auto v = b.reshape(b.linear(x, 8, false, "v"), {1, 1, 4, 8});
  b.output(b.attention(q, k, v));
  CostOptions o;
  o.training = true;
  o.attention = AttentionMemory::flash;
  const ModelCost c = estimate_cost(b.finish(), o);
  const NodeCost& a = c.nodes.back();
  ASSERT_EQ(a.op, OpKind::Attention);
  // 16 scores: forward 16*(8+8) = 256 MACs; backward dV, dP, dQ, dK = 4*16*8 = 512.
  EXPECT_DOUBLE_EQ(a.forward.macs, 256);
  EXPECT_DOUBLE_EQ(a.backward.macs, 512);
  // Softmax backward 4 + scale 1 per score.
  EXPECT_DOUBLE_EQ(a.backward.other_flops, 80);
  // Saved: q, k, v, out (4*32 elements) + fp32 row log-sum-exp (4 rows).
  EXPECT_DOUBLE_EQ(a.saved_bytes, 4 * 32 * 4 + 4 * 4);
}

TEST(Cost, PoolingRules) {
  GraphBuilder b("pool", DType::fp32);
  auto x = b.input("x", {1, 2, 7, 7});
  b.output(b.max_pool(x, {.kernel = {2, 2}, .stride = {2, 2}}));  // [1,2,3,3]
  b.output(b.adaptive_avg_pool(x, {3, 3}));
  b.output(b.global_avg_pool(x));
  const ModelCost c = estimate_cost(b.finish());
  // MaxPool: (4 - 1) per output * 18 outputs = 54.
  EXPECT_DOUBLE_EQ(c.nodes[0].forward.other_flops, 54);
  // Adaptive 7 -> 3: windows [0,3), [2,5), [4,7): 9 per dim; 2 channels * 9 * 9.
  EXPECT_DOUBLE_EQ(c.nodes[1].forward.other_flops, 162);
  // Global average: one per input element = 98.
  EXPECT_DOUBLE_EQ(c.nodes[2].forward.other_flops, 98);
}

TEST(Cost, ViewsAreFreeCopiesMoveBytes) {
  GraphBuilder b("views", DType::fp32);
  auto x = b.input("x", {2, 3, 4});
  auto r = b.reshape(x, {6, 4});
  auto t = b.transpose(r, {1, 0});
  b.output(b.dropout(t, 0.5));
  const ModelCost inf = estimate_cost(b.finish());
  EXPECT_DOUBLE_EQ(inf.nodes[0].forward.bytes(), 0);
  EXPECT_DOUBLE_EQ(inf.nodes[1].forward.bytes(), 2 * 24 * 4);  // transpose copies
  EXPECT_DOUBLE_EQ(inf.nodes[2].forward.bytes(), 0);           // dropout at inference
  EXPECT_DOUBLE_EQ(inf.forward.flops(), 0);
}

TEST(Cost, EmbeddingReadsRowsNotTheTable) {
  GraphBuilder b("emb", DType::fp32);
  auto ids = b.input("ids", {2, 3}, DType::int64);
  b.output(b.embedding(ids, 1000, 16, "wte"));
  const ModelCost c = estimate_cost(b.finish());
  // Reads 6 int64 indices + 6 rows of 16 floats; writes 6*16 floats.
  EXPECT_DOUBLE_EQ(c.forward.bytes_read, 6 * 8 + 96 * 4);
  EXPECT_DOUBLE_EQ(c.forward.bytes_written, 96 * 4);
  EXPECT_DOUBLE_EQ(c.params, 16000);
}

TEST(Cost, SharedWeightsCountOnce) {
  GraphBuilder b("tied", DType::fp32);
  auto x = b.input("x", {3, 4});
  auto w = b.parameter("w", {4, 4});
  auto y = b.matmul(b.matmul(x, w), w);
  b.output(y);
  const ModelCost c = estimate_cost(b.finish());
  EXPECT_DOUBLE_EQ(c.params, 16);
  EXPECT_DOUBLE_EQ(c.nodes[0].params + c.nodes[1].params, 32);
  // 2 matmuls * 3*4*4.
  EXPECT_DOUBLE_EQ(c.forward.macs, 96);
}

TEST(Cost, GroupByOpSumsToTotals) {
  const ModelCost c = estimate_cost(small_block(2));
  const auto groups = group_by_op(c);
  double flops = 0;
  int nodes = 0;
  for (const auto& g : groups) {
    flops += g.forward.flops();
    nodes += g.nodes;
  }
  EXPECT_DOUBLE_EQ(flops, c.forward.flops());
  EXPECT_EQ(nodes, 5);
  EXPECT_EQ(groups.front().op, OpKind::Conv);
  EXPECT_EQ(groups.front().nodes, 2);
}

TEST(Cost, ErrorsAndNames) {
  EXPECT_EQ(parse_cost_convention("FVCORE"), CostConvention::fvcore);
  EXPECT_THROW(parse_cost_convention("flopco"), Error);
  EXPECT_EQ(cost_convention_name(CostConvention::ptflops), "ptflops");
  Graph g = attention_graph();
  g.nodes[0].attrs.set("memory", std::string("paged"));
  try {
    estimate_cost(g);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(Attention)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dnnroof
