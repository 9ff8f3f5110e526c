// Family: Vision Transformer, mirroring torchvision's
// torchvision/models/vision_transformer.py (class VisionTransformer, Encoder,
// EncoderBlock, MLPBlock) with torch.nn.MultiheadAttention inside. Node and
// parameter names follow the state_dict: conv_proj, class_token,
// encoder.pos_embedding, encoder.layers.encoder_layer_<i>.{ln_1,
// self_attention.in_proj, self_attention.out_proj, ln_2, mlp.0, mlp.3},
// encoder.ln, heads.head. (MultiheadAttention's in_proj_weight/in_proj_bias
// appear here as self_attention.in_proj.weight/.bias.)
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "zoo/detail/cnn_common.h"
#include "zoo/detail/families.h"
#include "zoo/detail/mobile_blocks.h"

namespace dnnroof::zoo {
namespace {

constexpr double kLayerNormEps = 1e-6;

// torch.nn.MultiheadAttention(hidden, heads, batch_first=True) on x [N, L, D]
// as self-attention: in_proj (one [3D, D] weight and [3D] bias), split into
// q, k, v of [N, heads, L, D/heads], softmax(q k^T / sqrt(D/heads)) v, heads
// merged, out_proj.
ValueId multihead_self_attention(GraphBuilder& b, ValueId x, std::int64_t heads) {
  const Shape xs = b.shape(x);
  const std::int64_t len = xs[1], dim = xs[2];
  const std::int64_t head_dim = dim / heads;
  ValueId qkv = b.linear(x, 3 * dim, true, "in_proj");
  qkv = b.reshape(qkv, {0, 0, 3, heads, head_dim});
  qkv = b.transpose(qkv, {2, 0, 3, 1, 4});  // [3, N, heads, L, head_dim]
  std::vector<ValueId> parts = b.split(qkv, {1, 1, 1}, 0);
  for (ValueId& p : parts) p = b.reshape(p, {-1, heads, len, head_dim});
  ValueId y = b.attention(parts[0], parts[1], parts[2], false);
  y = b.transpose(y, {0, 2, 1, 3});  // [N, L, heads, head_dim]
  y = b.reshape(y, {0, 0, dim});
  return b.linear(y, dim, true, "out_proj");
}

// vision_transformer.EncoderBlock: x + attention(ln_1(x)), then + mlp(ln_2(.)).
ValueId encoder_block(GraphBuilder& b, ValueId input, std::int64_t heads, std::int64_t mlp_dim,
                      double dropout_p) {
  const std::int64_t dim = b.shape(input).back();
  ValueId x = b.layer_norm(input, {dim}, kLayerNormEps, "ln_1");
  {
    auto attn = b.scope("self_attention");
    // F.multi_head_attention_forward: in_proj and out_proj are applied with
    // F.linear, not through out_proj's module (torch_call in graph.h).
    auto call = b.torch_call("nn.MultiheadAttention");
    x = multihead_self_attention(b, x, heads);
  }
  x = dropout_unless_zero(b, x, dropout_p, "dropout");
  x = b.add(x, input);
  ValueId y = b.layer_norm(x, {dim}, kLayerNormEps, "ln_2");
  {
    auto mlp = b.scope("mlp");  // MLPBlock: Linear, GELU, Dropout, Linear, Dropout
    y = b.linear(y, mlp_dim, true, "0");
    y = activation(b, y, OpKind::Gelu, "1");
    y = dropout_unless_zero(b, y, dropout_p, "2");
    y = b.linear(y, dim, true, "3");
    y = dropout_unless_zero(b, y, dropout_p, "4");
  }
  return b.add(x, y);
}

struct VitConfig {
  std::int64_t patch_size;
  std::int64_t num_layers;
  std::int64_t num_heads;
  std::int64_t hidden_dim;
  std::int64_t mlp_dim;
};

Graph build_vit(const std::string& name, const VitConfig& c, const ZooOptions& options) {
  GraphBuilder b(name, options.dtype);
  const std::int64_t size = checked_image_size(options, 224);
  if (size % c.patch_size != 0) {
    fail("{}: image size {} is not divisible by the patch size {}", name, size, c.patch_size);
  }
  ValueId x = image_input(b, options, 224);
  const std::int64_t patches = (size / c.patch_size) * (size / c.patch_size);
  // _process_input: conv_proj, reshape to [N, D, patches], permute to [N, patches, D].
  x = plain_conv2d(b, x, c.hidden_dim, c.patch_size, c.patch_size, 0, 1, true, "conv_proj");
  x = b.reshape(x, {0, c.hidden_dim, patches});
  x = b.transpose(x, {0, 2, 1});
  // The class token, expanded over the batch and prepended.
  const ValueId class_token = b.parameter("class_token", {1, 1, c.hidden_dim});
  // Expanded to the batch of x (shape dim 0 = x's dim 0), so the graph
  // re-infers at any batch size.
  Attributes expand;
  expand.set("shape", std::vector<std::int64_t>{0, -1, -1});
  const ValueId batch_class_token = b.op(OpKind::Expand, {class_token, x}, std::move(expand));
  x = b.concat({batch_class_token, x}, 1);
  const std::int64_t seq_length = patches + 1;
  {
    auto encoder = b.scope("encoder");
    const ValueId pos_embedding = b.parameter("pos_embedding", {1, seq_length, c.hidden_dim});
    x = b.add(x, pos_embedding);
    x = dropout_unless_zero(b, x, 0.0, "dropout");
    {
      auto layers = b.scope("layers");
      for (std::int64_t i = 0; i < c.num_layers; ++i) {
        auto layer = b.scope("encoder_layer_" + std::to_string(i));
        x = encoder_block(b, x, c.num_heads, c.mlp_dim, 0.0);
      }
    }
    x = b.layer_norm(x, {c.hidden_dim}, kLayerNormEps, "ln");
  }
  // x[:, 0]: the class token's output.
  x = b.slice(x, 1, 0, 1);
  x = b.reshape(x, {0, c.hidden_dim});
  {
    auto heads = b.scope("heads");
    x = b.linear(x, options.num_classes, true, "head");
  }
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> vit_family() {
  return {
      // vit_b_16: patch 16, 12 layers, 12 heads, hidden 768, MLP 3072.
      image_classifier("vit_b_16", "VisionTransformer", 224,
                       [](const ZooOptions& o) {
                         return build_vit("vit_b_16", {16, 12, 12, 768, 3072}, o);
                       }),
  };
}

}  // namespace dnnroof::zoo
