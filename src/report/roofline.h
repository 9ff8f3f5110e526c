#pragma once
// The roofline figure as data, before any drawing: each ceiling becomes one
// continuous polyline (slanted memory roof up to the ridge point, then the
// flat compute roof), the axis ranges are chosen from the data, and every
// point is placed against its ceiling and flagged when it lies above it.
// Pure and testable without gnuplot; gnuplot.h draws it.

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/ceilings.h"
#include "report/palette.h"

namespace dnnroof {

// One roof as a figure draws it: a roof of analysis (its chip, memory level,
// source, compute peak and bandwidth: RoofCeiling, analysis/ceilings.h) with
// the texts the figure gives it. Several ceilings may share a chip (one per
// memory level, or datasheet and measured); ceilings of one chip share a
// colour.
struct Ceiling {
  RoofCeiling roof;         // peak_flops and bandwidth > 0; measured roofs get "[measured]"
  std::string label;        // legend text, e.g. "NVIDIA A100 SXM4 80GB (fp32, HBM2e)"
  std::string short_label;  // ridge label prefix, e.g. "a100-sxm4-80gb"
  // Ceilings with one key share a colour; empty: the roof's chip_id. (Its
  // initialiser lets Ceiling{roof, label, short_label} leave it out.)
  std::string colour_key = {};

  const std::string& colour() const { return colour_key.empty() ? roof.chip_id : colour_key; }
};

struct XY {
  double x = 0;  // operational intensity [FLOP/B]
  double y = 0;  // performance [FLOP/s]
};

// A ceiling as drawn: one polyline of exactly three vertices,
// (x_min, bandwidth * x_min), (ridge, peak), (x_max, peak).
struct CeilingLine {
  Ceiling ceiling;
  double ridge_intensity = 0;  // [FLOP/B] peak / bandwidth
  std::vector<XY> polyline;
  int colour = 0;  // index of the chip in the figure (first seen first)
  int dash = 0;    // index of the dash pattern; differs between chips sharing a colour
};

enum class PointKind {
  attainable,  // a static model point, placed on the roof at its attainable value
  measured,    // a measured (intensity, achieved FLOP/s)
};

// A point to place: (operational intensity, FLOP/s) against one ceiling.
struct PointInput {
  std::string label;  // e.g. "resnet18 b64"
  std::string group;  // marker group (one marker shape per group), e.g. the model
  PointKind kind = PointKind::measured;
  double intensity = 0;     // [FLOP/B], > 0
  double flops = 0;         // [FLOP/s]; ignored for PointKind::attainable
  std::size_t ceiling = 0;  // index into the figure's ceilings
};

struct PlacedPoint {
  PointInput input;
  double flops = 0;             // [FLOP/s] as drawn (attainable points: on the roof)
  double attainable_flops = 0;  // [FLOP/s] the ceiling's roof at this intensity
  bool above_roof = false;      // flops exceeds the roof (beyond rounding)
  int marker = 0;               // index of the group (first seen first)
};

// A logarithmic axis range in whole decades: min = 10^a, max = 10^b, a < b.
struct AxisRange {
  double min = 0;
  double max = 0;
};

struct RooflineFigure {
  std::string title;
  AxisRange x;  // operational intensity [FLOP/B]
  AxisRange y;  // performance [FLOP/s]
  std::vector<CeilingLine> ceilings;
  std::vector<PlacedPoint> points;
  // One line per point above its roof, saying which, by how much and why it
  // may be (the figure also shows it with a distinct marker and legend entry).
  std::vector<std::string> warnings;
  // What the point groups are named after: models or op types take their
  // colour and marker from the report's palette (palette.h).
  StyleKey group_key = StyleKey::none;

  bool has_point_above_roof() const;
};

// Builds the figure. Axis ranges: x spans one decade below the lowest ridge
// or point intensity to one decade above the highest; y spans from the
// lowest value drawn (the slanted roofs' start at x_min, the points) to the
// highest peak or point with at least 2x headroom, both rounded out to whole
// decades. Throws Error when there is no ceiling, a ceiling has a peak or
// bandwidth <= 0 (naming it), a point's intensity is <= 0, a measured
// point's FLOP/s is <= 0 (nothing to draw on log axes), or a point's ceiling
// index is out of range.
RooflineFigure build_roofline_figure(std::string title, std::vector<Ceiling> ceilings,
                                     std::vector<PointInput> points = {});

// Small multiples: gives every panel the union of their axis ranges (the
// widest x and y), extending each ceiling's polyline to the new x range, so
// panels compare by eye. roofline_script applies it to every multi-panel
// figure.
void share_axes(std::vector<RooflineFigure>& panels);

}  // namespace dnnroof
