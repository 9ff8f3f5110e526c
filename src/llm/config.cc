#include "llm/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>

#include "core/error.h"
#include "core/strings.h"
#include "core/text_file.h"
#include "llm/detail/builtin_configs.h"

namespace dnnroof::llm {

std::string_view mlp_kind_name(MlpKind k) { return k == MlpKind::gelu ? "GELU" : "SwiGLU"; }
std::string_view norm_kind_name(NormKind k) {
  return k == NormKind::layernorm ? "LayerNorm" : "RMSNorm";
}

std::string LlmConfig::attention_kind() const {
  if (kv_heads == heads) return "MHA";
  if (kv_heads == 1) return "MQA";
  return "GQA";
}

namespace {

using nlohmann::json;

// Field access with errors that name the file, the model type and the field.
class Fields {
 public:
  Fields(const json& j, std::string_view origin, std::string model_type)
      : j_(j), origin_(origin), type_(std::move(model_type)) {}

  bool has(const char* key) const { return j_.contains(key) && !j_.at(key).is_null(); }

  std::int64_t integer(const char* key) const {
    if (!has(key)) {
      fail("{}: field '{}' is missing (required for model_type '{}')", origin_, key, type_);
    }
    return positive(key);
  }
  std::int64_t integer_or(const char* key, std::int64_t fallback) const {
    return has(key) ? positive(key) : fallback;
  }
  bool boolean_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& v = j_.at(key);
    if (!v.is_boolean()) {
      fail("{}: field '{}' must be true or false, got {}", origin_, key, v.dump());
    }
    return v.get<bool>();
  }
  std::string string_or(const char* key, std::string fallback) const {
    if (!has(key)) return fallback;
    const json& v = j_.at(key);
    if (!v.is_string()) fail("{}: field '{}' must be a string, got {}", origin_, key, v.dump());
    return v.get<std::string>();
  }

 private:
  std::int64_t positive(const char* key) const {
    const json& v = j_.at(key);
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) {
      fail("{}: field '{}' must be a positive integer, got {}", origin_, key, v.dump());
    }
    return v.get<std::int64_t>();
  }

  const json& j_;
  std::string_view origin_;
  std::string type_;
};

// What a family's config.json spells differently: the key names of the
// sizes, the activation field (its default and the values the family's MLP
// computes), and the architecture that is fixed per family.
struct Family {
  const char* hidden;
  const char* layers;
  const char* heads;
  const char* activation_key;
  const char* activation_default;
  std::span<const std::string_view> activations;
  MlpKind mlp;
  NormKind norm;
  PositionKind position;
  bool tied_default;  // tie_word_embeddings when absent
};

constexpr std::string_view kGeluActivations[] = {"gelu_new", "gelu", "gelu_fast",
                                                 "gelu_pytorch_tanh"};
constexpr std::string_view kSiluActivations[] = {"silu", "swish"};
// GPT-2; Llama and the families that share its layout (Mistral, Qwen2,
// Phi-3, Mixtral).
constexpr Family kFamilies[] = {
    {"n_embd", "n_layer", "n_head", "activation_function", "gelu_new", kGeluActivations,
     MlpKind::gelu, NormKind::layernorm, PositionKind::learned, true},
    {"hidden_size", "num_hidden_layers", "num_attention_heads", "hidden_act", "silu",
     kSiluActivations, MlpKind::swiglu, NormKind::rmsnorm, PositionKind::rotary, false},
};
constexpr const Family& kGpt2 = kFamilies[0];
constexpr const Family& kLlamaLike = kFamilies[1];

// The sizes every family gives: vocabulary, hidden size, layers, heads.
LlmConfig read_sizes(const Fields& f, const Family& family) {
  LlmConfig c;
  c.vocab = f.integer("vocab_size");
  c.hidden = f.integer(family.hidden);
  c.layers = f.integer(family.layers);
  c.heads = f.integer(family.heads);
  return c;
}

// The family's activation (checked), MLP, norm, positions and tied embeddings.
void read_architecture(LlmConfig& c, const Fields& f, std::string_view origin,
                       const Family& family) {
  const std::string act = f.string_or(family.activation_key, family.activation_default);
  const auto& allowed = family.activations;
  if (std::find(allowed.begin(), allowed.end(), act) == allowed.end()) {
    std::vector<std::string> names(allowed.begin(), allowed.end());
    fail("{}: field '{}' is '{}'; this model type supports {}", origin, family.activation_key, act,
         join(names, ", "));
  }
  c.mlp = family.mlp;
  c.norm = family.norm;
  c.position = family.position;
  c.tied_embeddings = f.boolean_or("tie_word_embeddings", family.tied_default);
}

LlmConfig parse_gpt2(const Fields& f, std::string_view origin) {
  LlmConfig c = read_sizes(f, kGpt2);
  c.max_positions = f.integer("n_positions");
  c.kv_heads = c.heads;
  c.intermediate = f.integer_or("n_inner", 4 * c.hidden);
  read_architecture(c, f, origin, kGpt2);
  c.qkv_bias = c.out_bias = c.mlp_bias = true;
  return c;
}

LlmConfig parse_llama_like(const Fields& f, std::string_view origin, const std::string& type) {
  LlmConfig c = read_sizes(f, kLlamaLike);
  c.intermediate = f.integer("intermediate_size");
  // Hugging Face's default when absent: as many KV heads as query heads.
  c.kv_heads = f.integer_or("num_key_value_heads", c.heads);
  c.max_positions = f.integer_or("max_position_embeddings", 0);
  read_architecture(c, f, origin, kLlamaLike);
  c.qkv_bias = type == "qwen2" ? true : f.boolean_or("attention_bias", false);
  c.out_bias = type == "qwen2" ? false : c.qkv_bias;
  c.mlp_bias = f.boolean_or("mlp_bias", false);
  if (type == "mistral" || type == "phi3" || type == "mixtral") {
    c.sliding_window = f.integer_or("sliding_window", 0);
  } else if (type == "qwen2" && f.boolean_or("use_sliding_window", false)) {
    c.sliding_window = f.integer("sliding_window");
  }
  if (type == "mixtral") {
    c.experts = f.integer("num_local_experts");
    c.experts_per_token = f.integer("num_experts_per_tok");
  }
  return c;
}

}  // namespace

LlmConfig parse_llm_config(std::string_view json_text, std::string_view origin,
                           std::string_view name) {
  json j;
  try {
    j = json::parse(json_text.begin(), json_text.end());
  } catch (const json::parse_error& e) {
    fail("{}: not valid JSON: {}", origin, e.what());
  }
  if (!j.is_object()) fail("{}: a config.json must hold one JSON object", origin);
  if (!j.contains("model_type") || !j.at("model_type").is_string()) {
    fail(
        "{}: field 'model_type' is missing (expected one of gpt2, llama, mistral, qwen2, "
        "phi3, mixtral)",
        origin);
  }
  const auto type = j.at("model_type").get<std::string>();
  Fields f(j, origin, type);
  LlmConfig c;
  if (type == "gpt2") {
    c = parse_gpt2(f, origin);
  } else if (type == "llama" || type == "mistral" || type == "qwen2" || type == "phi3" ||
             type == "mixtral") {
    c = parse_llama_like(f, origin, type);
  } else {
    fail(
        "{}: field 'model_type' is '{}', which dnnroof does not know; supported: gpt2, llama, "
        "mistral, qwen2, phi3, mixtral",
        origin, type);
  }
  c.model_type = type;
  c.origin = std::string(origin);
  c.name = std::string(name);
  if (c.name.empty()) c.name = std::filesystem::path(std::string(origin)).stem().string();
  // head_dim: explicit in newer configs, else hidden / heads.
  if (type != "gpt2" && f.has("head_dim")) {
    c.head_dim = f.integer("head_dim");
  } else {
    if (c.hidden % c.heads != 0) {
      fail("{}: hidden size {} is not a multiple of the {} heads and 'head_dim' is not given",
           origin, c.hidden, c.heads);
    }
    c.head_dim = c.hidden / c.heads;
  }
  if (c.heads % c.kv_heads != 0) {
    fail("{}: field 'num_key_value_heads' ({}) must divide the {} attention heads", origin,
         c.kv_heads, c.heads);
  }
  if (c.experts_per_token > c.experts) {
    fail("{}: field 'num_experts_per_tok' ({}) exceeds 'num_local_experts' ({})", origin,
         c.experts_per_token, c.experts);
  }
  return c;
}

LlmConfig load_llm_config_file(const std::string& path) {
  const std::optional<std::string> text = read_text_file(path);
  if (!text) fail("{}: cannot open the config file", path);
  return parse_llm_config(*text, path);
}

std::vector<std::string> builtin_llm_names() {
  std::vector<std::string> names;
  for (const auto& e : detail::embedded_llm_configs()) names.emplace_back(e.name);
  std::sort(names.begin(), names.end());
  return names;
}

namespace {
bool ends_with_json(std::string_view s) {
  return s.size() >= 5 && to_lower(s.substr(s.size() - 5)) == ".json";
}
}  // namespace

bool is_llm_reference(std::string_view name_or_path) {
  if (ends_with_json(name_or_path)) return true;
  const auto lower = to_lower(name_or_path);
  for (const auto& e : detail::embedded_llm_configs()) {
    if (e.name == lower) return true;
  }
  return false;
}

LlmConfig resolve_llm(std::string_view name_or_path) {
  const auto lower = to_lower(name_or_path);
  for (const auto& e : detail::embedded_llm_configs()) {
    if (e.name == lower) return parse_llm_config(e.text, e.origin, e.name);
  }
  if (ends_with_json(name_or_path) || std::filesystem::exists(std::string(name_or_path))) {
    return load_llm_config_file(std::string(name_or_path));
  }
  const auto close = closest_matches(name_or_path, builtin_llm_names(), 3);
  fail("unknown language model '{}'; give a config.json path or one of: {}{}", name_or_path,
       join(builtin_llm_names(), ", "),
       close.empty() ? std::string() : fmt::format(" (closest: {})", join(close, ", ")));
}

ParamCounts count_parameters(const LlmConfig& c) {
  ParamCounts p;
  const std::int64_t h = c.hidden, d = c.head_dim, inter = c.intermediate;
  const std::int64_t q = c.heads * d, kv = c.kv_heads * d;
  p.embedding = c.vocab * h + (c.position == PositionKind::learned ? c.max_positions * h : 0);
  p.lm_head = c.tied_embeddings ? 0 : c.vocab * h;
  const std::int64_t norm = c.norm == NormKind::layernorm ? 2 * h : h;
  p.attention = h * (q + 2 * kv) + q * h + (c.qkv_bias ? q + 2 * kv : 0) + (c.out_bias ? h : 0);
  const std::int64_t mats = c.mlp == MlpKind::swiglu ? 3 * h * inter : 2 * h * inter;
  p.expert = mats + (c.mlp_bias ? (c.mlp == MlpKind::swiglu ? 2 * inter + h : inter + h) : 0);
  const std::int64_t router = c.is_moe() ? h * c.experts : 0;
  p.mlp = c.experts * p.expert + router;
  p.norms = 2 * norm;
  p.per_layer = p.attention + p.mlp + p.norms;
  p.final_norm = norm;
  p.total = p.embedding + p.lm_head + c.layers * p.per_layer + p.final_norm;
  p.active = p.total - c.layers * (c.experts - c.experts_per_token) * p.expert;
  return p;
}

}  // namespace dnnroof::llm
