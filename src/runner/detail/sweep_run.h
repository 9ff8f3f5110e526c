#pragma once
// What run_sweep (sweep.cc) and run_llm_sweep (llm_sweep.cc) share around
// their own configurations: the checks of the settings, the conditions and
// resumed keys, the per-layer loop, and SweepRun, the bookkeeping of one
// sweep's loop (progress and ETA, the record's identity and conditions, the
// once-per-sweep warnings, failures, writing each record).

#include <chrono>
#include <cstddef>
#include <exception>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "exec/executor.h"
#include "measure/sampler.h"
#include "runner/sweep.h"
#include "store/record.h"

namespace dnnroof::detail {

// Thrown from inside a measurement loop when the stop flag is set; never
// leaves run_sweep or run_llm_sweep.
struct SweepInterrupted {};

bool stop_requested(const SweepSettings& s);
// Throws SweepInterrupted when the stop flag is set.
void throw_if_stopped(const SweepSettings& s);

// Throws Error ("bench: ...") for settings no sweep runs with: a budget or a
// CI target that is not positive, threads < 0.
void check_loop_settings(const SweepSettings& s);
// Throws Error when --resume has no results file.
void check_resume(const SweepSettings& s);

// The conditions every record of the sweep starts from: this machine's, the
// partition of `s` (else the Slurm job's) and the CPU model.
Conditions sweep_conditions(const SweepSettings& s);

// With --resume, the keys the results file has finished (ok or noisy);
// otherwise none.
std::set<ConfigKey> resumed_keys(const SweepSettings& s);

// [s] what a configuration's loops may take at most: warm-up and sampling
// are each capped by the budget; per-layer timing has its own pair.
double budget_per_config_s(const SweepSettings& s);

// The per-layer loop after the whole-model loop `whole`, which has warmed
// everything up: two warm-up passes, at most 5 samples asked for, the
// layers' budget.
MeasureOptions layer_loop_options(const MeasureOptions& whole, const SweepSettings& s);

// The whole-model loop's outcome in the record: ok when it converged, else
// noisy with describe_outcome's reason.
void set_status(ResultRecord& rec, const Measurement& m);

// The per-layer passes: `time_pass()` times every layer once and returns one
// entry per layer, `seconds(entry)` its time; the loop `lo` samples the
// passes' sums. Returns the sampled passes (warm-up dropped), each checked to
// list the layers of the first in its order (`name(entry)`; otherwise an
// Error: "<what>: pass 9 listed other <items> than pass 7", counting the
// warm-up passes). Throws
// SweepInterrupted when the stop flag of `s` is set.
template <class TimePass, class Seconds, class Name>
auto sample_layer_passes(const MeasureOptions& lo, const SweepSettings& s, TimePass time_pass,
                         Seconds seconds, Name name, const char* what, const char* items) {
  std::vector<decltype(time_pass())> passes;
  const Measurement lm = measure(
      [&] {
        throw_if_stopped(s);
        passes.push_back(time_pass());
        double sum = 0;
        for (const auto& t : passes.back()) sum += seconds(t);
        return sum;
      },
      lo);
  const std::size_t warmup = passes.size() - lm.samples_s.size();
  passes.erase(passes.begin(), passes.begin() + static_cast<std::ptrdiff_t>(warmup));
  for (std::size_t i = 1; i < passes.size(); ++i) {
    bool same = passes[i].size() == passes[0].size();
    for (std::size_t k = 0; same && k < passes[0].size(); ++k) {
      same = name(passes[i][k]) == name(passes[0][k]);
    }
    if (!same)
      fail("{}: pass {} listed other {} than pass {}", what, warmup + i + 1, items, warmup + 1);
  }
  return passes;
}

// The record's peak memory: the device's when the executor keeps one, else
// the process's peak resident set (VmHWM, else max RSS).
double peak_memory_bytes(const std::optional<double>& device_peak);

// The configurations of `all` the results file has not finished (`finished`,
// by `key_of(config)`), in order; the others go to `skipped` and on_skip.
template <class Config, class KeyOf, class OnSkip>
std::vector<Config> configs_to_run(const std::vector<Config>& all,
                                   const std::set<ConfigKey>& finished, KeyOf key_of,
                                   const OnSkip& on_skip, std::vector<Config>& skipped) {
  std::vector<Config> to_run;
  for (const Config& c : all) {
    if (finished.contains(key_of(c))) {
      skipped.push_back(c);
      if (on_skip) on_skip(c);
    } else {
      to_run.push_back(c);
    }
  }
  return to_run;
}

// One sweep's loop over `total` configurations (`skipped` more were already
// in the results file), on `device` with `threads` (resolved).
class SweepRun {
 public:
  SweepRun(const SweepSettings& settings, std::string device, int threads, Conditions base,
           std::size_t total, std::size_t skipped);

  // For every configuration of `to_run` in order, until the stop flag is
  // set: tells on_progress (`text(config)`), and `measure(index, record)`
  // fills the configuration's record (record(config.model, config.source));
  // a std::exception it throws fails the configuration, SweepInterrupted
  // ends the loop. Each record is then finished. Returns true when the loop
  // was interrupted.
  template <class Config, class Text, class Measure>
  bool measure_each(const std::vector<Config>& to_run, std::vector<ResultRecord>& records,
                    Text text, Measure measure) {
    for (std::size_t i = 0; i < to_run.size(); ++i) {
      if (stop_requested(settings_)) return true;
      begin(i, text(to_run[i]));
      ResultRecord rec = record(to_run[i].model, to_run[i].source);
      try {
        measure(i, rec);
      } catch (const SweepInterrupted&) {
        return true;
      } catch (const std::exception& e) {
        fail_record(rec, e);
      }
      finish(std::move(rec), records);
    }
    return false;
  }

  // On the CPU: frees what the previous configuration left and resets the
  // peak resident memory, so that the record's start and peak are its own
  // (warns once when the peak cannot be reset).
  void reset_memory(ResultRecord& rec);

  // The executor's conditions (threads of every pool, GPU, library
  // versions) into `rec`; warns once when the pools did not take the
  // thread count, once when the BLAS is the reference one.
  void take_exec_info(const ExecInfo& info, ResultRecord& rec);

 private:
  // Before configuration `index` (0-based): tells on_progress, with the
  // ETA, that `current` ("resnet18, batch 8, train") starts now.
  void begin(std::size_t index, const std::string& current);

  // A record of this sweep's device, chip, dtype, threads and conditions for
  // `model` (from `source`); the caller sets mode, batch and what else its
  // configuration has.
  ResultRecord record(const std::string& model, const std::string& source) const;

  // The configuration failed with `e`: its reason, no timings.
  void fail_record(ResultRecord& rec, const std::exception& e);

  // The configuration is over: dated, appended to the results file, told
  // to on_result, and moved to the end of `records`.
  void finish(ResultRecord rec, std::vector<ResultRecord>& records);

  double elapsed_s() const;

  const SweepSettings& settings_;
  std::string device_;
  int threads_;
  Conditions base_;
  std::size_t total_;
  std::size_t skipped_;
  double budget_per_config_s_;
  std::chrono::steady_clock::time_point t0_;
  double started_s_ = 0;
  std::vector<double> durations_;
  std::size_t failed_ = 0;
  bool warned_rss_ = false;
  bool warned_blas_ = false;
  bool warned_threads_ = false;
};

}  // namespace dnnroof::detail
