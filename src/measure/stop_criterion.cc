#include "measure/stop_criterion.h"

#include <fmt/format.h>

#include <cmath>

#include "measure/statistics.h"

namespace dnnroof {

bool MedianCiCriterion::done(std::span<const double> samples_s) const {
  const Summary s = summarize(samples_s, confidence_);  // one sort for both
  if (!s.median_ci.reached_confidence) return false;
  return std::isfinite(s.ci_relative_half_width) && s.ci_relative_half_width <= target_;
}

std::string MedianCiCriterion::describe() const {
  return fmt::format("median {:g}% CI within ±{:g}%", confidence_ * 100, target_ * 100);
}

bool RelativeStdevCriterion::done(std::span<const double> samples_s) const {
  if (samples_s.size() < 2) return false;
  const double mean = sample_mean(samples_s);
  const double rel = sample_stdev(samples_s) / mean;
  return std::isfinite(rel) && rel <= target_;
}

std::string RelativeStdevCriterion::describe() const {
  return fmt::format("relative stdev within {:g}%", target_ * 100);
}

}  // namespace dnnroof
