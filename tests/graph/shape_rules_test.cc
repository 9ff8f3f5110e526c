// Shape rules checked against sizes worked out by hand from the torch formulas
// (written out in each test) and against torchvision's known layer shapes.
#include "graph/detail/shape_rules.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "graph/graph.h"

namespace dnnroof {
namespace {

TEST(ShapeRules, EveryOpKindHasANameAndAShapeRule) {
  for (std::size_t i = 0; i < kOpKindCount; ++i) {
    const auto op = static_cast<OpKind>(i);
    EXPECT_FALSE(op_name(op).empty()) << i;
    EXPECT_TRUE(has_shape_rule(op)) << op_name(op);
    EXPECT_GE(min_inputs(op), 1) << op_name(op);
    EXPECT_EQ(parse_op_name(op_name(op)), op);
  }
}

TEST(ShapeRules, ResNetStemConv224To112) {
  // floor((224 + 3 + 3 - 1*(7-1) - 1) / 2) + 1 = floor(223/2) + 1 = 112.
  GraphBuilder b("t", DType::fp32);
  auto x = b.input("x", {1, 3, 224, 224});
  auto y = b.conv(
      x, {.out_channels = 64, .kernel = {7, 7}, .stride = {2, 2}, .padding = {3, 3}, .bias = false},
      "conv1");
  EXPECT_EQ(b.shape(y), (Shape{1, 64, 112, 112}));
}

TEST(ShapeRules, ConvGroupsDilationAsymmetricPadding) {
  GraphBuilder b("t", DType::fp32);
  auto x = b.input("x", {2, 32, 17, 17});
  // Depthwise, dilation 2, k3, pads (1 begin, 2 end) along both dims:
  // floor((17 + 1 + 2 - 2*2 - 1)/1) + 1 = 15 + 1 = 16.
  auto y = b.conv(x, {.out_channels = 32,
                      .kernel = {3, 3},
                      .padding = {1, 1},
                      .padding_end = {2, 2},
                      .dilation = {2, 2},
                      .groups = 32});
  EXPECT_EQ(b.shape(y), (Shape{2, 32, 16, 16}));
  // Depthwise weight is [32, 32/32, 3, 3].
  // Value 0 is the input, value 1 the weight.
  EXPECT_EQ(b.value(1).name, "conv.weight");
  EXPECT_EQ(b.shape(1), (Shape{32, 1, 3, 3}));
}

TEST(ShapeRules, MaxPoolCeilMode) {
  GraphBuilder b("t", DType::fp32);
  // GoogLeNet's first pool: 112 -> k3 s2 ceil: ceil((112 - 2 - 1)/2) + 1 = ceil(109/2)+1 = 56.
  auto x = b.input("x", {1, 64, 112, 112});
  EXPECT_EQ(b.shape(b.max_pool(x, {.kernel = {3, 3}, .stride = {2, 2}, .ceil_mode = true})),
            (Shape{1, 64, 56, 56}));
  // Without ceil: floor(109/2) + 1 = 55.
  EXPECT_EQ(b.shape(b.max_pool(x, {.kernel = {3, 3}, .stride = {2, 2}})), (Shape{1, 64, 55, 55}));
  // The last-window rule: in 5, k2 s2 p1 ceil: ceil((5+2-1-1)/2)+1 = ceil(5/2)+1 = 4;
  // the 4th window would start at (4-1)*2 = 6 >= 5 + 1, so torch gives 3.
  auto z = b.input("z", {1, 1, 5, 5});
  EXPECT_EQ(b.shape(b.max_pool(
                z, {.kernel = {2, 2}, .stride = {2, 2}, .padding = {1, 1}, .ceil_mode = true})),
            (Shape{1, 1, 3, 3}));
}

TEST(ShapeRules, MatMulBroadcastsBatchDims) {
  GraphBuilder b("t", DType::fp32);
  auto a = b.input("a", {8, 1, 5, 3});
  auto c = b.input("c", {4, 3, 7});
  EXPECT_EQ(b.shape(b.matmul(a, c)), (Shape{8, 4, 5, 7}));
  auto v = b.input("v", {3});
  EXPECT_EQ(b.shape(b.matmul(a, v)), (Shape{8, 1, 5}));
  EXPECT_EQ(b.shape(b.matmul(v, c)), (Shape{4, 7}));
  Attributes t;
  t.set("trans_b", std::int64_t{1});
  auto kt = b.input("kt", {8, 4, 7, 3});  // read as [8, 4, 3, 7]
  EXPECT_EQ(b.shape(b.op(OpKind::MatMul, {a, kt}, t)), (Shape{8, 4, 5, 7}));
  EXPECT_THROW(b.matmul(a, a), Error);
}

TEST(ShapeRules, ReshapeInfersMinusOneAndCopiesZero) {
  GraphBuilder b("t", DType::fp32);
  auto x = b.input("x", {2, 3, 4, 5});
  EXPECT_EQ(b.shape(b.reshape(x, {0, -1})), (Shape{2, 60}));
  EXPECT_EQ(b.shape(b.reshape(x, {-1, 5})), (Shape{24, 5}));
  EXPECT_THROW(b.reshape(x, {7, -1}), Error);  // 120 is not divisible by 7
  EXPECT_THROW(b.reshape(x, {-1, -1}), Error);
}

TEST(ShapeRules, ConcatSplitSlice) {
  GraphBuilder b("t", DType::fp32);
  auto x = b.input("x", {1, 64, 28, 28});
  auto y = b.input("y", {1, 32, 28, 28});
  EXPECT_EQ(b.shape(b.concat({x, y, x}, 1)), (Shape{1, 160, 28, 28}));
  auto z = b.input("z", {1, 32, 14, 28});
  EXPECT_THROW(b.concat({x, z}, 1), Error);
  auto parts = b.split(x, {16, 48}, 1);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(b.shape(parts[1]), (Shape{1, 48, 28, 28}));
  // Slice 3..28 step 2 -> ceil(25/2) = 13; end beyond the dim is clamped.
  EXPECT_EQ(b.shape(b.slice(x, 2, 3, 1000, 2)), (Shape{1, 64, 13, 28}));
  EXPECT_EQ(b.shape(b.slice(x, -1, -4, 28)), (Shape{1, 64, 28, 4}));
}

TEST(ShapeRules, FlattenTransposePadReduceGatherEmbedding) {
  GraphBuilder b("t", DType::fp32);
  auto x = b.input("x", {2, 512, 7, 7});
  EXPECT_EQ(b.shape(b.flatten(x)), (Shape{2, 25088}));  // 512*7*7
  EXPECT_EQ(b.shape(b.flatten(x, 2)), (Shape{2, 512, 49}));
  EXPECT_EQ(b.shape(b.transpose(x, {0, 2, 3, 1})), (Shape{2, 7, 7, 512}));
  EXPECT_EQ(b.shape(b.pad(x, {0, 0, 1, 0, 0, 0, 2, 3})), (Shape{2, 512, 10, 10}));
  EXPECT_EQ(b.shape(b.reduce_mean(x, {2, 3}, false)), (Shape{2, 512}));
  EXPECT_EQ(b.shape(b.reduce_sum(x, {-1}, true)), (Shape{2, 512, 7, 1}));
  EXPECT_EQ(b.shape(b.global_avg_pool(x)), (Shape{2, 512, 1, 1}));
  EXPECT_EQ(b.shape(b.adaptive_avg_pool(x, {3, 3})), (Shape{2, 512, 3, 3}));
  auto ids = b.input("ids", {4, 1024}, DType::int64);
  auto e = b.embedding(ids, 50257, 768, "wte");
  EXPECT_EQ(b.shape(e), (Shape{4, 1024, 768}));
  EXPECT_EQ(b.value(e).dtype, DType::fp32);
  auto table = b.input("table", {10, 3});
  auto idx = b.input("idx", {2, 5}, DType::int64);
  Attributes g;
  g.set("axis", std::int64_t{0});
  EXPECT_EQ(b.shape(b.op(OpKind::Gather, {table, idx}, g)), (Shape{2, 5, 3}));
}

TEST(ShapeRules, AttentionAndLinear) {
  GraphBuilder b("t", DType::fp32);
  auto q = b.input("q", {2, 12, 16, 64});
  auto k = b.input("k", {2, 12, 32, 64});
  auto v = b.input("v", {2, 12, 32, 80});
  EXPECT_EQ(b.shape(b.attention(q, k, v)), (Shape{2, 12, 16, 80}));
  EXPECT_THROW(b.attention(q, v, v), Error);  // head dims 64 vs 80
  auto x = b.input("x", {2, 197, 768});
  EXPECT_EQ(b.shape(b.linear(x, 3072, true, "fc1")), (Shape{2, 197, 3072}));
}

TEST(ShapeRules, ConvTransposeDoublesWithOutputPadding) {
  GraphBuilder b("t", DType::fp32);
  auto x = b.input("x", {1, 16, 10, 10});
  // (10-1)*2 - 1 - 1 + 1*(3-1) + 1 + 1 = 18 - 2 + 2 + 2 = 20.
  auto y = b.conv_transpose(
      x, {.out_channels = 8, .kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}}, {1, 1});
  EXPECT_EQ(b.shape(y), (Shape{1, 8, 20, 20}));
}

TEST(ShapeRules, NormsExpandRollPadErrors) {
  GraphBuilder b("t", DType::fp32);
  auto x = b.input("x", {2, 6, 5, 5});
  EXPECT_EQ(b.shape(b.group_norm(x, 3)), (Shape{2, 6, 5, 5}));
  EXPECT_THROW(b.group_norm(x, 4), Error);  // 6 channels, 4 groups
  EXPECT_EQ(b.shape(b.layer_norm(x, {5, 5})), (Shape{2, 6, 5, 5}));
  EXPECT_THROW(b.layer_norm(x, {1, 2, 3, 4, 5}), Error);
  Attributes e;
  e.set("shape", std::vector<std::int64_t>{4, -1, 6, 5, 5});
  EXPECT_EQ(b.shape(b.op(OpKind::Expand, {x}, e)), (Shape{4, 2, 6, 5, 5}));
  Attributes r;
  r.set("shifts", std::vector<std::int64_t>{-3});
  r.set("axes", std::vector<std::int64_t>{4});
  EXPECT_THROW(b.op(OpKind::Roll, {x}, r), Error);  // axis 4 of a rank-4 tensor
  EXPECT_THROW(b.pad(x, {0, 0, 1, 1}), Error);      // needs 2 per dim
  EXPECT_THROW(b.channel_shuffle(x, 4), Error);
  // Split without sizes cuts into equal parts, one per output.
  Attributes s;
  s.set("axis", std::int64_t{1});
  b.op(OpKind::Split, {x}, s, "", 3);
  ASSERT_EQ(b.last_outputs().size(), 3u);
  EXPECT_EQ(b.shape(b.last_outputs()[2]), (Shape{2, 2, 5, 5}));
  // Softmax axis out of range.
  EXPECT_THROW(b.softmax(x, 4), Error);
  // AvgPool with padding more than half the kernel (torch refuses it too).
  EXPECT_THROW(b.avg_pool(x, {.kernel = {2, 2}, .padding = {2, 2}}), Error);
}

TEST(ShapeRules, BroadcastShapes) {
  EXPECT_EQ(broadcast_shapes({8, 1, 6, 1}, {7, 1, 5}), (Shape{8, 7, 6, 5}));
  EXPECT_THROW(broadcast_shapes({3}, {4}), Error);
}

}  // namespace
}  // namespace dnnroof
