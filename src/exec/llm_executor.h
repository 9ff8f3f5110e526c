#pragma once
// A decoder-only transformer language model run with LibTorch, built from a
// dnnroof::llm::LlmConfig (src/llm, docs/llm.md): token (+ learned position)
// embeddings, LayerNorm or RMSNorm, multi-head / grouped-query / multi-query
// attention with rotary embeddings where the config says, the causal mask
// and a sliding window, a GELU or SwiGLU MLP or a mixture of experts with
// top-k routing, a tied or untied lm_head, and a KV cache. Weights are
// random, seeded. It times the two phases the cost model (src/llm/cost.h)
// prices: a prefill of P prompt tokens per sequence into an empty cache, and
// one decode step (one new token per sequence) with a cache of C tokens.
//
// The model runs under c10::InferenceMode. Its ops are grouped as the cost
// model's ops are named (embedding, attn_norm, qkv_proj, attention, o_proj,
// attn_residual, mlp_norm, router, mlp_gate_up | mlp_up, mlp_silu_mul |
// mlp_gelu, mlp_down, mlp_residual, final_norm, lm_head), so a per-op time
// can be set beside that op's FLOPs and bytes. This header includes no
// LibTorch header: the program reaches it through the executor module
// (src/exec_module), tests link dnnroof::exec.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/host_tensor.h"
#include "exec/executor.h"
#include "llm/config.h"
#include "llm/cost.h"

namespace dnnroof {

struct LlmExecOptions {
  std::string device = "cpu";  // "cpu", "cuda", "cuda:N"
  DType dtype = DType::fp32;   // weights, activations and KV cache: fp32, bf16 (fp16 on CUDA)
  int threads = 0;             // as ExecOptions::threads (0: every allowed physical core)
  bool pin = true;             // as ExecOptions::pin
  std::uint64_t seed = 0;      // weights and tokens are drawn from it
  // Parameters by name (LlmExecutor::parameters() lists the names and
  // shapes); one not given is drawn: matrices and embeddings normal(0, 0.02)
  // (GPT-2's init), norm scales 1, biases 0. A given one must have the
  // listed shape.
  std::map<std::string, HostTensor> weights;
  // RMSNorm epsilon (Llama's 1e-5); LayerNorm uses GPT-2's 1e-5 too.
  double rms_eps = 1e-5;
  double rope_theta = 10000;  // rotary base (LlmConfig does not carry it)
};

// One op group's time in one pass: "h.3.attention" (decoder layer 3) or
// "embedding", "final_norm", "lm_head" (once per model).
struct LlmOpTime {
  std::string name;
  std::string op;  // the cost model's op name: "attention", "qkv_proj", ...
  int layer = -1;  // decoder layer; -1 for embedding, final_norm, lm_head
  double seconds = 0;
};

class LlmExecutor {
 public:
  virtual ~LlmExecutor() = default;
  const ExecInfo& info() const { return info_; }
  const llm::LlmConfig& config() const { return config_; }

  // Every parameter tensor (a tied lm_head is the embedding, listed once),
  // on the host in fp32, by name, in a fixed order.
  virtual std::vector<HostTensor> parameters() const = 0;
  // Sum of their element counts.
  virtual std::int64_t parameter_count() const = 0;

  // Prepares the timed step: the prompt (prefill: batch x context seeded
  // tokens) or, for decode, a KV cache of batch x context tokens filled by a
  // real prefill of seeded tokens plus the next token of each sequence.
  // Throws Error when the positions do not fit the model (learned positions:
  // context + 1 > max_positions) or the workload is invalid.
  virtual void prepare(const llm::Workload& w) = 0;
  // One step of the prepared workload [s], timed by the device's clock
  // (steady_clock on the CPU, CUDA events on a GPU): the prefill into an
  // empty cache with the logits of each sequence's last token (all tokens
  // with Workload::all_logits), or one decode step writing the new token's K
  // and V at position `context` and the logits of the new token. Every call
  // does the same work (the cache is rewound to `context` first).
  virtual double step() = 0;
  // The same step with each op group run alone, synchronised before and
  // after, in execution order (MoE: an op's time summed over the experts).
  virtual std::vector<LlmOpTime> time_ops() = 0;

  // For tests: appends `tokens` ([batch, n] row-major) to the cache at its
  // current length and returns the logits of every new token, [batch, n,
  // vocab] in fp32. reset_cache(len) rewinds the cache to its first `len`
  // tokens (0: empty) with room for `capacity` tokens (kept when 0 and it
  // fits).
  virtual HostTensor forward_tokens(const std::vector<std::int64_t>& tokens,
                                    std::int64_t batch) = 0;
  virtual void reset_cache(std::int64_t length, std::int64_t capacity = 0) = 0;
  virtual std::int64_t cache_length() const = 0;
  // Bytes of the K and V the cache holds now (every layer, every sequence;
  // with a sliding window the last `window` tokens): the KV traffic a
  // decode step reads.
  virtual double kv_cache_bytes() const = 0;

  // As Executor's: CUDA's caching-allocator peak; nullopt on the CPU.
  virtual std::optional<double> device_peak_memory_bytes() const = 0;
  virtual void reset_device_peak_memory() = 0;

 protected:
  ExecInfo info_;
  llm::LlmConfig config_;
};

// Builds the model on options.device with seeded weights. Throws Error for a
// device or dtype this build cannot run, or a config it cannot build.
std::unique_ptr<LlmExecutor> make_llm_executor(const llm::LlmConfig& config,
                                               const LlmExecOptions& options);

}  // namespace dnnroof
