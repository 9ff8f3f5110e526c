#include "store/timing_text.h"

#include <fmt/format.h>

#include <cmath>

#include "core/units.h"
#include "measure/interval_rule.h"

namespace dnnroof {

bool has_reportable_interval(const TimingStats& t) {
  // ci_confidence is optional in the results file (NaN when absent): the
  // interval is then the one dnnroof computes, at 95% (results-schema.md).
  const double confidence = std::isnan(t.ci_confidence) ? kReportedConfidence : t.ci_confidence;
  return interval_reportable(t.n, confidence, t.ci_rel_half_width);
}

std::string interval_text(const TimingStats& t) {
  if (has_reportable_interval(t)) return fmt::format("±{:.1f}%", 100 * t.ci_rel_half_width);
  return fmt::format("n={}, no 95% CI", t.n);
}

std::string time_with_interval_text(const TimingStats& t) {
  if (!std::isfinite(t.median_s)) return "-";
  const std::string time = format_si(t.median_s, "s");
  if (has_reportable_interval(t)) return fmt::format("{} {}", time, interval_text(t));
  return fmt::format("{} ({})", time, interval_text(t));
}

Cell interval_cell(const TimingStats& t) {
  if (has_reportable_interval(t)) return Cell(t.ci_rel_half_width, interval_text(t));
  return Cell("no 95% CI");
}

Cell time_with_interval_cell(const TimingStats& t) {
  if (!std::isfinite(t.median_s)) return Cell("-");
  return Cell(t.median_s, time_with_interval_text(t));
}

Cell samples_cell(const TimingStats& t) {
  return Cell(static_cast<double>(t.n), std::to_string(t.n));
}

}  // namespace dnnroof
