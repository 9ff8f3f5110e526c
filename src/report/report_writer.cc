#include "report/report_writer.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>

#include "core/error.h"
#include "report/chart.h"
#include "report/gnuplot.h"

namespace dnnroof {
namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) fail("cannot write {}", path.string());
}

}  // namespace

Palette document_palette(const Document& doc) {
  std::set<std::string> models, ops;
  for (const FigureBlock* f : document_figures(doc)) {
    if (f->chart) {
      for (std::string& name : keyed_names(*f->chart)) {
        (f->chart->legend_key == StyleKey::model ? models : ops).insert(std::move(name));
      }
      continue;
    }
    const Palette own = roofline_palette(f->panels);
    models.insert(own.models().begin(), own.models().end());
    ops.insert(own.ops().begin(), own.ops().end());
  }
  return {models, ops};
}

std::vector<std::filesystem::path> write_report(const Document& doc,
                                                const std::filesystem::path& dir,
                                                const ReportWriteOptions& options) {
  auto progress = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  const std::vector<const FigureBlock*> figures = document_figures(doc);
  std::set<std::string> ids;
  for (const FigureBlock* f : figures) {
    if (!ids.insert(f->id).second) fail("report: figure id '{}' is used twice", f->id);
  }
  if (options.draw_figures && !figures.empty() && find_gnuplot().empty()) {
    fail(
        "gnuplot is needed to draw the report's figures but was not found (install it, e.g. "
        "`apt-get install gnuplot-nox`, set DNNROOF_GNUPLOT, or pass --no-figures)");
  }

  std::error_code ec;
  std::filesystem::create_directories(dir / "data", ec);
  if (ec) fail("cannot create {}: {}", (dir / "data").string(), ec.message());
  std::vector<std::filesystem::path> written;

  std::map<std::string, std::string> svgs;
  if (options.draw_figures && !figures.empty()) {
    std::filesystem::create_directories(dir / "figures", ec);
    if (ec) fail("cannot create {}: {}", (dir / "figures").string(), ec.message());
    int n = 0;
    const Palette palette = document_palette(doc);
    for (const FigureBlock* f : figures) {
      const std::filesystem::path png = dir / "figures" / (f->id + ".png");
      progress(fmt::format("drawing {}", png.string()));
      // Panels stacked in one column: a report page is narrower than two
      // panels side by side, which would shrink their text below legibility.
      if (f->chart) {
        render_chart(*f->chart, png, &palette);
        written.push_back(png);
        svgs[f->id] = chart_svg_for_html(*f->chart, fmt::format("f{}-", n++), &palette);
        continue;
      }
      PlotLayout layout;
      layout.columns = 1;
      layout.palette = &palette;
      render_roofline(f->panels, f->title, png, layout);
      written.push_back(png);
      svgs[f->id] = roofline_svg_for_html(f->panels, f->title, fmt::format("f{}-", n++), layout);
    }
  }

  for (const DataFile& data : doc.data_files) {
    const std::filesystem::path csv = dir / "data" / (data.stem + ".csv");
    const std::filesystem::path json = dir / "data" / (data.stem + ".json");
    progress(fmt::format("writing {} and .json", csv.string()));
    write_text(csv, data.table.to_csv());
    write_text(json, data.table.to_json());
    written.push_back(csv);
    written.push_back(json);
  }

  const std::filesystem::path html = dir / "index.html";
  progress(fmt::format("writing {}", html.string()));
  write_text(html, render_html(doc, svgs));
  written.push_back(html);

  const std::filesystem::path md = dir / "report.md";
  progress(fmt::format("writing {}", md.string()));
  write_text(md, render_markdown(doc, "figures", options.draw_figures));
  written.push_back(md);
  return written;
}

}  // namespace dnnroof
