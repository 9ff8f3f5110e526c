#include "report/chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include "core/error.h"
#include "core/strings.h"

namespace dnnroof {
namespace {

// The style of each legend entry (series; a pie's categories): from the
// palette by name when the chart is keyed, else by position.
using Styles = std::vector<SeriesStyle>;

Styles legend_styles(const Chart& c, const Palette& palette) {
  const bool pie = c.kind == ChartKind::pie;
  const std::size_t n = pie ? c.categories.size() : c.series.size();
  Styles out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& name = pie ? c.categories[i] : c.series[i].name;
    out.push_back(c.legend_key == StyleKey::none ? Palette::indexed(i)
                                                 : palette.style(c.legend_key, name));
  }
  return out;
}

// A datablock string field: double quotes, none inside.
std::string field(std::string s) {
  std::string out(1, '"');
  for (char c : s) out += (c == '"' || c == '\\' || c == '\n') ? ' ' : c;
  out += '"';
  return out;
}

// A title that fits: gnuplot centres it over the plot area and clips it at
// the canvas, so a long one is broken at spaces into lines of at most
// ~55% of the canvas width (the legend takes the right of it), in a
// double-quoted string (where "\n" is a line break).
std::string wrapped_title(const std::string& title, int width_px) {
  const auto max_chars = static_cast<std::size_t>(std::max(30.0, 0.55 * width_px / 8.0));
  std::string out = "\"";
  std::size_t line = 0;
  for (const std::string& word : split(title, ' ')) {
    if (line > 0 && line + 1 + word.size() > max_chars) {
      out += "\\n";
      line = 0;
    } else if (line > 0) {
      out += ' ';
      ++line;
    }
    for (char ch : word) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    line += word.size();
  }
  return out + "\"";
}

std::string kind_name(ChartKind k) {
  switch (k) {
    case ChartKind::bars:
      return "bar chart";
    case ChartKind::stacked_bars:
      return "stacked bar chart";
    case ChartKind::scatter:
      return "scatter plot";
    case ChartKind::heatmap:
      return "heat map";
    case ChartKind::pie:
      return "pie chart";
  }
  return "chart";
}

// Rotated category labels need room under the plot: about 0.4 character
// rows per character of the longest label (at 35 degrees), at least 3.
double bottom_margin_for(const std::vector<std::string>& categories) {
  std::size_t longest = 0;
  for (const std::string& c : categories) longest = std::max(longest, c.size());
  return std::max(3.0, 1.5 + 0.4 * static_cast<double>(longest));
}

void append_reference_lines(std::string& s, const Chart& c) {
  int tag = 100;
  for (const ReferenceLine& r : c.reference_lines) {
    s += fmt::format(
        "set arrow {} from graph 0, first {} to graph 1, first {} nohead dt (10,6) lw 1.5 lc "
        "rgb '#444444' back\n",
        tag, gnuplot_number(r.y), gnuplot_number(r.y));
    if (!r.label.empty()) {
      s += fmt::format(
          "set label {} {} at graph 0.005, first {} left offset 0,0.7 font ',10' tc rgb "
          "'#444444' front\n",
          tag, gnuplot_quote(r.label), gnuplot_number(r.y));
    }
    ++tag;
  }
}

// A linear value axis's top: a round number at least 12% above `tallest`
// (steps of a fifth of its decade).
double value_axis_top(double tallest) {
  const double step = std::pow(10.0, std::floor(std::log10(tallest * 1.12))) / 5;
  return std::ceil(tallest * 1.12 / step) * step;
}

void bars_script(std::string& s, const Chart& c, const Styles& st) {
  const bool stacked = c.kind == ChartKind::stacked_bars;
  const std::size_t n = c.series.size();
  s += "set datafile missing '?'\n";
  s += "set style data histograms\n";
  s += stacked ? "set style histogram rowstacked\n" : "set style histogram clustered gap 1\n";
  s += "set style fill solid 0.85 border rgb '#333333'\n";
  s += fmt::format("set boxwidth {}\n", stacked ? "0.7" : "0.9");
  s += "set xtics rotate by 35 right nomirror scale 0\n";
  s += fmt::format("set bmargin {:.1f}\n", bottom_margin_for(c.categories) + 1.0);
  s += "set grid ytics lt 1 lc rgb '#dddddd'\n";
  s += fmt::format("set xrange [-0.6:{}]\n",
                   gnuplot_number(static_cast<double>(c.categories.size()) - 0.4));
  if (c.y_scale == AxisScale::log) {
    s += "set logscale y 10\nset format y '%g'\n";
  } else {
    s += "set yrange [0:*]\n";
  }
  // Printed values need room above the tallest bar, or the top one is cut
  // by the frame: at least 12% above it on a linear axis.
  double tallest = 0;
  for (const ChartSeries& se : c.series) {
    for (double v : se.values) {
      if (std::isfinite(v)) tallest = std::max(tallest, v);
    }
  }
  const bool labelled = c.label_values && !stacked && c.y_scale == AxisScale::linear && tallest > 0;
  if (std::isfinite(c.y_min) && std::isfinite(c.y_max)) {
    const double top = labelled ? std::max(c.y_max, 1.12 * tallest) : c.y_max;
    s += fmt::format("set yrange [{}:{}]\n", gnuplot_number(c.y_min), gnuplot_number(top));
  } else if (labelled) {
    s += fmt::format("set yrange [0:{}]\n", gnuplot_number(value_axis_top(tallest)));
  } else if (c.label_values && c.y_scale == AxisScale::log && tallest > 0) {
    // A decade boundary just above the tallest bar leaves no room: half a
    // decade more.
    s += fmt::format("set yrange [*:{}]\n", gnuplot_number(tallest * 3.2));
  }
  s += "$bars << EOD\n";
  for (std::size_t i = 0; i < c.categories.size(); ++i) {
    s += field(c.categories[i]);
    for (const ChartSeries& se : c.series) {
      s += ' ';
      s += gnuplot_number(se.values[i]);
    }
    s += "\n";
  }
  s += "EOD\n";
  std::vector<std::string> elements;
  for (std::size_t j = 0; j < n; ++j) {
    elements.push_back(fmt::format("$bars using {}{} title {} lc rgb '{}'", j + 2,
                                   j == 0 ? ":xtic(1)" : "", gnuplot_quote(c.series[j].name),
                                   st[j].colour));
  }
  if (c.label_values && !stacked) {
    // Clustered bars of series j sit at i + (j - (n - 1) / 2) / (n + gap).
    for (std::size_t j = 0; j < n; ++j) {
      const double offset = (static_cast<double>(j) - (static_cast<double>(n) - 1) / 2) /
                            (static_cast<double>(n) + 1);
      elements.push_back(fmt::format(
          "$bars using ($0{:+.4f}):{}:(sprintf('%.{}f', ${})) with labels offset 0,0.6 font ',9' "
          "notitle",
          offset, j + 2, c.value_decimals, j + 2));
    }
  }
  s += "plot " + join(elements, ", \\\n     ") + "\n";
}

void scatter_script(std::string& s, const Chart& c, const Styles& st) {
  s += "set grid xtics ytics mxtics mytics lt 1 lc rgb '#dddddd' lw 0.8, lt 1 lc rgb '#f0f0f0' "
       "lw 0.5\n";
  if (c.x_scale == AxisScale::log) s += "set logscale x 10\nset format x '%g'\n";
  if (c.y_scale == AxisScale::log) s += "set logscale y 10\nset format y '%g'\n";
  s += "set offsets graph 0.04, graph 0.04, graph 0.06, graph 0.06\n";
  if (c.x_scale == AxisScale::linear) s += "set xrange [0:*]\n";
  if (c.y_scale == AxisScale::linear) s += "set yrange [0:*]\n";
  if (std::isfinite(c.x_min) && std::isfinite(c.x_max)) {
    s += fmt::format("set xrange [{}:{}]\n", gnuplot_number(c.x_min), gnuplot_number(c.x_max));
  }
  if (std::isfinite(c.y_min) && std::isfinite(c.y_max)) {
    s += fmt::format("set yrange [{}:{}]\n", gnuplot_number(c.y_min), gnuplot_number(c.y_max));
  }
  // 1-2-5 ticks on a short log axis with a fixed range.
  auto log_tics = [&](const char* axis, double lo, double hi) {
    if (!(lo > 0) || !(hi > lo) || std::log10(hi / lo) > 3.0001) return;
    std::vector<std::string> t;
    for (int e = static_cast<int>(std::floor(std::log10(lo))); std::pow(10.0, e) <= hi; ++e) {
      for (double m : {1.0, 2.0, 5.0}) {
        const double v = m * std::pow(10.0, e);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))
          t.push_back(fmt::format("'{:g}' {}", v, gnuplot_number(v)));
      }
    }
    s += fmt::format("set {}tics ({})\n", axis, join(t, ", "));
  };
  if (!c.x_tics.empty()) {
    std::vector<std::string> t;
    for (std::size_t i = 0; i < c.x_tics.size(); ++i) {
      const double v = c.x_tics[i];
      const std::string label =
          i < c.x_tic_labels.size() ? gnuplot_quote(c.x_tic_labels[i]) : fmt::format("'{:g}'", v);
      t.push_back(fmt::format("{} {}", label, gnuplot_number(v)));
    }
    s += fmt::format("set xtics ({})\n", join(t, ", "));
  } else if (c.x_scale == AxisScale::log && std::isfinite(c.x_min) && std::isfinite(c.x_max)) {
    log_tics("x", c.x_min, c.x_max);
  }
  if (c.y_scale == AxisScale::log && std::isfinite(c.y_min) && std::isfinite(c.y_max)) {
    log_tics("y", c.y_min, c.y_max);
  }
  std::vector<std::string> elements;
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  for (std::size_t j = 0; j < c.series.size(); ++j) {
    const ChartSeries& se = c.series[j];
    s += fmt::format("$s{} << EOD\n", j);
    for (std::size_t i = 0; i < se.x.size(); ++i) {
      const std::string label = i < se.labels.size() ? se.labels[i] : se.name;
      s +=
          fmt::format("{} {} {}\n", gnuplot_number(se.x[i]), gnuplot_number(se.y[i]), field(label));
      if (std::isfinite(se.x[i]) && std::isfinite(se.y[i])) {
        lo = std::min({lo, se.x[i], se.y[i]});
        hi = std::max({hi, se.x[i], se.y[i]});
      }
    }
    s += "EOD\n";
    const std::string& colour = st[j].colour;
    if (se.lines) {
      elements.push_back(
          fmt::format("$s{} using 1:2 with lines lw 1.5 lc rgb '{}' notitle", j, colour));
    }
    elements.push_back(fmt::format(
        "$s{} using 1:2:3 with labels hypertext point pt {} ps 1.5 lw 1.5 lc rgb '{}' title {}", j,
        st[j].marker, colour, gnuplot_quote(se.name)));
    if (c.label_points) {
      elements.push_back(fmt::format(
          "$s{} using 1:2:3 with labels left offset char 0.7,0.5 font ',9' tc rgb '{}' notitle", j,
          colour));
    }
  }
  if (c.diagonal && hi > 0 && std::isfinite(lo)) {
    // Corner to corner when the axes are fixed (equal ranges), else around
    // the points.
    const bool fixed = std::isfinite(c.x_min) && std::isfinite(c.x_max);
    const double a = fixed ? c.x_min : (c.x_scale == AxisScale::log ? lo / 2 : 0);
    const double b = fixed ? c.x_max : hi * 1.5;
    s += fmt::format("$diag << EOD\n{} {}\n{} {}\nEOD\n", gnuplot_number(a), gnuplot_number(a),
                     gnuplot_number(b), gnuplot_number(b));
    elements.push_back(
        "$diag using 1:2 with lines dt (10,6) lw 1.5 lc rgb '#444444' title 'y = x (perfect "
        "prediction)'");
  }
  s += "plot " + join(elements, ", \\\n     ") + "\n";
}

// Pie centres apart (radius 1), and the smallest share printed in a slice.
constexpr double kPieStep = 2.6;
constexpr double kMinLabelledPieShare = 0.04;

// Pies in rows of c.pies_per_row (centres 2.6 apart, radius 1), slices
// counter-clockwise from 12 o'clock in category order; shares of at least 4%
// printed inside, every slice named in the legend with its colour.
void pie_script(std::string& s, const Chart& c, const Styles& st) {
  const std::size_t n = c.series.size();
  const std::size_t per_row = std::max<std::size_t>(1, std::min(n, c.pies_per_row));
  const std::size_t rows = (n + per_row - 1) / per_row;
  s += "unset border\nunset xtics\nunset ytics\nunset xlabel\nunset ylabel\nunset grid\n";
  s += "set size ratio -1\n";
  s += fmt::format("set xrange [-1.15:{}]\nset yrange [{}:1.15]\n",
                   gnuplot_number(kPieStep * static_cast<double>(per_row - 1) + 1.15),
                   gnuplot_number(-kPieStep * static_cast<double>(rows - 1) - 1.45));
  s += "set style fill solid 0.9 border rgb '#ffffff'\n";
  std::string slices, labels, titles;
  for (std::size_t k = 0; k < n; ++k) {
    const ChartSeries& se = c.series[k];
    const double xc = kPieStep * static_cast<double>(k % per_row);
    // (+ 0.0: the first row at 0, not -0.)
    const double yc = -kPieStep * static_cast<double>(k / per_row) + 0.0;
    double total = 0;
    for (double v : se.values) total += v;
    double cum = 0;
    for (std::size_t i = 0; i < se.values.size(); ++i) {
      const double share = se.values[i] / total;
      if (!(share > 0)) continue;
      const double a0 = 90 + 360 * cum;
      const double a1 = 90 + 360 * (cum + share);
      const unsigned long rgb = std::stoul(st[i].colour.substr(1), nullptr, 16);
      slices += fmt::format("{} {} 1 {} {} {}\n", gnuplot_number(xc), gnuplot_number(yc),
                            gnuplot_number(a0), gnuplot_number(a1), rgb);
      if (share >= kMinLabelledPieShare) {
        const double mid = (a0 + a1) / 2 * 3.14159265358979323846 / 180;
        labels += fmt::format("{} {} \"{:.0f}%\"\n", gnuplot_number(xc + 0.68 * std::cos(mid)),
                              gnuplot_number(yc + 0.68 * std::sin(mid)), 100 * share);
      }
      cum += share;
    }
    titles +=
        fmt::format("{} {} {}\n", gnuplot_number(xc), gnuplot_number(yc - 1.28), field(se.name));
  }
  s += "$slices << EOD\n" + slices + "EOD\n";
  s += "$labels << EOD\n" + labels + "EOD\n";
  s += "$titles << EOD\n" + titles + "EOD\n";
  std::vector<std::string> elements{
      "$slices using 1:2:3:4:5:6 with circles lc rgb variable notitle",
      "$labels using 1:2:3 with labels font ',10' tc rgb '#111111' notitle",
      "$titles using 1:2:3 with labels font ',12' notitle"};
  for (std::size_t i = 0; i < c.categories.size(); ++i) {
    elements.push_back(fmt::format("keyentry with boxes fc rgb '{}' title {}", st[i].colour,
                                   gnuplot_quote(c.categories[i])));
  }
  s += "plot " + join(elements, ", \\\n     ") + "\n";
}

void heatmap_script(std::string& s, const Chart& c) {
  const std::size_t rows = c.row_categories.size();
  const std::size_t cols = c.categories.size();
  s += "set datafile missing '?'\n";
  s += "unset key\n";
  s += "set palette defined (0 '#2166ac', 0.5 '#f7f7f7', 1 '#b2182b')\n";
  s += fmt::format("set cbrange [{}:{}]\n", gnuplot_number(c.cell_min), gnuplot_number(c.cell_max));
  s += fmt::format("set xrange [-0.5:{}]\nset yrange [-0.5:{}]\n",
                   gnuplot_number(static_cast<double>(cols) - 0.5),
                   gnuplot_number(static_cast<double>(rows) - 0.5));
  std::vector<std::string> xt;
  for (std::size_t i = 0; i < cols; ++i)
    xt.push_back(fmt::format("{} {}", gnuplot_quote(c.categories[i]), i));
  std::vector<std::string> yt;
  for (std::size_t r = 0; r < rows; ++r) {
    yt.push_back(fmt::format("{} {}", gnuplot_quote(c.row_categories[r]), rows - 1 - r));
  }
  s += fmt::format("set xtics ({}) rotate by 30 right scale 0\n", join(xt, ", "));
  s += fmt::format("set ytics ({}) scale 0\n", join(yt, ", "));
  s += fmt::format("set bmargin {:.1f}\n", bottom_margin_for(c.categories) + 0.5);
  s += "set tics nomirror\nset border 0\n";
  s += "$cells << EOD\n";
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t i = 0; i < cols; ++i) {
      s += fmt::format("{} {} {}\n", i, rows - 1 - r, gnuplot_number(c.cells[r][i]));
    }
  }
  s += "EOD\n";
  const double span = c.cell_max - c.cell_min;
  const double mid = (c.cell_max + c.cell_min) / 2;
  // Text in white on the dark ends of the palette, black elsewhere.
  s += fmt::format(
      "plot $cells using 1:2:3 with image, \\\n"
      "     $cells using 1:2:(abs($3-({}))>{} ? '' : sprintf('%.{}f', $3)) with labels font ',12' "
      "tc rgb '#000000', \\\n"
      "     $cells using 1:2:(abs($3-({}))>{} ? sprintf('%.{}f', $3) : '') with labels font ',12' "
      "tc rgb '#ffffff'\n",
      gnuplot_number(mid), gnuplot_number(0.35 * span), c.value_decimals, gnuplot_number(mid),
      gnuplot_number(0.35 * span), c.value_decimals);
}

}  // namespace

ChartSeries bar_series(std::string name, std::vector<double> values) {
  ChartSeries s;
  s.name = std::move(name);
  s.values = std::move(values);
  return s;
}

ChartSeries point_series(std::string name, std::vector<double> x, std::vector<double> y,
                         std::vector<std::string> labels) {
  ChartSeries s;
  s.name = std::move(name);
  s.x = std::move(x);
  s.y = std::move(y);
  s.labels = std::move(labels);
  return s;
}

void validate_chart(const Chart& c) {
  const std::string what = fmt::format("{} '{}'", kind_name(c.kind), c.title);
  if (c.kind == ChartKind::heatmap) {
    if (c.cells.empty() || c.categories.empty()) fail("{}: no cells to draw", what);
    if (c.cells.size() != c.row_categories.size()) {
      fail("{}: {} rows of cells but {} row names", what, c.cells.size(), c.row_categories.size());
    }
    for (std::size_t r = 0; r < c.cells.size(); ++r) {
      if (c.cells[r].size() != c.categories.size()) {
        fail("{}: row {} ('{}') has {} cells, expected {}", what, r, c.row_categories[r],
             c.cells[r].size(), c.categories.size());
      }
    }
    if (!(c.cell_max > c.cell_min))
      fail("{}: colour range [{}, {}] is empty", what, c.cell_min, c.cell_max);
    return;
  }
  if (c.series.empty()) fail("{}: no series to draw", what);
  for (const ChartSeries& se : c.series) {
    if (c.kind == ChartKind::scatter) {
      if (se.x.size() != se.y.size()) {
        fail("{}: series '{}' has {} x values and {} y values", what, se.name, se.x.size(),
             se.y.size());
      }
      for (std::size_t i = 0; i < se.x.size(); ++i) {
        if ((c.x_scale == AxisScale::log && !(se.x[i] > 0)) ||
            (c.y_scale == AxisScale::log && !(se.y[i] > 0))) {
          fail("{}: series '{}' point {} ({}, {}) cannot be drawn on a log axis", what, se.name, i,
               se.x[i], se.y[i]);
        }
      }
    } else if (c.kind == ChartKind::pie) {
      if (c.categories.empty()) fail("{}: no slices", what);
      if (se.values.size() != c.categories.size()) {
        fail("{}: pie '{}' has {} values for {} slices", what, se.name, se.values.size(),
             c.categories.size());
      }
      double total = 0;
      for (std::size_t i = 0; i < se.values.size(); ++i) {
        if (!(se.values[i] >= 0) || !std::isfinite(se.values[i])) {
          fail("{}: pie '{}' slice '{}' has value {} (must be >= 0)", what, se.name,
               c.categories[i], se.values[i]);
        }
        total += se.values[i];
      }
      if (!(total > 0)) fail("{}: pie '{}' has nothing to share (all slices 0)", what, se.name);
      const auto slices =
          std::count_if(se.values.begin(), se.values.end(), [](double v) { return v > 0; });
      if (slices < 2) {
        const auto it =
            std::find_if(se.values.begin(), se.values.end(), [](double v) { return v > 0; });
        fail(
            "{}: pie '{}' has one slice ('{}', 100%): a one-slice pie says nothing; give it as "
            "a table row or a sentence",
            what, se.name, c.categories[static_cast<std::size_t>(it - se.values.begin())]);
      }
    } else {
      if (c.categories.empty()) fail("{}: no categories", what);
      if (se.values.size() != c.categories.size()) {
        fail("{}: series '{}' has {} values for {} categories", what, se.name, se.values.size(),
             c.categories.size());
      }
      for (std::size_t i = 0; i < se.values.size(); ++i) {
        if (c.y_scale == AxisScale::log && std::isfinite(se.values[i]) && !(se.values[i] > 0)) {
          fail("{}: series '{}' value {} for '{}' cannot be drawn on a log axis", what, se.name,
               se.values[i], c.categories[i]);
        }
      }
    }
  }
}

std::vector<std::string> keyed_names(const Chart& c) {
  std::vector<std::string> out;
  if (c.legend_key == StyleKey::none) return out;
  if (c.kind == ChartKind::pie) {
    for (const std::string& name : c.categories) out.push_back(name);
  } else {
    for (const ChartSeries& se : c.series) out.push_back(se.name);
  }
  std::erase(out, std::string(kOtherOps));
  return out;
}

Palette chart_palette(const Chart& c) {
  const std::vector<std::string> names = keyed_names(c);
  const std::set<std::string> set(names.begin(), names.end());
  return c.legend_key == StyleKey::model ? Palette(set, {}) : Palette({}, set);
}

std::string chart_script(const Chart& c, ImageFormat format, const std::filesystem::path& output,
                         const Palette* palette) {
  validate_chart(c);
  const Palette own = palette == nullptr ? chart_palette(c) : Palette();
  const Styles st = legend_styles(c, palette == nullptr ? own : *palette);
  std::string s = "# dnnroof chart (generated)\n";
  s += gnuplot_terminal(format, c.width_px, c.height_px);
  s += fmt::format("set output {}\n", gnuplot_quote(output.string()));
  s += "set encoding utf8\nset border lw 1\nset tics nomirror out\n";
  s += fmt::format("set title {} font ',14'\n", wrapped_title(c.title, c.width_px));
  s += fmt::format("set xlabel {}\nset ylabel {}\n", gnuplot_quote(c.x_label),
                   gnuplot_quote(c.y_label));
  const bool one = c.kind != ChartKind::heatmap && c.kind != ChartKind::pie && c.series.size() == 1;
  if (c.kind != ChartKind::heatmap) {
    s += one && !c.diagonal ? "unset key\n"
                            : "set key outside right top vertical Left reverse samplen 2 "
                              "spacing 1.1 font ',10'\n";
  }
  append_reference_lines(s, c);
  switch (c.kind) {
    case ChartKind::bars:
    case ChartKind::stacked_bars:
      bars_script(s, c, st);
      break;
    case ChartKind::scatter:
      scatter_script(s, c, st);
      break;
    case ChartKind::heatmap:
      heatmap_script(s, c);
      break;
    case ChartKind::pie:
      pie_script(s, c, st);
      break;
  }
  s += "set output\n";
  return s;
}

void render_chart(const Chart& chart, const std::filesystem::path& output, const Palette* palette) {
  const ImageFormat format = image_format_for_path(output);
  if (output.has_parent_path()) std::filesystem::create_directories(output.parent_path());
  std::error_code ec;
  std::filesystem::remove(output, ec);
  run_gnuplot(chart_script(chart, format, output, palette));
  if (!std::filesystem::exists(output) || std::filesystem::file_size(output) == 0) {
    fail("gnuplot ran but wrote nothing to {}", output.string());
  }
}

std::string chart_svg_for_html(const Chart& chart, const std::string& id_prefix,
                               const Palette* palette) {
  return gnuplot_svg_for_html(
      [&](const std::filesystem::path& path) {
        return chart_script(chart, ImageFormat::svg, path, palette);
      },
      chart.title, id_prefix);
}

}  // namespace dnnroof
