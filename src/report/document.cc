#include "report/document.h"

#include <fmt/format.h>

#include "core/strings.h"

namespace dnnroof {
namespace {

// Simple, print-friendly, readable offline; tables scroll sideways on
// narrow screens rather than squeezing.
constexpr const char* kCss = R"(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d1d1f;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; line-height: 1.5; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #e3e3e3; padding-bottom: 0.2em; margin-top: 2.2em; }
h3 { margin-top: 1.8em; }
.subtitle { color: #666; margin: 0; }
nav { background: #f6f7f9; border: 1px solid #e3e3e3; border-radius: 6px; padding: 0.6em 1.2em;
      margin: 1.5em 0; }
nav ul { margin: 0.3em 0; padding-left: 1.2em; }
.table-wrap { overflow-x: auto; margin: 1em 0; }
table { border-collapse: collapse; font-size: 0.86em; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.4em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.3em 0.7em; text-align: left;
         vertical-align: top; }
th, td.num, td:first-child { white-space: nowrap; }
td { overflow-wrap: anywhere; }
th { background: #f6f7f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5em 0; }
figure svg { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92em; margin-top: 0.4em; }
code { background: #f3f3f3; padding: 0.05em 0.3em; border-radius: 3px; font-size: 0.92em; }
.missing { color: #a33; }
.note { background: #fff7e6; border-left: 4px solid #e6a23c; padding: 0.5em 1em; margin: 1em 0; }
.note strong { display: block; margin-bottom: 0.2em; }
.note ul { margin: 0.2em 0; }
#abstract { background: #f6f7f9; border: 1px solid #e3e3e3; border-radius: 6px;
            padding: 0.2em 1.2em 0.6em; }
#abstract h2 { border-bottom: none; margin-top: 0.6em; font-size: 1.2em; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  figure, .table-wrap, .note { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .table-wrap { overflow-x: visible; }
  a { color: inherit; }
}
)";

// Escaped text with every http(s) address made a link.
std::string html_linked(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t at = text.find("http", pos);
    if (at == std::string_view::npos ||
        !(text.substr(at).starts_with("http://") || text.substr(at).starts_with("https://"))) {
      const std::size_t next = at == std::string_view::npos ? text.size() : at + 4;
      out += html_escape(text.substr(pos, next - pos));
      pos = next;
      continue;
    }
    out += html_escape(text.substr(pos, at - pos));
    std::size_t end = at;
    while (end < text.size() && text[end] != ' ' && text[end] != ')' && text[end] != ';' &&
           text[end] != ',' && text[end] != '\n') {
      ++end;
    }
    while (end > at && text[end - 1] == '.') --end;  // a sentence's full stop
    const std::string url = html_escape(text.substr(at, end - at));
    out += fmt::format("<a href=\"{0}\">{0}</a>", url);
    pos = end;
  }
  return out;
}

// Text with `code` spans: escaped, addresses linked, backticks to <code>.
std::string html_text(std::string_view text) {
  std::string out;
  bool in_code = false;
  std::string run;
  for (char c : text) {
    if (c == '`') {
      out += in_code ? html_escape(run) : html_linked(run);
      run.clear();
      out += in_code ? "</code>" : "<code>";
      in_code = !in_code;
    } else {
      run += c;
    }
  }
  out += in_code ? html_escape(run) : html_linked(run);
  if (in_code) out += "</code>";
  return out;
}

bool is_numeric_cell(const Cell& cell) { return cell.number.has_value(); }

std::string html_table(const TableBlock& block) {
  std::string s = "<div class=\"table-wrap\"><table>\n";
  if (!block.caption.empty()) s += fmt::format("<caption>{}</caption>\n", html_text(block.caption));
  s += "<thead><tr>";
  for (const std::string& c : block.table.columns()) {
    s += fmt::format("<th>{}</th>", html_escape(c));
  }
  s += "</tr></thead>\n<tbody>\n";
  for (const auto& row : block.table.data()) {
    s += "<tr>";
    for (const Cell& cell : row) {
      s += is_numeric_cell(cell) ? "<td class=\"num\">" : "<td>";
      s += html_text(cell.text) + "</td>";
    }
    s += "</tr>\n";
  }
  s += "</tbody></table></div>\n";
  return s;
}

// A Markdown table cell: pipes escaped, no newlines.
std::string md_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string md_table(const TableBlock& block) {
  std::string s;
  if (!block.caption.empty()) s += fmt::format("**{}**\n\n", block.caption);
  const auto& cols = block.table.columns();
  std::vector<bool> numeric(cols.size(), false);
  for (const auto& row : block.table.data()) {
    for (std::size_t i = 0; i < row.size(); ++i) numeric[i] = numeric[i] || row[i].number;
  }
  s += "|";
  for (const std::string& c : cols) s += fmt::format(" {} |", md_cell(c));
  s += "\n|";
  for (std::size_t i = 0; i < cols.size(); ++i) s += numeric[i] ? " ---: |" : " --- |";
  s += "\n";
  for (const auto& row : block.table.data()) {
    s += "|";
    for (const Cell& cell : row) s += fmt::format(" {} |", md_cell(cell.text));
    s += "\n";
  }
  return s + "\n";
}

}  // namespace

Section numbered_section(std::string id, std::string_view number, std::string_view title) {
  Section s;
  s.id = std::move(id);
  s.title = fmt::format("{}. {}", number, title);
  return s;
}

std::string SubsectionHeadings::next() { return fmt::format("{}.{}", number_, ++count_); }

void SubsectionHeadings::operator()(std::string_view text) {
  section_.blocks.emplace_back(Heading{3, fmt::format("{} {}", next(), text)});
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<const FigureBlock*> document_figures(const Document& doc) {
  std::vector<const FigureBlock*> out;
  for (const Section& section : doc.sections) {
    for (const Block& block : section.blocks) {
      if (const auto* f = std::get_if<FigureBlock>(&block)) out.push_back(f);
    }
  }
  return out;
}

std::string render_html(const Document& doc,
                        const std::map<std::string, std::string>& svg_by_figure_id) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  s += fmt::format("<title>{}</title>\n<style>{}</style>\n", html_escape(doc.title), kCss);
  s += fmt::format("</head>\n<body>\n<h1>{}</h1>\n", html_escape(doc.title));
  for (const std::string& line : doc.subtitle_lines) {
    s += fmt::format("<p class=\"subtitle\">{}</p>\n", html_text(line));
  }
  s += "<nav><strong>Contents</strong>\n<ul>\n";
  for (const Section& section : doc.sections) {
    s += fmt::format("<li><a href=\"#{}\">{}</a></li>\n", html_escape(section.id),
                     html_escape(section.title));
  }
  s += "</ul></nav>\n";
  for (const Section& section : doc.sections) {
    s += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n", html_escape(section.id),
                     html_escape(section.title));
    for (const Block& block : section.blocks) {
      if (const auto* h = std::get_if<Heading>(&block)) {
        s += fmt::format("<h{0}>{1}</h{0}>\n", h->level, html_text(h->text));
      } else if (const auto* p = std::get_if<Paragraph>(&block)) {
        s += fmt::format("<p>{}</p>\n", html_text(p->text));
      } else if (const auto* l = std::get_if<BulletList>(&block)) {
        s += "<ul>\n";
        for (const std::string& item : l->items) s += fmt::format("<li>{}</li>\n", html_text(item));
        s += "</ul>\n";
      } else if (const auto* t = std::get_if<TableBlock>(&block)) {
        s += html_table(*t);
      } else if (const auto* nb = std::get_if<NoteBox>(&block)) {
        s += fmt::format("<div class=\"note\"><strong>{}</strong>\n<ul>\n", html_text(nb->title));
        for (const std::string& item : nb->items)
          s += fmt::format("<li>{}</li>\n", html_text(item));
        s += "</ul></div>\n";
      } else if (const auto* f = std::get_if<FigureBlock>(&block)) {
        s += fmt::format("<figure id=\"fig-{}\">\n", html_escape(f->id));
        auto it = svg_by_figure_id.find(f->id);
        if (it != svg_by_figure_id.end()) {
          s += it->second;
        } else {
          s += "<p class=\"missing\">(figure not drawn: run with gnuplot installed)</p>\n";
        }
        s += fmt::format("<figcaption>{}</figcaption>\n</figure>\n", html_text(f->caption));
      }
    }
    s += "</section>\n";
  }
  s += "</body>\n</html>\n";
  return s;
}

std::string render_markdown(const Document& doc, const std::string& figure_dir,
                            bool figures_drawn) {
  std::string s = fmt::format("# {}\n\n", doc.title);
  for (const std::string& line : doc.subtitle_lines) s += line + "  \n";
  s += "\n## Contents\n\n";
  for (const Section& section : doc.sections) {
    s += fmt::format("- [{}](#{})\n", section.title, section.id);
  }
  s += "\n";
  for (const Section& section : doc.sections) {
    s += fmt::format("<a id=\"{}\"></a>\n\n## {}\n\n", section.id, section.title);
    for (const Block& block : section.blocks) {
      if (const auto* h = std::get_if<Heading>(&block)) {
        s +=
            fmt::format("{} {}\n\n", std::string(static_cast<std::size_t>(h->level), '#'), h->text);
      } else if (const auto* p = std::get_if<Paragraph>(&block)) {
        s += p->text + "\n\n";
      } else if (const auto* l = std::get_if<BulletList>(&block)) {
        for (const std::string& item : l->items) s += fmt::format("- {}\n", item);
        s += "\n";
      } else if (const auto* t = std::get_if<TableBlock>(&block)) {
        s += md_table(*t);
      } else if (const auto* nb = std::get_if<NoteBox>(&block)) {
        s += fmt::format("> **{}**\n>\n", nb->title);
        for (const std::string& item : nb->items) s += fmt::format("> - {}\n", item);
        s += "\n";
      } else if (const auto* f = std::get_if<FigureBlock>(&block)) {
        if (figures_drawn) {
          s += fmt::format("![{}]({}/{}.png)\n\n", md_cell(f->title), figure_dir, f->id);
        } else {
          s += "*(figure not drawn: run with gnuplot installed)*\n\n";
        }
        s += fmt::format("*{}*\n\n", f->caption);
      }
    }
  }
  return s;
}

}  // namespace dnnroof
