// ViT-B/16 against torchvision's published figures and against parameters
// and MACs worked out by hand (torchvision/models/vision_transformer.py:
// patch 16, 12 layers, 12 heads, hidden 768, MLP 3072, 197 tokens).
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "published_figures.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo_test {
namespace {

TEST(ZooViT, ParametersByHand) {
  const double d = 768, mlp = 3072, tokens = 197;
  const double patch_embed = d * 3 * 16 * 16 + d;
  const double per_layer = 2 * d                // ln_1
                           + 3 * d * d + 3 * d  // in_proj_weight, in_proj_bias
                           + d * d + d          // out_proj
                           + 2 * d              // ln_2
                           + d * mlp + mlp      // mlp.0
                           + mlp * d + d;       // mlp.3
  const double total = patch_embed + d /* class_token */ + tokens * d /* pos_embedding */ +
                       12 * per_layer + 2 * d /* encoder.ln */ + d * 1000 + 1000 /* head */;
  EXPECT_DOUBLE_EQ(total, 86567656.0);
  EXPECT_DOUBLE_EQ(cost_of("vit_b_16").params, total);
}

// One encoder block on 197 tokens: in_proj 197*768*2304, scores
// 12*197*197*64, A V 12*197*197*64, out_proj 197*768*768, MLP 2*197*768*3072.
TEST(ZooViT, BlockMacsByHand) {
  const ModelCost c = cost_of("vit_b_16");
  const std::string layer = "encoder.layers.encoder_layer_5.";
  const double in_proj = 197.0 * 768 * 2304;
  const double attention = 2 * 12.0 * 197 * 197 * 64;
  const double out_proj = 197.0 * 768 * 768;
  const double mlp = 2 * 197.0 * 768 * 3072;
  EXPECT_DOUBLE_EQ(node_named(c, layer + "self_attention.in_proj").forward.macs, in_proj);
  EXPECT_DOUBLE_EQ(node_named(c, layer + "self_attention.out_proj").forward.macs, out_proj);
  EXPECT_DOUBLE_EQ(node_named(c, layer + "mlp.0").forward.macs, mlp / 2);
  EXPECT_DOUBLE_EQ(node_named(c, layer + "mlp.3").forward.macs, mlp / 2);
  double block = 0;
  double attention_nodes = 0;
  for (const NodeCost& n : c.nodes) {
    if (n.name.rfind(layer, 0) != 0) continue;
    block += n.forward.macs;
    if (n.op == OpKind::Attention) {
      attention_nodes += n.forward.macs;
      EXPECT_EQ(n.output_shape, (Shape{1, 12, 197, 64}));
    }
  }
  EXPECT_DOUBLE_EQ(attention_nodes, attention);
  EXPECT_DOUBLE_EQ(block, in_proj + attention + out_proj + mlp);  // 1,453,954,560
  // The model: 12 blocks + patch embedding (768*14*14*3*16*16) + head.
  const double total =
      12 * (in_proj + attention + out_proj + mlp) + 768.0 * 14 * 14 * 3 * 16 * 16 + 768.0 * 1000;
  EXPECT_DOUBLE_EQ(total, 17563828224.0);
  EXPECT_DOUBLE_EQ(c.forward.macs, total);
  EXPECT_DOUBLE_EQ(c.forward.matmul_flops, 2 * total);
}

// Backward: every matrix product pays grad-input and grad-weight (attention:
// dQ, dK, dV and dP), except the patch embedding, whose input is the image.
TEST(ZooViT, BackwardJustUnderTwiceForward) {
  const ModelCost c = cost_of("vit_b_16", {}, /*training=*/true);
  EXPECT_DOUBLE_EQ(c.backward.macs, 2 * c.forward.macs - 768.0 * 14 * 14 * 3 * 16 * 16);
}

// A graph built at batch 1 re-infers at batch 8 (the class token expands to
// the batch of the patch tokens, not to a batch fixed at build time).
TEST(ZooViT, ReinfersAtAnotherBatch) {
  Graph g = build_zoo_model("vit_b_16", {});
  g.value(g.inputs[0]).shape[0] = 8;
  infer_shapes(g);
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{8, 1000}));
  EXPECT_DOUBLE_EQ(estimate_cost(g).forward.macs, 8 * cost_of("vit_b_16").forward.macs);
}

// Other sizes change the sequence (and the learnt position table) as
// torchvision's vit_b_16(image_size=...) does; the size must be a multiple of 16.
TEST(ZooViT, ImageSize) {
  ZooOptions o;
  o.image_size = 384;  // 24 * 24 patches + 1 = 577 tokens
  EXPECT_DOUBLE_EQ(cost_of("vit_b_16", o).params, 86567656.0 + (577.0 - 197.0) * 768);
  o.image_size = 200;
  EXPECT_THROW(build_zoo_model("vit_b_16", o), Error);
}

}  // namespace
}  // namespace dnnroof::zoo_test
