#include "report/figures_common.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "core/units.h"
#include "report/figures_measured.h"

namespace dnnroof::figures_detail {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

bool positive(double v) { return v > 0 && std::isfinite(v); }

// A figure id part: lower-case letters, digits and dashes.
std::string slug(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "x" : out;
}

namespace {
// The smallest and largest of the positive finite values: {inf, 0} when
// there are none.
std::pair<double, double> positive_extent(const std::vector<double>& values) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  for (double v : values) {
    if (!positive(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}
}  // namespace

// Decades the positive finite values span (0 with fewer than two).
double decades(const std::vector<double>& values) {
  const auto [lo, hi] = positive_extent(values);
  return hi > 0 && std::isfinite(lo) ? std::log10(hi / lo) : 0;
}

// Log when the data span more than kLogSpanDecades decades; the label then
// says why.
AxisScale scale_for(const std::vector<double>& values, std::string& label) {
  const double d = decades(values);
  if (d <= kLogSpanDecades) return AxisScale::linear;
  label += fmt::format(" (log scale: the values span {:.1f} decades)", d);
  return AxisScale::log;
}

std::string ms(double s) { return format_si(s, "s"); }

// A log axis's range: 1-2-5 steps around the values with a little room, so
// points do not sit on the frame and no empty decade is added.
std::pair<double, double> log_range(const std::vector<double>& values) {
  const auto [lo, hi] = positive_extent(values);
  if (!(hi > 0)) return {kNaN, kNaN};
  // Round out to 1, 2 or 5 x 10^k, leaving at least 15% room.
  auto nice_below = [](double v) {
    const double d = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {5.0, 2.0, 1.0}) {
      if (m * d <= v) return m * d;
    }
    return d;
  };
  auto nice_above = [](double v) {
    const double d = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
      if (m * d >= v) return m * d;
    }
    return 10 * d;
  };
  return {nice_below(lo / 1.15), nice_above(hi * 1.15)};
}

// Fixes the range of each log axis of a scatter plot (gnuplot's own
// autoscaling adds a decade on either side).
std::pair<double, double> linear_range(const std::vector<double>& values) {
  double hi = 0;
  for (double v : values) {
    if (std::isfinite(v)) hi = std::max(hi, v);
  }
  if (!(hi > 0)) return {kNaN, kNaN};
  // Up to the next multiple of half the leading decade, past 8% room.
  const double step = std::pow(10.0, std::floor(std::log10(hi * 1.08))) / 2;
  return {0.0, std::ceil(hi * 1.08 / step) * step};
}

void fit_axes(Chart& c, const std::vector<double>& xs, const std::vector<double>& ys) {
  std::tie(c.x_min, c.x_max) = c.x_scale == AxisScale::log ? log_range(xs) : linear_range(xs);
  std::tie(c.y_min, c.y_max) = c.y_scale == AxisScale::log ? log_range(ys) : linear_range(ys);
}

// The same range on both axes of a predicted-vs-measured plot, so y = x is
// the diagonal: whole decades around the values (log), or 0 to 10% above the
// largest (linear).
void equal_ranges(Chart& c, const std::vector<double>& values) {
  const auto [lo, hi] = positive_extent(values);
  if (!(hi > 0)) return;
  if (c.x_scale == AxisScale::log) {
    c.x_min = c.y_min = std::pow(10.0, std::floor(std::log10(lo)));
    c.x_max = c.y_max = std::pow(10.0, std::ceil(std::log10(hi)));
    if (c.x_max <= c.x_min) c.x_max = c.y_max = c.x_min * 10;
  } else {
    c.x_min = c.y_min = 0;
    c.x_max = c.y_max = 1.1 * hi;
  }
}

FigureBlock chart_block(std::string id, std::string caption, Chart chart) {
  validate_chart(chart);
  FigureBlock f;
  f.id = std::move(id);
  f.caption = std::move(caption);
  f.title = chart.title;
  f.chart = std::move(chart);
  return f;
}

}  // namespace dnnroof::figures_detail
