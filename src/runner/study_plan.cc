// The plan of `dnnroof report` and its run as sweeps (study_plan.h).
#include "runner/study_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <utility>

#include "core/duration.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "cost/cost.h"
#include "hw/cpu_affinity.h"
#include "llm/config.h"

namespace dnnroof {

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& s : split(text, ',')) {
    if (!trim(s).empty()) out.push_back(trim(s));
  }
  return out;
}

std::vector<std::int64_t> parse_batch_sizes(const std::string& text, const std::string& option) {
  std::vector<std::int64_t> out;
  for (const std::string& s : comma_list(text)) {
    std::int64_t v = 0;
    try {
      std::size_t used = 0;
      v = std::stoll(s, &used);
      if (used != s.size()) v = 0;
    } catch (const std::exception&) {
      v = 0;
    }
    if (v < 1) fail("{}: '{}' is not a batch size (a whole number >= 1)", option, s);
    out.push_back(v);
  }
  if (out.empty()) fail("{}: no batch size given", option);
  return out;
}

StudyPlan make_study_plan(const StudyPlanRequest& opt, bool cuda_present) {
  if (opt.quick && opt.full) fail("--quick and --full exclude each other");
  StudyPlan p;
  p.mode = opt.quick ? "quick" : (opt.full ? "full" : "default");
  p.models = comma_list(opt.models.empty() ? (opt.quick ? kStudyQuickModels : kStudyDefaultModels)
                                           : opt.models);
  if (p.models.empty()) fail("--models: no model given");
  p.batches = parse_batch_sizes(
      !opt.batch.empty() ? opt.batch
                         : (opt.quick ? "1,4" : (opt.full ? "1,64,256" : kStudyDefaultBatches)));
  // Batch sizes asked for are measured for every model; the default's
  // third only for the small ones (see StudyPlan).
  if (opt.batch.empty() && !opt.quick && !opt.full) p.large_batch_max_flops = kStudySmallModelFlops;
  if (!opt.train_models.empty()) {
    p.train_models =
        opt.train_models == "none" ? std::vector<std::string>{} : comma_list(opt.train_models);
  } else if (opt.quick || opt.full || !opt.models.empty()) {
    p.train_models = p.models;
  } else {
    p.train_models = comma_list(kStudyDefaultTrainModels);
  }
  p.train_batch = p.batches.front();
  if (opt.layers_model == "none") {
    p.layers_models.clear();
  } else if (!opt.layers_model.empty()) {
    p.layers_models = comma_list(opt.layers_model);
  } else if (opt.quick || opt.full || !opt.models.empty()) {
    p.layers_models = {p.models.front()};
  } else {
    p.layers_models = comma_list(kStudyDefaultLayersModels);
  }
  p.budget_s = opt.budget_s > 0 ? opt.budget_s : (opt.quick ? 0.4 : (opt.full ? 10 : 4));
  p.time_limit_s =
      opt.time_limit_s >= 0 ? opt.time_limit_s : (opt.full ? 0 : (opt.quick ? 100 : 420));
  // A big model at 2 cores gives few samples in the budget: up to 3x the
  // budget to reach min_samples (vgg16 at batch 8, ~1 s per iteration, gets
  // its 10 samples in ~10 s instead of 4 samples and no interval).
  p.min_samples_budget_s = 3 * p.budget_s;
  if (opt.device == "auto") {
    p.devices.push_back("cpu");
    if (cuda_present) p.devices.push_back("cuda:0");
  } else {
    for (const std::string& d : comma_list(opt.device)) p.devices.push_back(normalize_device(d));
  }
  if (p.devices.empty()) fail("--device: no device given");
  if (opt.threads < 0) fail("--threads {}: must be 0 (one per physical core) or more", opt.threads);
  // The default is what the seeds' studies mean by "this CPU": every allowed
  // physical core, one thread per core in every pool (ATen, OpenBLAS,
  // OpenMP), pinned, so the pools do not oversubscribe the cores. The probe
  // measures ceilings at this count too, and every result is judged against
  // the ceilings of its own thread count.
  p.threads = resolved_threads(opt.threads);
  return p;
}

namespace {

// "resnet18 b8 infer, ...": the configurations of `planned` that `measured`
// lacks.
std::vector<std::string> missing_configs(const std::vector<SweepConfig>& planned,
                                         const std::vector<ResultRecord>& measured) {
  std::vector<std::string> missing;
  for (const SweepConfig& c : planned) {
    bool have = false;
    for (const ResultRecord& r : measured) {
      have = have || (r.model == c.model && r.batch == c.batch && r.mode == c.mode);
    }
    if (!have) missing.push_back(fmt::format("{} b{} {}", c.model, c.batch, run_mode_name(c.mode)));
  }
  return missing;
}

}  // namespace

namespace {

// What every sweep of the study takes from the plan: threads, budget and
// stop rule; the results file and the stop flag.
void apply_plan(const StudyPlan& plan, const StudyMeasureOptions& options, SweepSettings& s) {
  s.threads = plan.threads;
  s.budget_s = plan.budget_s;
  s.target = plan.target;
  s.accept_target = plan.accept_target;
  s.out = options.results;
  s.stop = options.stop;
}

}  // namespace

StudyMeasurement measure_study(const StudyPlan& plan, const StudyMeasureOptions& options) {
  if (options.stop == nullptr) fail("measure_study: no stop flag given");
  std::atomic<bool>& stop = *options.stop;
  const auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  const ModelLoader load = options.load_model ? options.load_model : ModelLoader(load_sweep_model);
  StudyMeasurement run;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  struct Stage {
    std::string what;
    SweepOptions o;
  };
  std::vector<Stage> stages;
  std::vector<SweepOptions> remeasure_base;  // per device: the settings to measure again with
  // The models measured at the batches after the first two (StudyPlan).
  std::vector<std::string> large_batch_models;
  std::vector<std::string> left_out;
  for (const std::string& m : plan.models) {
    double flops = 0;
    if (plan.large_batch_max_flops > 0) {
      CostOptions co;
      co.dtype = DType::fp32;
      flops = estimate_cost(load(m, 1, DType::fp32).graph, co).forward.flops();
    }
    (flops <= plan.large_batch_max_flops ? large_batch_models : left_out).push_back(m);
  }
  for (const std::string& device : plan.devices) {
    auto base = [&](std::vector<std::string> models, std::vector<std::int64_t> batches,
                    std::vector<RunMode> modes) {
      SweepOptions o;
      apply_plan(plan, options, o);
      o.models = std::move(models);
      o.batches = std::move(batches);
      o.modes = std::move(modes);
      o.device = device;
      o.chip = device == "cpu" ? "host" : device;
      o.measure.max_time_s = plan.budget_s;
      o.measure.max_time_for_min_samples_s = plan.min_samples_budget_s;
      o.measure.max_warmup_s = std::max(0.3, plan.budget_s / 2);
      o.measure.warmup_window = 3;
      o.measure.min_warmup_iterations = 2;
      o.measure.min_warmup_s = std::min(0.2, plan.budget_s / 4);
      o.measure.min_samples = plan.min_samples;
      o.measure.min_time_s = std::min(0.5, plan.budget_s / 3);
      o.make_executor = options.make_executor;
      o.load_model = options.load_model;
      return o;
    };
    // Every model at the smallest batch first, then training, the per-layer
    // model and the larger batches: a time limit then cuts the extras, not
    // whole models.
    stages.push_back({fmt::format("inference on {}", device),
                      base(plan.models, {plan.batches.front()}, {RunMode::infer})});
    if (!plan.train_models.empty()) {
      stages.push_back({fmt::format("training on {}", device),
                        base(plan.train_models, {plan.train_batch}, {RunMode::train})});
    }
    if (!plan.layers_models.empty()) {
      SweepOptions o =
          base(plan.layers_models, {plan.batches.front()}, {RunMode::infer, RunMode::train});
      o.layers = true;
      o.layers_budget_s = plan.budget_s;
      stages.push_back(
          {fmt::format("per-layer times of {} on {}", join(plan.layers_models, ", "), device), o});
    }
    if (plan.batches.size() > 1) {
      stages.push_back({fmt::format("inference on {}", device),
                        base(plan.models, {plan.batches[1]}, {RunMode::infer})});
    }
    if (plan.batches.size() > 2 && !large_batch_models.empty()) {
      stages.push_back({fmt::format("inference on {}", device),
                        base(large_batch_models, {plan.batches.begin() + 2, plan.batches.end()},
                             {RunMode::infer})});
    }
    remeasure_base.emplace_back(base({}, {}, {}));
  }
  if (plan.batches.size() > 2 && !left_out.empty()) {
    std::vector<std::string> b;
    for (auto it = plan.batches.begin() + 2; it != plan.batches.end(); ++it) {
      b.push_back(std::to_string(*it));
    }
    run.not_run.push_back(fmt::format(
        "Batch {} was measured only for the models of at most {} per image (forward, dnnroof "
        "convention), to keep the default report within ten minutes; not for {} (`--batch` "
        "measures every model at every batch size).",
        join(b, ", "), format_si(plan.large_batch_max_flops, "FLOP"), join(left_out, ", ")));
  }
  std::size_t total = 0;
  for (const Stage& s : stages) total += sweep_configs(s.o).size();
  std::vector<std::string> batch_texts;
  for (std::int64_t x : plan.batches) batch_texts.push_back(std::to_string(x));
  log(fmt::format(
      "dnnroof report: measuring {} configurations ({} mode: {} models, batch {}, {:g} s "
      "sampling budget each, {} thread{} pinned to CPU{} {}{})",
      total, plan.mode, plan.models.size(), join(batch_texts, ","), plan.budget_s, plan.threads,
      plan.threads == 1 ? "" : "s", plan.threads == 1 ? "" : "s",
      cpu_list_text(cpus_for_threads(plan.threads)),
      plan.time_limit_s > 0 ? fmt::format(", time limit {}", format_duration(plan.time_limit_s))
                            : ""));
  std::map<ConfigKey, ResultRecord> by_key;
  std::vector<ConfigKey> order;
  std::vector<double> config_s;
  std::size_t done = 0;
  double last_start = 0;
  bool limit_hit = false;
  auto why_not_run = [&] {
    return limit_hit ? fmt::format("time limit of {} reached", format_duration(plan.time_limit_s))
                     : std::string("interrupted");
  };
  for (Stage& stage : stages) {
    if (stop.load()) {
      run.not_run.push_back(fmt::format("Not measured ({}), {}: {}.", why_not_run(), stage.what,
                                        join(missing_configs(sweep_configs(stage.o), {}), ", ")));
      continue;
    }
    stage.o.on_progress = [&](const SweepProgress& p) {
      if (p.index > 1) config_s.push_back(elapsed() - last_start);
      last_start = elapsed();
      if (plan.time_limit_s > 0 && elapsed() > plan.time_limit_s && !stop.load()) {
        limit_hit = true;
        stop.store(true);
      }
      const std::size_t index = done + p.index;
      // Before any configuration finished: 1.6 x the budget each (warm-up
      // and sampling, the executor built).
      const double eta = estimate_eta_s(config_s, total - index + 1, plan.budget_s * 1.6);
      log(fmt::format("[{}/{}] {}: {}  ({} elapsed, ETA {})", index, total, stage.what, p.current,
                      format_duration(elapsed()), format_duration(eta)));
    };
    stage.o.on_warning = [&](const std::string& w) {
      log(fmt::format("dnnroof report: warning: {}", w));
    };
    stage.o.on_result = [&](const ResultRecord& r) {
      if (r.status == RecordStatus::failed) {
        log(fmt::format("  failed: {}: {}", describe(r.key()), r.status_reason));
      }
    };
    const SweepOutcome outcome = run_sweep(stage.o);
    if (!config_s.empty() || done == 0) config_s.push_back(elapsed() - last_start);
    for (const ResultRecord& r : outcome.records) {
      if (by_key.count(r.key()) == 0) order.push_back(r.key());
      by_key[r.key()] = r;  // the per-layer run replaces the plain one
    }
    const std::vector<SweepConfig> planned = sweep_configs(stage.o);
    done += planned.size();
    if (outcome.interrupted || stop.load()) {
      const std::vector<std::string> missing = missing_configs(planned, outcome.records);
      if (!missing.empty()) {
        run.not_run.push_back(fmt::format("Not measured ({}), {}: {}.", why_not_run(), stage.what,
                                          join(missing, ", ")));
      }
    }
  }
  // The noisy configurations again, cheapest first, while the time limit
  // allows (remeasure_noisy).
  std::size_t noisy = 0;
  for (const auto& [k, r] : by_key) noisy += r.status == RecordStatus::noisy ? 1 : 0;
  if (noisy > 0 && !stop.load()) {
    std::size_t remeasured = 0, converged = 0, skipped = 0;
    for (const SweepOptions& base : remeasure_base) {
      std::vector<ResultRecord> records;
      for (const ConfigKey& k : order) records.push_back(by_key.at(k));
      RemeasurePolicy policy;
      policy.enabled = true;
      policy.budget_factor = plan.remeasure_factor;
      if (plan.time_limit_s > 0) {
        policy.time_left_s = [&] { return plan.time_limit_s - elapsed(); };
      }
      policy.on_start = [&](const ResultRecord& r, double estimate) {
        log(fmt::format(
            "dnnroof report: measuring again (noisy): {}, batch {}, {} on {} (~{}; {} elapsed)",
            r.model, r.batch, run_mode_name(r.mode), r.device, format_duration(estimate),
            format_duration(elapsed())));
      };
      SweepOptions o = base;
      o.on_warning = [&](const std::string& w) {
        log(fmt::format("dnnroof report: warning: {}", w));
      };
      const RemeasureOutcome again = remeasure_noisy(records, o, policy);
      for (const ResultRecord& r : again.records) by_key[r.key()] = r;
      remeasured += again.remeasured;
      converged += again.now_converged;
      skipped += again.skipped_for_time;
      if (again.interrupted) break;
    }
    run.remeasured = fmt::format(
        "{} of the {} noisy configuration{} {} measured again at the end with {:g}x the "
        "budget{}{}.",
        remeasured, noisy, noisy == 1 ? "" : "s", remeasured == 1 ? "was" : "were",
        plan.remeasure_factor, remeasured > 0 ? fmt::format("; {} converged then", converged) : "",
        skipped > 0 ? fmt::format("; {} did not fit in the time left", skipped) : "");
  }
  run.interrupted = stop.load() && !limit_hit;
  run.elapsed_s = elapsed();
  for (const ConfigKey& k : order) run.records.push_back(by_key.at(k));
  return run;
}

std::vector<ResultRecord> measure_study_llms(const std::vector<std::string>& models,
                                             const StudyPlan& plan,
                                             const StudyMeasureOptions& options,
                                             const LlmExecutorFactory& make_executor,
                                             std::vector<std::string>& not_run) {
  constexpr double kMaxWeightBytes = 2.0 * 1024 * 1024 * 1024;
  const auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  LlmSweepOptions o;
  std::int64_t positions = 512;
  for (const std::string& m : models) {
    const llm::LlmConfig c = llm::resolve_llm(m);
    const double bytes = 4.0 * static_cast<double>(llm::count_parameters(c).total);
    if (bytes > kMaxWeightBytes) {
      not_run.push_back(fmt::format(
          "{} (language model): not measured, its {:.1f} GB of fp32 weights are over the 2 GiB "
          "the report measures here; its bounds are analysed",
          c.name, bytes / 1e9));
      continue;
    }
    o.models.push_back(m);
    if (c.max_positions > 0) positions = std::min(positions, c.max_positions - 1);
  }
  if (o.models.empty()) return {};
  apply_plan(plan, options, o);
  o.contexts = {std::min<std::int64_t>(128, positions), positions};
  o.contexts.erase(std::unique(o.contexts.begin(), o.contexts.end()), o.contexts.end());
  o.batches = {1, 4};
  o.make_executor = make_executor;
  o.on_progress = [&](const SweepProgress& p) {
    log(fmt::format("dnnroof report: language model {}", progress_line(p)));
  };
  o.on_warning = [&](const std::string& w) { log(fmt::format("dnnroof report: {}", w)); };
  return run_llm_sweep(o).records;
}

}  // namespace dnnroof
