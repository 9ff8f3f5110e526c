#include "report/roofline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.h"
#include "core/units.h"

namespace dnnroof {
namespace {

// The flat roof should not sit on the frame, and its ridge label needs room
// above it: at least this factor of headroom above the highest peak before
// rounding up to a decade.
constexpr double kHeadroom = 2.0;

double decade_below(double v) { return std::pow(10.0, std::floor(std::log10(v))); }
double decade_above(double v) { return std::pow(10.0, std::ceil(std::log10(v))); }

}  // namespace

bool RooflineFigure::has_point_above_roof() const {
  return std::any_of(points.begin(), points.end(),
                     [](const PlacedPoint& p) { return p.above_roof; });
}

RooflineFigure build_roofline_figure(std::string title, std::vector<Ceiling> ceilings,
                                     std::vector<PointInput> points) {
  if (ceilings.empty()) fail("roofline '{}': no ceiling to draw", title);
  RooflineFigure fig;
  fig.title = std::move(title);

  // x range: around every ridge and every point's intensity.
  double x_lo = std::numeric_limits<double>::infinity();
  double x_hi = 0;
  for (const Ceiling& c : ceilings) {
    if (!(c.roof.peak_flops > 0) || !std::isfinite(c.roof.peak_flops)) {
      fail("roofline '{}': ceiling '{}' has no positive peak", fig.title, c.label);
    }
    if (!(c.roof.bandwidth > 0) || !std::isfinite(c.roof.bandwidth)) {
      fail("roofline '{}': ceiling '{}' has no positive bandwidth", fig.title, c.label);
    }
    const double ridge = c.roof.ridge();
    x_lo = std::min(x_lo, ridge);
    x_hi = std::max(x_hi, ridge);
  }
  for (const PointInput& p : points) {
    if (!(p.intensity > 0) || !std::isfinite(p.intensity)) {
      fail("roofline '{}': point '{}' has intensity {} (must be > 0)", fig.title, p.label,
           p.intensity);
    }
    if (p.ceiling >= ceilings.size()) {
      fail("roofline '{}': point '{}' refers to ceiling {} of {}", fig.title, p.label, p.ceiling,
           ceilings.size());
    }
    if (p.kind == PointKind::measured && (!(p.flops > 0) || !std::isfinite(p.flops))) {
      fail("roofline '{}': measured point '{}' has {} FLOP/s (must be > 0 on log axes)", fig.title,
           p.label, p.flops);
    }
    x_lo = std::min(x_lo, p.intensity);
    x_hi = std::max(x_hi, p.intensity);
  }
  fig.x.min = decade_below(x_lo) / 10.0;
  fig.x.max = decade_above(x_hi) * 10.0;

  // Ceilings: colours by chip in order of first appearance; a chip's second
  // and later ceilings (other levels, measured) get the next dash patterns.
  std::map<std::string, int> colour_of_chip;
  std::map<std::string, int> ceilings_of_chip;
  double y_lo = std::numeric_limits<double>::infinity();
  double y_hi = 0;
  for (Ceiling& c : ceilings) {
    CeilingLine line;
    const RoofCeiling& roof = c.roof;
    line.ridge_intensity = roof.ridge();
    line.polyline = {{fig.x.min, roof.bandwidth * fig.x.min},
                     {line.ridge_intensity, roof.peak_flops},
                     {fig.x.max, roof.peak_flops}};
    auto [it, inserted] =
        colour_of_chip.emplace(c.colour(), static_cast<int>(colour_of_chip.size()));
    line.colour = it->second;
    // Chips whose colours repeat (after the palette's 10) differ in dash;
    // a chip's own extra ceilings step the dash further.
    line.dash = line.colour + line.colour / 10 + ceilings_of_chip[c.colour()]++;
    y_lo = std::min(y_lo, line.polyline.front().y);
    y_hi = std::max(y_hi, roof.peak_flops);
    line.ceiling = std::move(c);
    fig.ceilings.push_back(std::move(line));
  }

  std::map<std::string, int> marker_of_group;
  for (PointInput& p : points) {
    PlacedPoint placed;
    const Ceiling& c = fig.ceilings[p.ceiling].ceiling;
    placed.attainable_flops = c.roof.roof(p.intensity);
    placed.flops = p.kind == PointKind::attainable ? placed.attainable_flops : p.flops;
    placed.above_roof = placed.flops > placed.attainable_flops * (1 + kAboveRoofTolerance);
    auto [it, inserted] =
        marker_of_group.emplace(p.group, static_cast<int>(marker_of_group.size()));
    placed.marker = it->second;
    if (placed.above_roof) {
      fig.warnings.push_back(
          fmt::format("'{}' at {:.3g} FLOP/B reaches {}, {:.2f}x the roof of '{}' there ({}): a "
                      "measured point cannot beat its roof, so either the measurement is wrong or "
                      "the ceiling is (cache reuse makes the DRAM roof too low: compare with the "
                      "last-level-cache roof or with the compulsory-traffic intensity)",
                      p.label, p.intensity, format_si(placed.flops, "FLOP/s"),
                      placed.flops / placed.attainable_flops, c.label,
                      format_si(placed.attainable_flops, "FLOP/s")));
    }
    if (placed.flops > 0) {
      y_lo = std::min(y_lo, placed.flops);
      y_hi = std::max(y_hi, placed.flops);
    }
    placed.input = std::move(p);
    fig.points.push_back(std::move(placed));
  }
  fig.y.min = decade_below(y_lo);
  fig.y.max = decade_above(y_hi * kHeadroom);
  return fig;
}

void share_axes(std::vector<RooflineFigure>& panels) {
  if (panels.size() < 2) return;
  AxisRange x = panels.front().x;
  AxisRange y = panels.front().y;
  for (const RooflineFigure& p : panels) {
    x.min = std::min(x.min, p.x.min);
    x.max = std::max(x.max, p.x.max);
    y.min = std::min(y.min, p.y.min);
    y.max = std::max(y.max, p.y.max);
  }
  for (RooflineFigure& p : panels) {
    p.x = x;
    p.y = y;
    for (CeilingLine& c : p.ceilings) {
      c.polyline.front() = {x.min, c.ceiling.roof.bandwidth * x.min};
      c.polyline.back() = {x.max, c.ceiling.roof.peak_flops};
    }
  }
}

}  // namespace dnnroof
