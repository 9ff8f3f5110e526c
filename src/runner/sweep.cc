#include "runner/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include "core/duration.h"
#include "core/error.h"
#include "core/strings.h"
#include "cost/cost.h"
#include "hw/cpu_affinity.h"
#include "hw/host.h"
#include "measure/cache_flush.h"
#include "measure/statistics.h"
#include "runner/detail/sweep_run.h"
#include "store/results_file.h"
#include "zoo/zoo.h"

namespace dnnroof {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

CostFigures cost_figures(const ModelCost& c) {
  CostFigures f;
  f.convention = std::string(cost_convention_name(c.options.convention));
  f.forward_flops = c.forward.flops();
  f.backward_flops = c.backward.flops();
  f.forward_matmul_flops = c.forward.matmul_flops;
  f.backward_matmul_flops = c.backward.matmul_flops;
  f.forward_bytes = c.forward.bytes();
  f.backward_bytes = c.backward.bytes();
  f.compulsory_bytes = c.compulsory_step_bytes();
  return f;
}

std::string config_text(const SweepConfig& c) {
  return fmt::format("{}, batch {}, {}", c.model, c.batch, run_mode_name(c.mode));
}

}  // namespace

int resolved_threads(int requested) { return requested > 0 ? requested : default_thread_count(); }

std::string threads_held(const ExecInfo& info, int threads) {
  std::vector<std::string> off;
  auto check = [&](const char* pool, int n) {
    if (n > 0 && n != threads) off.push_back(fmt::format("{} {}", pool, n));
  };
  check("ATen intra-op", info.threads);
  check("OpenBLAS", info.blas_threads);
  check("OpenMP", info.openmp_threads);
  if (off.empty()) return "";
  return fmt::format("asked for {} thread{}, but the pools read back {}", threads,
                     threads == 1 ? "" : "s", join(off, ", "));
}

std::string normalize_device(const std::string& device) {
  const std::string d = to_lower(trim(device));
  if (d == "cpu") return "cpu";
  if (d == "cuda" || d == "gpu") return "cuda:0";
  if (d.starts_with("cuda:")) {
    const std::string index = d.substr(5);
    if (!index.empty() && index.size() < 4 &&
        std::all_of(index.begin(), index.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      return "cuda:" + std::to_string(std::stoi(index));
    }
  }
  fail("unknown device '{}': expected cpu, cuda or cuda:N", device);
}

TimingStats timing_stats(const Summary& s, const Measurement& m) {
  TimingStats t;
  t.n = s.n;
  t.median_s = s.median;
  t.mean_s = s.mean;
  t.stdev_s = s.stdev;
  t.min_s = s.min;
  t.max_s = s.max;
  t.p5_s = s.p5;
  t.p95_s = s.p95;
  t.iqr_s = s.iqr;
  t.ci_low_s = s.median_ci.low;
  t.ci_high_s = s.median_ci.high;
  t.ci_confidence = s.median_ci.achieved_confidence;
  t.ci_rel_half_width = s.ci_relative_half_width;
  t.converged = m.converged;
  t.warmup_iterations = m.warmup_iterations;
  t.total_s = m.total_s;
  return t;
}

std::string progress_line(const SweepProgress& p) {
  std::string eta = "ETA ?";
  if (std::isfinite(p.eta_s)) {
    eta = fmt::format("ETA {}{}", p.eta_from_budget ? "~" : "", format_duration(p.eta_s));
    if (p.eta_from_budget) eta += " (from the budget)";
  }
  std::string counts = fmt::format("{} done", p.finished);
  if (p.failed > 0) counts += fmt::format(", {} failed", p.failed);
  if (p.skipped > 0) counts += fmt::format(", {} skipped", p.skipped);
  return fmt::format("[{}/{}] {}  ({}; {} elapsed, {})", p.index, p.total, p.current, counts,
                     format_duration(p.elapsed_s), eta);
}

std::string record_config_text(const ResultRecord& r) {
  if (!r.llm_phase.empty()) {
    return fmt::format("{}, {}, batch {}, context {}", r.model, r.llm_phase, r.batch,
                       r.llm_context);
  }
  return fmt::format("{}, batch {}, {}", r.model, r.batch, run_mode_name(r.mode));
}

namespace {

std::string results_kept_text(const std::string& out) {
  return out.empty() ? std::string("no results file (--out) was given")
                     : fmt::format("the results are in '{}'", out);
}

std::string configurations(std::size_t n) {
  return fmt::format("{} configuration{}", n, n == 1 ? "" : "s");
}

}  // namespace

std::string sweep_summary_line(const std::vector<ResultRecord>& records, std::size_t skipped,
                               const std::string& out) {
  std::size_t failed = 0;
  for (const ResultRecord& r : records) failed += r.status == RecordStatus::failed ? 1 : 0;
  return fmt::format("{} measured{}{}; {}", configurations(records.size()),
                     failed > 0 ? fmt::format(", {} failed", failed) : "",
                     skipped == 0 ? "" : fmt::format(", {} skipped (--resume)", skipped),
                     results_kept_text(out));
}

std::string sweep_interrupted_text(std::size_t finished, const std::string& out) {
  return fmt::format("interrupted: {} finished before the interrupt; {}{}",
                     configurations(finished), results_kept_text(out),
                     out.empty() ? "" : " (run again with --resume to finish the sweep)");
}

std::string sweep_failures_text(const std::vector<ResultRecord>& records) {
  std::size_t failed = 0;
  std::vector<std::string> reasons;
  for (const ResultRecord& r : records) {
    if (r.status != RecordStatus::failed) continue;
    if (++failed <= 3) {
      reasons.push_back(fmt::format("{}: {}", record_config_text(r), r.status_reason));
    } else if (failed == 4) {
      reasons.emplace_back("...");
    }
  }
  if (failed == 0) return "";
  return fmt::format("{} of {} failed ({})", failed, configurations(records.size()),
                     join(reasons, "; "));
}

double estimate_eta_s(const std::vector<double>& finished_config_s, std::size_t remaining,
                      double budget_per_config_s) {
  if (remaining == 0) return 0;
  if (!finished_config_s.empty()) {
    double sum = 0;
    for (double s : finished_config_s) sum += s;
    return sum / static_cast<double>(finished_config_s.size()) * static_cast<double>(remaining);
  }
  if (std::isfinite(budget_per_config_s) && budget_per_config_s > 0) {
    return budget_per_config_s * static_cast<double>(remaining);
  }
  return kNaN;
}

std::vector<SweepConfig> sweep_configs(const SweepOptions& options) {
  std::vector<SweepConfig> configs;
  for (const std::string& source : options.models) {
    const std::string name = sweep_model_name(source);
    for (std::int64_t batch : options.batches) {
      for (RunMode mode : options.modes) configs.push_back({source, name, batch, mode});
    }
  }
  return configs;
}

void measure_configuration(Executor& executor, const SweepModel& model, RunMode mode,
                           const SweepOptions& options, ResultRecord& record) {
  const bool train = mode == RunMode::train;
  CostOptions co;
  co.training = train;
  co.dtype = storage_dtype(options.dtype);
  const ModelCost cost = estimate_cost(model.graph, co);
  record.cost = cost_figures(cost);

  MeasureOptions mo = sweep_loop_options(options);
  if (options.cold) {
    double llc = detect_host_info().l3_bytes;
    if (!(llc > 0)) llc = 64.0 * (1 << 20);  // unknown: flush 128 MiB
    const auto bytes = static_cast<std::size_t>(2 * llc);
    mo.before_each = [bytes] { flush_cache(bytes); };
  }

  executor.reset_device_peak_memory();
  Measurement m;
  if (!train) {
    m = measure(
        [&] {
          detail::throw_if_stopped(options);
          return executor.infer();
        },
        mo);
    record.timings[Phase::forward] = timing_stats(m.stats, m);
  } else {
    std::vector<TrainStepTimes> steps;
    m = measure(
        [&] {
          detail::throw_if_stopped(options);
          steps.push_back(executor.train_step());
          return steps.back().step_s;
        },
        mo);
    // The loop's samples are the last n steps; warm-up steps come before.
    const std::size_t n = m.samples_s.size();
    std::vector<double> fwd, bwd, opt;
    for (std::size_t i = steps.size() - n; i < steps.size(); ++i) {
      fwd.push_back(steps[i].forward_s);
      bwd.push_back(steps[i].backward_s);
      opt.push_back(steps[i].optimizer_s);
    }
    record.timings[Phase::forward] = timing_stats(summarize(fwd, mo.confidence), m);
    record.timings[Phase::backward] = timing_stats(summarize(bwd, mo.confidence), m);
    record.timings[Phase::optimizer] = timing_stats(summarize(opt, mo.confidence), m);
    record.timings[Phase::step] = timing_stats(m.stats, m);
  }
  detail::set_status(record, m);

  if (options.layers) {
    const auto passes = detail::sample_layer_passes(
        detail::layer_loop_options(mo, options), options,
        [&] { return executor.time_layers(train); },
        [](const NodeTime& t) { return t.forward_s + t.backward_s; },
        [](const NodeTime& t) { return t.node; }, "per-layer timing", "nodes");
    std::map<std::string, const Node*> nodes;
    for (const Node& node : model.graph.nodes) nodes[node.name] = &node;
    std::map<std::string, const NodeCost*> costs;
    for (const NodeCost& c : cost.nodes) costs[c.name] = &c;
    record.layers.clear();
    const std::vector<NodeTime>& first = passes.front();
    for (std::size_t k = 0; k < first.size(); ++k) {
      std::vector<double> f, b;
      for (const std::vector<NodeTime>& pass : passes) {
        f.push_back(pass[k].forward_s);
        b.push_back(pass[k].backward_s);
      }
      LayerTiming l;
      l.name = first[k].node;
      l.op = std::string(op_name(first[k].op));
      const auto node = nodes.find(l.name);
      l.module = node != nodes.end() ? node->second->module : "";
      l.forward_median_s = sample_median(f);
      l.backward_median_s = train ? sample_median(b) : kNaN;
      const auto c = costs.find(l.name);
      l.forward_flops = c != costs.end() ? c->second->forward.flops() : kNaN;
      l.backward_flops = c != costs.end() && train ? c->second->backward.flops() : kNaN;
      record.layers.push_back(std::move(l));
    }
    record.layer_passes = passes.size();
  }

  record.memory_peak_bytes = detail::peak_memory_bytes(executor.device_peak_memory_bytes());
}

SweepOutcome run_sweep(const SweepOptions& options) {
  if (options.models.empty()) fail("bench: no model given (a zoo name or an .onnx file)");
  if (options.batches.empty()) fail("bench: no batch size given");
  for (std::int64_t b : options.batches) {
    if (b < 1) fail("bench: batch size {} is not a positive integer", b);
  }
  if (options.modes.empty()) fail("bench: no mode given (infer, train)");
  detail::check_loop_settings(options);
  const std::string device = normalize_device(options.device);
  // The thread count every pool gets: asked for, or every allowed physical
  // core. It is the record's (and key's) count, so results and ceilings
  // can be matched by it.
  const int threads = resolved_threads(options.threads);
  if (options.cold && device != "cpu") {
    fail(
        "bench: --cold flushes the host's last-level cache; it does not reach the L2 of {}, so "
        "it is refused there",
        device);
  }
  detail::check_resume(options);

  // The conditions first: the partition they name is part of every key.
  const Conditions base = detail::sweep_conditions(options);
  const std::set<ConfigKey> finished = detail::resumed_keys(options);
  if (!options.make_executor) {
    fail(
        "bench: no executor factory (pass default_executor_factory() from "
        "dnnroof::runner_default)");
  }
  const ExecutorFactory& factory = options.make_executor;
  const ModelLoader loader =
      options.load_model ? options.load_model : ModelLoader(load_sweep_model);

  SweepOutcome outcome;
  const std::vector<SweepConfig> to_run = detail::configs_to_run(
      sweep_configs(options), finished,
      [&](const SweepConfig& c) {
        ConfigKey key;
        key.model = c.model;
        key.device = device;
        key.mode = c.mode;
        key.batch = c.batch;
        key.dtype = options.dtype;
        key.threads = threads;
        key.partition = base.partition;
        return key;
      },
      options.on_skip, outcome.skipped);

  detail::SweepRun run(options, device, threads, base, to_run.size(), outcome.skipped.size());
  // The loaded model of the current (source, batch), reused by its modes.
  std::string loaded_source;
  std::int64_t loaded_batch = 0;
  std::optional<SweepModel> loaded;
  std::string load_error;
  outcome.interrupted =
      run.measure_each(to_run, outcome.records, config_text, [&](std::size_t i, ResultRecord& rec) {
        const SweepConfig& c = to_run[i];
        rec.mode = c.mode;
        rec.batch = c.batch;
        if (!loaded || loaded_source != c.source || loaded_batch != c.batch) {
          loaded.reset();
          load_error.clear();
          loaded_source = c.source;
          loaded_batch = c.batch;
          try {
            loaded = loader(c.source, c.batch, options.dtype);
          } catch (const std::exception& e) {
            load_error = e.what();
          }
        }
        if (!loaded) throw Error(load_error);
        run.reset_memory(rec);
        std::unique_ptr<Executor> executor;
        {
          ExecOptions eo;
          eo.device = device;
          eo.dtype = options.dtype;
          eo.threads = threads;
          eo.seed = options.seed;
          // The last configuration of this model and batch takes the weights
          // (an ONNX file's can be hundreds of MB): no copy to count in the
          // peak. The options, and any copy, are gone before measuring.
          const bool last_use = i + 1 == to_run.size() || to_run[i + 1].source != c.source ||
                                to_run[i + 1].batch != c.batch;
          eo.weights = last_use ? std::move(loaded->weights) : loaded->weights;
          executor = factory(loaded->graph, eo);
        }
        run.take_exec_info(executor->info(), rec);
        measure_configuration(*executor, *loaded, c.mode, options, rec);
      });
  if (options.remeasure.enabled && !outcome.interrupted) {
    RemeasureOutcome again = remeasure_noisy(outcome.records, options, options.remeasure);
    outcome.records = std::move(again.records);
    outcome.interrupted = again.interrupted;
  }
  return outcome;
}

RemeasureOutcome remeasure_noisy(const std::vector<ResultRecord>& records,
                                 const SweepOptions& options, const RemeasurePolicy& policy) {
  const double f = policy.budget_factor;
  if (!(f > 0) || !std::isfinite(f)) {
    fail("re-measuring: the budget factor must be positive, got {}", f);
  }
  const std::string device = normalize_device(options.device);
  RemeasureOutcome out;
  out.records = records;

  // The noisy records of this device with their estimated time, cheapest
  // first: the first measurement's wall time (warm-up and sampling, both
  // capped by the budget) scales with the budget.
  struct Candidate {
    std::size_t index;
    double estimate_s;
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const ResultRecord& r = records[i];
    if (r.status != RecordStatus::noisy || r.device != device) continue;
    const std::optional<Phase> h = headline_phase(r);
    double estimate = h ? r.timings.at(*h).total_s * f : kNaN;
    if (!std::isfinite(estimate) || estimate <= 0) estimate = 2 * options.budget_s * f;
    if (r.layer_passes > 0) estimate *= 2;
    candidates.push_back({i, estimate});
  }
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const Candidate& a, const Candidate& b) { return a.estimate_s < b.estimate_s; });

  for (const Candidate& c : candidates) {
    if (detail::stop_requested(options)) {
      out.interrupted = true;
      break;
    }
    if (policy.time_left_s && policy.time_left_s() < c.estimate_s) {
      ++out.skipped_for_time;
      continue;
    }
    const ResultRecord& first = records[c.index];
    SweepOptions o = options;
    o.models = {first.source.empty() ? first.model : first.source};
    o.batches = {first.batch};
    o.modes = {first.mode};
    o.dtype = first.dtype;
    o.threads = first.threads;
    o.chip = first.chip;
    o.budget_s = options.budget_s * f;
    o.measure.max_time_for_min_samples_s = options.measure.max_time_for_min_samples_s * f;
    o.layers = first.layer_passes > 0;
    o.layers_budget_s =
        (options.layers_budget_s > 0 ? options.layers_budget_s : options.budget_s) * f;
    o.out.clear();  // written below, only when the second measurement is kept
    o.resume = false;
    o.remeasure = {};
    o.on_progress = nullptr;
    o.on_result = nullptr;
    o.on_skip = nullptr;
    if (policy.on_start) policy.on_start(first, c.estimate_s);
    SweepOutcome second = run_sweep(o);
    if (second.interrupted || second.records.empty()) {
      out.interrupted = true;
      break;
    }
    ++out.remeasured;
    const ResultRecord& again = second.records.front();
    const auto samples = [](const ResultRecord& r) -> std::size_t {
      const std::optional<Phase> h = headline_phase(r);
      return h ? r.timings.at(*h).n : 0;
    };
    bool keep = again.status != RecordStatus::failed;
    if (keep && again.status == RecordStatus::noisy) keep = samples(again) >= samples(first);
    if (again.status == RecordStatus::ok) ++out.now_converged;
    if (!keep) continue;
    if (!options.out.empty()) append_record(options.out, again);
    if (options.on_result) options.on_result(again);
    out.records[c.index] = again;
  }
  return out;
}

}  // namespace dnnroof
