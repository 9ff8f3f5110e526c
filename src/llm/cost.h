#pragma once
// The per-phase cost of a decoder-only transformer (docs/llm.md):
//   prefill: a prompt of P tokens per sequence, batch B, empty cache;
//   decode:  one new token per sequence with a KV cache of C tokens.
// Per op (summed over the layers): FLOPs, weight bytes, activation bytes, KV
// cache bytes read and written; the roofline bound of each on a chip; the
// memory a configuration needs (weights + KV cache + activations).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "llm/config.h"

namespace dnnroof {
struct Chip;
}

namespace dnnroof::llm {

// Storage sizes: weights fp32/fp16/bf16/int8/int4, activations fp32/fp16/bf16,
// KV cache fp32/fp16/bf16/fp8/int8. Quantised weights (int8, int4) apply to
// the decoder layers' linear weights; embeddings, lm_head and norms stay in
// the activation dtype (as GPTQ/AWQ checkpoints keep them). Compute runs in
// the activation dtype (weight-only quantisation).
struct Precision {
  std::string weights = "bf16";
  std::string activations = "bf16";
  std::string kv_cache = "bf16";

  double weight_bytes() const;      // per quantisable weight element
  double activation_bytes() const;  // also embeddings, lm_head, norms
  double kv_bytes() const;
  DType compute() const;  // the chip peak used
  void validate() const;  // throws Error naming the bad dtype and the valid ones
};

enum class Phase { prefill, decode };
std::string_view phase_name(Phase p);
Phase parse_phase(std::string_view name);  // throws Error

struct Workload {
  Phase phase = Phase::decode;
  std::int64_t batch = 1;
  // prefill: the prompt length P; decode: the KV cache length C before the
  // new token (the new token attends to C + 1 keys, window permitting).
  std::int64_t context = 512;
  // Prefill: logits for every prompt token (a plain Hugging Face forward, what
  // FlopCounterMode counts) instead of only the last one per sequence (what
  // serving engines compute to sample the first token; the default).
  bool all_logits = false;

  std::int64_t tokens() const { return phase == Phase::prefill ? batch * context : batch; }
};

struct OpCost {
  std::string name;        // "qkv_proj", "attention", "mlp_down", ...
  std::int64_t count = 1;  // instances summed here (the layers; 1 for embedding, lm_head)
  double flops = 0;
  double weight_bytes = 0;      // weights read (MoE: the experts touched)
  double activation_bytes = 0;  // activations read + written
  double kv_read_bytes = 0;
  double kv_write_bytes = 0;

  double bytes() const { return weight_bytes + activation_bytes + kv_read_bytes + kv_write_bytes; }
  double intensity() const { return bytes() > 0 ? flops / bytes() : 0; }
};

struct PhaseCost {
  LlmConfig config;
  Workload workload;
  Precision precision;
  std::vector<OpCost> ops;     // in execution order; layer ops summed over the layers
  double experts_touched = 0;  // MoE: expected distinct experts per layer this step

  double flops() const;
  double bytes() const;
  double weight_bytes() const;
  double kv_read_bytes() const;
  double kv_write_bytes() const;
  double intensity() const { return bytes() > 0 ? flops() / bytes() : 0; }
};

// Keys attended, summed over the queries of one sequence: prefill
// sum_{i=1..P} min(i, W) (= P(P+1)/2 without a window); decode min(C+1, W).
double attended_keys(const LlmConfig& c, const Workload& w);

// Expected distinct experts one layer touches when `tokens` tokens each pick
// k of E experts uniformly and independently: E * (1 - (1 - k/E)^tokens).
double expected_experts_touched(std::int64_t experts, std::int64_t per_token, double tokens);

PhaseCost phase_cost(const LlmConfig& c, const Workload& w, const Precision& p);

// KV-cache bytes per token per sequence: 2 x layers x kv_heads x head_dim x bytes.
double kv_bytes_per_token(const LlmConfig& c, const Precision& p);

struct MemoryNeed {
  double weights = 0;      // all parameters (all experts) at their storage dtype
  double kv_cache = 0;     // batch x min(tokens held, window) x kv_bytes_per_token
  double activations = 0;  // the largest op's activations (inputs + outputs) + logits
  double total() const { return weights + kv_cache + activations; }
};
// Memory needed to run `w`: the cache holds P tokens after prefill and C + 1
// after a decode step (at most the sliding window).
MemoryNeed memory_needed(const LlmConfig& c, const Workload& w, const Precision& p);

// The roofline of one chip at the compute precision.
struct Roof {
  std::string chip;
  double peak_flops = 0;  // [FLOP/s]
  double bandwidth = 0;   // [B/s] main memory
  double capacity = 0;    // [B] main memory, 0 when unknown
  double ridge() const { return bandwidth > 0 ? peak_flops / bandwidth : 0; }
};
// Throws Error when the chip has no peak at that precision or no bandwidth.
Roof roof_of(const Chip& chip, DType compute);

struct Bounded {
  double time_s = 0;  // max(FLOPs / peak, bytes / bandwidth)
  bool memory_bound = true;
};
Bounded bound_op(const OpCost& op, const Roof& roof);

// The phase's lower-bound time: the sum of its ops' bounds (ops run one
// after another). memory_bound when memory-bound ops take most of it.
Bounded bound_phase(const PhaseCost& cost, const Roof& roof);

// The largest batch at `w.context` and the largest context at `w.batch`
// whose memory_needed fits `capacity` (0 when none does; capped at 2^30).
std::int64_t max_batch_that_fits(const LlmConfig& c, Workload w, const Precision& p,
                                 double capacity);
std::int64_t max_context_that_fits(const LlmConfig& c, Workload w, const Precision& p,
                                   double capacity);

}  // namespace dnnroof::llm
