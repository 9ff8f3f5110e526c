#pragma once
// `dnnroof bench` for language models (cmd_bench_llm.cc): a shipped LLM
// config name or a config.json path, with --phase and --context, goes to the
// language-model sweep (src/runner/llm_sweep.h) instead of the zoo sweep.

#include <cstdint>
#include <string>
#include <vector>

#include "commands.h"

namespace dnnroof::cli {

struct LlmBenchRequest {
  std::vector<std::string> models;
  std::vector<std::string> phases;     // "prefill", "decode"; empty: both
  std::vector<std::int64_t> contexts;  // empty: 128
  std::vector<std::int64_t> batches{1};
  std::string device = "cpu";
  std::string chip;
  std::string dtype = "fp32";
  int threads = 0;
  double target = 0.02;
  double budget_s = 10;
  std::string out;
  std::string partition;
  bool resume = false;
  bool layers = false;
  std::string format = "table";
};

// True when `bench` should run the language-model sweep: --phase or
// --context was given, or a model is a .json path or a shipped LLM config
// that is not also a zoo model (gpt2 is both: the zoo graph unless --phase
// or --context says otherwise, as in `analyze`). Throws Error for a mix of
// LLM configs and zoo/ONNX models.
bool bench_wants_llm(const std::vector<std::string>& models, bool llm_options_given);

// Runs the sweep and prints one row per configuration, with the roofline
// lower bound of the step on the chip (--chip, else host-measured when
// `probe` saved it, else host) and measured / bound.
void run_llm_bench(const LlmBenchRequest& request, const Context& ctx);

}  // namespace dnnroof::cli
