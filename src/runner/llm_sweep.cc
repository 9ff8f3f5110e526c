// Language-model sweeps (llm_sweep.h): prefill and decode of configs from
// src/llm, through the LibTorch language model, into result records.
#include "runner/llm_sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "core/error.h"
#include "core/strings.h"
#include "measure/statistics.h"
#include "runner/detail/sweep_run.h"

namespace dnnroof {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string dtype_text(DType d) { return std::string(dtype_name(d)); }

// One configuration measured with a prepared executor: the step, then
// (options.layers) the per-op passes.
void measure_llm(LlmExecutor& ex, const llm::LlmConfig& cfg, const llm::Workload& w,
                 const LlmSweepOptions& options, ResultRecord& rec) {
  llm::Precision prec;
  prec.weights = prec.activations = prec.kv_cache = dtype_text(options.dtype);
  const llm::PhaseCost cost = llm::phase_cost(cfg, w, prec);
  rec.cost = llm_cost_figures(cfg, w, options.dtype);

  ex.reset_device_peak_memory();
  ex.prepare(w);
  const MeasureOptions mo = sweep_loop_options(options);
  const Measurement m = measure(
      [&] {
        detail::throw_if_stopped(options);
        return ex.step();
      },
      mo);
  rec.timings[Phase::forward] = timing_stats(m.stats, m);
  detail::set_status(rec, m);

  if (options.layers) {
    const auto passes = detail::sample_layer_passes(
        detail::layer_loop_options(mo, options), options, [&] { return ex.time_ops(); },
        [](const LlmOpTime& t) { return t.seconds; }, [](const LlmOpTime& t) { return t.name; },
        "per-op timing", "ops");
    const std::vector<LlmOpTime>& first = passes.front();
    rec.layers.clear();
    for (std::size_t k = 0; k < first.size(); ++k) {
      std::vector<double> f;
      for (const std::vector<LlmOpTime>& pass : passes) f.push_back(pass[k].seconds);
      LayerTiming l;
      l.name = first[k].name;
      l.op = first[k].op;
      l.module = first[k].layer >= 0 ? fmt::format("h.{}", first[k].layer) : "";
      l.forward_median_s = sample_median(f);
      l.backward_median_s = kNaN;
      l.forward_flops = llm_op_flops(cost, l.op);
      l.backward_flops = kNaN;
      rec.layers.push_back(std::move(l));
    }
    rec.layer_passes = passes.size();
  }
  rec.memory_peak_bytes = detail::peak_memory_bytes(ex.device_peak_memory_bytes());
}

}  // namespace

std::string llm_config_text(const LlmSweepConfig& c) {
  return fmt::format("{}, {}, batch {}, context {}", c.model, llm::phase_name(c.phase), c.batch,
                     c.context);
}

double llm_op_flops(const llm::PhaseCost& cost, const std::string& op) {
  for (const llm::OpCost& o : cost.ops) {
    if (o.name == op) return o.count > 0 ? o.flops / static_cast<double>(o.count) : kNaN;
  }
  return kNaN;
}

CostFigures llm_cost_figures(const llm::LlmConfig& c, const llm::Workload& w, DType dtype) {
  llm::Precision p;
  p.weights = p.activations = p.kv_cache = dtype_text(dtype);
  const llm::PhaseCost pc = llm::phase_cost(c, w, p);
  CostFigures f;
  f.convention = "dnnroof";
  f.forward_flops = pc.flops();
  f.forward_bytes = pc.bytes();
  f.compulsory_bytes = pc.weight_bytes() + pc.kv_read_bytes() + pc.kv_write_bytes();
  // Matrix products only (2 x MACs), from the shapes: the cost model's ops
  // add biases, rotary, softmax and the MoE combine to these.
  const double T = static_cast<double>(w.tokens()), B = static_cast<double>(w.batch);
  const double h = static_cast<double>(c.hidden), d = static_cast<double>(c.head_dim);
  const double H = static_cast<double>(c.heads), q = H * d;
  const double kv = static_cast<double>(c.kv_heads) * d;
  const double I = static_cast<double>(c.intermediate), V = static_cast<double>(c.vocab);
  const double L = static_cast<double>(c.layers);
  const double R = c.is_moe() ? T * static_cast<double>(c.experts_per_token) : T;
  const double up_cols = c.mlp == llm::MlpKind::swiglu ? 2 * I : I;
  const double rows = w.phase == llm::Phase::prefill && w.all_logits ? T : B;
  double per_layer = 2 * T * h * (q + 2 * kv) + B * llm::attended_keys(c, w) * H * 4 * d +
                     2 * T * q * h + 2 * R * h * up_cols + 2 * R * I * h;
  if (c.is_moe()) per_layer += 2 * T * h * static_cast<double>(c.experts);
  f.forward_matmul_flops = L * per_layer + 2 * rows * h * V;
  return f;
}

std::vector<LlmSweepConfig> llm_sweep_configs(const LlmSweepOptions& options) {
  std::vector<LlmSweepConfig> out;
  for (const std::string& source : options.models) {
    const std::string name = llm::resolve_llm(source).name;
    for (llm::Phase phase : options.phases) {
      for (std::int64_t batch : options.batches) {
        for (std::int64_t ctx : options.contexts) out.push_back({source, name, phase, batch, ctx});
      }
    }
  }
  return out;
}

LlmSweepOutcome run_llm_sweep(const LlmSweepOptions& options) {
  if (options.models.empty()) fail("bench: no language model given (a config name or a .json)");
  if (options.phases.empty()) fail("bench: no phase given (prefill, decode)");
  if (options.batches.empty()) fail("bench: no batch size given");
  if (options.contexts.empty()) fail("bench: no context given");
  for (std::int64_t b : options.batches) {
    if (b < 1) fail("bench: batch size {} is not a positive integer", b);
  }
  for (std::int64_t c : options.contexts) {
    if (c < 0) fail("bench: context {} is negative", c);
    for (llm::Phase p : options.phases) {
      if (p == llm::Phase::prefill && c < 1) {
        fail("bench: a prefill needs a context (prompt) of at least 1 token, got {}", c);
      }
    }
  }
  detail::check_loop_settings(options);
  detail::check_resume(options);
  if (!options.make_executor) {
    fail("bench: no language-model factory (pass default_llm_executor_factory())");
  }
  const std::string device = normalize_device(options.device);
  const int threads = resolved_threads(options.threads);

  const Conditions base = detail::sweep_conditions(options);
  const std::set<ConfigKey> finished = detail::resumed_keys(options);
  LlmSweepOutcome outcome;
  const std::vector<LlmSweepConfig> to_run = detail::configs_to_run(
      llm_sweep_configs(options), finished,
      [&](const LlmSweepConfig& c) {
        return ConfigKey{
            c.model,       device,  RunMode::infer, c.batch,
            options.dtype, threads, base.partition, std::string(llm::phase_name(c.phase)),
            c.context};
      },
      options.on_skip, outcome.skipped);

  detail::SweepRun run(options, device, threads, base, to_run.size(), outcome.skipped.size());
  // The model of the current source, kept for its configurations.
  std::string built_source;
  std::optional<llm::LlmConfig> cfg;
  std::unique_ptr<LlmExecutor> executor;
  std::string build_error;
  outcome.interrupted = run.measure_each(
      to_run, outcome.records, llm_config_text, [&](std::size_t i, ResultRecord& rec) {
        const LlmSweepConfig& c = to_run[i];
        rec.mode = RunMode::infer;
        rec.batch = c.batch;
        rec.llm_phase = std::string(llm::phase_name(c.phase));
        rec.llm_context = c.context;
        if (built_source != c.source) {
          executor.reset();
          cfg.reset();
          build_error.clear();
          built_source = c.source;
          try {
            cfg = llm::resolve_llm(c.source);
            LlmExecOptions eo;
            eo.device = device;
            eo.dtype = options.dtype;
            eo.threads = threads;
            eo.seed = options.seed;
            executor = options.make_executor(*cfg, eo);
          } catch (const std::exception& e) {
            build_error = e.what();
          }
        }
        if (!executor) throw Error(build_error);
        run.reset_memory(rec);
        run.take_exec_info(executor->info(), rec);
        llm::Workload w;
        w.phase = c.phase;
        w.batch = c.batch;
        w.context = c.context;
        measure_llm(*executor, *cfg, w, options, rec);
        // The last configuration of this model: its weights go now (a
        // failed one's go when the next model is built).
        if (i + 1 == to_run.size() || to_run[i + 1].source != c.source) {
          executor.reset();
          built_source.clear();
        }
      });
  return outcome;
}

}  // namespace dnnroof
