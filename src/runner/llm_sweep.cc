// Language-model sweeps (llm_sweep.h): prefill and decode of configs from
// src/llm, through the LibTorch language model, into result records.
#include "runner/llm_sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "core/error.h"
#include "core/strings.h"
#include "hw/host.h"
#include "measure/memory.h"
#include "measure/statistics.h"
#include "measure/stop_criterion.h"
#include "store/conditions.h"
#include "store/results_file.h"

namespace dnnroof {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Interrupted {};

bool stop_requested(const LlmSweepOptions& o) { return o.stop != nullptr && o.stop->load(); }

MeasureOptions loop_options(const LlmSweepOptions& o) {
  return sweep_loop_options(o.measure, o.target, o.accept_target, o.budget_s);
}

std::string dtype_text(DType d) { return std::string(dtype_name(d)); }

// One configuration measured with a prepared executor: the step, then
// (options.layers) the per-op passes.
void measure_llm(LlmExecutor& ex, const llm::LlmConfig& cfg, const llm::Workload& w,
                 const LlmSweepOptions& options, ResultRecord& rec) {
  llm::Precision prec;
  prec.weights = prec.activations = prec.kv_cache = dtype_text(options.dtype);
  const llm::PhaseCost cost = llm::phase_cost(cfg, w, prec);
  rec.cost = llm_cost_figures(cfg, w, options.dtype);

  auto check_stop = [&options] {
    if (stop_requested(options)) throw Interrupted{};
  };
  ex.reset_device_peak_memory();
  ex.prepare(w);
  const MeasureOptions mo = loop_options(options);
  const Measurement m = measure(
      [&] {
        check_stop();
        return ex.step();
      },
      mo);
  rec.timings[Phase::forward] = timing_stats(m.stats, m);
  rec.status = m.converged ? RecordStatus::ok : RecordStatus::noisy;
  rec.status_reason = m.converged ? "" : describe_outcome(m);

  if (options.layers) {
    MeasureOptions lo = mo;
    lo.max_time_s = options.layers_budget_s > 0 ? options.layers_budget_s : options.budget_s;
    lo.warmup_window = 0;
    lo.min_warmup_iterations = 2;
    lo.min_warmup_s = 0;
    lo.min_samples = std::min<std::size_t>(lo.min_samples, 5);
    lo.min_time_s = 0;
    std::vector<std::vector<LlmOpTime>> passes;
    const Measurement lm = measure(
        [&] {
          check_stop();
          passes.push_back(ex.time_ops());
          double sum = 0;
          for (const LlmOpTime& t : passes.back()) sum += t.seconds;
          return sum;
        },
        lo);
    const std::size_t n = lm.samples_s.size();
    const std::vector<LlmOpTime>& first = passes[passes.size() - n];
    rec.layers.clear();
    for (std::size_t k = 0; k < first.size(); ++k) {
      std::vector<double> f;
      for (std::size_t i = passes.size() - n; i < passes.size(); ++i) {
        if (passes[i].size() != first.size() || passes[i][k].name != first[k].name) {
          fail("per-op timing: pass {} listed other ops than pass {}", i + 1,
               passes.size() - n + 1);
        }
        f.push_back(passes[i][k].seconds);
      }
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
    rec.layer_passes = n;
  }
  if (const auto device_peak = ex.device_peak_memory_bytes()) {
    rec.memory_peak_bytes = *device_peak;
  } else {
    const PeakMemory p = peak_memory();
    rec.memory_peak_bytes = p.vm_hwm_bytes > 0 ? p.vm_hwm_bytes : p.max_rss_bytes;
  }
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
  if (!(options.budget_s > 0))
    fail("bench: the budget must be positive, got {} s", options.budget_s);
  if (!(options.target > 0)) fail("bench: the CI target must be positive, got {}", options.target);
  if (options.threads < 0) fail("bench: threads must be >= 0, got {}", options.threads);
  if (options.resume && options.out.empty()) fail("bench: --resume needs a results file (--out)");
  if (!options.make_executor) {
    fail("bench: no language-model factory (pass default_llm_executor_factory())");
  }
  const std::string device = normalize_device(options.device);
  const int threads = resolved_threads(options.threads);

  Conditions base = current_conditions();
  if (!options.partition.empty()) base.partition = options.partition;
  base.cpu_model = detect_host_info().cpu_model;

  std::set<ConfigKey> finished;
  if (options.resume && std::filesystem::exists(options.out)) {
    finished = finished_keys(load_results(options.out));
  }
  LlmSweepOutcome outcome;
  std::vector<LlmSweepConfig> to_run;
  for (const LlmSweepConfig& c : llm_sweep_configs(options)) {
    const ConfigKey key{
        c.model,       device,  RunMode::infer, c.batch,
        options.dtype, threads, base.partition, std::string(llm::phase_name(c.phase)),
        c.context};
    if (finished.contains(key)) {
      outcome.skipped.push_back(c);
      if (options.on_skip) options.on_skip(c);
    } else {
      to_run.push_back(c);
    }
  }

  const double layers_budget =
      options.layers_budget_s > 0 ? options.layers_budget_s : options.budget_s;
  const double budget_per_config = 2 * options.budget_s + (options.layers ? 2 * layers_budget : 0);
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&t0] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<double> durations;
  std::size_t failed = 0;
  // The model of the current source, kept for its configurations.
  std::string built_source;
  std::optional<llm::LlmConfig> cfg;
  std::unique_ptr<LlmExecutor> executor;
  std::string build_error;
  bool warned_blas = false, warned_threads = false;

  for (std::size_t i = 0; i < to_run.size(); ++i) {
    const LlmSweepConfig& c = to_run[i];
    if (stop_requested(options)) {
      outcome.interrupted = true;
      break;
    }
    if (options.on_progress) {
      SweepProgress p;
      p.index = i + 1;
      p.total = to_run.size();
      p.finished = i;
      p.failed = failed;
      p.skipped = outcome.skipped.size();
      p.elapsed_s = elapsed();
      p.eta_s = estimate_eta_s(durations, to_run.size() - i, budget_per_config);
      p.eta_from_budget = durations.empty();
      p.current = llm_config_text(c);
      options.on_progress(p);
    }
    const double started = elapsed();
    ResultRecord rec;
    rec.model = c.model;
    rec.source = c.source;
    rec.device = device;
    rec.chip = options.chip.empty() ? (device == "cpu" ? "host" : device) : options.chip;
    rec.mode = RunMode::infer;
    rec.batch = c.batch;
    rec.dtype = options.dtype;
    rec.threads = threads;
    rec.llm_phase = std::string(llm::phase_name(c.phase));
    rec.llm_context = c.context;
    rec.conditions = base;
    rec.memory_peak_bytes = kNaN;
    try {
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
      if (device == "cpu") {
        release_free_memory();
        if (reset_peak_memory() && peak_memory().vm_hwm_bytes > 0) {
          rec.memory_start_bytes = peak_memory().vm_hwm_bytes;
        }
      }
      const ExecInfo& info = executor->info();
      rec.conditions.threads = info.threads;
      if (device != "cpu" && !info.device_name.empty()) rec.conditions.gpu_name = info.device_name;
      rec.conditions.interop_threads = info.interop_threads;
      rec.conditions.blas_threads = info.blas_threads;
      rec.conditions.openmp_threads = info.openmp_threads;
      rec.conditions.pinned_cpus = info.pinned_cpus;
      if (!info.libtorch_version.empty()) {
        rec.conditions.library_versions["libtorch"] = info.libtorch_version;
      }
      if (!info.blas.empty()) rec.conditions.library_versions["blas"] = info.blas;
      if (const std::string held = threads_held(info, threads);
          !held.empty() && options.on_warning && !warned_threads) {
        options.on_warning(held);
        warned_threads = true;
      }
      if (info.reference_blas && options.on_warning && !warned_blas) {
        options.on_warning(
            fmt::format("LibTorch runs on the slow reference BLAS ({}): CPU latencies are not "
                        "representative; install OpenBLAS or MKL (see docs/bench.md)",
                        info.blas));
        warned_blas = true;
      }
      llm::Workload w;
      w.phase = c.phase;
      w.batch = c.batch;
      w.context = c.context;
      measure_llm(*executor, *cfg, w, options, rec);
    } catch (const Interrupted&) {
      outcome.interrupted = true;
      break;
    } catch (const std::exception& e) {
      rec.status = RecordStatus::failed;
      rec.status_reason = e.what();
      rec.timings.clear();
      rec.layers.clear();
      rec.layer_passes = 0;
      rec.memory_peak_bytes = kNaN;
      rec.memory_start_bytes = kNaN;
      ++failed;
    }
    rec.conditions.date_utc = format_iso8601_utc(std::chrono::system_clock::now());
    durations.push_back(elapsed() - started);
    if (!options.out.empty()) append_record(options.out, rec);
    if (options.on_result) options.on_result(rec);
    outcome.records.push_back(std::move(rec));
    // The last configuration of this model: free its weights now.
    if (i + 1 == to_run.size() || to_run[i + 1].source != c.source) {
      executor.reset();
      built_source.clear();
    }
  }
  return outcome;
}

}  // namespace dnnroof
