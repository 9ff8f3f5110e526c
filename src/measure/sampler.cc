#include "measure/sampler.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/error.h"
#include "measure/interval_rule.h"

namespace dnnroof {

double steady_now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string_view stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::converged:
      return "converged";
    case StopReason::time_budget:
      return "time budget";
    case StopReason::sample_cap:
      return "sample cap";
    case StopReason::accepted:
      return "accepted at the budget";
  }
  return "?";
}

bool warmup_is_stable(std::span<const double> durations_s, std::size_t window, double tolerance) {
  if (window == 0 || durations_s.size() < 2 * window) return false;
  const auto last = durations_s.last(window);
  const auto previous = durations_s.subspan(durations_s.size() - 2 * window, window);
  return sample_median(last) >= (1 - tolerance) * sample_median(previous);
}

std::string describe_outcome(const Measurement& m) {
  const std::size_t n = m.samples_s.size();
  // No "±" below 10 samples or 95% coverage (interval_rule.h).
  const std::string head =
      interval_reportable(n, m.stats.median_ci.achieved_confidence, m.stats.ci_relative_half_width)
          ? fmt::format("median 95% CI ±{:.1f}% after {} samples",
                        100 * m.stats.ci_relative_half_width, n)
          : fmt::format("n={}, no 95% CI (an interval needs at least {} samples)", n,
                        kMinSamplesForInterval);
  if (m.stop_reason == StopReason::accepted) {
    return fmt::format("converged: {} (the budget ended before {}; accepted: {})", head,
                       m.criterion, m.accept_criterion);
  }
  if (m.converged) return "converged: " + head;
  return fmt::format("noisy: {}, stopped by the {}", head, stop_reason_name(m.stop_reason));
}

namespace {

double checked(double seconds, std::string_view phase, std::size_t index) {
  if (!std::isfinite(seconds) || seconds < 0) {
    fail("measure: iteration {} of the {} returned {} s; a duration must be finite and >= 0",
         index + 1, phase, seconds);
  }
  return seconds;
}

}  // namespace

Measurement measure(const std::function<double()>& run_once, const MeasureOptions& options) {
  const Clock clock = options.clock ? options.clock : Clock(steady_now_s);
  const std::shared_ptr<const StopCriterion> criterion =
      options.criterion ? options.criterion : std::make_shared<MedianCiCriterion>();
  auto iterate = [&] {
    if (options.before_each) options.before_each();
    return run_once();
  };

  Measurement m;
  m.criterion = criterion->describe();
  if (options.accept_criterion) m.accept_criterion = options.accept_criterion->describe();
  const double t0 = clock();

  // Warm-up.
  std::vector<double> warmup;
  double warmup_measured = 0;
  while (warmup.size() < options.max_warmup_iterations && clock() - t0 < options.max_warmup_s) {
    warmup.push_back(checked(iterate(), "warm-up", warmup.size()));
    warmup_measured += warmup.back();
    if (warmup.size() >= options.min_warmup_iterations && warmup_measured >= options.min_warmup_s &&
        (options.warmup_window == 0 ||
         warmup_is_stable(warmup, options.warmup_window, options.warmup_tolerance))) {
      m.warmup_stable = true;
      break;
    }
  }
  m.warmup_iterations = warmup.size();
  const double t1 = clock();
  m.warmup_s = t1 - t0;

  // Sampling. The criterion costs O(n log n), so once it has said no at n
  // samples it is asked again after n/32 more (at most ~3% extra samples).
  double measured = 0;
  std::size_t next_check = 0;
  while (true) {
    m.samples_s.push_back(checked(iterate(), "sampling", m.samples_s.size()));
    measured += m.samples_s.back();
    const std::size_t n = m.samples_s.size();
    if (n >= options.min_samples && measured >= options.min_time_s && n >= next_check) {
      if (criterion->done(m.samples_s)) {
        m.converged = true;
        m.stop_reason = StopReason::converged;
        break;
      }
      next_check = n + std::max<std::size_t>(1, n / 32);
    }
    if (n >= options.max_samples) {
      m.stop_reason = StopReason::sample_cap;
      break;
    }
    // The budget, extended while fewer than min_samples were taken (see
    // max_time_for_min_samples_s).
    const double budget_s = n < options.min_samples
                                ? std::max(options.max_time_s, options.max_time_for_min_samples_s)
                                : options.max_time_s;
    if (clock() - t1 >= budget_s) {
      m.stop_reason = StopReason::time_budget;
      break;
    }
  }
  if (!m.converged && options.accept_criterion && m.samples_s.size() >= options.min_samples &&
      options.accept_criterion->done(m.samples_s)) {
    m.converged = true;
    m.stop_reason = StopReason::accepted;
  }
  m.total_s = clock() - t0;
  m.stats = summarize(m.samples_s, options.confidence);
  return m;
}

}  // namespace dnnroof
