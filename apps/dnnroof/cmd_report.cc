// `dnnroof report`: the whole study as a folder: index.html (self-contained),
// report.md with figures/*.png, and data/*.csv|json with every number. With
// no arguments it measures the seeds' study on this machine (probe, sweep)
// within a time limit; --results builds it from results files instead.
// Progress goes to stderr.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <set>

#include "commands.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "cost/cost.h"
#include "hw/catalog.h"
#include "hw/cpu_affinity.h"
#include "hw/host.h"
#include "measure/interval_rule.h"
#include "ncu/results.h"
#include "probe/host_measured.h"
#include "probe/probe.h"
#include "report/pdf.h"
#include "report/report_writer.h"
#include "report/study.h"
#include "runner/model_source.h"
#include "runner/sweep.h"
#include "store/atomic_file.h"
#include "store/merge.h"
#include "store/results_file.h"

namespace dnnroof::cli {
namespace {

// The seeds' models, in the order they are measured (cheapest first, so a
// time limit cuts the expensive ones).
constexpr const char* kDefaultModels =
    "resnet18,mobilenet_v2,shufflenet_v2_x1_0,squeezenet1_0,mnasnet1_0,efficientnet_b0,"
    "regnet_y_400mf,googlenet,alexnet,resnet50,vgg16";
constexpr const char* kDefaultTrainModels = "resnet18,mobilenet_v2,squeezenet1_0,alexnet,resnet50";
// Timed per layer by default: four models, so that section 7's measured-time
// pies by op type cover four models as the seeds ask (about 20 s more).
constexpr const char* kDefaultLayersModels = "resnet18,mobilenet_v2,squeezenet1_0,alexnet";
constexpr const char* kQuickModels = "squeezenet1_1,shufflenet_v2_x0_5,resnet18";

struct ReportOptions {
  std::string out = "report";
  std::string precision = "fp32";
  std::string tensor = "fp16,bf16";
  std::string ids;
  std::string title = "dnnroof study";
  bool no_host = false;
  bool no_figures = false;
  bool pdf = false;  // also DIR/report.pdf, printed by headless Chromium
  std::size_t max_per_panel = 8;
  // The study.
  std::string models;
  std::string batch;
  std::string device = "auto";
  std::string train_models;
  std::string layers_model;
  std::vector<std::string> results;
  std::vector<std::string> ncu;
  bool quick = false;
  bool full = false;
  bool no_measure = false;
  bool no_probe = false;
  double budget_s = 0;
  double time_limit_s = -1;
  int threads = 0;
};

std::atomic<bool> g_stop{false};
extern "C" void on_report_sigint(int /*signal*/) {
  g_stop.store(true);
  std::signal(SIGINT, SIG_DFL);
}

std::vector<std::string> list(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& s : split(text, ',')) {
    if (!trim(s).empty()) out.push_back(trim(s));
  }
  return out;
}

std::vector<int> batch_list(const std::string& text) {
  std::vector<int> out;
  for (const std::string& s : list(text)) {
    int v = 0;
    try {
      std::size_t used = 0;
      v = std::stoi(s, &used);
      if (used != s.size()) v = 0;
    } catch (const std::exception&) {
      v = 0;
    }
    if (v < 1) fail("--batch: '{}' is not a batch size (a whole number >= 1)", s);
    out.push_back(v);
  }
  if (out.empty()) fail("--batch: no batch size given");
  return out;
}

std::string duration_text(double s) {
  if (!std::isfinite(s)) return "?";
  if (s < 90) return fmt::format("{:.0f} s", s);
  return fmt::format("{} min {:02.0f} s", static_cast<int>(s / 60), std::fmod(s, 60));
}

// The measuring plan of one run of the report.
struct Plan {
  std::string mode;
  std::vector<std::string> models;
  std::vector<int> batches;
  // Batches after the first two only for models whose forward pass at batch
  // 1 has at most this many FLOPs (0: every model at every batch). The
  // default report's third batch size is for the small models: the large
  // ones at batch 32 would take most of the ten minutes alone.
  double large_batch_max_flops = 0;
  std::vector<std::string> train_models;
  int train_batch = 1;
  std::vector<std::string> layers_models;
  std::vector<std::string> devices;
  double budget_s = 3;
  double time_limit_s = 540;
  int threads = 0;  // CPU threads of every pool, pinned (resolved: never 0)
  // Stop rule: sampling aims at the median's 95% CI within ±target (after
  // at least min_samples samples) while the budget lasts; when the budget
  // ends first, a result within ±accept_target is converged. A model too
  // slow to give min_samples in budget_s gets up to min_samples_budget_s;
  // noisy configurations are measured again at the end with
  // remeasure_factor x the budgets while the time limit allows.
  double target = 0.02;
  double accept_target = 0.05;
  std::size_t min_samples = kMinSamplesForInterval;
  double min_samples_budget_s = 12;
  double remeasure_factor = 2;
};

// The default report's batch sizes; the third only for models of at most
// kSmallModelFlops forward FLOPs per image (dnnroof convention): of the
// seeds' 11, all but resnet50 (8.2 GFLOP) and vgg16 (31 GFLOP).
constexpr const char* kDefaultBatches = "1,8,32";
constexpr double kSmallModelFlops = 4e9;

Plan make_plan(const ReportOptions& opt, const Catalog& catalog, const HostInfo* host) {
  if (opt.quick && opt.full) fail("--quick and --full exclude each other");
  Plan p;
  p.mode = opt.quick ? "quick" : (opt.full ? "full" : "default");
  p.models = list(opt.models.empty() ? (opt.quick ? kQuickModels : kDefaultModels) : opt.models);
  if (p.models.empty()) fail("--models: no model given");
  p.batches = batch_list(!opt.batch.empty()
                             ? opt.batch
                             : (opt.quick ? "1,4" : (opt.full ? "1,64,256" : kDefaultBatches)));
  // Batch sizes asked for are measured for every model; the default's
  // third only for the small ones (see Plan).
  if (opt.batch.empty() && !opt.quick && !opt.full) p.large_batch_max_flops = kSmallModelFlops;
  if (!opt.train_models.empty()) {
    p.train_models = opt.train_models == "none" ? std::vector<std::string>{} : list(opt.train_models);
  } else if (opt.quick || opt.full || !opt.models.empty()) {
    p.train_models = p.models;
  } else {
    p.train_models = list(kDefaultTrainModels);
  }
  p.train_batch = p.batches.front();
  if (opt.layers_model == "none") {
    p.layers_models.clear();
  } else if (!opt.layers_model.empty()) {
    p.layers_models = list(opt.layers_model);
  } else if (opt.quick || opt.full || !opt.models.empty()) {
    p.layers_models = {p.models.front()};
  } else {
    p.layers_models = list(kDefaultLayersModels);
  }
  p.budget_s = opt.budget_s > 0 ? opt.budget_s : (opt.quick ? 0.4 : (opt.full ? 10 : 4));
  p.time_limit_s = opt.time_limit_s >= 0 ? opt.time_limit_s : (opt.full ? 0 : (opt.quick ? 100 : 420));
  // A big model at 2 cores gives few samples in the budget: up to 3x the
  // budget to reach min_samples (vgg16 at batch 8, ~1 s per iteration, gets
  // its 10 samples in ~10 s instead of 4 samples and no interval).
  p.min_samples_budget_s = 3 * p.budget_s;
  if (opt.device == "auto") {
    p.devices.push_back("cpu");
    for (const Chip& c : catalog.chips()) {
      if (c.id == "cuda:0") p.devices.push_back("cuda:0");
    }
  } else {
    for (const std::string& d : list(opt.device)) p.devices.push_back(normalize_device(d));
  }
  if (p.devices.empty()) fail("--device: no device given");
  if (opt.threads < 0) fail("--threads {}: must be 0 (one per physical core) or more", opt.threads);
  // The default is what the seeds' studies mean by "this CPU": every allowed
  // physical core, one thread per core in every pool (ATen, OpenBLAS,
  // OpenMP), pinned, so the pools do not oversubscribe the cores. The probe
  // measures ceilings at this count too, and every result is judged against
  // the ceilings of its own thread count.
  p.threads = resolved_threads(opt.threads);
  (void)host;
  return p;
}

// Runs the probe (quick) and saves host-measured; returns how, for methods.
std::string run_quick_probe(const HostInfo& host, int threads) {
  fmt::print(stderr,
             "dnnroof report: probing this machine's ceilings (dnnroof probe --quick; on 1 "
             "thread, on every core, and on the study's {} thread{})\n",
             threads, threads == 1 ? "" : "s");
  ProbeOptions po;
  po.quick = true;
  po.extra_threads = {threads};
  const bool tty = isatty(fileno(stderr)) != 0;
  ProbeResult r = run_probe(host, po, [tty](const ProbeProgress& p) {
    fmt::print(stderr, "{}  probe [{:>3}/{}] {:<34} {:>4.0f} s elapsed, ETA {}{}", tty ? "\r" : "",
               p.step, p.steps, p.what, p.elapsed_s, duration_text(p.remaining_s),
               tty ? "   " : "\n");
    std::fflush(stderr);
  });
  if (tty) fmt::print(stderr, "\n");
  const std::string path = host_measured_catalog_path();
  std::vector<std::string> counts;
  for (const ComputeCeiling& c : r.compute) {
    const std::string n = std::to_string(c.threads);
    if (std::find(counts.begin(), counts.end(), n) == counts.end()) counts.push_back(n);
  }
  std::string how = fmt::format(
      "`dnnroof probe --quick --also-threads {}` run by this report ({:.0f} s; ceilings per "
      "thread count for {} threads, pinned like the runs; the study's runs had {})",
      threads, r.seconds, join(counts, ", "), threads);
  // The clock it measured: the host's theoretical peaks use it from now on.
  save_measured_clocks(r.host, host_clock_cache_path());
  if (!path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    write_file_atomic(path, chip_catalog_toml(host_measured_chip(r)));
    how += fmt::format(", saved to {}", path);
  }
  return how;
}

std::vector<ResultRecord> measure(const Plan& plan, const std::filesystem::path& results_path,
                                  StudyRunInfo& run) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  struct Stage {
    std::string what;
    SweepOptions o;
  };
  std::vector<Stage> stages;
  std::vector<SweepOptions> remeasure_base;  // per device: the settings to measure again with
  // The models measured at the batches after the first two (Plan).
  std::vector<std::string> large_batch_models;
  std::vector<std::string> left_out;
  for (const std::string& m : plan.models) {
    double flops = 0;
    if (plan.large_batch_max_flops > 0) {
      CostOptions co;
      co.dtype = DType::fp32;
      flops = estimate_cost(load_sweep_model(m, 1, DType::fp32).graph, co).forward.flops();
    }
    (flops <= plan.large_batch_max_flops ? large_batch_models : left_out).push_back(m);
  }
  for (const std::string& device : plan.devices) {
    auto base = [&](std::vector<std::string> models, std::vector<int> batches,
                    std::vector<RunMode> modes) {
      SweepOptions o;
      o.models = std::move(models);
      o.batches = std::move(batches);
      o.modes = std::move(modes);
      o.device = device;
      o.chip = device == "cpu" ? "host" : device;
      o.budget_s = plan.budget_s;
      o.target = plan.target;
      o.accept_target = plan.accept_target;
      o.measure.max_time_s = plan.budget_s;
      o.measure.max_time_for_min_samples_s = plan.min_samples_budget_s;
      o.measure.max_warmup_s = std::max(0.3, plan.budget_s / 2);
      o.measure.warmup_window = 3;
      o.measure.min_warmup_iterations = 2;
      o.measure.min_warmup_s = std::min(0.2, plan.budget_s / 4);
      o.measure.min_samples = plan.min_samples;
      o.measure.min_time_s = std::min(0.5, plan.budget_s / 3);
      o.threads = plan.threads;
      o.out = results_path;
      o.make_executor = default_executor_factory();
      o.stop = &g_stop;
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
      SweepOptions o = base(plan.layers_models, {plan.batches.front()},
                            {RunMode::infer, RunMode::train});
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
  fmt::print(stderr,
             "dnnroof report: measuring {} configurations ({} mode: {} models, batch {}, {:g} s "
             "sampling budget each, {} thread{} pinned to CPU{} {}{})\n",
             total, plan.mode, plan.models.size(),
             join(
                 [&] {
                   std::vector<std::string> b;
                   for (int x : plan.batches) b.push_back(std::to_string(x));
                   return b;
                 }(),
                 ","),
             plan.budget_s, plan.threads, plan.threads == 1 ? "" : "s",
             plan.threads == 1 ? "" : "s", cpu_list_text(cpus_for_threads(plan.threads)),
             plan.time_limit_s > 0
                 ? fmt::format(", time limit {}", duration_text(plan.time_limit_s))
                 : "");
  std::map<ConfigKey, ResultRecord> by_key;
  std::vector<ConfigKey> order;
  std::vector<double> config_s;
  std::size_t done = 0;
  double last_start = 0;
  bool limit_hit = false;
  for (Stage& stage : stages) {
    if (g_stop.load()) {
      std::vector<std::string> missing;
      for (const SweepConfig& c : sweep_configs(stage.o)) {
        missing.push_back(fmt::format("{} b{} {}", c.model, c.batch, run_mode_name(c.mode)));
      }
      run.not_run.push_back(fmt::format(
          "Not measured ({}), {}: {}.",
          limit_hit ? fmt::format("time limit of {} reached", duration_text(plan.time_limit_s))
                    : "interrupted",
          stage.what, join(missing, ", ")));
      continue;
    }
    stage.o.on_progress = [&](const SweepProgress& p) {
      if (p.index > 1) config_s.push_back(elapsed() - last_start);
      last_start = elapsed();
      if (plan.time_limit_s > 0 && elapsed() > plan.time_limit_s && !g_stop.load()) {
        limit_hit = true;
        g_stop.store(true);
      }
      const std::size_t index = done + p.index;
      double mean = 0;
      for (double x : config_s) mean += x;
      mean = config_s.empty() ? plan.budget_s * 1.6 : mean / static_cast<double>(config_s.size());
      fmt::print(stderr, "[{}/{}] {}: {}  ({} elapsed, ETA {})\n", index, total, stage.what,
                 p.current, duration_text(elapsed()),
                 duration_text(mean * static_cast<double>(total - index + 1)));
    };
    stage.o.on_warning = [](const std::string& w) {
      fmt::print(stderr, "dnnroof report: warning: {}\n", w);
    };
    stage.o.on_result = [&](const ResultRecord& r) {
      if (r.status == RecordStatus::failed) {
        fmt::print(stderr, "  failed: {}: {}\n", describe(r.key()), r.status_reason);
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
    if (outcome.interrupted || g_stop.load()) {
      std::vector<std::string> missing;
      for (const SweepConfig& c : planned) {
        bool have = false;
        for (const ResultRecord& r : outcome.records) {
          have = have || (r.model == c.model && r.batch == c.batch && r.mode == c.mode);
        }
        if (!have) {
          missing.push_back(fmt::format("{} b{} {}", c.model, c.batch, run_mode_name(c.mode)));
        }
      }
      if (!missing.empty()) {
        run.not_run.push_back(fmt::format("Not measured ({}), {}: {}.",
                                          limit_hit ? fmt::format("time limit of {} reached",
                                                                  duration_text(plan.time_limit_s))
                                                    : "interrupted",
                                          stage.what, join(missing, ", ")));
      }
    }
  }
  // The noisy configurations again, cheapest first, while the time limit
  // allows (src/runner remeasure_noisy).
  std::size_t noisy = 0;
  for (const auto& [k, r] : by_key) noisy += r.status == RecordStatus::noisy ? 1 : 0;
  if (noisy > 0 && !g_stop.load()) {
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
        fmt::print(
            stderr,
            "dnnroof report: measuring again (noisy): {}, batch {}, {} on {} (~{}; {} elapsed)\n",
            r.model, r.batch, run_mode_name(r.mode), r.device, duration_text(estimate),
            duration_text(elapsed()));
      };
      SweepOptions o = base;
      o.on_warning = [](const std::string& w) {
        fmt::print(stderr, "dnnroof report: warning: {}\n", w);
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
  run.interrupted = g_stop.load() && !limit_hit;
  run.elapsed_s = elapsed();
  std::vector<ResultRecord> out;
  for (const ConfigKey& k : order) out.push_back(by_key.at(k));
  return out;
}

void write_study(const Context& ctx, const ReportOptions& opt) {
  StudyOptions study;
  study.title = opt.title;
  study.include_host = !opt.no_host;
  study.chips.precision = parse_dtype_or_throw(opt.precision);
  study.dtype = study.chips.precision;
  study.chips.tensor_precisions.clear();
  for (const std::string& name : list(opt.tensor)) {
    study.chips.tensor_precisions.push_back(parse_dtype_or_throw(name));
  }
  if (opt.max_per_panel == 0) fail("--max-per-panel must be at least 1");
  study.chips.max_per_panel = opt.max_per_panel;
  study.chip_ids = list(opt.ids);
  study.load_graph = [](const std::string& source, int batch, DType dtype) {
    ModelRequest r;
    r.batch = batch;
    r.dtype = dtype;
    SweepModel m = resolve_model(source, r);
    return LoadedModel{std::move(m.graph), std::move(m.family)};
  };

  // Everything the inputs can get wrong, before minutes of measuring.
  if (opt.pdf && find_chromium().empty()) {
    fail(
        "--pdf needs headless Chromium, which was not found on PATH (install it, e.g. "
        "`apt-get install chromium`, or set DNNROOF_CHROMIUM to its path; leave --pdf out for "
        "the HTML and Markdown report alone)");
  }
  for (const std::string& f : opt.results) {
    if (!std::filesystem::exists(f)) fail("--results: no such file: {}", f);
  }
  for (const std::string& f : opt.ncu) {
    if (!std::filesystem::exists(f)) fail("--ncu: no such file: {}", f);
    try {
      study.ncu.push_back(read_ncu_results(f));
    } catch (const Error& e) {
      fail("--ncu {}: {}", f, e.what());
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(opt.out) / "data", ec);
  if (ec) fail("--out {}: cannot create it: {}", opt.out, ec.message());

  fmt::print(stderr, "dnnroof report: loading the chip catalog and detecting the host\n");
  Catalog catalog = load_catalog(ctx.catalog_files);
  std::optional<HostInfo> host;
  if (study.include_host || !opt.no_measure) host = detect_host_info();

  if (!opt.results.empty()) {
    std::vector<std::filesystem::path> paths(opt.results.begin(), opt.results.end());
    MergeResult merged = merge_result_files(paths);
    for (const std::string& w : merged.warnings) fmt::print(stderr, "dnnroof report: {}\n", w);
    study.records = std::move(merged.results.records);
    study.run.results_files = opt.results;
    study.run.mode = "results";
    study.models = list(opt.models);
    if (!opt.batch.empty()) {
      study.batches = batch_list(opt.batch);
    } else {
      std::set<int> b;
      for (const ResultRecord& r : study.records) b.insert(r.batch);
      study.batches.assign(b.begin(), b.end());
      if (study.batches.empty()) study.batches = {1};
    }
  } else {
    const Plan plan = make_plan(opt, catalog, host ? &*host : nullptr);
    study.models = plan.models;
    study.batches = plan.batches;
    study.run.mode = plan.mode;
    study.run.sampling_target = plan.target;
    study.run.accept_target = plan.accept_target;
    study.run.budget_per_config_s = plan.budget_s;
    study.run.min_samples = plan.min_samples;
    study.run.min_samples_budget_s = plan.min_samples_budget_s;
    for (const std::string& m : plan.models) {
      ModelRequest r;
      r.dtype = study.dtype;
      resolve_model(m, r);  // every name checked before anything is measured
    }
    if (!opt.no_measure) {
      if (!executor_built()) {
        fail("this dnnroof was built without LibTorch, so it cannot measure; use --results FILE "
             "or --no-measure");
      }
      const auto previous = std::signal(SIGINT, on_report_sigint);
      bool have_measured = false;
      for (const Chip& c : catalog.chips()) have_measured = have_measured || c.id == "host-measured";
      if (!opt.no_probe) {
        study.run.probe = run_quick_probe(*host, plan.threads);
        catalog = load_catalog(ctx.catalog_files);
        host = detect_host_info();  // with the clock the probe measured
      } else if (have_measured) {
        study.run.probe = "the saved `host-measured` chip (probe not re-run: --no-probe)";
      }
      study.run.measured_here = true;
      const std::filesystem::path results_path =
          std::filesystem::path(opt.out) / "data" / "results.json";
      std::filesystem::remove(results_path, ec);
      try {
        study.records = measure(plan, results_path, study.run);
      } catch (...) {
        std::signal(SIGINT, previous);
        throw;
      }
      std::signal(SIGINT, previous);
      fmt::print(stderr, "dnnroof report: measured {} configurations in {}; results in {}\n",
                 study.records.size(), duration_text(study.run.elapsed_s), results_path.string());
    }
  }

  std::vector<std::string> notes;
  const Document doc = build_study(catalog, host ? &*host : nullptr, study, &notes);
  for (const std::string& note : notes) fmt::print(stderr, "note: {}\n", note);

  ReportWriteOptions write;
  write.draw_figures = !opt.no_figures;
  write.progress = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  write_report(doc, opt.out, write);
  fmt::print(stderr, "report written: {}/index.html (open it in a browser) and {}/report.md\n",
             opt.out, opt.out);
  if (opt.pdf) {
    const std::filesystem::path pdf = std::filesystem::path(opt.out) / "report.pdf";
    print_pdf(std::filesystem::path(opt.out) / "index.html", pdf);
    fmt::print(stderr, "report printed: {}\n", pdf.string());
  }
}

void register_report(CLI::App& app, Context& ctx) {
  auto opt = std::make_shared<ReportOptions>();
  auto* sub = app.add_subcommand(
      "report",
      "Write the whole study as a folder: index.html (self-contained, figures inline), report.md "
      "with figures/*.png, and data/*.csv and *.json holding every number (and report.pdf with "
      "--pdf). A paper: abstract, 1 introduction, 2 methods, results (3 chips, 4 model compute "
      "and memory, 5 benchmarks, 6 hardware utilisation, 7 inference vs training, 8 predicted "
      "vs measured), discussion, threats to validity, conclusion, references, appendices (A "
      "worked example, B caveats of the run). With no arguments it probes this machine and "
      "measures 11 models at batch 1 and 8, and the 9 smaller ones at batch 32, on the CPU (and "
      "CUDA when present) in under 10 minutes; --results builds the report from results files instead.");
  sub->footer(
      "Examples:\n"
      "  dnnroof report                                   # the default study, into ./report/\n"
      "  dnnroof report --quick --out /tmp/quick          # 3 small models, about a minute\n"
      "  dnnroof report --full                            # batch 1, 64, 256 (long)\n"
      "  dnnroof report --models resnet18,vgg16 --batch 1,16 --train-models none\n"
      "  dnnroof report --results t4.json a100.json cpu.json --out cross-device\n"
      "  dnnroof report --results a100.json --ncu resnet18-ncu.json --out a100\n"
      "  dnnroof report --no-measure --models resnet50,vit_b_16 --ids t4,a100-sxm4-80gb");
  sub->add_option("--out", opt->out, "Output folder (created)")->default_val("report");
  sub->add_option("--models", opt->models,
                  "Models (zoo names or .onnx paths, comma-separated); default: the seeds' 11 "
                  "models (--quick: 3 small ones)");
  sub->add_option(
      "--batch", opt->batch,
      "Batch sizes, comma-separated, each for every model; default 1,8,32 with 32 only for "
      "models of at most 4 GFLOP per image (--quick 1,4; --full 1,64,256)");
  sub->add_option("--device", opt->device,
                  "Devices to measure on: auto (cpu, plus cuda:0 when present), or a list such "
                  "as cpu,cuda:0")
      ->default_val("auto");
  sub->add_option("--train-models", opt->train_models,
                  "Models also measured in training (at the smallest batch); 'none' for none; "
                  "default: a subset of 5 (all with --models, --quick or --full)");
  sub->add_option("--layers-model", opt->layers_model,
                  "Models timed per layer (inference and training), comma-separated; 'none' "
                  "for none; default: resnet18, mobilenet_v2, squeezenet1_0 and alexnet (the "
                  "first model with --models, --quick or --full)");
  sub->add_option("--results", opt->results,
                  "Build the report from these results files (merged; nothing measured)")
      ->expected(1, -1);
  sub->add_option("--ncu", opt->ncu,
                  "Nsight Compute results (files of `dnnroof import-ncu --out`): the hardware "
                  "utilisation section adds "
                  "their measured FLOPs and bytes, roofline points and the comparison with the "
                  "cost model")
      ->expected(1, -1);
  sub->add_flag("--quick", opt->quick, "Three small models, batch 1 and 4, tiny budgets");
  sub->add_flag("--full", opt->full, "The seeds' batch sizes 1, 64, 256 with 10 s budgets");
  sub->add_flag("--no-measure", opt->no_measure,
                "Measure nothing: the chips and the model compute and memory sections only");
  sub->add_flag("--no-probe", opt->no_probe,
                "Do not run `dnnroof probe --quick` first (use the saved host-measured chip)");
  sub->add_option("--budget", opt->budget_s,
                  "Sampling budget per configuration [s]; default 4 (--quick 0.4, --full 10)");
  sub->add_option("--time-limit", opt->time_limit_s,
                  "Stop measuring after this many seconds and report what finished (0: none); "
                  "default 420 (--quick 100, --full none)");
  sub->add_option("--threads", opt->threads,
                  "CPU threads of every pool for measuring, pinned one per core; default 0: "
                  "every allowed physical core");
  sub->add_option("--precision", opt->precision, "Precision of the rooflines and cost model")
      ->default_val("fp32");
  sub->add_option("--tensor", opt->tensor,
                  "Precisions of the accelerator (tensor-unit) figures, first available wins; "
                  "empty for none")
      ->default_val("fp16,bf16");
  sub->add_option("--ids,--chips", opt->ids,
                  "Chips of the chips section (comma-separated catalog ids); default: all");
  sub->add_option("--title", opt->title, "Report title")->default_val("dnnroof study");
  sub->add_flag("--no-host", opt->no_host, "Leave the detected machine out of the chips section");
  sub->add_flag("--no-figures", opt->no_figures, "Do not draw figures (no gnuplot needed)");
  sub->add_flag("--pdf", opt->pdf,
                "Also print the report to DIR/report.pdf with headless Chromium (checked before "
                "anything is measured; an error naming what to install when it is missing)");
  sub->add_option("--max-per-panel", opt->max_per_panel,
                  "Most chips on one roofline panel; more are split into several panels")
      ->default_val(8);
  sub->callback([&ctx, opt] { write_study(ctx, *opt); });
}

DNNROOF_COMMAND(70, register_report);

}  // namespace
}  // namespace dnnroof::cli
