// Other tools' conventions, hand-derived from their published rules (the
// sources are cited in src/cost/convention.cc and docs/cost-model.md).
#include <gtest/gtest.h>

#include "cost/cost.h"

namespace dnnroof {
namespace {

// x [1,3,8,8] -> conv(3->4, k3, p1, bias) -> bn -> relu -> maxpool 2 -> flatten -> linear(64->10).
Graph net() {
  GraphBuilder b("net", DType::fp32);
  auto x = b.input("x", {1, 3, 8, 8});
  auto y = b.conv(x, {.out_channels = 4, .kernel = {3, 3}, .padding = {1, 1}});
  y = b.relu(b.batch_norm(y));
  y = b.max_pool(y, {.kernel = {2, 2}});
  b.output(b.linear(b.flatten(y), 10));
  return b.finish();
}

double total(CostConvention conv) {
  CostOptions o;
  o.convention = conv;
  return estimate_cost(net(), o).forward.flops();
}

// conv MACs = 4*8*8*3*3*3 = 6912; linear MACs = 64*10 = 640;
// conv output 256 elements; pool output 64 elements.
TEST(Convention, Dnnroof) {
  // 2*(6912 + 640) + BN 2*256 + ReLU 256 + MaxPool 3*64.
  EXPECT_DOUBLE_EQ(total(CostConvention::dnnroof), 15104 + 512 + 256 + 192);
}

TEST(Convention, Fvcore) {
  // One flop per MAC, BN at inference 2/elem (affine), ReLU and MaxPool 0.
  EXPECT_DOUBLE_EQ(total(CostConvention::fvcore), 6912 + 640 + 512);
}

TEST(Convention, Thop) {
  // MACs without bias, BN 2*numel x2 (affine) = 1024, ReLU and MaxPool zero_ops.
  EXPECT_DOUBLE_EQ(total(CostConvention::thop), 6912 + 640 + 1024);
}

TEST(Convention, Ptflops) {
  // Conv MACs + bias per output position (4*64 = 256); linear MACs + 10 (bias
  // once); BN 2*256; ReLU 256; MaxPool numel(input) = 256.
  EXPECT_DOUBLE_EQ(total(CostConvention::ptflops), 6912 + 256 + 640 + 10 + 512 + 256 + 256);
}

TEST(Convention, MacsAndBytesDoNotChange) {
  CostOptions a;
  CostOptions b;
  b.convention = CostConvention::thop;
  const ModelCost x = estimate_cost(net(), a);
  const ModelCost y = estimate_cost(net(), b);
  EXPECT_DOUBLE_EQ(x.forward.macs, y.forward.macs);
  EXPECT_DOUBLE_EQ(x.forward.bytes(), y.forward.bytes());
  EXPECT_DOUBLE_EQ(x.params, y.params);
}

double attention_flops(CostConvention conv) {
  GraphBuilder b("attn", DType::fp32);
  auto q = b.input("q", {1, 2, 4, 8});
  auto k = b.input("k", {1, 2, 6, 8});
  auto v = b.input("v", {1, 2, 6, 8});
  b.output(b.attention(q, k, v));
  CostOptions o;
  o.convention = conv;
  return estimate_cost(b.finish(), o).forward.flops();
}

TEST(Convention, Attention) {
  // 1*2*4*6 = 48 scores; MACs 48*8 + 48*8 = 768.
  EXPECT_DOUBLE_EQ(attention_flops(CostConvention::dnnroof), 2 * 768 + 6 * 48);
  EXPECT_DOUBLE_EQ(attention_flops(CostConvention::fvcore), 0);  // no SDPA handle
  EXPECT_DOUBLE_EQ(attention_flops(CostConvention::thop), 0);    // no module hook
  EXPECT_DOUBLE_EQ(attention_flops(CostConvention::ptflops), 768 + 48);
}

double global_pool_flops(CostConvention conv) {
  GraphBuilder b("gap", DType::fp32);
  auto x = b.input("x", {1, 2, 7, 7});
  b.output(b.global_avg_pool(x));
  CostOptions o;
  o.convention = conv;
  return estimate_cost(b.finish(), o).forward.flops();
}

TEST(Convention, GlobalAveragePool) {
  // 98 input elements, 2 outputs.
  EXPECT_DOUBLE_EQ(global_pool_flops(CostConvention::dnnroof), 98);
  EXPECT_DOUBLE_EQ(global_pool_flops(CostConvention::fvcore), 98);
  // thop: (prod(7/1 * 7/1) + 1) per output = 50 * 2.
  EXPECT_DOUBLE_EQ(global_pool_flops(CostConvention::thop), 100);
  EXPECT_DOUBLE_EQ(global_pool_flops(CostConvention::ptflops), 98);
}

}  // namespace
}  // namespace dnnroof
