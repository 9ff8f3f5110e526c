#include "report/gnuplot.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"

extern char** environ;

namespace dnnroof {
namespace {

// Tableau 10: distinct hues that stay apart in print and for most colour
// vision deficiencies when paired with dash patterns.
constexpr std::array<const char*, 10> kColours{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                               "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                               "#bcbd22", "#17becf"};
// Solid, dashed, dotted, dash-dot, long dash, dash-dot-dot.
constexpr std::array<const char*, 6> kDashes{"solid",      "(14,6)", "(3,5)",
                                             "(14,5,3,5)", "(26,8)", "(14,5,3,5,3,5)"};
// Most points on a panel that still get a text label beside them.
constexpr std::size_t kMaxLabelledPoints = 5;
constexpr const char* kAboveRoofColour = "#d62728";
// Estimated text sizes in pixels for layout decisions: legend characters at
// font ',10' (generous, so gnuplot never needs more rows than planned), and
// ridge-label characters, line height and the gap kept between labels.
constexpr double kKeyCharPx = 8.5;
constexpr double kCharPx = 6.5;
constexpr double kLinePx = 16.0;
constexpr double kGapPx = 4.0;
// gnuplot's hypertext markup, replaced by SVG <title> elements for HTML.
constexpr std::string_view kHypertextOpen = "<g onmousemove=\"gnuplot_svg.showHypertext(evt,'";
constexpr std::string_view kHypertextClose =
    "')\" onmouseout=\"gnuplot_svg.hideHypertext()\"><title> </title>";

// Hover text must not hold quotes: gnuplot writes it into JavaScript.
std::string hover_safe(std::string s) {
  for (char& c : s) {
    if (c == '\'' || c == '"' || c == '\\') c = ' ';
  }
  return s;
}

std::string colour_of(int index) {
  return kColours.at(static_cast<std::size_t>(index) % kColours.size());
}
// Ceilings on a panel with points: dark neutral tones, apart from every
// palette colour (palette.h) the points use.
constexpr std::array<const char*, 4> kCeilingTones{"#000000", "#5a5a5a", "#8a6d3b", "#9a9a9a"};
std::string ceiling_colour(const RooflineFigure& fig, int index) {
  if (fig.points.empty()) return colour_of(index);
  return kCeilingTones.at(static_cast<std::size_t>(index) % kCeilingTones.size());
}
std::string dash_of(int index) {
  return kDashes.at(static_cast<std::size_t>(index) % kDashes.size());
}

std::string ceiling_key_title(const CeilingLine& c) {
  return fmt::format("{}{}: ridge {} FLOP/B", c.ceiling.label,
                     c.ceiling.roof.source == CeilingSource::measured ? " [measured]" : "",
                     format_intensity(c.ridge_intensity));
}

// Rows of the legend under a panel: two columns when two of its longest
// entries fit side by side in the panel (estimating gnuplot's character
// width generously, so that it never wraps into more rows than the margin
// holds), else one.
// Entries of a panel's legend: its ceilings, its marker groups with a point
// below the roof, and the above-roof entry.
std::size_t key_entries(const RooflineFigure& fig) {
  std::set<int> groups;
  for (const PlacedPoint& p : fig.points) {
    if (!p.above_roof) groups.insert(p.marker);
  }
  return fig.ceilings.size() + groups.size() + (fig.has_point_above_roof() ? 1 : 0);
}

std::size_t key_rows(const RooflineFigure& fig, const PlotLayout& layout) {
  std::size_t longest = std::string_view("above roof: check ceiling").size();
  for (const CeilingLine& c : fig.ceilings) {
    longest = std::max(longest, ceiling_key_title(c).size());
  }
  for (const PlacedPoint& p : fig.points) {
    if (!p.above_roof) longest = std::max(longest, p.input.group.size());
  }
  const std::size_t entries = key_entries(fig);
  const double column_px = kKeyCharPx * static_cast<double>(longest + 10);
  const bool two_columns = 2 * column_px <= layout.panel_width_px - 40;
  return two_columns ? (entries + 1) / 2 : entries;
}

std::string ridge_label_text(const CeilingLine& c) {
  return fmt::format("{}: {} FLOP/B", c.ceiling.short_label, format_intensity(c.ridge_intensity));
}

// Which ridge points get a text label beside them: at most
// layout.max_ridge_labels, and only where the label's estimated box (in
// pixels, from the log-scaled position) overlaps no label already placed.
// The others stay marked, their value in the legend.
std::vector<bool> ridge_labels_to_draw(const RooflineFigure& fig, const PlotLayout& layout,
                                       std::size_t key_rows) {
  std::vector<bool> draw(fig.ceilings.size(), false);
  if (fig.ceilings.size() > layout.max_ridge_labels) return draw;
  // Plot area estimate: side margins ~150 px; title, tics, x label and the
  // legend rows below ~19 px per character row of margin.
  const double width_px = layout.panel_width_px - 150.0;
  const double height_px =
      layout.panel_height_px - 60.0 - 19.0 * (4.5 + 1.1 * static_cast<double>(key_rows));
  auto fraction = [](double v, const AxisRange& r) {
    return (std::log10(v) - std::log10(r.min)) / (std::log10(r.max) - std::log10(r.min));
  };
  struct Box {
    double x0, x1, y0, y1;
  };
  std::vector<Box> placed;
  for (std::size_t i = 0; i < fig.ceilings.size(); ++i) {
    const CeilingLine& c = fig.ceilings[i];
    const double x = fraction(c.ridge_intensity, fig.x) * width_px + 4;
    const double y = fraction(c.ceiling.roof.peak_flops, fig.y) * height_px + 8;
    const Box b{x, x + kCharPx * static_cast<double>(ridge_label_text(c).size()), y, y + kLinePx};
    bool clash = b.x1 > width_px + 60 || b.y1 > height_px + 20;
    // Another chip's roof through the box: its flat part (from its ridge to
    // the right edge) at a height inside the box, or its slanted part (a
    // straight line in log-log pixels) crossing the box's span.
    for (std::size_t j = 0; j < fig.ceilings.size() && !clash; ++j) {
      if (j == i) continue;
      const CeilingLine& o = fig.ceilings[j];
      const double ridge_x = fraction(o.ridge_intensity, fig.x) * width_px;
      const double peak_y = fraction(o.ceiling.roof.peak_flops, fig.y) * height_px;
      if (peak_y > b.y0 - 2 && peak_y < b.y1 + 2 && ridge_x < b.x1) clash = true;
      const double start_y = fraction(o.polyline.front().y, fig.y) * height_px;
      const double slant_x1 = std::min(b.x1, ridge_x);
      if (slant_x1 > b.x0 && ridge_x > 0) {
        auto slant_y = [&](double px) { return start_y + (peak_y - start_y) * px / ridge_x; };
        const double ya = slant_y(b.x0);
        const double yb = slant_y(slant_x1);
        if (std::max(ya, yb) > b.y0 && std::min(ya, yb) < b.y1) clash = true;
      }
    }
    for (const Box& o : placed) {
      clash = clash || (b.x0 < o.x1 + kGapPx && o.x0 < b.x1 + kGapPx && b.y0 < o.y1 + kGapPx &&
                        o.y0 < b.y1 + kGapPx);
    }
    if (clash) continue;
    placed.push_back(b);
    draw[i] = true;
  }
  return draw;
}

// One panel: datablocks, axes and the plot command. `tag` keeps the
// datablock names of panels apart.
void append_panel(std::string& s, const RooflineFigure& fig, const std::string& tag,
                  const PlotLayout& layout, const Palette& palette, std::size_t key_rows,
                  std::size_t key_columns, int text_pt) {
  s += "unset label\nunset object\n";
  // The same bottom margin on every panel keeps the plot areas aligned.
  s += fmt::format("set bmargin {:.1f}\n", 4.5 + 1.1 * static_cast<double>(key_rows));
  s += fmt::format("set title {}\n", gnuplot_quote(fig.title));
  s += "set logscale xy 10\n";
  s += fmt::format("set xrange [{}:{}]\nset yrange [{}:{}]\n", gnuplot_number(fig.x.min),
                   gnuplot_number(fig.x.max), gnuplot_number(fig.y.min), gnuplot_number(fig.y.max));
  s += "set xlabel 'Operational intensity [FLOP/B]' offset 0,0.3\n";
  s += "set ylabel 'Performance [FLOP/s]'\n";
  // Decade ticks with SI prefixes: 100M, 1G, ..., 10T, 1P.
  s += "set xtics format '%g'\nset ytics format '%.0s%c'\nset mxtics 10\nset mytics 10\n";
  s += "set grid xtics ytics mxtics mytics lt 1 lc rgb '#d0d0d0' lw 0.8, lt 1 lc rgb '#eeeeee' "
       "lw 0.5\n";
  // Legend under the plot, two columns; the blank key title keeps it clear
  // of the x-axis label.
  s += fmt::format(
      "set key outside below center Left reverse maxrows {} maxcols {} samplen 5 spacing 1.1 "
      "width 1 font ',{}' title ' '\n",
      std::max<std::size_t>(key_rows, 1), std::max<std::size_t>(key_columns, 1), text_pt);

  // Ceilings: one datablock each, three vertices.
  for (std::size_t i = 0; i < fig.ceilings.size(); ++i) {
    s += fmt::format("${}c{} << EOD\n", tag, i);
    for (const XY& p : fig.ceilings[i].polyline)
      s += fmt::format("{} {}\n", gnuplot_number(p.x), gnuplot_number(p.y));
    s += "EOD\n";
  }
  // Ridge points with their hover text.
  s += fmt::format("${}ridges << EOD\n", tag);
  for (const CeilingLine& c : fig.ceilings) {
    s += fmt::format("{} {} \"{}: ridge {} FLOP/B, peak {}, {} {}\"\n",
                     gnuplot_number(c.ridge_intensity), gnuplot_number(c.ceiling.roof.peak_flops),
                     hover_safe(c.ceiling.short_label), format_intensity(c.ridge_intensity),
                     format_si(c.ceiling.roof.peak_flops, "FLOP/s"),
                     hover_safe(c.ceiling.roof.level), format_si(c.ceiling.roof.bandwidth, "B/s"));
  }
  s += "EOD\n";
  const std::vector<bool> labelled = ridge_labels_to_draw(fig, layout, key_rows);
  for (std::size_t i = 0; i < fig.ceilings.size(); ++i) {
    if (!labelled[i]) continue;
    const CeilingLine& c = fig.ceilings[i];
    s += fmt::format(
        "set label {} {} at {},{} left offset char 0.6,1.0 font ',{}' tc rgb '{}' front\n", i + 1,
        gnuplot_quote(ridge_label_text(c)), gnuplot_number(c.ridge_intensity),
        gnuplot_number(c.ceiling.roof.peak_flops), text_pt, ceiling_colour(fig, c.colour));
  }

  // Points: one datablock per marker group, plus one for those above roof.
  std::vector<std::string> groups;
  for (const PlacedPoint& p : fig.points) {
    if (static_cast<std::size_t>(p.marker) >= groups.size()) groups.resize(p.marker + 1);
    groups[static_cast<std::size_t>(p.marker)] = p.input.group;
  }
  // A group whose every point is above its roof has nothing left to draw.
  std::vector<bool> group_drawn(groups.size(), false);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::string rows;
    for (const PlacedPoint& p : fig.points) {
      if (static_cast<std::size_t>(p.marker) != g || p.above_roof) continue;
      rows += fmt::format("{} {} \"{}\"\n", gnuplot_number(p.input.intensity),
                          gnuplot_number(p.flops), hover_safe(p.input.label));
    }
    if (rows.empty()) continue;
    group_drawn[g] = true;
    s += fmt::format("${}g{} << EOD\n{}EOD\n", tag, g, rows);
  }
  const bool any_above = fig.has_point_above_roof();
  if (any_above) {
    s += fmt::format("${}above << EOD\n", tag);
    for (const PlacedPoint& p : fig.points) {
      if (!p.above_roof) continue;
      s += fmt::format("{} {} \"{} (above roof)\"\n", gnuplot_number(p.input.intensity),
                       gnuplot_number(p.flops), hover_safe(p.input.label));
    }
    s += "EOD\n";
  }

  // The plot command: every ceiling as `with lines` over its vertices.
  std::vector<std::string> elements;
  for (std::size_t i = 0; i < fig.ceilings.size(); ++i) {
    const CeilingLine& c = fig.ceilings[i];
    const bool measured = c.ceiling.roof.source == CeilingSource::measured;
    elements.push_back(fmt::format("${}c{} using 1:2 with lines lw {} lc rgb '{}' dt {} title {}",
                                   tag, i, measured ? "2" : "2.5", ceiling_colour(fig, c.colour),
                                   dash_of(c.dash), gnuplot_quote(ceiling_key_title(c))));
  }
  for (std::size_t i = 0; i < fig.ceilings.size(); ++i) {
    elements.push_back(fmt::format(
        "${}ridges every ::{}::{} using 1:2:3 with labels hypertext point pt 7 ps 1.2 lc rgb "
        "'{}' notitle",
        tag, i, i, ceiling_colour(fig, fig.ceilings[i].colour)));
  }
  // Marker groups differ in shape and colour (keyed groups: the palette's
  // for their model or op type), so the legend tells them apart; text beside
  // each point only when few points share the panel (more would overlap).
  const bool label_points = fig.points.size() <= kMaxLabelledPoints;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (!group_drawn[g]) continue;
    const SeriesStyle style = fig.group_key == StyleKey::none
                                  ? Palette::indexed(g)
                                  : palette.style(fig.group_key, groups[g]);
    const std::string& colour = style.colour;
    elements.push_back(fmt::format(
        "${}g{} using 1:2:3 with labels hypertext point pt {} ps 1.5 lw 1.5 lc rgb '{}' title {}",
        tag, g, style.marker, colour, gnuplot_quote(groups[g])));
    if (label_points) {
      elements.push_back(fmt::format(
          "${}g{} using 1:2:3 with labels left offset char 0.7,0.4 font ',{}' tc rgb '{}' "
          "notitle",
          tag, g, text_pt - 1, colour));
    }
  }
  if (any_above) {
    elements.push_back(
        fmt::format("${}above using 1:2:3 with labels hypertext point pt 3 ps 2.2 lw 2 lc rgb '{}' "
                    "title 'above roof: check ceiling'",
                    tag, kAboveRoofColour));
    // Text beside them only when few: many (e.g. every elementwise layer of
    // a model) would pile into an unreadable blot; the legend marks them, the
    // hover text and the figure's warnings name each one.
    const auto above = static_cast<std::size_t>(std::count_if(
        fig.points.begin(), fig.points.end(), [](const PlacedPoint& p) { return p.above_roof; }));
    if (above <= kMaxLabelledPoints) {
      elements.push_back(fmt::format(
          "${}above using 1:2:3 with labels left offset char 0.9,0.5 font ',{}' tc rgb '{}' "
          "notitle",
          tag, text_pt - 1, kAboveRoofColour));
    }
  }
  s += "plot " + join(elements, ", \\\n     ") + "\n";
}

// Whole file as text; empty when it cannot be read. (stdio rather than
// istreambuf_iterator, which trips GCC 12's -Wnull-dereference.)
std::string read_file(const std::filesystem::path& path) {
  std::string out;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  std::array<char, 65536> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  std::fclose(f);
  return out;
}

// A fresh temporary file path (the file is created empty).
std::filesystem::path temp_file(const char* pattern_suffix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string("dnnroof-XXXXXX") + pattern_suffix))
          .string();
  const int fd =
      mkstemps(pattern.data(), static_cast<int>(std::string_view(pattern_suffix).size()));
  if (fd < 0) {
    fail("cannot create a temporary file in {}", std::filesystem::temp_directory_path().string());
  }
  close(fd);
  return pattern;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

}  // namespace

std::string format_intensity(double v) {
  if (!std::isfinite(v)) return "n/a";
  if (v >= 100) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

Palette roofline_palette(const std::vector<RooflineFigure>& panels) {
  std::set<std::string> models, ops;
  for (const RooflineFigure& fig : panels) {
    for (const PlacedPoint& p : fig.points) {
      if (fig.group_key == StyleKey::model) models.insert(p.input.group);
      if (fig.group_key == StyleKey::op) ops.insert(p.input.group);
    }
  }
  return {models, ops};
}

std::string roofline_script(const std::vector<RooflineFigure>& panels_in, const std::string& title,
                            ImageFormat format, const std::filesystem::path& output,
                            const PlotLayout& layout) {
  if (panels_in.empty()) fail("roofline figure '{}': no panel to draw", title);
  std::vector<RooflineFigure> panels = panels_in;
  share_axes(panels);
  const Palette own = layout.palette == nullptr ? roofline_palette(panels) : Palette();
  const Palette& palette = layout.palette == nullptr ? own : *layout.palette;
  const int columns =
      panels.size() == 1
          ? 1
          : (layout.columns > 0 ? std::min<int>(layout.columns, static_cast<int>(panels.size()))
                                : 2);
  const int rows = static_cast<int>((panels.size() + static_cast<std::size_t>(columns) - 1) /
                                    static_cast<std::size_t>(columns));
  const int title_px = panels.size() > 1 ? 40 : 0;
  std::size_t rows_of_key = 0;
  for (const RooflineFigure& fig : panels) {
    rows_of_key = std::max(rows_of_key, key_rows(fig, layout));
  }
  // The legend below a panel gets its own room (about 21 px a row): the
  // canvas grows by it, so a long legend does not eat the plot area.
  // The same columns on every panel (one, when the longest legend needs
  // one), so the legends of small multiples look alike.
  std::size_t most_entries = 0;
  for (const RooflineFigure& fig : panels) most_entries = std::max(most_entries, key_entries(fig));
  const std::size_t key_columns =
      rows_of_key == 0 ? 1 : (most_entries + rows_of_key - 1) / rows_of_key;
  PlotLayout grown = layout;
  grown.panel_height_px += static_cast<int>(21 * rows_of_key);
  std::string s = "# dnnroof roofline figure (generated)\n";
  s += gnuplot_terminal(format, grown.panel_width_px * columns,
                        grown.panel_height_px * rows + title_px, layout.svg_mouse);
  s += fmt::format("set output {}\n", gnuplot_quote(output.string()));
  s += "set encoding utf8\nset border lw 1\nset tics nomirror out\nset samples 2000\n";
  // SVG text is drawn in pixels of the figure, smaller than cairo's points.
  const int text_pt = format == ImageFormat::svg ? 12 : 10;
  if (panels.size() == 1) {
    RooflineFigure fig = panels.front();
    if (fig.title.empty()) fig.title = title;
    append_panel(s, fig, "p0", grown, palette, rows_of_key, key_columns, text_pt);
  } else {
    s += fmt::format("set multiplot layout {},{} title {} font ',15'\n", rows, columns,
                     gnuplot_quote(title));
    for (std::size_t i = 0; i < panels.size(); ++i) {
      // Every panel keeps the largest legend's margin, so their plot areas
      // have one size (and, with share_axes, one scale).
      append_panel(s, panels[i], fmt::format("p{}", i), grown, palette, rows_of_key, key_columns,
                   text_pt);
    }
    s += "unset multiplot\n";
  }
  s += "set output\n";
  return s;
}

std::string find_gnuplot() {
  if (const char* env = std::getenv("DNNROOF_GNUPLOT"); env != nullptr && *env != '\0') {
    return access(env, X_OK) == 0 ? std::string(env) : std::string();
  }
  const char* path = std::getenv("PATH");
  for (const std::string& dir : split(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/gnuplot";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

void run_gnuplot(const std::string& script) {
  const std::string exe = find_gnuplot();
  if (exe.empty()) {
    fail(
        "gnuplot is needed to draw figures but was not found on PATH (install it, e.g. "
        "`apt-get install gnuplot-nox`, or set DNNROOF_GNUPLOT to its path)");
  }
  const std::filesystem::path script_path = temp_file(".gp");
  const std::filesystem::path err_path = temp_file(".err");
  {
    std::ofstream out(script_path, std::ios::binary);
    out << script;
    if (!out) fail("cannot write the gnuplot script to {}", script_path.string());
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_TRUNC, 0);
  std::string arg0 = exe;
  std::string arg1 = script_path.string();
  std::array<char*, 3> argv{arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  const int spawn_rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (spawn_rc == 0) waitpid(pid, &status, 0);
  const std::string messages = trim(read_file(err_path));
  std::error_code ec;
  std::filesystem::remove(err_path, ec);
  if (spawn_rc != 0) {
    std::filesystem::remove(script_path, ec);
    fail("cannot run gnuplot ({}): error {}", exe, spawn_rc);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // Keep the script for the user to inspect.
    fail("gnuplot failed (exit status {}; script kept at {}):\n{}",
         WIFEXITED(status) ? WEXITSTATUS(status) : -1, script_path.string(), messages);
  }
  std::filesystem::remove(script_path, ec);
  if (!messages.empty()) fmt::print(stderr, "gnuplot: {}\n", messages);
}

void render_roofline(const std::vector<RooflineFigure>& panels, const std::string& title,
                     const std::filesystem::path& output, const PlotLayout& layout) {
  const ImageFormat format = image_format_for_path(output);
  if (output.has_parent_path()) std::filesystem::create_directories(output.parent_path());
  std::error_code ec;
  std::filesystem::remove(output, ec);
  run_gnuplot(roofline_script(panels, title, format, output, layout));
  if (!std::filesystem::exists(output) || std::filesystem::file_size(output) == 0) {
    fail("gnuplot ran but wrote nothing to {}", output.string());
  }
}

std::string roofline_svg_for_html(const std::vector<RooflineFigure>& panels,
                                  const std::string& title, const std::string& id_prefix,
                                  PlotLayout layout) {
  layout.svg_mouse = false;
  return gnuplot_svg_for_html(
      [&](const std::filesystem::path& path) {
        return roofline_script(panels, title, ImageFormat::svg, path, layout);
      },
      title, id_prefix);
}

std::string gnuplot_svg_for_html(
    const std::function<std::string(const std::filesystem::path&)>& script_for,
    const std::string& title, const std::string& id_prefix) {
  const std::filesystem::path path = temp_file(".svg");
  std::string svg;
  try {
    run_gnuplot(script_for(path));
    svg = read_file(path);
    if (svg.empty()) fail("gnuplot ran but wrote nothing to {}", path.string());
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    throw;
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);

  // Drop the XML prolog: inside HTML the <svg> element stands alone.
  if (svg.starts_with("<?xml")) svg.erase(0, svg.find('\n') + 1);
  // Hover text: gnuplot's hypertext calls its JavaScript, which we leave out;
  // an SVG <title> child gives the same text as a native tool-tip.
  std::size_t pos = 0;
  while ((pos = svg.find(kHypertextOpen, pos)) != std::string::npos) {
    const std::size_t text_begin = pos + kHypertextOpen.size();
    const std::size_t text_end = svg.find(kHypertextClose, text_begin);
    if (text_end == std::string::npos) break;
    const std::string text = svg.substr(text_begin, text_end - text_begin);
    const std::string replacement = "<g><title>" + text + "</title>";
    svg.replace(pos, text_end + kHypertextClose.size() - pos, replacement);
    pos += replacement.size();
  }
  replace_all(svg, "<title>Gnuplot</title>", "<title>" + hover_safe(title) + "</title>");
  // gnuplot titles plot groups "gnuplot_plot_N" where the key is outside the
  // plot: a meaningless tool-tip, so drop it (the legend names each line).
  for (std::size_t at = 0; (at = svg.find("<title>gnuplot_plot_", at)) != std::string::npos;) {
    const std::size_t end = svg.find("</title>", at);
    if (end == std::string::npos) break;
    svg.erase(at, end + 8 - at);
  }
  // Element ids: collect, then prefix the definitions and every reference.
  std::set<std::string> ids;
  for (std::size_t at = 0; (at = svg.find(" id=", at)) != std::string::npos;) {
    at += 4;
    const char q = svg[at];
    const std::size_t end = svg.find(q, at + 1);
    if (end == std::string::npos) break;
    ids.insert(svg.substr(at + 1, end - at - 1));
  }
  for (const std::string& id : ids) {
    for (const char q : {'\'', '"'}) {
      replace_all(svg, fmt::format(" id={}{}{}", q, id, q),
                  fmt::format(" id={}{}{}{}", q, id_prefix, id, q));
      replace_all(svg, fmt::format("#{}{}", id, q), fmt::format("#{}{}{}", id_prefix, id, q));
    }
    replace_all(svg, fmt::format("#{})", id), fmt::format("#{}{})", id_prefix, id));
  }
  return svg;
}

}  // namespace dnnroof
