#pragma once
// Language-model sweeps: every (model, phase, batch, context) configuration
// is run through the LibTorch language model (exec/llm_executor.h) under the
// measurement loop (src/measure), turned into a ResultRecord (llm_phase and
// llm_context set, the cost model's figures of src/llm/cost.h for that
// workload in `cost`, per-op times in `layers` with --layers) and appended to
// the results file before the next one starts. `dnnroof bench gpt2 --phase
// prefill,decode --context 128,512` is a thin front end to run_llm_sweep();
// `dnnroof report` can call it to measure for a report (docs/llm.md,
// Measuring).
//
// As run_sweep: a configuration that fails (too many positions for the
// model, out of memory, anything that throws std::exception) is recorded as
// failed and the sweep goes on; --resume skips keys the file has (ok or
// noisy); the stop flag ends the sweep between two iterations.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "exec/llm_executor.h"
#include "llm/config.h"
#include "llm/cost.h"
#include "measure/sampler.h"
#include "runner/sweep.h"
#include "store/record.h"

namespace dnnroof {

using LlmExecutorFactory =
    std::function<std::unique_ptr<LlmExecutor>(const llm::LlmConfig&, const LlmExecOptions&)>;

// The language model this build has: make_llm_executor (the executor module
// in the program, src/exec in tests), or, without LibTorch, a factory that
// throws an Error saying so. Defined in dnnroof::runner_default.
LlmExecutorFactory default_llm_executor_factory();

// One configuration, in the order run_llm_sweep runs them: models in the
// order given, then phases, batches, contexts.
struct LlmSweepConfig {
  std::string source;  // as given: a shipped name or a config.json path
  std::string model;   // the config's name (LlmConfig::name)
  llm::Phase phase = llm::Phase::decode;
  std::int64_t batch = 1;
  std::int64_t context = 128;
};
// "gpt2, decode, batch 4, context 512"
std::string llm_config_text(const LlmSweepConfig& c);

// A sweep of language models x phases x batch sizes x contexts. The
// settings are SweepSettings's: `dtype` is that of the weights, activations
// and KV cache; `layers` times every op group (LlmExecutor::time_ops) after
// the whole step: one LayerTiming per op group per decoder layer
// ("h.3.attention"), plus embedding, final_norm and lm_head.
struct LlmSweepOptions : SweepSettings {
  std::vector<std::string> models;  // shipped config names (dnnroof models) or config.json paths
  std::vector<llm::Phase> phases{llm::Phase::prefill, llm::Phase::decode};
  std::vector<std::int64_t> batches{1};
  // Prefill: prompt tokens per sequence; decode: KV-cache tokens before the
  // new one.
  std::vector<std::int64_t> contexts{128};

  std::function<void(const LlmSweepConfig&)> on_skip;  // each one resume skips

  // Required: default_llm_executor_factory() for real runs, a fake in tests.
  LlmExecutorFactory make_executor;
};

// The configurations in run order (no resume filtering). Resolves every
// model (an unknown name or a bad config.json throws Error).
std::vector<LlmSweepConfig> llm_sweep_configs(const LlmSweepOptions& options);

struct LlmSweepOutcome {
  std::vector<ResultRecord> records;  // measured or failed in this run, in order
  std::vector<LlmSweepConfig> skipped;
  bool interrupted = false;
};

// Runs the sweep. Throws Error before measuring anything for invalid options
// (no model, an unknown model, a batch < 1, a prefill context < 1, a decode
// context < 0, an unknown device, --resume without a results file).
LlmSweepOutcome run_llm_sweep(const LlmSweepOptions& options);

// The cost model's figures stored with a record: src/llm/cost.h's phase_cost
// of `w` with weights, activations and KV cache all at `dtype`.
//   forward_flops: every op's FLOPs (the causal mask counted exactly);
//   forward_matmul_flops: the matrix products' 2 x MACs (projections, QK^T
//     and PV, router, experts, lm_head);
//   forward_bytes: the cost model's traffic: weights read once, every op's
//     activations read and written once ("no reuse between ops"), the KV
//     cache read and written;
//   compulsory_bytes: weights read + KV cache read and written (what no
//     schedule avoids).
// convention "dnnroof" (a matrix product is 2 x MACs, as elsewhere).
CostFigures llm_cost_figures(const llm::LlmConfig& c, const llm::Workload& w, DType dtype);

// The records' per-op FLOPs: the cost model's op of that name divided by its
// count (one decoder layer's share); NaN for a name the cost model lacks.
double llm_op_flops(const llm::PhaseCost& cost, const std::string& op);

}  // namespace dnnroof
