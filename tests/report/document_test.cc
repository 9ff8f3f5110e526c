#include "report/document.h"

#include <gtest/gtest.h>

namespace dnnroof {
namespace {

Document sample() {
  Document doc;
  doc.title = "A <study>";
  doc.subtitle_lines = {"Generated today."};
  Section s;
  s.id = "chips";
  s.title = "1. The chips";
  s.blocks.push_back(Heading{3, "1.1 Catalog"});
  s.blocks.push_back(Paragraph{"Numbers in `data/chips.csv` & more."});
  Table t({"Chip", "Peak"}, {"id", "peak_flops"});
  t.add_row({"a|b", Cell(19.5e12, "19.5 TFLOP/s")});
  s.blocks.push_back(TableBlock{"Peaks", t});
  s.blocks.push_back(BulletList{{"one", "two"}});
  FigureBlock f;
  f.id = "fig-a";
  f.title = "Figure A";
  f.caption = "What it shows.";
  s.blocks.push_back(f);
  doc.sections.push_back(s);
  return doc;
}

TEST(Document, HtmlIsSelfContainedWithSectionsTablesAndFigures) {
  const std::string html = render_html(sample(), {{"fig-a", "<svg>figure A</svg>"}});
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(html.find("<title>A &lt;study&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#chips\">1. The chips</a>"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"chips\">\n<h2>1. The chips</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h3>1.1 Catalog</h3>"), std::string::npos);
  EXPECT_NE(html.find("<p>Numbers in <code>data/chips.csv</code> &amp; more.</p>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>a|b</td><td class=\"num\">19.5 TFLOP/s</td>"), std::string::npos);
  EXPECT_NE(html.find("<li>two</li>"), std::string::npos);
  EXPECT_NE(html.find("<figure id=\"fig-fig-a\">\n<svg>figure A</svg>"), std::string::npos);
  EXPECT_NE(html.find("<figcaption>What it shows.</figcaption>"), std::string::npos);
  // Offline: no external resource and no script.
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(Document, HtmlSaysWhenAFigureWasNotDrawn) {
  const std::string html = render_html(sample(), {});
  EXPECT_NE(html.find("figure not drawn"), std::string::npos);
}

TEST(Document, MarkdownHasTablesAndPngFigures) {
  const std::string md = render_markdown(sample());
  EXPECT_TRUE(md.starts_with("# A <study>\n"));
  EXPECT_NE(md.find("- [1. The chips](#chips)"), std::string::npos);
  EXPECT_NE(md.find("## 1. The chips"), std::string::npos);
  EXPECT_NE(md.find("### 1.1 Catalog"), std::string::npos);
  // Numbers right-aligned; pipes in cells escaped.
  EXPECT_NE(md.find("| Chip | Peak |\n| --- | ---: |\n| a\\|b | 19.5 TFLOP/s |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("![Figure A](figures/fig-a.png)"), std::string::npos);
  EXPECT_NE(md.find("- one\n- two\n"), std::string::npos);
  EXPECT_NE(render_markdown(sample(), "figures", false).find("figure not drawn"),
            std::string::npos);
}

TEST(Document, FiguresAreListedInOrder) {
  const Document doc = sample();
  const auto figs = document_figures(doc);
  ASSERT_EQ(figs.size(), 1u);
  EXPECT_EQ(figs[0]->id, "fig-a");
}

TEST(HtmlEscape, EscapesTheFiveCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom's & Jerry</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&lt;/a&gt;");
}

}  // namespace
}  // namespace dnnroof

namespace dnnroof {
namespace {

TEST(Document, AddressesBecomeLinks) {
  Document doc;
  doc.title = "t";
  Section s;
  s.id = "x";
  s.title = "x";
  s.blocks.push_back(Paragraph{"See https://example.com/a?b=1&c=2; or http://x.org."});
  doc.sections.push_back(s);
  const std::string html = render_html(doc, {});
  EXPECT_NE(
      html.find(
          "See <a "
          "href=\"https://example.com/a?b=1&amp;c=2\">https://example.com/a?b=1&amp;c=2</a>; or "
          "<a href=\"http://x.org\">http://x.org</a>.</p>"),
      std::string::npos)
      << html;
}

}  // namespace
}  // namespace dnnroof
