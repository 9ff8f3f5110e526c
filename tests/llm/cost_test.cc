// The per-phase cost model: every expected value is derived by hand here
// from the config's numbers (docs/llm.md states the rules).

#include "llm/cost.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "core/error.h"
#include "hw/catalog.h"

namespace dnnroof::llm {
namespace {

Precision all(const char* dtype) { return Precision{dtype, dtype, dtype}; }

const OpCost& op(const PhaseCost& c, const std::string& name) {
  for (const auto& o : c.ops) {
    if (o.name == name) return o;
  }
  throw Error("no op " + name);
}

void expect_rel(double actual, double expected, double rel = 1e-12) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * rel);
}

TEST(LlmCost, KvCacheBytesPerToken) {
  // 2 (K and V) x layers x kv_heads x head_dim x bytes.
  EXPECT_EQ(kv_bytes_per_token(resolve_llm("llama-2-7b"), all("fp16")), 2.0 * 32 * 32 * 128 * 2);
  EXPECT_EQ(kv_bytes_per_token(resolve_llm("llama-3-8b"), all("bf16")), 2.0 * 32 * 8 * 128 * 2);
  EXPECT_EQ(kv_bytes_per_token(resolve_llm("qwen2-7b"), Precision{"bf16", "bf16", "int8"}),
            2.0 * 28 * 4 * 128 * 1);
  EXPECT_EQ(kv_bytes_per_token(resolve_llm("gpt2"), all("fp32")), 2.0 * 12 * 12 * 64 * 4);
}

TEST(LlmCost, DecodeFlopsPerTokenLlama2ByHand) {
  const auto cfg = resolve_llm("llama-2-7b");
  for (std::int64_t ctx : {0, 1, 511, 4095}) {
    const double keys = static_cast<double>(ctx + 1);                  // C cached + the new token
    const double layer = 4.0 * 4096                                    // attn RMSNorm
                         + 2.0 * 4096 * (4096 + 2 * 4096)              // Q, K, V
                         + 3.0 * (4096 + 4096)                         // rotary on Q and K
                         + keys * 32 * (2 * 128 + 5 + 2 * 128)         // QK^T, softmax, PV
                         + 2.0 * 4096 * 4096                           // o_proj
                         + 4096                                        // residual
                         + 4.0 * 4096                                  // mlp RMSNorm
                         + 2.0 * 4096 * 2 * 11008                      // gate + up
                         + 5.0 * 11008                                 // silu(gate) * up
                         + 2.0 * 11008 * 4096                          // down
                         + 4096;                                       // residual
    const double hand = 32 * layer + 4.0 * 4096 + 2.0 * 4096 * 32000;  // final norm, lm_head
    const auto cost = phase_cost(cfg, Workload{Phase::decode, 1, ctx}, all("fp16"));
    expect_rel(cost.flops(), hand);
    // Batch multiplies a decode step's FLOPs exactly.
    expect_rel(phase_cost(cfg, Workload{Phase::decode, 8, ctx}, all("fp16")).flops(), 8 * hand);
  }
}

TEST(LlmCost, DecodeTrafficLlama2) {
  const auto cfg = resolve_llm("llama-2-7b");
  const std::int64_t ctx = 4095, batch = 4;
  const auto cost = phase_cost(cfg, Workload{Phase::decode, batch, ctx}, all("fp16"));
  // Every weight is read once, except the embedding table: B gathered rows.
  expect_rel(cost.weight_bytes(), (6738415616.0 - 32000.0 * 4096 + batch * 4096) * 2);
  // The cache is read for C + 1 tokens and written for the new one.
  const double per_token = 2.0 * 32 * 32 * 128 * 2;
  expect_rel(cost.kv_read_bytes(), batch * (ctx + 1) * per_token);
  expect_rel(cost.kv_write_bytes(), batch * per_token);
}

TEST(LlmCost, PrefillCountsTheCausalMask) {
  const auto cfg = resolve_llm("llama-2-7b");
  const double prompt = 2048;
  const auto cost = phase_cost(cfg, Workload{Phase::prefill, 2, 2048}, all("bf16"));
  // P(P+1)/2 key positions per head, not P^2.
  expect_rel(op(cost, "attention").flops,
             32 * 2 * (prompt * (prompt + 1) / 2) * 32 * (4 * 128 + 5));
  // The K and V of the prompt are written to the cache and read once.
  expect_rel(op(cost, "qkv_proj").kv_write_bytes, 32 * 2 * prompt * 2 * 4096 * 2);
  expect_rel(op(cost, "attention").kv_read_bytes, 32 * 2 * prompt * 2 * 4096 * 2);
  // Logits of each sequence's last token; every token's with all_logits.
  expect_rel(op(cost, "lm_head").flops, 2 * 2.0 * 4096 * 32000);
  const auto every = phase_cost(cfg, Workload{Phase::prefill, 2, 2048, true}, all("bf16"));
  expect_rel(op(every, "lm_head").flops, 2 * 2 * prompt * 4096 * 32000.0);
  expect_rel(every.flops() - cost.flops(), 2 * (2 * prompt - 2) * 4096 * 32000.0 + 0);

  // Sliding window (Mistral, W = 4096): position i attends min(i, W) keys.
  const auto mistral = resolve_llm("mistral-7b");
  const double window = 4096, prompt2 = 10000;
  const auto mc = phase_cost(mistral, Workload{Phase::prefill, 1, 10000}, all("bf16"));
  expect_rel(op(mc, "attention").flops,
             32 * (window * (window + 1) / 2 + (prompt2 - window) * window) * 32 * (4 * 128 + 5));
  // Every prompt token's K and V is read at least once, window or not.
  expect_rel(op(mc, "attention").kv_read_bytes, prompt2 * kv_bytes_per_token(mistral, all("bf16")));
  const auto md = phase_cost(mistral, Workload{Phase::decode, 1, 10000}, all("bf16"));
  expect_rel(op(md, "attention").flops, 32 * window * 32 * (4 * 128 + 5));
  expect_rel(md.kv_read_bytes(), window * kv_bytes_per_token(mistral, all("bf16")));
}

TEST(LlmCost, PrefillOfOneTokenIsDecodeWithAnEmptyCache) {
  for (const char* name : {"gpt2", "llama-3-8b", "mixtral-8x7b"}) {
    const auto cfg = resolve_llm(name);
    const auto a = phase_cost(cfg, Workload{Phase::prefill, 3, 1}, all("bf16"));
    const auto b = phase_cost(cfg, Workload{Phase::decode, 3, 0}, all("bf16"));
    expect_rel(a.flops(), b.flops());
    expect_rel(a.bytes(), b.bytes());
  }
}

TEST(LlmCost, MixtureOfExperts) {
  EXPECT_DOUBLE_EQ(expected_experts_touched(8, 2, 1), 2);
  EXPECT_DOUBLE_EQ(expected_experts_touched(8, 2, 2), 8 * (1 - 0.75 * 0.75));
  EXPECT_NEAR(expected_experts_touched(8, 2, 1000), 8, 1e-9);
  EXPECT_DOUBLE_EQ(expected_experts_touched(1, 1, 50), 1);

  const auto mixtral = resolve_llm("mixtral-8x7b");
  const auto mistral = resolve_llm("mistral-7b");
  // Same attention and vocabulary; Mixtral's MLP runs 2 experts per token,
  // plus the router (h x 8) and the weighted combine of 2 outputs (2/elem).
  const std::int64_t ctx = 1000;
  const auto x = phase_cost(mixtral, Workload{Phase::decode, 1, ctx}, all("bf16"));
  const auto s = phase_cost(mistral, Workload{Phase::decode, 1, ctx}, all("bf16"));
  const double extra_per_layer = 2.0 * 4096 * 2 * 14336  // the second expert's gate + up
                                 + 5.0 * 14336           // its silu * up
                                 + 2.0 * 14336 * 4096    // its down
                                 + 2.0 * 4096 * 8        // router
                                 + 2.0 * 2 * 4096;       // combine
  expect_rel(x.flops() - s.flops(), 32 * extra_per_layer, 1e-9);
  // One token touches exactly 2 experts: weight traffic = the active
  // parameters less the embedding table plus one gathered row.
  EXPECT_DOUBLE_EQ(x.experts_touched, 2);
  expect_rel(x.weight_bytes(), (12879925248.0 - 32000.0 * 4096 + 4096) * 2);
  // A batch of 64 tokens touches nearly all 8: 8 (1 - 0.75^64).
  const auto x64 = phase_cost(mixtral, Workload{Phase::decode, 64, ctx}, all("bf16"));
  const double touched = 8 * (1 - std::pow(0.75, 64));
  EXPECT_DOUBLE_EQ(x64.experts_touched, touched);
  expect_rel(op(x64, "mlp_down").weight_bytes, 32 * touched * 14336.0 * 4096 * 2);
}

TEST(LlmCost, MemoryNeeded) {
  const auto cfg = resolve_llm("llama-2-7b");
  const auto m = memory_needed(cfg, Workload{Phase::decode, 8, 4095}, all("fp16"));
  EXPECT_DOUBLE_EQ(m.weights, 6738415616.0 * 2);
  EXPECT_DOUBLE_EQ(m.kv_cache, 8.0 * 4096 * 2 * 32 * 32 * 128 * 2);  // 16 GiB
  EXPECT_GT(m.activations, 0);
  // 4-bit weights: the decoder layers' linear weights at half a byte, the
  // rest (embeddings, lm_head, norms) stays fp16.
  const double linear = 32.0 * (4 * 4096.0 * 4096 + 3 * 4096.0 * 11008);
  const auto q4 =
      memory_needed(cfg, Workload{Phase::decode, 1, 0}, Precision{"int4", "fp16", "fp16"});
  EXPECT_DOUBLE_EQ(q4.weights, linear * 0.5 + (6738415616.0 - linear) * 2);
  // Mixtral holds all 8 experts.
  EXPECT_DOUBLE_EQ(memory_needed(resolve_llm("mixtral-8x7b"), Workload{}, all("bf16")).weights,
                   46702792704.0 * 2);
}

TEST(LlmCost, LargestBatchAndContextThatFit) {
  const auto cfg = resolve_llm("llama-2-7b");
  const auto p = all("fp16");
  const double cap = 80e9;
  Workload w{Phase::decode, 8, 4095};
  const auto b = max_batch_that_fits(cfg, w, p, cap);
  // (80e9 - 13.48e9 weights) / 2.147e9 per 4096-token sequence = 30.98.
  EXPECT_EQ(b, 30);
  w.batch = b;
  EXPECT_LE(memory_needed(cfg, w, p).total(), cap);
  w.batch = b + 1;
  EXPECT_GT(memory_needed(cfg, w, p).total(), cap);
  w.batch = 8;
  const auto ctx = max_context_that_fits(cfg, w, p, cap);
  w.context = ctx;
  EXPECT_LE(memory_needed(cfg, w, p).total(), cap);
  w.context = ctx + 1;
  EXPECT_GT(memory_needed(cfg, w, p).total(), cap);
  EXPECT_EQ(max_batch_that_fits(cfg, w, p, 1e9), 0);  // the weights alone do not fit
}

TEST(LlmCost, DecodeIsMemoryBoundOnAnA100) {
  // The worked example of docs/llm.md: Llama-2-7B fp16, batch 1: ~13.5 GB of
  // weights per token over 2.039 TB/s is ~6.6 ms, ~150 tokens/s at most.
  const auto chip = Catalog::builtin().get("a100-sxm4-80gb");
  const auto roof = roof_of(chip, DType::fp16);
  const auto cost =
      phase_cost(resolve_llm("llama-2-7b"), Workload{Phase::decode, 1, 0}, all("fp16"));
  const auto t = bound_phase(cost, roof);
  EXPECT_TRUE(t.memory_bound);
  // At batch 1 every op is below the ridge: the time is the bytes over the bandwidth.
  expect_rel(t.time_s, cost.bytes() / roof.bandwidth, 1e-9);
  EXPECT_GT(t.time_s, 6738415616.0 * 2 * 0.98 / 2.039e12);
  EXPECT_LT(t.time_s, 6738415616.0 * 2 * 1.01 / 2.039e12);
  // A long prompt is compute-bound.
  const auto pre =
      phase_cost(resolve_llm("llama-2-7b"), Workload{Phase::prefill, 1, 2048}, all("fp16"));
  EXPECT_FALSE(bound_phase(pre, roof).memory_bound);
  EXPECT_FALSE(bound_op(op(pre, "mlp_gate_up"), roof).memory_bound);
}

TEST(LlmCost, BadInput) {
  const auto cfg = resolve_llm("gpt2");
  EXPECT_THROW(phase_cost(cfg, Workload{Phase::decode, 0, 10}, all("fp16")), Error);
  EXPECT_THROW(phase_cost(cfg, Workload{Phase::prefill, 1, 0}, all("fp16")), Error);
  EXPECT_THROW(phase_cost(cfg, Workload{}, Precision{"int3", "fp16", "fp16"}), Error);
  EXPECT_THROW(phase_cost(cfg, Workload{}, Precision{"fp16", "int8", "fp16"}), Error);
  EXPECT_THROW(parse_phase("generate"), Error);
}

}  // namespace
}  // namespace dnnroof::llm
