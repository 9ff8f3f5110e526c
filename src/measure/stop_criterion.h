#pragma once
// When to stop sampling: a pluggable criterion, as in nvbench. The minimum
// number of samples, the minimum measured time and the time budget are not
// the criterion's business: the loop (sampler.h) enforces them and asks the
// criterion only once they are met.

#include <memory>
#include <span>
#include <string>

namespace dnnroof {

class StopCriterion {
 public:
  virtual ~StopCriterion() = default;
  // True when `samples_s` (every sample so far, in the order taken) measure
  // the quantity precisely enough.
  virtual bool done(std::span<const double> samples_s) const = 0;
  // One line for people and results files, e.g. "median 95% CI within ±2%".
  virtual std::string describe() const = 0;
};

// Stops when the distribution-free confidence interval of the median
// (median_interval) reaches `confidence` and its relative half-width
// (relative_half_width, the larger side) is at most `target`. With too few
// samples to reach the confidence (n <= 5 at 95%) it never stops.
class MedianCiCriterion final : public StopCriterion {
 public:
  explicit MedianCiCriterion(double target = 0.02, double confidence = 0.95)
      : target_(target), confidence_(confidence) {}
  bool done(std::span<const double> samples_s) const override;
  std::string describe() const override;

 private:
  double target_;
  double confidence_;
};

// Stops when stdev / mean (sample stdev) is at most `target`; needs n >= 2.
// Cheaper than the median's interval but sensitive to outliers.
class RelativeStdevCriterion final : public StopCriterion {
 public:
  explicit RelativeStdevCriterion(double target = 0.02) : target_(target) {}
  bool done(std::span<const double> samples_s) const override;
  std::string describe() const override;

 private:
  double target_;
};

}  // namespace dnnroof
