#pragma once
// When a measured interval may be printed as "±": the one rule every table
// (report, bench, results summary) and every status line follows.
//
// The distribution-free interval of the median (statistics.h) reaches 95%
// coverage from n = 6, but with 6 to 9 samples it is [x_(1), x_(n)] or
// [x_(2), x_(n-1)]: the whole sample, or nearly, and one outlier decides it.
// So an interval is printed only from 10 samples on, and only when its
// coverage is at least 95%; below that a result says how many samples it has
// and that it has no 95% interval ("n=4, no 95% CI"), never "±0.3%" from a
// 50% interval of two samples.

#include <cmath>
#include <cstddef>

namespace dnnroof {

inline constexpr std::size_t kMinSamplesForInterval = 10;
inline constexpr double kReportedConfidence = 0.95;

// True when an interval of `n` samples with coverage `achieved_confidence`
// and relative half-width `rel_half_width` may be printed as ±: n >= 10,
// coverage >= 95% (a hair of rounding allowed), half-width finite and >= 0.
inline bool interval_reportable(std::size_t n, double achieved_confidence, double rel_half_width) {
  return n >= kMinSamplesForInterval && achieved_confidence >= kReportedConfidence - 1e-9 &&
         std::isfinite(rel_half_width) && rel_half_width >= 0;
}

}  // namespace dnnroof
