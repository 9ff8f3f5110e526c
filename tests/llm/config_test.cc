// LLM configs: the shipped config.json files parse into the right shapes and
// their parameter counts equal the published figures exactly; bad configs
// fail with the file and the field named.

#include "llm/config.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"

namespace dnnroof::llm {
namespace {

// Expects `fn` to throw Error whose message contains every one of `parts`.
template <typename Fn>
void expect_error(Fn fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << msg;
  }
}

TEST(LlmConfig, ShipsTheSevenModels) {
  const auto names = builtin_llm_names();
  for (const char* n : {"gpt2", "llama-2-7b", "llama-3-8b", "mistral-7b", "qwen2-7b", "phi-3-mini",
                        "mixtral-8x7b"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    EXPECT_TRUE(is_llm_reference(n));
  }
  EXPECT_TRUE(is_llm_reference("some/dir/config.json"));
  EXPECT_FALSE(is_llm_reference("resnet18"));
}

TEST(LlmConfig, ShapesOfTheShippedConfigs) {
  const auto l3 = resolve_llm("Llama-3-8B");
  EXPECT_EQ(l3.model_type, "llama");
  EXPECT_EQ(l3.hidden, 4096);
  EXPECT_EQ(l3.kv_heads, 8);
  EXPECT_EQ(l3.head_dim, 128);
  EXPECT_EQ(l3.attention_kind(), "GQA");
  EXPECT_EQ(l3.mlp, MlpKind::swiglu);
  EXPECT_EQ(l3.norm, NormKind::rmsnorm);
  EXPECT_FALSE(l3.tied_embeddings);
  EXPECT_EQ(l3.origin, "data/llm/llama-3-8b.json");

  const auto g = resolve_llm("gpt2");
  EXPECT_EQ(g.attention_kind(), "MHA");
  EXPECT_EQ(g.mlp, MlpKind::gelu);
  EXPECT_EQ(g.norm, NormKind::layernorm);
  EXPECT_EQ(g.position, PositionKind::learned);
  EXPECT_TRUE(g.tied_embeddings);
  EXPECT_EQ(g.intermediate, 3072);  // n_inner null: 4 x n_embd

  EXPECT_EQ(resolve_llm("mistral-7b").sliding_window, 4096);
  EXPECT_EQ(resolve_llm("phi-3-mini").sliding_window, 2047);
  // Qwen2 ships sliding_window 131072 but use_sliding_window false.
  EXPECT_EQ(resolve_llm("qwen2-7b").sliding_window, 0);
  EXPECT_TRUE(resolve_llm("qwen2-7b").qkv_bias);
  const auto mx = resolve_llm("mixtral-8x7b");
  EXPECT_EQ(mx.experts, 8);
  EXPECT_EQ(mx.experts_per_token, 2);
  EXPECT_EQ(mx.sliding_window, 0);  // "sliding_window": null
}

// Parameter counts: each derived by hand from the config's numbers, and
// compared with the published figure.
TEST(LlmParams, Gpt2) {
  // wte 50257x768 + wpe 1024x768; per layer: c_attn 768x2304+2304, c_proj
  // 768x768+768, c_fc 768x3072+3072, c_proj 3072x768+768, 2 LayerNorms 4x768;
  // ln_f 2x768; lm_head tied.
  const std::int64_t layer =
      768 * 2304 + 2304 + 768 * 768 + 768 + 768 * 3072 + 3072 + 3072 * 768 + 768 + 4 * 768;
  const std::int64_t hand = 50257L * 768 + 1024L * 768 + 12 * layer + 2L * 768;
  EXPECT_EQ(hand, 124439808);  // published (Hugging Face gpt2: 124,439,808)
  EXPECT_EQ(count_parameters(resolve_llm("gpt2")).total, hand);
}

// Llama-like: embed V*h + lm_head V*h + L*(q h*h + k,v 2*h*kvd + o h*h
// + 3*h*I + 2 norms h) + final norm h.
std::int64_t llama_like(std::int64_t V, std::int64_t h, std::int64_t L, std::int64_t kvd,
                        std::int64_t I) {
  return 2 * V * h + L * (2 * h * h + 2 * h * kvd + 3 * h * I + 2 * h) + h;
}

TEST(LlmParams, Llama2_7B) {
  EXPECT_EQ(llama_like(32000, 4096, 32, 4096, 11008), 6738415616);  // published
  EXPECT_EQ(count_parameters(resolve_llm("llama-2-7b")).total, 6738415616);
}

TEST(LlmParams, Llama3_8B) {
  EXPECT_EQ(llama_like(128256, 4096, 32, 8L * 128, 14336), 8030261248);  // published
  EXPECT_EQ(count_parameters(resolve_llm("llama-3-8b")).total, 8030261248);
}

TEST(LlmParams, Mistral7B) {
  EXPECT_EQ(llama_like(32000, 4096, 32, 8L * 128, 14336), 7241732096);  // published
  EXPECT_EQ(count_parameters(resolve_llm("mistral-7b")).total, 7241732096);
}

TEST(LlmParams, Qwen2_7B) {
  // Plus Q, K, V biases: 3584 + 2 x 512 per layer.
  const std::int64_t hand = llama_like(152064, 3584, 28, 4L * 128, 18944) + 28L * (3584 + 2L * 512);
  EXPECT_EQ(hand, 7615616512);  // published
  EXPECT_EQ(count_parameters(resolve_llm("qwen2-7b")).total, hand);
}

TEST(LlmParams, Phi3Mini) {
  EXPECT_EQ(llama_like(32064, 3072, 32, 3072, 8192), 3821079552);  // published
  EXPECT_EQ(count_parameters(resolve_llm("phi-3-mini")).total, 3821079552);
}

TEST(LlmParams, Mixtral8x7B_TotalAndActive) {
  // 8 experts of 3 x 4096 x 14336 and a 4096 x 8 router per layer.
  const std::int64_t expert = 3L * 4096 * 14336;
  const std::int64_t total =
      2L * 32000 * 4096 +
      32 * (2L * 4096 * 4096 + 2L * 4096 * 1024 + 8 * expert + 4096L * 8 + 2L * 4096) + 4096;
  EXPECT_EQ(total, 46702792704);  // published 46.7B
  const auto p = count_parameters(resolve_llm("mixtral-8x7b"));
  EXPECT_EQ(p.total, total);
  // Active: 2 of the 8 experts per token: 12,879,925,248 (published "12.9B").
  EXPECT_EQ(p.active, total - 32L * 6 * expert);
  EXPECT_EQ(p.active, 12879925248);
  EXPECT_EQ(count_parameters(resolve_llm("llama-2-7b")).active, 6738415616);
}

TEST(LlmConfig, FileOnDiskAndErrors) {
  const auto dir = std::filesystem::temp_directory_path() / "dnnroof_llm_config_test";
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    auto path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
  };
  // A small Llama-shaped MQA config with an explicit head_dim.
  const auto ok = write("tiny.json", R"({"model_type": "llama", "vocab_size": 1000,
      "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
      "num_key_value_heads": 1, "head_dim": 32, "intermediate_size": 128,
      "tie_word_embeddings": true})");
  const auto tiny = resolve_llm(ok);
  EXPECT_EQ(tiny.name, "tiny");
  EXPECT_EQ(tiny.attention_kind(), "MQA");
  EXPECT_EQ(tiny.head_dim, 32);
  // embed 1000x64 (tied); per layer q 64x128, k,v 2x64x32, o 128x64, mlp
  // 3x64x128, norms 2x64; final norm 64.
  EXPECT_EQ(count_parameters(tiny).total,
            1000 * 64 + 2 * (64 * 128 + 2 * 64 * 32 + 128 * 64 + 3 * 64 * 128 + 2 * 64) + 64);

  const auto missing = write("missing.json", R"({"model_type": "mistral", "vocab_size": 10,
      "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 128})");
  expect_error([&] { resolve_llm(missing); }, {"missing.json", "'num_hidden_layers'", "missing"});
  const auto moe = write("moe.json", R"({"model_type": "mixtral", "vocab_size": 10,
      "hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 4,
      "intermediate_size": 128, "num_local_experts": 4})");
  expect_error([&] { resolve_llm(moe); }, {"moe.json", "'num_experts_per_tok'"});
  const auto unknown = write("bert.json", R"({"model_type": "bert", "hidden_size": 768})");
  expect_error([&] { resolve_llm(unknown); }, {"bert.json", "'model_type'", "'bert'", "llama"});
  const auto typed = write("typed.json", R"({"model_type": "gpt2", "vocab_size": 10,
      "n_embd": "768", "n_layer": 1, "n_head": 12, "n_positions": 8})");
  expect_error([&] { resolve_llm(typed); }, {"typed.json", "'n_embd'", "positive integer"});
  const auto bad = write("bad.json", "{ not json");
  expect_error([&] { resolve_llm(bad); }, {"bad.json", "not valid JSON"});
  expect_error([&] { resolve_llm((dir / "absent.json").string()); },
               {"absent.json", "cannot open"});
  expect_error([&] { resolve_llm("llama-3-8c"); }, {"unknown language model", "llama-3-8b"});
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dnnroof::llm
