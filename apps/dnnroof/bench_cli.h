#pragma once
// `dnnroof bench`: its options and what its two halves share (cmd_bench.cc),
// and the half for language models (cmd_bench_llm.cc): a shipped LLM config
// name or a config.json path, with --phase and --context, goes to the
// language-model sweep (src/runner/llm_sweep.h) instead of the zoo sweep.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "commands.h"
#include "runner/sweep.h"
#include "store/record.h"

namespace dnnroof::cli {

// `dnnroof bench`'s options, as parsed (cmd_bench.cc registers them).
struct BenchCliOptions {
  std::vector<std::string> models;
  std::string device = "cpu";
  std::string chip;
  std::vector<std::int64_t> batches{1};
  std::vector<std::string> modes{"infer"};
  bool layers = false;
  int threads = 0;
  std::string dtype = "fp32";
  std::string target = "2%";
  std::string budget = "10s";
  std::string out;
  std::string partition;
  bool resume = false;
  bool cold = false;
  bool remeasure = false;  // noisy configurations again at the end, twice the budget
  std::string format = "table";
  bool counters = false;       // CPU hardware counters around every iteration (src/counters)
  bool profile_range = false;  // CUDA profiler range around one iteration, for ncu
  // Language models: prefill and/or decode ("prefill", "decode"; empty:
  // both), contexts (empty: 128).
  std::vector<std::string> phases;
  std::vector<std::int64_t> contexts;
};

// The options `bench` and `campaign plan` share (campaign hands them on to
// the bench of every task), bound to the given variables: --batch, --mode,
// and what each sweep is measured with: --device, --dtype, --chip,
// --threads, --target, --budget, --layers.
struct SweepCliOptions {
  std::vector<std::int64_t>& batches;
  std::vector<std::string>& modes;
  std::string& device;
  std::string& dtype;
  std::string& chip;
  int& threads;
  std::string& target;
  std::string& budget;
  bool& layers;
};
void add_sweep_options(CLI::App& sub, const SweepCliOptions& o);

// `--mode` as parsed: infer, train (case and spaces aside); an Error naming
// anything else.
std::vector<RunMode> parse_modes(const std::vector<std::string>& modes);

// A typo in a model name is an error before anything runs: an .onnx path
// must exist, anything else be a zoo name.
void check_model_exists(const std::string& model);

// The settings every bench sweep takes from `o` (device, checked to be
// usable here; chip, checked in the catalog; dtype, threads, target, budget
// with the floors fitted to it, layers, results file, resume, partition),
// with progress and warnings on stderr. Throws Error in a build without the
// executor.
void apply_bench_settings(const BenchCliOptions& o, const Context& ctx, SweepSettings& s);

// The end of a bench sweep: the summary line on stderr; an Error when it
// was interrupted or a configuration failed, so that a script sees it in
// the exit status (what finished is written already).
void finish_bench(const std::vector<ResultRecord>& records, std::size_t skipped, bool interrupted,
                  const std::string& out);

// True when `bench` should run the language-model sweep: --phase or
// --context was given, or a model is a .json path or a shipped LLM config
// that is not also a zoo model (gpt2 is both: the zoo graph unless --phase
// or --context says otherwise, as in `analyze`). Throws Error for a mix of
// LLM configs and zoo/ONNX models.
bool bench_wants_llm(const std::vector<std::string>& models, bool llm_options_given);

// Runs the sweep and prints one row per configuration, with the roofline
// lower bound of the step on the chip (--chip, else host-measured when
// `probe` saved it, else host) and measured / bound.
void run_llm_bench(const BenchCliOptions& options, const Context& ctx);

}  // namespace dnnroof::cli
