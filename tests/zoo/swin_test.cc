// Swin-T against torchvision's published figures and window attention worked
// by hand (torchvision/models/swin_transformer.py: patch 4, embed 96, depths
// 2-2-6-2, heads 3-6-12-24, window 7, shift 3 on odd blocks).
#include <gtest/gtest.h>

#include <string>

#include "published_figures.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo_test {
namespace {

// Stage 1 at 224: 56x56 tokens of 96 channels = 64 windows of 49 tokens,
// 3 heads of 32.
TEST(ZooSwin, WindowAttentionByHand) {
  const ModelCost c = cost_of("swin_t");
  const std::string attn = "features.1.1.attn.";
  EXPECT_DOUBLE_EQ(node_named(c, attn + "qkv").forward.macs, 64.0 * 49 * 96 * 288);
  EXPECT_DOUBLE_EQ(node_named(c, attn + "proj").forward.macs, 64.0 * 49 * 96 * 96);
  double matmuls = 0;
  for (const NodeCost& n : c.nodes) {
    if (n.op == OpKind::MatMul && n.name.rfind(attn, 0) == 0) matmuls += n.forward.macs;
  }
  EXPECT_DOUBLE_EQ(matmuls, 2 * 64.0 * 3 * 49 * 49 * 32);  // q k^T and attn v
  EXPECT_DOUBLE_EQ(node_named(c, "features.1.1.mlp.0").forward.macs, 56.0 * 56 * 96 * 384);
  // Patch merging 56x56x96 -> 28x28x192: LayerNorm(384), Linear(384, 192, bias=False).
  EXPECT_DOUBLE_EQ(node_named(c, "features.2.reduction").forward.macs, 28.0 * 28 * 384 * 192);
  EXPECT_DOUBLE_EQ(node_named(c, "features.2.reduction").params, 384.0 * 192);
}

// Each block has a relative position bias table of (2*7-1)^2 = 169 rows per
// head; odd blocks roll the map by 3 and add the shift mask, except in stage 4
// where the 7x7 map is one window and torchvision does not shift.
TEST(ZooSwin, ShiftsTablesAndMasks) {
  const Graph g = build_zoo_model("swin_t", {});
  int tables = 0;
  double table_params = 0;
  int masks = 0;
  int rolls = 0;
  for (const Value& v : g.values) {
    if (v.name.find("relative_position_bias_table") != std::string::npos) {
      ++tables;
      EXPECT_EQ(v.role, ValueRole::parameter);
      table_params += static_cast<double>(numel(v.shape));
    }
    if (v.role == ValueRole::constant && v.name.find("attn_mask") != std::string::npos) {
      ++masks;
      // 0 within a region, -100 across regions.
      for (double m : v.float_data) EXPECT_TRUE(m == 0.0 || m == -100.0);
    }
  }
  for (const Node& n : g.nodes) rolls += n.op == OpKind::Roll;
  EXPECT_EQ(tables, 12);
  EXPECT_DOUBLE_EQ(table_params, 169.0 * (2 * 3 + 2 * 6 + 6 * 12 + 2 * 24));
  EXPECT_EQ(masks, 1 + 1 + 3);        // odd blocks of stages 1-3
  EXPECT_EQ(rolls, 2 * (1 + 1 + 3));  // roll and roll back
}

// At 256 the stage maps are 64, 32, 16, 8: stage 4 (8x8) is padded to 14x14,
// 4 windows, and shifted since the window no longer covers the map.
TEST(ZooSwin, PaddedWindows) {
  ZooOptions o;
  o.image_size = 256;
  const ModelCost c = cost_of("swin_t", o);
  EXPECT_DOUBLE_EQ(c.params, 28288354.0);
  const NodeCost qkv = node_named(c, "features.7.1.attn.qkv");
  EXPECT_EQ(qkv.output_shape, (Shape{4, 49, 2304}));
  EXPECT_DOUBLE_EQ(qkv.forward.macs, 4.0 * 49 * 768 * 2304);
  // The padding is cut off again: the final norm sees the 8x8 map.
  EXPECT_EQ(node_named(c, "norm").output_shape, (Shape{1, 8, 8, 768}));
}

}  // namespace
}  // namespace dnnroof::zoo_test
