#pragma once
// Charts other than rooflines, as data before any drawing: bar charts
// (grouped or stacked), scatter plots and heat maps, drawn with gnuplot
// (chart.cc) into PNG/PDF/SVG like the rooflines (gnuplot.h). A FigureBlock
// (document.h) holds either roofline panels or one Chart; report_writer.h
// draws both (PNG for Markdown, inline SVG for HTML).
//
// Rules every chart follows (DESIGN.md, "one figure per question"): axes
// labelled with units, a legend whenever there is more than one series,
// distinct colour and marker per series, bar categories (models) named on
// the axis, log axes only where the caller asks for them (the data spans
// decades), values printed on heat-map cells.

#include <cstddef>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "report/gnuplot.h"
#include "report/palette.h"

namespace dnnroof {

// pie: one pie per series, side by side (pies_per_row, then further rows),
// titled by the series name; the categories are the slices (one colour each,
// named in the legend), the values their sizes (>= 0; each pie shows shares
// of its own total; at least two slices above 0).
enum class ChartKind { bars, stacked_bars, scatter, heatmap, pie };

enum class AxisScale { linear, log };

// One series: for bars, `values` per category; for scatter plots, points
// (x, y) with an optional label each.
struct ChartSeries {
  std::string name;                 // legend entry
  std::vector<double> values;       // bars: one per category (NaN: missing)
  std::vector<double> x;            // scatter
  std::vector<double> y;            // scatter
  std::vector<std::string> labels;  // scatter: per point (hover, and text when label_points)
  bool lines = false;               // scatter: join the points with a line
};

// Shorthands (designated initialisers of ChartSeries trip
// -Wmissing-field-initializers).
ChartSeries bar_series(std::string name, std::vector<double> values);
ChartSeries point_series(std::string name, std::vector<double> x, std::vector<double> y,
                         std::vector<std::string> labels = {});

// A horizontal reference line across the plot, e.g. "expected ratio 2".
struct ReferenceLine {
  double y = 0;
  std::string label;
};

struct Chart {
  ChartKind kind = ChartKind::bars;
  std::string title;
  std::string x_label;  // with units
  std::string y_label;  // with units
  AxisScale x_scale = AxisScale::linear;
  AxisScale y_scale = AxisScale::linear;
  std::vector<ChartSeries> series;
  std::vector<std::string> categories;      // bars: x categories; heat map: columns
  std::vector<std::string> row_categories;  // heat map: rows
  std::vector<std::vector<double>> cells;   // heat map: [row][column]
  double cell_min = -1;                     // heat map colour range
  double cell_max = 1;
  int value_decimals = 2;     // printed values (bar labels, heat map cells)
  bool label_values = false;  // bars: print each bar's value above it
  bool label_points = false;  // scatter: print each point's label beside it
  bool diagonal = false;      // scatter: draw y = x
  // Explicit axis ranges (both ends finite to apply; bars: y only; e.g.
  // 0..100 for 100% stacked bars); NaN lets
  // gnuplot choose (from 0 on linear axes, whole decades on log ones). A
  // predicted-vs-measured plot gives both axes the same range.
  double x_min = std::numeric_limits<double>::quiet_NaN();
  double x_max = std::numeric_limits<double>::quiet_NaN();
  double y_min = std::numeric_limits<double>::quiet_NaN();
  double y_max = std::numeric_limits<double>::quiet_NaN();
  // Scatter: tick positions on the x axis (e.g. the batch sizes measured);
  // empty: automatic. A log axis with an explicit range of at most three
  // decades gets ticks at 1, 2 and 5 x 10^k (gnuplot labels only decades).
  std::vector<double> x_tics;
  // With x_tics: the label of each (e.g. "4 KiB"); empty: the values.
  std::vector<std::string> x_tic_labels;
  std::vector<ReferenceLine> reference_lines;
  // What the legend entries are named after (series; pie slices: the
  // categories): models or op types take their colour and marker from the
  // report's palette (palette.h), the same in every figure.
  StyleKey legend_key = StyleKey::none;
  std::size_t pies_per_row = 4;  // pie: more pies wrap onto further rows
  int width_px = 1000;
  int height_px = 600;
};

// Throws Error naming the chart when it cannot be drawn: no series or cells,
// sizes that disagree, a value <= 0 on a log axis, or a pie with fewer than
// two slices (one slice says nothing a table row would not).
void validate_chart(const Chart& chart);

// The names `chart`'s legend entries are keyed by (its series, or a pie's
// categories), empty for StyleKey::none; "other" left out.
std::vector<std::string> keyed_names(const Chart& chart);

// The palette of a chart drawn alone: its own keyed names, sorted.
Palette chart_palette(const Chart& chart);

// The complete gnuplot script drawing `chart` into `output`, colours and
// markers of keyed legend entries from `palette` (null: chart_palette).
// The legend is always outside the plot area (right of it; below it for
// pies), so it never covers data, labels or the axis titles.
std::string chart_script(const Chart& chart, ImageFormat format,
                         const std::filesystem::path& output, const Palette* palette = nullptr);

// Draws `chart` into `output` (format from the extension) and checks the
// file was written.
void render_chart(const Chart& chart, const std::filesystem::path& output,
                  const Palette* palette = nullptr);

// An SVG of `chart` ready to inline into HTML (see roofline_svg_for_html).
std::string chart_svg_for_html(const Chart& chart, const std::string& id_prefix,
                               const Palette* palette = nullptr);

}  // namespace dnnroof
