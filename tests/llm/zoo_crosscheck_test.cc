// Cross-check with the graph IR: the zoo's GPT-2 (src/zoo/gpt2.cc, costed by
// src/cost) at 1024 tokens counts the same matrix products as the LLM model's
// prefill, except that its attention MatMuls compute the full 1024 x 1024
// score matrix where the causal count keeps P(P+1)/2 key positions.

#include <gtest/gtest.h>

#include "cost/cost.h"
#include "llm/cost.h"
#include "zoo/zoo.h"

namespace dnnroof::llm {
namespace {

TEST(LlmCrossCheck, Gpt2PrefillMatmulsEqualTheZooGraphsLessTheMaskedHalf) {
  ZooOptions z;
  z.batch = 1;
  z.seq_len = 1024;
  const auto graph_cost = estimate_cost(build_zoo_model("gpt2", z));

  const auto cfg = resolve_llm("gpt2");
  const auto pc =
      phase_cost(cfg, Workload{Phase::prefill, 1, 1024, true}, Precision{"fp32", "fp32", "fp32"});
  const double tokens = 1024, prompt = 1024;
  double matmul = 0;
  for (const auto& o : pc.ops) {
    if (o.name == "qkv_proj") matmul += o.flops - 12 * tokens * 2304;  // less the biases
    if (o.name == "o_proj") matmul += o.flops - 12 * tokens * 768;
    if (o.name == "mlp_up") matmul += o.flops - 12 * tokens * 3072;
    if (o.name == "mlp_down") matmul += o.flops - 12 * tokens * 768;
    if (o.name == "lm_head") matmul += o.flops;
    if (o.name == "attention") matmul += o.flops / (4 * 64 + 5) * (4 * 64);  // less the softmax
  }
  // The graph's QK^T and PV over all P x P positions per head and layer.
  const double masked = 12.0 * 12 * (prompt * prompt - prompt * (prompt + 1) / 2) * 4 * 64;
  EXPECT_NEAR(matmul + masked, graph_cost.forward.matmul_flops,
              1e-9 * graph_cost.forward.matmul_flops);
}

}  // namespace
}  // namespace dnnroof::llm
