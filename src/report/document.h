#pragma once
// A report as data: sections of headings, paragraphs, lists, tables and
// figures, rendered once to self-contained HTML (figures as inline SVG) and
// once to Markdown (figures as PNG files beside it). Sections are built by
// the study parts (chip_study.h, and later models, measurements, analysis);
// report_writer.h writes the files.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/table.h"
#include "report/chart.h"
#include "report/roofline.h"

namespace dnnroof {

// Text is plain: renderers escape it. A paragraph may hold `code` spans
// between backticks, rendered as code in both formats.
struct Heading {
  int level = 3;  // 3 or 4: below the section's own heading (2)
  std::string text;
};
struct Paragraph {
  std::string text;
};
struct BulletList {
  std::vector<std::string> items;
};
struct TableBlock {
  std::string caption;
  Table table;
};
// A figure: one or more roofline panels, or one chart (bars, scatter, heat
// map; chart.h) when `chart` is set (then `panels` is empty). `id` names its
// files (figures/<id>.png) and must be unique in the document.
struct FigureBlock {
  std::string id;
  std::string caption;  // shown under the figure: what it shows and how to read it
  std::string title;    // the figure's own title (multi-panel: above the panels)
  std::vector<RooflineFigure> panels;
  std::optional<Chart> chart;
};
// A highlighted box: the analysis's flags and warnings (points above a roof,
// noisy or failed measurements), shown where they apply.
struct NoteBox {
  std::string title;  // "Flagged by the analysis"
  std::vector<std::string> items;
};

using Block = std::variant<Heading, Paragraph, BulletList, TableBlock, FigureBlock, NoteBox>;

struct Section {
  std::string id;     // HTML anchor, e.g. "chips"
  std::string title;  // "1. The chips"
  std::vector<Block> blocks;
};

// A section with `id` titled "<number>. <title>" ("3. Benchmarks").
Section numbered_section(std::string id, std::string_view number, std::string_view title);

// The subsections of a numbered section, counted from 1: `heading(text)`
// appends the heading "<number>.<k> <text>" to the section; next() gives
// the number "<number>.<k>" alone (a subsection built elsewhere).
class SubsectionHeadings {
 public:
  SubsectionHeadings(Section& section, std::string number)
      : section_(section), number_(std::move(number)) {}
  std::string next();
  void operator()(std::string_view text);

 private:
  Section& section_;
  std::string number_;
  int count_ = 0;
};

// A table saved under data/<stem>.csv and data/<stem>.json.
struct DataFile {
  std::string stem;
  Table table;
};

struct Document {
  std::string title;
  std::vector<std::string> subtitle_lines;  // date, revision, host
  std::vector<Section> sections;
  std::vector<DataFile> data_files;
};

// Every figure of the document, in order.
std::vector<const FigureBlock*> document_figures(const Document& doc);

// A self-contained HTML page (inline CSS, no script, no external resource).
// `svg_by_figure_id` holds each figure's inline SVG (roofline_svg_for_html);
// a figure without one is shown as its caption with a note that it was not
// drawn.
std::string render_html(const Document& doc,
                        const std::map<std::string, std::string>& svg_by_figure_id);

// GitHub-flavoured Markdown; figures as ![caption](<figure_dir>/<id>.png).
std::string render_markdown(const Document& doc, const std::string& figure_dir = "figures",
                            bool figures_drawn = true);

// HTML-escapes &, <, >, " and '.
std::string html_escape(std::string_view text);

}  // namespace dnnroof
