#pragma once
// Helpers shared by the figure files (figures_measured.cc,
// figures_breakdown.cc): axis scales and ranges, ids, units. Internal to
// src/report; not part of the public API.

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/analysis.h"
#include "report/chart.h"
#include "report/document.h"

namespace dnnroof::figures_detail {

bool positive(double v);  // > 0 and finite

// A figure id part: lower-case letters, digits and dashes ("x" when empty).
std::string slug(std::string_view s);

// Decades the positive finite values span (0 with fewer than two).
double decades(const std::vector<double>& values);

// Log when the values span more than kLogSpanDecades decades; the label then
// says so and by how much.
AxisScale scale_for(const std::vector<double>& values, std::string& label);

// "35.2 ms": a time in seconds with an SI prefix.
std::string ms(double seconds);

// A log axis's range: 1-2-5 steps around the values with 15% room.
std::pair<double, double> log_range(const std::vector<double>& values);

// A linear axis's range: 0 to a round number 8% or more above the largest.
std::pair<double, double> linear_range(const std::vector<double>& values);

// Fixes both axes of a scatter plot: log_range or linear_range by scale
// (gnuplot's own autoscaling adds whole empty decades, or runs below 0).
void fit_axes(Chart& c, const std::vector<double>& xs, const std::vector<double>& ys);

// The same range on both axes (predicted vs measured), so y = x is the
// diagonal.
void equal_ranges(Chart& c, const std::vector<double>& values);

// A FigureBlock holding `chart` (validated: Error when it cannot be drawn).
FigureBlock chart_block(std::string id, std::string caption, Chart chart);

}  // namespace dnnroof::figures_detail
