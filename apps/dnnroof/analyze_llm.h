#pragma once
// `dnnroof analyze` for decoder-only language models (docs/llm.md): the
// per-phase (prefill, decode) cost, bound and memory of a model given by a
// shipped config name (llama-3-8b, ...) or a Hugging Face config.json path.
// cmd_analyze.cc adds these options and hands over when wants_llm_analyze().

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "commands.h"

namespace dnnroof::cli {

struct LlmAnalyzeOptions {
  std::string phase;                   // "prefill" or "decode"; empty: decode
  std::vector<std::int64_t> contexts;  // prompt length (prefill) or KV-cache length (decode)
  std::string weight_dtype;            // default: --dtype
  std::string kv_dtype;                // default: --dtype
  bool all_logits = false;             // prefill: logits for every prompt token
  // Folder for the sweep's figures (PNG; src/report/figures_llm.h); empty: none.
  std::string figures;
};

// Adds --phase, --context, --weight-dtype and --kv-dtype to `sub`.
void add_llm_analyze_options(CLI::App& sub, LlmAnalyzeOptions& o);

// True when the LLM analysis applies: --phase/--context/--weight-dtype/
// --kv-dtype given, or `model` names a shipped LLM config that is not also a
// zoo model (gpt2 is both: the zoo's graph unless --phase is given), or ends
// in .json.
bool wants_llm_analyze(const std::string& model, const LlmAnalyzeOptions& o);

struct LlmAnalyzeRequest {
  std::string model;
  std::vector<std::int64_t> batches{1};
  std::string dtype = "bf16";  // weights, activations and KV cache unless overridden
  std::vector<std::string> chips;
  bool layers = false;  // the per-op table for every configuration of a sweep
  std::string format = "table";
  LlmAnalyzeOptions llm;
};
void run_llm_analyze(const Context& ctx, const LlmAnalyzeRequest& r);

}  // namespace dnnroof::cli
