#pragma once
// A decoder-only transformer language model described by its Hugging Face
// config.json: the shapes the cost model needs (docs/llm.md). Read from a
// file on disk or from the configs shipped in data/llm/ (compiled in);
// nothing is downloaded.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dnnroof::llm {

enum class MlpKind { gelu, swiglu };         // GELU: up, act, down. SwiGLU: gate+up, silu*up, down
enum class NormKind { layernorm, rmsnorm };  // LayerNorm has a bias, RMSNorm has not
enum class PositionKind { learned, rotary };

std::string_view mlp_kind_name(MlpKind k);
std::string_view norm_kind_name(NormKind k);

struct LlmConfig {
  std::string name;        // "llama-3-8b", or the file's stem
  std::string origin;      // "data/llm/llama-3-8b.json" or the path given
  std::string model_type;  // "gpt2", "llama", "mistral", "qwen2", "phi3", "mixtral"
  std::int64_t vocab = 0;
  std::int64_t hidden = 0;  // d_model
  std::int64_t layers = 0;
  std::int64_t heads = 0;     // query heads
  std::int64_t kv_heads = 0;  // = heads: MHA; 1: MQA; in between: GQA
  std::int64_t head_dim = 0;
  std::int64_t intermediate = 0;   // MLP inner size (per expert for MoE)
  std::int64_t max_positions = 0;  // max_position_embeddings / n_positions
  MlpKind mlp = MlpKind::swiglu;
  NormKind norm = NormKind::rmsnorm;
  PositionKind position = PositionKind::rotary;
  bool tied_embeddings = false;        // lm_head shares the token embedding
  bool qkv_bias = false;               // Q, K, V projections have biases (qwen2, gpt2)
  bool out_bias = false;               // attention output projection bias (gpt2)
  bool mlp_bias = false;               // MLP biases (gpt2)
  std::int64_t sliding_window = 0;     // 0: full causal attention
  std::int64_t experts = 1;            // 1: dense MLP
  std::int64_t experts_per_token = 1;  // top-k

  bool is_moe() const { return experts > 1; }
  std::string attention_kind() const;  // "MHA", "GQA" or "MQA"
};

// Parses config.json text; `origin` names it in errors. An unknown
// model_type, a missing required field or a field of the wrong type throws
// Error naming the origin and the field.
LlmConfig parse_llm_config(std::string_view json_text, std::string_view origin,
                           std::string_view name = "");

// Reads and parses a config.json file.
LlmConfig load_llm_config_file(const std::string& path);

// The shipped configs' names: gpt2, llama-2-7b, llama-3-8b, ... (sorted).
std::vector<std::string> builtin_llm_names();

// True when `name_or_path` is a shipped config name (case-insensitive) or
// ends in ".json".
bool is_llm_reference(std::string_view name_or_path);

// A shipped config by name (case-insensitive), else a config.json path;
// an unknown name throws Error listing the closest shipped names.
LlmConfig resolve_llm(std::string_view name_or_path);

// Parameters: trainable tensors, as PyTorch's sum(p.numel()) counts them
// (a tied lm_head is counted once).
struct ParamCounts {
  std::int64_t total = 0;
  std::int64_t active = 0;     // per token: only experts_per_token experts (= total when dense)
  std::int64_t embedding = 0;  // token (+ position) embeddings
  std::int64_t lm_head = 0;    // 0 when tied
  std::int64_t per_layer = 0;  // one decoder layer, all experts
  std::int64_t attention = 0;  // of which attention, per layer
  std::int64_t mlp = 0;        // of which MLP (all experts + router), per layer
  std::int64_t expert = 0;     // one expert's MLP (the MLP when dense)
  std::int64_t norms = 0;      // of which norms, per layer
  std::int64_t final_norm = 0;
};
ParamCounts count_parameters(const LlmConfig& c);

}  // namespace dnnroof::llm
