#pragma once
// The shipped configs (data/llm/*.json), compiled in by dnnroof_embed_files
// (cmake/embed_files.cmake).

#include <span>
#include <string_view>

namespace dnnroof::llm::detail {

struct EmbeddedLlmConfig {
  std::string_view name;    // file stem: "llama-3-8b"
  std::string_view origin;  // "data/llm/llama-3-8b.json"
  std::string_view text;    // the config.json as published
};

std::span<const EmbeddedLlmConfig> embedded_llm_configs();

}  // namespace dnnroof::llm::detail
