#pragma once
// Statistics of timing samples, as free functions over a list of durations
// [s]. The aggregates are plain values (Summary) so every printer and the
// results file can carry them without special cases.
//
// Conventions, fixed here and pinned by tests/measure:
// - Percentiles use the "linear" rule (numpy.percentile's default, Hyndman &
//   Fan type 7): on the sorted samples x[0..n-1], q in [0, 100] maps to the
//   position h = (n - 1) * q / 100 and the value
//   x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
// - The median is the 50th percentile by that rule (the middle value, or the
//   mean of the two middle values).
// - The standard deviation is the sample one (divides by n - 1).
// - Every function returns NaN for empty input (and stdev for n < 2); none
//   throws.

#include <cstddef>
#include <span>

namespace dnnroof {

double sample_mean(std::span<const double> samples);
// Sample standard deviation (n - 1 in the denominator); NaN when n < 2.
double sample_stdev(std::span<const double> samples);
double sample_min(std::span<const double> samples);
double sample_max(std::span<const double> samples);
// The q-th percentile, q in [0, 100] (clamped), by the linear rule above.
double percentile(std::span<const double> samples, double q);
double sample_median(std::span<const double> samples);
// Interquartile range: percentile 75 minus percentile 25 (linear rule).
double interquartile_range(std::span<const double> samples);

// A distribution-free confidence interval of the median from order statistics.
//
// On the sorted samples x_(1) <= ... <= x_(n), the interval [x_(l), x_(u)]
// with u = n + 1 - l covers the true median with probability
//   1 - 2 * P(B <= l - 1),  B ~ Binomial(n, 1/2)
// whatever the distribution (continuous). `lower_rank` l is the largest rank
// whose coverage is still >= `confidence`, so the interval is the narrowest
// symmetric one with at least that coverage; `achieved_confidence` is its
// exact coverage. For n = 10 at 95%: l = 2, u = 9, coverage 1 - 22/1024.
//
// Small n: with n <= 5 no pair of order statistics reaches 95% (even
// [min, max] covers only 1 - 2^(1-n), 93.75% at n = 5). Then the interval is
// [min, max], `achieved_confidence` says what it really covers and
// `reached_confidence` is false. n = 0 gives NaN bounds and ranks 0.
struct MedianInterval {
  double low = 0;              // [s] x_(l)
  double high = 0;             // [s] x_(u)
  std::size_t lower_rank = 0;  // l, 1-based
  std::size_t upper_rank = 0;  // u = n + 1 - l, 1-based
  double achieved_confidence = 0;
  bool reached_confidence = false;
};
MedianInterval median_interval(std::span<const double> samples, double confidence = 0.95);

// The interval's relative half-width: the larger of (median - low) and
// (high - median), divided by the median, so that a skewed interval is not
// under-reported. NaN when the median is 0 or NaN.
double relative_half_width(const MedianInterval& interval, double median);

// Everything a result reports about one timing, in seconds.
struct Summary {
  std::size_t n = 0;
  double median = 0;                  // [s]
  double mean = 0;                    // [s]
  double stdev = 0;                   // [s] sample stdev
  double min = 0;                     // [s]
  double max = 0;                     // [s]
  double p5 = 0;                      // [s] linear rule
  double p95 = 0;                     // [s]
  double iqr = 0;                     // [s] p75 - p25
  MedianInterval median_ci;           // 95% unless summarize was told otherwise
  double ci_relative_half_width = 0;  // of median_ci, see relative_half_width
};

// All of the above in one pass over a sorted copy. Empty input: n = 0 and NaN
// everywhere else.
Summary summarize(std::span<const double> samples, double confidence = 0.95);

}  // namespace dnnroof
