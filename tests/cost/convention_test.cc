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
  // Conv MACs + bias per output position (4*64 = 256); linear (64*10 + 10) *
  // 1 row; BN 2*256 (affine). count_functional=True: nn.ReLU's hook 256 and
  // its forward's patched F.relu 256 more; nn.MaxPool2d numel(input) = 256
  // by its hook and again by F.max_pool2d.
  EXPECT_DOUBLE_EQ(total(CostConvention::ptflops), 6912 + 256 + 650 + 512 + 2 * 256 + 2 * 256);
  // count_functional=False: the hooks only.
  EXPECT_DOUBLE_EQ(total(CostConvention::ptflops_no_functional),
                   6912 + 256 + 650 + 512 + 256 + 256);
  // aten backend: convolution MACs + bias, addmm MACs + bias per row.
  EXPECT_DOUBLE_EQ(total(CostConvention::ptflops_aten), 6912 + 256 + 650);
}

TEST(Convention, CalflopsTorchTorchinfo) {
  // calflops: conv 2*MACs + bias 256; linear 2*640 (bias ignored); BN 2/elem
  // at inference; F.relu 256; F.max_pool2d numel(in) 256.
  EXPECT_DOUBLE_EQ(total(CostConvention::calflops), 2 * 6912 + 256 + 2 * 640 + 512 + 256 + 256);
  // torch: 2 per MAC of conv and addmm, nothing else.
  EXPECT_DOUBLE_EQ(total(CostConvention::torch), 2 * (6912 + 640));
  // torchinfo: conv params (108 + 4) x N x 8 x 8; BN params 8 x N; linear
  // params 650 x N (N = 1).
  EXPECT_DOUBLE_EQ(total(CostConvention::torchinfo), 112 * 64 + 8 + 650);
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

double attention_flops(CostConvention conv, const char* call = "") {
  GraphBuilder b("attn", DType::fp32);
  auto q = b.input("q", {1, 2, 4, 8});
  auto k = b.input("k", {1, 2, 6, 8});
  auto v = b.input("v", {1, 2, 6, 8});
  auto scope = b.torch_call(call);
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
  // ptflops: a bare F.scaled_dot_product_attention is not patched; inside
  // nn.MultiheadAttention its hook counts the MACs, 1 per score and the q
  // scaling (numel(q) = 64).
  EXPECT_DOUBLE_EQ(attention_flops(CostConvention::ptflops), 0);
  EXPECT_DOUBLE_EQ(attention_flops(CostConvention::ptflops, "nn.MultiheadAttention"),
                   768 + 48 + 64);
  EXPECT_DOUBLE_EQ(attention_flops(CostConvention::ptflops_aten), 0);
  EXPECT_DOUBLE_EQ(attention_flops(CostConvention::calflops), 0);
  EXPECT_DOUBLE_EQ(attention_flops(CostConvention::torch), 2 * 768);
}

// torch's backward: a depthwise conv's weight gradient counted groups times.
TEST(Convention, TorchBackwardIgnoresGroupsInTheWeightGradient) {
  auto build = [] {
    GraphBuilder b("dw", DType::fp32);
    auto x = b.input("x", {1, 4, 6, 6});
    auto y =
        b.conv(x, {.out_channels = 4, .kernel = {3, 3}, .padding = {1, 1}, .bias = false}, "c1");
    b.output(b.conv(
        y, {.out_channels = 4, .kernel = {3, 3}, .padding = {1, 1}, .groups = 4, .bias = false},
        "dw"));
    return b.finish();
  };
  CostOptions o;
  o.training = true;
  o.convention = CostConvention::torch;
  const ModelCost t = estimate_cost(build(), o);
  // c1: 4*36*4*9 = 5184 MACs; dw: 4*36*1*9 = 1296 MACs.
  // c1 backward: weight gradient only (input is data): 5184.
  // dw backward: grad-input 1296 + grad-weight 1296 x 4 groups.
  EXPECT_DOUBLE_EQ(t.forward.flops(), 2 * (5184 + 1296));
  EXPECT_DOUBLE_EQ(t.backward.flops(), 2 * (5184 + 1296 + 4 * 1296));
  o.convention = CostConvention::dnnroof;
  const ModelCost d = estimate_cost(build(), o);
  EXPECT_DOUBLE_EQ(d.backward.matmul_flops, 2 * (5184 + 1296 + 1296));
}

// --attention-recompute adds QK^T (B*L*S*d) to Attention's backward.
TEST(Convention, AttentionRecompute) {
  auto run = [](bool recompute) {
    GraphBuilder b("attn", DType::fp32);
    auto x = b.input("x", {1, 4, 8});
    auto q = b.reshape(b.linear(x, 8, false, "q"), {1, 1, 4, 8});
    b.output(b.attention(q, q, q));
    CostOptions o;
    o.training = true;
    o.convention = CostConvention::torch;
    o.attention_recompute = recompute;
    return estimate_cost(b.finish(), o).backward.flops();
  };
  // 16 scores x 8 = 128 MACs per attention matmul.
  EXPECT_DOUBLE_EQ(run(true) - run(false), 2 * 128);
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
  // nn.AdaptiveAvgPool2d: its hook numel(in), and F.adaptive_avg_pool2d again.
  EXPECT_DOUBLE_EQ(global_pool_flops(CostConvention::ptflops), 2 * 98);
  EXPECT_DOUBLE_EQ(global_pool_flops(CostConvention::ptflops_no_functional), 98);
}

}  // namespace
}  // namespace dnnroof
