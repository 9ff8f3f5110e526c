#include "measure/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace dnnroof {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> sorted_copy(std::span<const double> samples) {
  std::vector<double> v(samples.begin(), samples.end());
  std::sort(v.begin(), v.end());
  return v;
}

// numpy's "linear" (type 7) percentile on already sorted values.
double percentile_sorted(const std::vector<double>& x, double q) {
  if (x.empty()) return kNaN;
  q = std::clamp(q, 0.0, 100.0);
  const double h = static_cast<double>(x.size() - 1) * q / 100.0;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
}

// log P(B = i), B ~ Binomial(n, 1/2). In logs because the pmf itself
// underflows beyond n ~ 1000.
double log_binomial_half_pmf(std::size_t n, std::size_t i) {
  const auto nd = static_cast<double>(n);
  const auto id = static_cast<double>(i);
  return std::lgamma(nd + 1) - std::lgamma(id + 1) - std::lgamma(nd - id + 1) - nd * std::log(2.0);
}

MedianInterval interval_sorted(const std::vector<double>& x, double confidence) {
  MedianInterval r;
  const std::size_t n = x.size();
  if (n == 0) {
    r.low = r.high = kNaN;
    return r;
  }
  // coverage(l) = 1 - 2 * F(l - 1); F is the Binomial(n, 1/2) CDF. Walk l up
  // while the next rank still keeps the coverage at or above the target.
  // log P(B = i) is carried from i to i + 1 by the ratio (n - i) / (i + 1).
  std::size_t l = 1;
  double log_pmf = log_binomial_half_pmf(n, 0);
  double cdf_below_l = std::exp(log_pmf);  // F(l - 1) = F(0)
  double coverage = 1 - 2 * cdf_below_l;
  if (coverage >= confidence) {
    while (l + 1 <= n + 1 - (l + 1)) {  // keep l + 1 <= u
      log_pmf += std::log(static_cast<double>(n - (l - 1))) - std::log(static_cast<double>(l));
      const double next_cdf = cdf_below_l + std::exp(log_pmf);  // F(l)
      const double next_coverage = 1 - 2 * next_cdf;
      if (next_coverage < confidence) break;
      ++l;
      cdf_below_l = next_cdf;
      coverage = next_coverage;
    }
    r.reached_confidence = true;
  }
  // When even [min, max] falls short (n <= 5 at 95%), l stays 1: the widest
  // interval there is, with its true, lower coverage.
  r.lower_rank = l;
  r.upper_rank = n + 1 - l;
  r.low = x[r.lower_rank - 1];
  r.high = x[r.upper_rank - 1];
  r.achieved_confidence = std::max(0.0, coverage);
  return r;
}

double stdev_given_mean(std::span<const double> samples, double mean) {
  if (samples.size() < 2) return kNaN;
  double ss = 0;
  for (double v : samples) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / static_cast<double>(samples.size() - 1));
}

}  // namespace

double sample_mean(std::span<const double> samples) {
  if (samples.empty()) return kNaN;
  return std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
}

double sample_stdev(std::span<const double> samples) {
  return stdev_given_mean(samples, sample_mean(samples));
}

double sample_min(std::span<const double> samples) {
  if (samples.empty()) return kNaN;
  return *std::min_element(samples.begin(), samples.end());
}

double sample_max(std::span<const double> samples) {
  if (samples.empty()) return kNaN;
  return *std::max_element(samples.begin(), samples.end());
}

double percentile(std::span<const double> samples, double q) {
  return percentile_sorted(sorted_copy(samples), q);
}

double sample_median(std::span<const double> samples) { return percentile(samples, 50); }

double interquartile_range(std::span<const double> samples) {
  const auto x = sorted_copy(samples);
  return percentile_sorted(x, 75) - percentile_sorted(x, 25);
}

MedianInterval median_interval(std::span<const double> samples, double confidence) {
  return interval_sorted(sorted_copy(samples), confidence);
}

double relative_half_width(const MedianInterval& interval, double median) {
  if (median == 0 || std::isnan(median)) return kNaN;
  return std::max(median - interval.low, interval.high - median) / std::abs(median);
}

Summary summarize(std::span<const double> samples, double confidence) {
  Summary s;
  s.n = samples.size();
  const auto x = sorted_copy(samples);
  s.median = percentile_sorted(x, 50);
  s.mean = sample_mean(samples);
  s.stdev = stdev_given_mean(samples, s.mean);
  s.min = x.empty() ? kNaN : x.front();
  s.max = x.empty() ? kNaN : x.back();
  s.p5 = percentile_sorted(x, 5);
  s.p95 = percentile_sorted(x, 95);
  s.iqr = percentile_sorted(x, 75) - percentile_sorted(x, 25);
  s.median_ci = interval_sorted(x, confidence);
  s.ci_relative_half_width = relative_half_width(s.median_ci, s.median);
  return s;
}

}  // namespace dnnroof
