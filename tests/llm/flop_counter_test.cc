// src/llm's GPT-2 prefill FLOPs against torch 2.x FlopCounterMode.
//
// tests/llm/data/flop_counter_gpt2.json holds what FlopCounterMode counted
// for one forward of Hugging Face's GPT2LMHeadModel (data/llm/gpt2.json) at a
// few (batch, prompt) points: a prefill that computes the logits of every
// prompt token, which is src/llm's prefill with `all_logits`. It was made
// once by tests/llm/gen_flop_counter_gpt2.py (torch and transformers versions
// recorded in the file); no Python runs here.
//
// FlopCounterMode and src/llm do not count the same thing, so each check
// compares the like quantity:
//  - FlopCounterMode counts only matrix-class ops (addmm, mm, bmm, the sdpa
//    kernel) at 2 FLOPs per multiply-add. It does not count biases (the add
//    of addmm), LayerNorm, GELU, softmax, the residual and position adds,
//    all of which src/llm counts (docs/llm.md).
//  - It counts attention as dense: QK^T and PV over the whole P x P score
//    matrix (eager: two bmm; sdpa: its own rule, the same number), because it
//    does not know the causal mask. src/llm counts the causal half actually
//    computed: P(P+1)/2 keys per head summed over the queries.
// So: src/llm's matrix-class FLOPs with its attention made dense agree with
// FlopCounterMode's total within 1%; and src/llm's whole prefill FLOPs equal
// FlopCounterMode's total minus the masked half plus the elementwise FLOPs,
// each worked out here from docs/llm.md's rules.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "llm/config.h"
#include "llm/cost.h"

namespace dnnroof::llm {
namespace {

using nlohmann::json;

const json& fixture() {
  static const json j = [] {
    std::ifstream in(DNNROOF_FLOP_COUNTER_FIXTURE);
    if (!in) throw std::runtime_error("cannot read " DNNROOF_FLOP_COUNTER_FIXTURE);
    return json::parse(in);
  }();
  return j;
}

PhaseCost gpt2_prefill(std::int64_t batch, std::int64_t prompt) {
  Precision p;
  p.weights = p.activations = p.kv_cache = "fp32";
  return phase_cost(resolve_llm("gpt2"), Workload{Phase::prefill, batch, prompt, true}, p);
}

const OpCost& op(const PhaseCost& c, const std::string& name) {
  for (const OpCost& o : c.ops) {
    if (o.name == name) return o;
  }
  throw std::runtime_error("no op " + name);
}

TEST(FlopCounterGpt2, FixtureIsFromTorch2AndHasPoints) {
  const std::string torch = fixture().at("versions").at("torch").get<std::string>();
  EXPECT_EQ(torch.substr(0, 2), "2.") << torch;
  EXPECT_FALSE(fixture().at("versions").at("transformers").get<std::string>().empty());
  for (const char* attn : {"eager", "sdpa"}) {
    EXPECT_GE(fixture().at("points").at(attn).size(), 3u) << attn;
  }
}

// The matrix-class FLOPs of src/llm's prefill with dense attention, within
// 1% of FlopCounterMode's total, for every point and both attention kernels.
TEST(FlopCounterGpt2, MatrixClassPrefillFlopsAgreeWithinOnePercent) {
  const LlmConfig c = resolve_llm("gpt2");
  const double d = static_cast<double>(c.head_dim);
  for (const char* attn : {"eager", "sdpa"}) {
    for (const json& pt : fixture().at("points").at(attn)) {
      const auto b = pt.at("batch").get<std::int64_t>();
      const auto p = pt.at("prompt").get<std::int64_t>();
      const double torch_total = pt.at("total").get<double>();
      const PhaseCost cost = gpt2_prefill(b, p);
      // The linear layers as src/llm counts them (their 1 FLOP per bias
      // output is 1/(2 x 768) of the product: 0.07%, inside the 1%).
      const double linear = op(cost, "qkv_proj").flops + op(cost, "o_proj").flops +
                            op(cost, "mlp_up").flops + op(cost, "mlp_down").flops +
                            op(cost, "lm_head").flops;
      // src/llm's attention is per head and attended key QK^T 2d + softmax 5
      // + PV 2d; its matrix part is the 4d of 4d + 5, over the causal keys.
      const double attention_causal = op(cost, "attention").flops * (4 * d) / (4 * d + 5);
      const double keys = attended_keys(c, Workload{Phase::prefill, b, p, true});
      EXPECT_DOUBLE_EQ(keys, static_cast<double>(p) * static_cast<double>(p + 1) / 2);
      // Dense, as FlopCounterMode counts it: P^2 keys instead of P(P+1)/2.
      const double attention_dense =
          attention_causal * static_cast<double>(p) * static_cast<double>(p) / keys;
      const double ours = linear + attention_dense;
      EXPECT_NEAR(ours / torch_total, 1.0, 0.01) << attn << " batch " << b << " prompt " << p
                                                 << ": src/llm " << ours << " vs " << torch_total;
      // Part by part: the attention core exactly, the linear layers within
      // their bias FLOPs.
      const json& kind = pt.at("by_kind");
      EXPECT_NEAR(attention_dense / kind.at("attention_core").get<double>(), 1.0, 1e-9)
          << attn << " b" << b << " p" << p;
      EXPECT_DOUBLE_EQ(op(cost, "lm_head").flops, kind.at("lm_head").get<double>());
      const double torch_linear =
          kind.at("attn.c_attn").get<double>() + kind.at("attn.c_proj").get<double>() +
          kind.at("mlp.c_fc").get<double>() + kind.at("mlp.c_proj").get<double>();
      const double biases =
          static_cast<double>(b * p) * static_cast<double>(c.layers) *
          static_cast<double>(3 * c.hidden + c.hidden + c.intermediate + c.hidden);
      EXPECT_NEAR(linear - op(cost, "lm_head").flops - biases, torch_linear, 1e-9 * torch_linear)
          << attn << " b" << b << " p" << p;
    }
  }
}

// src/llm's whole prefill FLOPs = FlopCounterMode's total - the masked half
// of QK^T and PV + what FlopCounterMode does not count, by hand from
// docs/llm.md's per-op rules (T = B x P tokens, h = 768, I = 3072, L = 12,
// 12 heads).
TEST(FlopCounterGpt2, WholePrefillFlopsAreTheCounterPlusElementwiseMinusTheMaskedHalf) {
  const LlmConfig c = resolve_llm("gpt2");
  const double h = 768, inter = 3072, layers = 12, heads = 12, d = 64;
  ASSERT_EQ(c.hidden, 768);
  ASSERT_EQ(c.intermediate, 3072);
  for (const json& pt : fixture().at("points").at("eager")) {
    const auto b = pt.at("batch").get<std::int64_t>();
    const auto p = pt.at("prompt").get<std::int64_t>();
    const double bb = static_cast<double>(b), pp = static_cast<double>(p);
    const double t = bb * pp;
    const double masked = bb * layers * heads * 4 * d * (pp * pp - pp * (pp + 1) / 2);
    const double elementwise =
        t * h                                          // position embedding add
        + (2 * layers + 1) * 5 * t * h                 // LayerNorm, 5/elem (2 per layer + final)
        + layers * t * (3 * h + h + inter + h)         // biases of c_attn, c_proj, c_fc, c_proj
        + layers * 5 * bb * heads * pp * (pp + 1) / 2  // softmax, 5 per head and causal key
        + layers * 8 * t * inter                       // GELU (tanh), 8/elem
        + 2 * layers * t * h;                          // two residual adds
    const double expected = pt.at("total").get<double>() - masked + elementwise;
    EXPECT_NEAR(gpt2_prefill(b, p).flops() / expected, 1.0, 1e-9) << "b" << b << " p" << p;
  }
}

}  // namespace
}  // namespace dnnroof::llm
