// What the CNN and the language-model sweeps share (detail/sweep_run.h).
#include "runner/detail/sweep_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <utility>

#include "core/error.h"
#include "hw/host.h"
#include "measure/memory.h"
#include "measure/stop_criterion.h"
#include "store/conditions.h"
#include "store/results_file.h"

namespace dnnroof {

MeasureOptions sweep_loop_options(const SweepSettings& settings) {
  MeasureOptions m = settings.measure;
  if (!m.criterion)
    m.criterion = std::make_shared<MedianCiCriterion>(settings.target, m.confidence);
  if (!m.accept_criterion && settings.accept_target > 0) {
    m.accept_criterion = std::make_shared<MedianCiCriterion>(settings.accept_target, m.confidence);
  }
  m.max_time_s = settings.budget_s;
  m.max_warmup_s = std::min(m.max_warmup_s, settings.budget_s);
  return m;
}

void fit_floors_to_budget(SweepSettings& settings) {
  MeasureOptions& m = settings.measure;
  m.min_warmup_s = std::min(m.min_warmup_s, settings.budget_s / 5);
  m.min_time_s = std::min(m.min_time_s, settings.budget_s / 2);
}

namespace detail {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool stop_requested(const SweepSettings& s) { return s.stop != nullptr && s.stop->load(); }

void throw_if_stopped(const SweepSettings& s) {
  if (stop_requested(s)) throw SweepInterrupted{};
}

void check_loop_settings(const SweepSettings& s) {
  if (!(s.budget_s > 0)) fail("bench: the budget must be positive, got {} s", s.budget_s);
  if (!(s.target > 0)) fail("bench: the CI target must be positive, got {}", s.target);
  if (s.threads < 0) fail("bench: threads must be >= 0, got {}", s.threads);
}

void check_resume(const SweepSettings& s) {
  if (s.resume && s.out.empty()) fail("bench: --resume needs a results file (--out)");
}

Conditions sweep_conditions(const SweepSettings& s) {
  Conditions base = current_conditions();
  if (!s.partition.empty()) base.partition = s.partition;
  base.cpu_model = detect_host_info().cpu_model;
  return base;
}

std::set<ConfigKey> resumed_keys(const SweepSettings& s) {
  if (!s.resume || !std::filesystem::exists(s.out)) return {};
  return finished_keys(load_results(s.out));
}

double budget_per_config_s(const SweepSettings& s) {
  const double layers_budget = s.layers_budget_s > 0 ? s.layers_budget_s : s.budget_s;
  return 2 * s.budget_s + (s.layers ? 2 * layers_budget : 0);
}

MeasureOptions layer_loop_options(const MeasureOptions& whole, const SweepSettings& s) {
  MeasureOptions lo = whole;
  lo.max_time_s = s.layers_budget_s > 0 ? s.layers_budget_s : s.budget_s;
  // The whole-model loop has just warmed everything up: two passes suffice.
  lo.warmup_window = 0;
  lo.min_warmup_iterations = 2;
  lo.min_warmup_s = 0;
  lo.min_samples = std::min<std::size_t>(lo.min_samples, 5);
  lo.min_time_s = 0;
  return lo;
}

void set_status(ResultRecord& rec, const Measurement& m) {
  rec.status = m.converged ? RecordStatus::ok : RecordStatus::noisy;
  rec.status_reason = m.converged ? "" : describe_outcome(m);
}

double peak_memory_bytes(const std::optional<double>& device_peak) {
  if (device_peak) return *device_peak;
  const PeakMemory p = peak_memory();
  return p.vm_hwm_bytes > 0 ? p.vm_hwm_bytes : p.max_rss_bytes;
}

SweepRun::SweepRun(const SweepSettings& settings, std::string device, int threads, Conditions base,
                   std::size_t total, std::size_t skipped)
    : settings_(settings),
      device_(std::move(device)),
      threads_(threads),
      base_(std::move(base)),
      total_(total),
      skipped_(skipped),
      budget_per_config_s_(budget_per_config_s(settings)),
      t0_(std::chrono::steady_clock::now()) {}

double SweepRun::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
}

void SweepRun::begin(std::size_t index, const std::string& current) {
  if (settings_.on_progress) {
    SweepProgress p;
    p.index = index + 1;
    p.total = total_;
    p.finished = index;
    p.failed = failed_;
    p.skipped = skipped_;
    p.elapsed_s = elapsed_s();
    p.eta_s = estimate_eta_s(durations_, total_ - index, budget_per_config_s_);
    p.eta_from_budget = durations_.empty();
    p.current = current;
    settings_.on_progress(p);
  }
  started_s_ = elapsed_s();
}

ResultRecord SweepRun::record(const std::string& model, const std::string& source) const {
  ResultRecord rec;
  rec.model = model;
  rec.source = source;
  rec.device = device_;
  rec.chip = settings_.chip.empty() ? (device_ == "cpu" ? "host" : device_) : settings_.chip;
  rec.dtype = settings_.dtype;
  rec.threads = threads_;
  rec.conditions = base_;
  rec.memory_peak_bytes = kNaN;
  return rec;
}

void SweepRun::reset_memory(ResultRecord& rec) {
  if (device_ != "cpu") return;
  // The previous configuration's executor is gone: its freed memory goes
  // back to the kernel, so this one's start and peak are its own.
  release_free_memory();
  const bool peak_reset = reset_peak_memory();
  // Just reset: VmHWM is the resident set now, before the executor.
  if (peak_reset && peak_memory().vm_hwm_bytes > 0) {
    rec.memory_start_bytes = peak_memory().vm_hwm_bytes;
  }
  if (!peak_reset && settings_.on_warning && !warned_rss_) {
    settings_.on_warning(
        "cannot reset the peak resident memory (/proc/self/clear_refs): memory_peak_bytes "
        "is the process's peak so far, which may include earlier configurations");
    warned_rss_ = true;
  }
}

void SweepRun::take_exec_info(const ExecInfo& info, ResultRecord& rec) {
  rec.conditions.threads = info.threads;
  if (device_ != "cpu" && !info.device_name.empty()) rec.conditions.gpu_name = info.device_name;
  rec.conditions.interop_threads = info.interop_threads;
  rec.conditions.blas_threads = info.blas_threads;
  rec.conditions.openmp_threads = info.openmp_threads;
  rec.conditions.pinned_cpus = info.pinned_cpus;
  if (!info.libtorch_version.empty()) {
    rec.conditions.library_versions["libtorch"] = info.libtorch_version;
  }
  if (!info.blas.empty()) rec.conditions.library_versions["blas"] = info.blas;
  if (const std::string held = threads_held(info, threads_);
      !held.empty() && settings_.on_warning && !warned_threads_) {
    settings_.on_warning(held);
    warned_threads_ = true;
  }
  if (info.reference_blas && settings_.on_warning && !warned_blas_) {
    settings_.on_warning(
        fmt::format("LibTorch runs on the slow reference BLAS ({}): CPU latencies are not "
                    "representative; install OpenBLAS or MKL (see docs/bench.md)",
                    info.blas));
    warned_blas_ = true;
  }
}

void SweepRun::fail_record(ResultRecord& rec, const std::exception& e) {
  rec.status = RecordStatus::failed;
  rec.status_reason = e.what();
  rec.timings.clear();
  rec.layers.clear();
  rec.layer_passes = 0;
  rec.memory_peak_bytes = kNaN;
  rec.memory_start_bytes = kNaN;
  ++failed_;
}

void SweepRun::finish(ResultRecord rec, std::vector<ResultRecord>& records) {
  rec.conditions.date_utc = format_iso8601_utc(std::chrono::system_clock::now());
  durations_.push_back(elapsed_s() - started_s_);
  if (!settings_.out.empty()) append_record(settings_.out, rec);
  if (settings_.on_result) settings_.on_result(rec);
  records.push_back(std::move(rec));
}

}  // namespace detail
}  // namespace dnnroof
