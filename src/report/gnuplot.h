#pragma once
// Drawing roofline figures with gnuplot: the script (text, testable without
// gnuplot) and running it. Every ceiling is drawn from its explicit polyline
// vertices, on log-log axes labelled with units, one colour and dash per
// chip, ridge points marked; points above their roof get their own marker
// and legend entry. The terminal follows the output's extension: .svg,
// .png (pngcairo) or .pdf (pdfcairo).

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "report/gnuplot_script.h"
#include "report/roofline.h"

namespace dnnroof {

struct PlotLayout {
  int panel_width_px = 1000;  // one panel; a multiplot is columns x rows of them
  int panel_height_px = 600;
  int columns = 0;  // panels per row in a multiplot; 0: two (one for a single panel)
  // Ridge points are always marked and their value is in the legend; the
  // "id: 9.56 FLOP/B" label beside each point is drawn only when a panel has
  // at most this many ceilings (more would overlap).
  std::size_t max_ridge_labels = 6;
  // SVG only: embed gnuplot's JavaScript (hover read-out, click a legend
  // entry to hide a line). Off for SVG inlined into HTML, where gnuplot's
  // fixed element ids would clash between figures.
  bool svg_mouse = true;
  // Colours and markers of point groups keyed by model or op type
  // (RooflineFigure::group_key); null: a palette of the figure's own groups.
  const Palette* palette = nullptr;
};

// The complete script that draws `panels` into `output` (one panel: a plain
// plot; several: `set multiplot`, two columns, with `title` above them; one
// panel uses `title` when its own is empty). Panels share one x and one y
// range (share_axes). Legends sit below their panel, outside the plot area.
// Ceilings are coloured by chip; on a panel with points they are drawn in
// dark neutral tones (told apart by dash), so no ceiling shares a colour with
// a model or op type. Throws Error when `panels` is empty.
std::string roofline_script(const std::vector<RooflineFigure>& panels, const std::string& title,
                            ImageFormat format, const std::filesystem::path& output,
                            const PlotLayout& layout = {});

// The palette of a roofline figure drawn alone: its keyed point groups
// (RooflineFigure::group_key), sorted.
Palette roofline_palette(const std::vector<RooflineFigure>& panels);

// The gnuplot executable: $DNNROOF_GNUPLOT when set, else `gnuplot` on
// PATH; empty when neither exists.
std::string find_gnuplot();

// Runs gnuplot on `script`. Throws Error when gnuplot is missing (saying how
// to install it) or exits non-zero (with its messages). gnuplot's warnings
// on success are passed on to stderr.
void run_gnuplot(const std::string& script);

// Draws `panels` into `output` (format from its extension) and checks the
// file was written. Creates the parent directory.
void render_roofline(const std::vector<RooflineFigure>& panels, const std::string& title,
                     const std::filesystem::path& output, const PlotLayout& layout = {});

// An SVG of `panels` ready to inline into HTML: no XML prolog, no
// JavaScript, every element id prefixed with `id_prefix` so several figures
// can share a page, hover tool-tips as SVG <title> elements (ridge points,
// points, lines), `title` as the SVG's own title.
std::string roofline_svg_for_html(const std::vector<RooflineFigure>& panels,
                                  const std::string& title, const std::string& id_prefix,
                                  PlotLayout layout = {});

// Runs the script `script_for(path)` returns, which must draw an SVG into
// `path` (a temporary file), and makes that SVG ready to inline as above.
// Shared by rooflines and charts (chart.h).
std::string gnuplot_svg_for_html(
    const std::function<std::string(const std::filesystem::path&)>& script_for,
    const std::string& title, const std::string& id_prefix);

// "9.56", "187", "0.5", "1250": an intensity [FLOP/B] for labels.
std::string format_intensity(double flop_per_byte);

}  // namespace dnnroof
