// The figure rules the code enforces: one colour and marker per model and
// one colour per op type in every figure of a report (palette.h), shared
// axes across the panels of one figure, legends outside the plot area.
// Checked on the gnuplot scripts, which are plain text.

#include "report/palette.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "report/chart.h"
#include "report/document.h"
#include "report/gnuplot.h"
#include "report/report_writer.h"
#include "report/roofline.h"

namespace dnnroof {
namespace {

// The colour a chart script gives the legend entry `name`: the "lc rgb"
// (scatter, bars) or "fc rgb" (pie key) on the plot element titled `name`.
std::string colour_in_script(const std::string& script, const std::string& name) {
  // Points and pie keys name the colour first, bars the title first.
  const std::regex before("(?:lc|fc) rgb '(#[0-9a-f]{6})'[^\\n,]* title '" + name + "'");
  const std::regex after("title '" + name + "' lc rgb '(#[0-9a-f]{6})'");
  std::smatch m;
  if (std::regex_search(script, m, before) || std::regex_search(script, m, after)) return m[1];
  return "none";
}

// The point type on the plot element titled `name`.
std::string marker_in_script(const std::string& script, const std::string& name) {
  const std::regex element("pt ([0-9]+)[^\\n,]* title '" + name + "'");
  std::smatch m;
  if (!std::regex_search(script, m, element)) return "none";
  return m[1];
}

Chart scatter_of(const std::vector<std::string>& models, const std::string& title) {
  Chart c;
  c.kind = ChartKind::scatter;
  c.title = title;
  c.x_label = "x [1]";
  c.y_label = "y [1]";
  c.legend_key = StyleKey::model;
  double v = 1;
  for (const std::string& m : models) {
    c.series.push_back(point_series(m, {v}, {v}));
    v += 1;
  }
  return c;
}

TEST(Palette, ModelsInSortedOrderOpsInOperatorTableOrder) {
  const Palette p({"vgg16", "alexnet", "resnet18"}, {"Relu", "Conv", "other", "BatchNorm"});
  EXPECT_EQ(p.models(), (std::vector<std::string>{"alexnet", "resnet18", "vgg16"}));
  // graph/ops.h lists Conv, then the normalisations, then the activations.
  EXPECT_EQ(p.ops(), (std::vector<std::string>{"Conv", "BatchNorm", "Relu"}));
  // Tableau's blue, orange and green for the first three.
  EXPECT_EQ(p.style(StyleKey::model, "alexnet").colour, "#1f77b4");
  EXPECT_EQ(p.style(StyleKey::model, "resnet18").colour, "#ff7f0e");
  EXPECT_EQ(p.style(StyleKey::op, "Conv").colour, "#1f77b4");
  EXPECT_EQ(p.style(StyleKey::op, "Relu").colour, "#2ca02c");
  EXPECT_EQ(p.style(StyleKey::op, "other").colour, std::string(kOtherColour));
  // Markers: filled circle, square, triangle.
  EXPECT_EQ(p.style(StyleKey::model, "alexnet").marker, 7);
  EXPECT_EQ(p.style(StyleKey::model, "vgg16").marker, 9);
}

TEST(Palette, ElevenModelsGetElevenColoursAndMarkers) {
  // The default report's models.
  const std::set<std::string> models{"resnet18",       "mobilenet_v2", "shufflenet_v2_x1_0",
                                     "squeezenet1_0",  "mnasnet1_0",   "efficientnet_b0",
                                     "regnet_y_400mf", "googlenet",    "alexnet",
                                     "resnet50",       "vgg16"};
  const Palette p(models, {});
  std::set<std::string> colours;
  std::set<int> markers;
  for (const std::string& m : models) {
    colours.insert(p.style(StyleKey::model, m).colour);
    markers.insert(p.style(StyleKey::model, m).marker);
  }
  EXPECT_EQ(colours.size(), 11u);
  EXPECT_EQ(markers.size(), 11u);
  // Every colour of the palette is distinct, and none is "other"'s grey or
  // the red of a point above its roof.
  std::set<std::string> all;
  for (std::size_t i = 0; i < Palette::colours(); ++i) all.insert(Palette::indexed(i).colour);
  EXPECT_EQ(all.size(), Palette::colours());
  EXPECT_EQ(all.count(std::string(kOtherColour)), 0u);
  EXPECT_EQ(all.count("#d62728"), 0u);
}

TEST(Palette, UnknownNamesAreStable) {
  const Palette p({"a"}, {});
  EXPECT_EQ(p.style(StyleKey::model, "zzz").colour, p.style(StyleKey::model, "zzz").colour);
  EXPECT_EQ(Palette().style(StyleKey::model, "zzz").colour, p.style(StyleKey::model, "zzz").colour);
}

TEST(Palette, AModelHasOneColourAndMarkerInEveryFigureOfADocument) {
  // resnet18 is the 2nd series of one figure and the 1st of another, and
  // alone on a roofline: its colour must not follow its position.
  Document doc;
  Section s;
  s.blocks.emplace_back(FigureBlock{"a", "", "A", {}, scatter_of({"vgg16", "resnet18"}, "A")});
  s.blocks.emplace_back(FigureBlock{"b", "", "B", {}, scatter_of({"resnet18", "alexnet"}, "B")});
  Ceiling c;
  c.roof.chip_id = "cpu";
  c.roof.peak_flops = 1e12;
  c.roof.bandwidth = 1e11;
  c.label = "cpu DRAM";
  c.short_label = "cpu";
  PointInput pt;
  pt.label = "resnet18 b1";
  pt.group = "resnet18";
  pt.intensity = 20;
  pt.flops = 5e11;
  RooflineFigure roof = build_roofline_figure("R", {c}, {pt});
  roof.group_key = StyleKey::model;
  s.blocks.emplace_back(FigureBlock{"r", "", "R", {roof}, std::nullopt});
  doc.sections.push_back(std::move(s));

  const Palette palette = document_palette(doc);
  EXPECT_EQ(palette.models(), (std::vector<std::string>{"alexnet", "resnet18", "vgg16"}));
  const auto figures = document_figures(doc);
  const std::string a = chart_script(*figures[0]->chart, ImageFormat::png, "a.png", &palette);
  const std::string b = chart_script(*figures[1]->chart, ImageFormat::png, "b.png", &palette);
  PlotLayout layout;
  layout.palette = &palette;
  const std::string r = roofline_script(figures[2]->panels, "R", ImageFormat::png, "r.png", layout);
  // alexnet < resnet18 < vgg16: resnet18 is the palette's second, orange, square.
  EXPECT_EQ(colour_in_script(a, "resnet18"), "#ff7f0e") << a;
  EXPECT_EQ(colour_in_script(b, "resnet18"), "#ff7f0e") << b;
  EXPECT_EQ(colour_in_script(r, "resnet18"), "#ff7f0e") << r;
  EXPECT_EQ(marker_in_script(a, "resnet18"), "5");
  EXPECT_EQ(marker_in_script(b, "resnet18"), "5");
  EXPECT_EQ(marker_in_script(r, "resnet18"), "5");
  EXPECT_NE(colour_in_script(a, "vgg16"), colour_in_script(b, "alexnet"));
  // The roofline's ceiling is drawn in a neutral tone, not a model's colour.
  EXPECT_NE(r.find("lc rgb '#000000' dt solid title 'cpu DRAM"), std::string::npos) << r;
}

TEST(Palette, AnOpTypeHasOneColourInBarsAndPies) {
  Chart bars;
  bars.kind = ChartKind::stacked_bars;
  bars.title = "shares";
  bars.legend_key = StyleKey::op;
  bars.categories = {"resnet18", "vgg16"};
  bars.series.push_back(bar_series("Relu", {10, 5}));
  bars.series.push_back(bar_series("Conv", {80, 90}));
  bars.series.push_back(bar_series("other", {10, 5}));
  Chart pies;
  pies.kind = ChartKind::pie;
  pies.title = "pies";
  pies.legend_key = StyleKey::op;
  pies.categories = {"Conv", "BatchNorm", "Gemm", "other"};
  pies.series.push_back(bar_series("FLOPs", {90, 2, 5, 3}));
  pies.series.push_back(bar_series("traffic", {40, 30, 20, 10}));
  // Drawn alone, each figure would colour by its own ops; in one report
  // both take the report's palette.
  const Palette palette({}, {"Relu", "Conv", "BatchNorm", "Gemm", "other"});
  const std::string b = chart_script(bars, ImageFormat::png, "b.png", &palette);
  const std::string p = chart_script(pies, ImageFormat::png, "p.png", &palette);
  // OpKind order: Conv, Gemm, BatchNorm, Relu.
  EXPECT_EQ(colour_in_script(b, "Conv"), "#1f77b4") << b;
  EXPECT_EQ(colour_in_script(p, "Conv"), "#1f77b4") << p;
  // The 4th colour: Tableau's purple (its red is kept for points above a roof).
  EXPECT_EQ(colour_in_script(b, "Relu"), "#9467bd");
  EXPECT_EQ(colour_in_script(p, "Gemm"), "#ff7f0e");
  EXPECT_EQ(colour_in_script(b, "other"), std::string(kOtherColour));
  EXPECT_EQ(colour_in_script(p, "other"), std::string(kOtherColour));
  // The slices carry the same colours: Conv's 0x1f77b4 = 2062260.
  EXPECT_NE(p.find(" 2062260\n"), std::string::npos) << p;
}

TEST(FigureRules, PanelsOfOneFigureShareTheirAxisRanges) {
  // Two panels whose own ranges differ (a 100x faster chip on the second,
  // and a point at intensity 5000).
  Ceiling slow;
  slow.roof.chip_id = slow.label = slow.short_label = "slow";
  slow.roof.peak_flops = 1e11;
  slow.roof.bandwidth = 1e10;
  Ceiling fast = slow;
  fast.roof.chip_id = fast.label = fast.short_label = "fast";
  fast.roof.peak_flops = 1e14;
  fast.roof.bandwidth = 1e12;
  PointInput far;
  far.label = far.group = "far";
  far.intensity = 5000;
  far.flops = 1e13;
  std::vector<RooflineFigure> panels{build_roofline_figure("one", {slow}),
                                     build_roofline_figure("two", {fast}, {far})};
  ASSERT_NE(panels[0].y.max, panels[1].y.max);
  // Stacked, as the report draws them.
  PlotLayout stacked;
  stacked.columns = 1;
  const std::string s = roofline_script(panels, "both", ImageFormat::png, "o.png", stacked);
  const std::regex range("set xrange \\[([^\\]]+)\\]\\nset yrange \\[([^\\]]+)\\]");
  std::vector<std::string> xs, ys;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), range); it != std::sregex_iterator();
       ++it) {
    xs.push_back((*it)[1]);
    ys.push_back((*it)[2]);
  }
  ASSERT_EQ(xs.size(), 2u) << s;
  EXPECT_EQ(xs[0], xs[1]);
  EXPECT_EQ(ys[0], ys[1]);
  // The union: x from a decade below the lowest ridge (10 FLOP/B) to a
  // decade above the point (5000 -> 10^4 -> 10^5); y from the slow roof's
  // start (1e10 B/s x 1 FLOP/B = 1e10) to 2 x 1e14 rounded up (1e15).
  EXPECT_EQ(xs[0], "1:100000");
  EXPECT_EQ(ys[0], "1e+10:1e+15");
  // The slow chip's flat roof is extended to the shared right edge.
  EXPECT_NE(s.find("100000 1e+11\nEOD"), std::string::npos) << s;
  // One legend layout and one bottom margin for both panels (1 and 2
  // entries), so their plot areas have one size.
  const std::regex key("set bmargin [^\n]+\n|set key [^\n]+\n");
  std::vector<std::string> keys;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), key); it != std::sregex_iterator();
       ++it) {
    keys.push_back((*it)[0]);
  }
  ASSERT_EQ(keys.size(), 4u) << s;
  EXPECT_EQ(keys[0], keys[2]);
  EXPECT_EQ(keys[1], keys[3]);
}

TEST(FigureRules, LegendsSitOutsideThePlotArea) {
  const std::string chart = chart_script(scatter_of({"a", "b"}, "t"), ImageFormat::png, "x.png");
  EXPECT_NE(chart.find("set key outside"), std::string::npos);
  EXPECT_EQ(chart.find("set key inside"), std::string::npos);
  Ceiling c;
  c.roof.chip_id = c.label = c.short_label = "c";
  c.roof.peak_flops = 1e12;
  c.roof.bandwidth = 1e11;
  const std::string roof =
      roofline_script({build_roofline_figure("t", {c})}, "t", ImageFormat::png, "x.png");
  EXPECT_NE(roof.find("set key outside"), std::string::npos);
  EXPECT_EQ(roof.find("set key inside"), std::string::npos);
}

}  // namespace
}  // namespace dnnroof
