// Family: GPT-2 small (124M), mirroring Hugging Face transformers'
// models/gpt2/modeling_gpt2.py (GPT2LMHeadModel, GPT2Model, GPT2Block,
// GPT2Attention, GPT2MLP) with the published configuration: 12 layers, 12
// heads, d_model 768, vocabulary 50257, 1024 positions, layer_norm_epsilon
// 1e-5, activation "gelu_new" (GELU, tanh approximation), lm_head tied to the
// token embedding wte. Node and parameter names follow the state_dict:
// transformer.{wte, wpe, h.<i>.{ln_1, attn.c_attn, attn.c_proj, ln_2,
// mlp.c_fc, mlp.c_proj}, ln_f}, lm_head. GPT-2's Conv1D keeps its weight as
// [in, out]; here every projection is a Gemm with the [out, in] weight of
// torch.nn.Linear, the same numbers transposed.
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.h"
#include "zoo/detail/families.h"

namespace dnnroof::zoo {
namespace {

struct Gpt2Config {
  std::int64_t vocab_size = 50257;
  std::int64_t n_positions = 1024;
  std::int64_t n_embd = 768;
  std::int64_t n_layer = 12;
  std::int64_t n_head = 12;
  double layer_norm_epsilon = 1e-5;
};

// GPT2Attention (self-attention, causal): c_attn to q, k, v ([N, L, 3D] split
// on the last dim, each viewed [N, L, heads, D/heads] and permuted to
// [N, heads, L, D/heads]), softmax(q k^T / sqrt(D/heads) + causal mask) v,
// heads merged, c_proj, resid_dropout.
ValueId gpt2_attention(GraphBuilder& b, ValueId x, const Gpt2Config& c) {
  // Reshapes keep N and L with 0 ("copy this dim") so the graph re-infers
  // at another batch.
  const std::int64_t d = c.n_embd;
  const std::int64_t head_dim = d / c.n_head;
  ValueId qkv = b.linear(x, 3 * d, true, "c_attn");
  std::vector<ValueId> parts = b.split(qkv, {d, d, d}, 2);
  for (ValueId& p : parts) {
    p = b.reshape(p, {0, 0, c.n_head, head_dim});
    p = b.transpose(p, {0, 2, 1, 3});
  }
  ValueId y = b.attention(parts[0], parts[1], parts[2], /*causal=*/true);
  y = b.transpose(y, {0, 2, 1, 3});
  y = b.reshape(y, {0, 0, d});
  y = b.linear(y, d, true, "c_proj");
  Attributes drop;
  drop.set("ratio", 0.1);
  return b.op(OpKind::Dropout, {y}, std::move(drop), "resid_dropout");
}

// GPT2MLP: c_fc (4D), gelu_new, c_proj (D), dropout.
ValueId gpt2_mlp(GraphBuilder& b, ValueId x, const Gpt2Config& c) {
  ValueId y = b.linear(x, 4 * c.n_embd, true, "c_fc");
  Attributes tanh;
  tanh.set("approximate", std::string("tanh"));
  y = b.op(OpKind::Gelu, {y}, std::move(tanh), "act");
  y = b.linear(y, c.n_embd, true, "c_proj");
  Attributes drop;
  drop.set("ratio", 0.1);
  return b.op(OpKind::Dropout, {y}, std::move(drop), "dropout");
}

// GPT2Block (pre-norm): x + attn(ln_1(x)), then + mlp(ln_2(.)).
ValueId gpt2_block(GraphBuilder& b, ValueId x, const Gpt2Config& c) {
  ValueId y = b.layer_norm(x, {c.n_embd}, c.layer_norm_epsilon, "ln_1");
  {
    auto attn = b.scope("attn");
    y = gpt2_attention(b, y, c);
  }
  x = b.add(x, y);
  y = b.layer_norm(x, {c.n_embd}, c.layer_norm_epsilon, "ln_2");
  {
    auto mlp = b.scope("mlp");
    y = gpt2_mlp(b, y, c);
  }
  return b.add(x, y);
}

Graph build_gpt2(const ZooOptions& options) {
  const Gpt2Config c;
  const std::int64_t len = options.seq_len == 0 ? c.n_positions : options.seq_len;
  if (options.batch < 1) fail("gpt2: batch must be at least 1 (got {})", options.batch);
  if (len < 1 || len > c.n_positions) {
    fail("gpt2: seq_len must be in 1..{} (the learnt positions), got {}", c.n_positions, len);
  }
  GraphBuilder b("gpt2", options.dtype);
  const ValueId input_ids = b.input("input_ids", {options.batch, len}, DType::int64);
  ValueId wte;
  ValueId x;
  {
    auto transformer = b.scope("transformer");
    {
      auto s = b.scope("wte");
      wte = b.parameter("weight", {c.vocab_size, c.n_embd});
    }
    const ValueId tokens = b.op(OpKind::Embedding, {input_ids, wte}, {}, "wte");
    std::vector<std::int64_t> positions(static_cast<std::size_t>(len));
    std::iota(positions.begin(), positions.end(), std::int64_t{0});
    const ValueId position_ids = b.constant_ints("position_ids", std::move(positions));
    const ValueId pos = b.embedding(position_ids, c.n_positions, c.n_embd, "wpe");
    x = b.add(tokens, pos);
    Attributes drop;
    drop.set("ratio", 0.1);
    x = b.op(OpKind::Dropout, {x}, std::move(drop), "drop");
    {
      auto h = b.scope("h");
      for (std::int64_t i = 0; i < c.n_layer; ++i) {
        auto layer = b.scope(i);
        x = gpt2_block(b, x, c);
      }
    }
    x = b.layer_norm(x, {c.n_embd}, c.layer_norm_epsilon, "ln_f");
  }
  // lm_head: Linear(768, vocab, bias=False) whose weight IS wte's.
  x = b.op(OpKind::Gemm, {x, wte}, {}, "lm_head");
  b.output(x);
  return b.finish();
}

}  // namespace

std::vector<ZooEntry> gpt2_family() {
  ZooEntry e;
  e.name = "gpt2";
  e.family = "GPT-2";
  e.task = "language model";
  e.default_image_size = 0;
  e.build = build_gpt2;
  return {e};
}

}  // namespace dnnroof::zoo
