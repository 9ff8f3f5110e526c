#pragma once
// Writes a Document to a folder:
//   DIR/index.html          self-contained (inline SVG figures, inline CSS)
//   DIR/report.md           Markdown, figures beside it in DIR/figures/
//   DIR/figures/<id>.png    every figure (pngcairo)
//   DIR/data/<stem>.csv     every data table, also as .json
// Every figure takes its models' and op types' colours from one palette
// (document_palette).

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "report/document.h"
#include "report/palette.h"

namespace dnnroof {

struct ReportWriteOptions {
  bool draw_figures = true;  // false: no gnuplot needed, figures left out (noted in the text)
  // Progress lines ("writing figures/chips-gpu-fp32.png"); none when empty.
  std::function<void(const std::string&)> progress;
};

// The report's palette (palette.h): every model and op type that any figure
// of `doc` keys its legend by (charts' series or pie slices, roofline point
// groups), sorted, so each has one colour and marker in every figure.
Palette document_palette(const Document& doc);

// Writes the files above, creating DIR as needed, and returns the paths
// written. Throws Error when gnuplot is needed but missing (before writing
// anything), when a figure id repeats, or when a file cannot be written.
std::vector<std::filesystem::path> write_report(const Document& doc,
                                                const std::filesystem::path& dir,
                                                const ReportWriteOptions& options = {});

}  // namespace dnnroof
