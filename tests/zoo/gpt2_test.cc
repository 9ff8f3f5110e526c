// GPT-2 small (12 layers, 12 heads, d 768, vocabulary 50257, 1024 positions,
// lm_head tied to the token embedding): parameters and MACs by hand.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "published_figures.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo_test {
namespace {

ZooOptions seq(std::int64_t len) {
  ZooOptions o;
  o.seq_len = len;
  return o;
}

TEST(ZooGpt2, Entry) {
  const ZooEntry& e = zoo_entry("gpt2");
  EXPECT_EQ(e.task, "language model");
  EXPECT_EQ(e.default_image_size, 0);
  const Graph g = build_zoo_model("gpt2", {});
  EXPECT_EQ(g.value(g.inputs[0]).shape, (Shape{1, 1024}));
  EXPECT_EQ(g.value(g.inputs[0]).dtype, DType::int64);
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{1, 1024, 50257}));
  EXPECT_THROW(build_zoo_model("gpt2", seq(1025)), Error);
}

// 124,439,808 with the tied lm_head counted once.
TEST(ZooGpt2, ParametersByHand) {
  const double d = 768;
  const double per_layer = 2 * d                // ln_1
                           + d * 3 * d + 3 * d  // attn.c_attn
                           + d * d + d          // attn.c_proj
                           + 2 * d              // ln_2
                           + d * 4 * d + 4 * d  // mlp.c_fc
                           + 4 * d * d + d;     // mlp.c_proj
  const double total = 50257 * d /* wte */ + 1024 * d /* wpe */ + 12 * per_layer + 2 * d;
  EXPECT_DOUBLE_EQ(total, 124439808.0);
  const ModelCost c = cost_of("gpt2", seq(128));
  EXPECT_DOUBLE_EQ(c.params, total);
  // lm_head reads wte's table: it is counted under both nodes but once in the model.
  EXPECT_DOUBLE_EQ(node_named(c, "lm_head").params, 50257 * d);
  double node_params = 0;
  for (const NodeCost& n : c.nodes) node_params += n.params;
  EXPECT_DOUBLE_EQ(node_params, total + 50257 * d);
}

// At seq_len 128, per layer: c_attn 128*768*2304, scores and A V
// 2*12*128*128*64 (causal masking does not reduce the counted MACs), c_proj
// 128*768*768, MLP 2*128*768*3072; lm_head 128*768*50257.
TEST(ZooGpt2, MacsByHandAt128) {
  const ModelCost c = cost_of("gpt2", seq(128));
  const double c_attn = 128.0 * 768 * 2304;
  const double attention = 2 * 12.0 * 128 * 128 * 64;
  const double c_proj = 128.0 * 768 * 768;
  const double mlp = 2 * 128.0 * 768 * 3072;
  EXPECT_DOUBLE_EQ(node_named(c, "transformer.h.3.attn.c_attn").forward.macs, c_attn);
  EXPECT_DOUBLE_EQ(node_named(c, "transformer.h.3.attn.c_proj").forward.macs, c_proj);
  EXPECT_DOUBLE_EQ(node_named(c, "transformer.h.3.mlp.c_fc").forward.macs, mlp / 2);
  double layer = 0;
  for (const NodeCost& n : c.nodes) {
    if (n.name.rfind("transformer.h.3.", 0) == 0) layer += n.forward.macs;
  }
  EXPECT_DOUBLE_EQ(layer, c_attn + attention + c_proj + mlp);  // 931,135,488
  const double lm_head = 128.0 * 768 * 50257;
  EXPECT_DOUBLE_EQ(node_named(c, "lm_head").forward.macs, lm_head);
  EXPECT_DOUBLE_EQ(c.forward.macs, 12 * (c_attn + attention + c_proj + mlp) + lm_head);
  EXPECT_EQ(node_named(c, "lm_head").output_shape, (Shape{1, 128, 50257}));
}

// GPT-2's attention is causal and runs on [N, heads, L, head_dim] = [1, 12, 128, 64].
TEST(ZooGpt2, CausalAttention) {
  const Graph g = build_zoo_model("gpt2", seq(128));
  int attention = 0;
  for (const Node& n : g.nodes) {
    if (n.op != OpKind::Attention) continue;
    ++attention;
    EXPECT_EQ(n.attrs.get_int("causal", 0), 1);
    EXPECT_EQ(g.value(n.inputs[0]).shape, (Shape{1, 12, 128, 64}));
  }
  EXPECT_EQ(attention, 12);
}

// No matrix product touches the token ids directly (the embeddings are
// lookups), so backward MACs are exactly twice forward.
TEST(ZooGpt2, BackwardTwiceForwardAndBatchScaling) {
  const ModelCost c = cost_of("gpt2", seq(64), /*training=*/true);
  EXPECT_DOUBLE_EQ(c.backward.macs, 2 * c.forward.macs);
  ZooOptions o = seq(64);
  o.batch = 4;
  EXPECT_DOUBLE_EQ(cost_of("gpt2", o).forward.macs, 4 * c.forward.macs);
}

}  // namespace
}  // namespace dnnroof::zoo_test
