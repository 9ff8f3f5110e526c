#pragma once
// The measurement loop: warm up until the time per iteration stops falling,
// then sample until a stop criterion is met or the time budget ends. Hot mode
// runs iterations back to back; cold mode calls a hook (e.g. flush_cache)
// before every iteration, outside the timed interval.
//
// The loop never times anything itself: `run_once` does one iteration and
// returns its duration [s], measured however fits the work (SteadyTimer on
// the CPU, CUDA events on a GPU stream). Tests feed synthetic sequences.

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "measure/statistics.h"
#include "measure/stop_criterion.h"
#include "measure/timer.h"

namespace dnnroof {

// "Measured time" below is the sum of the durations run_once returned;
// "wall time" is read from MeasureOptions::clock and also counts the hook and
// the loop's own overhead. Floors use measured time, caps and budgets wall
// time.
struct MeasureOptions {
  // Warm-up ends once warmup_is_stable(window, tolerance) holds and both
  // floors are met, or at either cap. warmup_window = 0 turns the rule off:
  // exactly min_warmup_iterations (and min_warmup_s) then, e.g. for a fixed
  // warm-up; max_warmup_iterations = 0 skips warm-up.
  std::size_t warmup_window = 5;   // k iterations per window
  double warmup_tolerance = 0.02;  // x: "no longer falls by more than 2%"
  std::size_t min_warmup_iterations = 3;
  double min_warmup_s = 0.2;  // [s] measured
  std::size_t max_warmup_iterations = 10000;
  double max_warmup_s = 10.0;  // [s] wall

  // Sampling asks the criterion once both floors are met; it ends at the
  // criterion (converged) or at a cap (not converged: noisy). At least one
  // sample is always taken.
  std::size_t min_samples = 10;
  double min_time_s = 0.5;  // [s] measured
  std::size_t max_samples = 100000;
  double max_time_s = 10.0;  // [s] wall, the sampling budget
  // A budget scaled by the work's own time: when max_time_s ends with fewer
  // than min_samples samples (an iteration longer than max_time_s /
  // min_samples), sampling goes on until min_samples are taken or this much
  // wall time has passed since sampling began, whichever comes first. So a
  // slow model still gets the samples an interval needs, and a fast one is
  // not held longer. 0 (or anything <= max_time_s): no extension.
  double max_time_for_min_samples_s = 0;  // [s] wall

  // Null: MedianCiCriterion (median 95% CI within ±2%).
  std::shared_ptr<const StopCriterion> criterion;
  // A looser criterion the result is accepted by when the budget (or the
  // sample cap) ends first, with at least min_samples samples: the loop aims
  // at `criterion` while the budget lasts, and a result that did not get
  // there but meets this one is converged, not noisy (StopReason::accepted).
  // E.g. aim at ±2%, accept ±5%. Null: none.
  std::shared_ptr<const StopCriterion> accept_criterion;
  double confidence = 0.95;  // of the interval in the Summary

  // Cold mode: called before every iteration (warm-up too), not timed.
  std::function<void()> before_each;
  // Null: steady_now_s.
  Clock clock;
};

// converged: the criterion held; accepted: the budget or the sample cap
// ended first, and the accept criterion held.
enum class StopReason { converged, time_budget, sample_cap, accepted };
// "converged", "time budget", "sample cap", "accepted at the budget"
std::string_view stop_reason_name(StopReason r);

struct Measurement {
  Summary stats;                  // of samples_s
  std::vector<double> samples_s;  // [s] in the order taken, warm-up excluded
  bool converged = false;         // false: the result is noisy
  StopReason stop_reason = StopReason::time_budget;
  std::string criterion;         // StopCriterion::describe()
  std::string accept_criterion;  // its describe(); empty: none
  std::size_t warmup_iterations = 0;
  bool warmup_stable = false;  // false: warm-up ended at a cap
  double warmup_s = 0;         // [s] wall
  double total_s = 0;          // [s] wall, warm-up and sampling
};

// True when the median of the last `window` durations is no more than
// `tolerance` (relative) below the median of the `window` before them, i.e.
// the time per iteration has stopped falling. False with fewer than
// 2 * window durations.
bool warmup_is_stable(std::span<const double> durations_s, std::size_t window, double tolerance);

// One line for a result's status_reason: "converged: median 95% CI ±1.2%
// after 120 samples" or "noisy: median 95% CI ±3.1% after 4000 samples,
// stopped by the time budget" (or "sample cap"). With fewer than 10 samples
// or less than 95% coverage no ± is printed (interval_rule.h): "noisy: n=4,
// no 95% CI (an interval needs at least 10 samples), stopped by the time
// budget".
std::string describe_outcome(const Measurement& m);

// Runs the loop described above. Work shorter than the timer's resolution
// (about a microsecond for CUDA events) should be batched inside run_once:
// run k iterations back to back and return their total / k. Throws Error when run_once returns a
// negative or non-finite duration.
Measurement measure(const std::function<double()>& run_once, const MeasureOptions& options = {});

}  // namespace dnnroof
