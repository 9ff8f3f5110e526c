#include "report/chart.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "core/error.h"
#include "report/gnuplot.h"

namespace dnnroof {
namespace {

Chart two_model_bars() {
  Chart c;
  c.kind = ChartKind::bars;
  c.title = "Forward FLOPs";
  c.x_label = "Model";
  c.y_label = "FLOPs [GFLOP]";
  c.categories = {"resnet18", "alexnet"};
  c.series.push_back(bar_series("batch 1", {3.64, 1.43}));
  c.series.push_back(bar_series("batch 8", {29.1, 11.4}));
  c.label_values = true;
  return c;
}

TEST(Chart, BarScriptNamesEveryCategoryAndSeries) {
  const std::string s = chart_script(two_model_bars(), ImageFormat::png, "/tmp/x.png");
  EXPECT_NE(s.find("\"resnet18\" 3.64 29.1"), std::string::npos) << s;
  EXPECT_NE(s.find("\"alexnet\" 1.43 11.4"), std::string::npos) << s;
  EXPECT_NE(s.find("title 'batch 1'"), std::string::npos);
  EXPECT_NE(s.find("title 'batch 8'"), std::string::npos);
  EXPECT_NE(s.find("xtic(1)"), std::string::npos);  // models named on the axis
  EXPECT_NE(s.find("set ylabel 'FLOPs [GFLOP]'"), std::string::npos);
  EXPECT_NE(s.find("set yrange [0:*]"), std::string::npos);  // linear bars start at zero
  // Two series, gap 1: a cluster is 3 slots of 1/3; bar centres at -1/6 and +1/6.
  EXPECT_NE(s.find("($0-0.1667)"), std::string::npos) << s;
  EXPECT_NE(s.find("($0+0.1667)"), std::string::npos) << s;
}

TEST(Chart, MissingValuesAreWrittenAsMissing) {
  Chart c = two_model_bars();
  c.series[1].values[1] = std::numeric_limits<double>::quiet_NaN();
  const std::string s = chart_script(c, ImageFormat::png, "/tmp/x.png");
  EXPECT_NE(s.find("\"alexnet\" 1.43 ?"), std::string::npos) << s;
}

TEST(Chart, ValidationNamesTheChartAndTheProblem) {
  Chart c = two_model_bars();
  c.series[0].values.pop_back();
  try {
    validate_chart(c);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Forward FLOPs"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'batch 1' has 1 values for 2 categories"),
              std::string::npos)
        << e.what();
  }
  Chart log = two_model_bars();
  log.y_scale = AxisScale::log;
  log.series[0].values[0] = 0;
  EXPECT_THROW(validate_chart(log), Error);
  Chart scatter;
  scatter.kind = ChartKind::scatter;
  scatter.title = "t";
  scatter.series.push_back(point_series("s", {1, 2}, {1}));
  EXPECT_THROW(validate_chart(scatter), Error);
  Chart heat;
  heat.kind = ChartKind::heatmap;
  heat.title = "h";
  heat.categories = {"a", "b"};
  heat.row_categories = {"a", "b"};
  heat.cells = {{1, 0.5}, {0.5}};
  EXPECT_THROW(validate_chart(heat), Error);
  Chart empty;
  EXPECT_THROW(validate_chart(empty), Error);
}

TEST(Chart, HeatMapPrintsEveryCellWithRowsTopToBottom) {
  Chart c;
  c.kind = ChartKind::heatmap;
  c.title = "Spearman";
  c.categories = {"latency", "FLOPs", "params"};
  c.row_categories = c.categories;
  c.cells = {{1, 0.9, 0.4}, {0.9, 1, 0.5}, {0.4, 0.5, 1}};
  const std::string s = chart_script(c, ImageFormat::svg, "/tmp/x.svg");
  // Row 0 ("latency") is drawn at the top: y = rows - 1 = 2.
  EXPECT_NE(s.find("'latency' 2"), std::string::npos) << s;
  EXPECT_NE(s.find("0 2 1\n1 2 0.9\n2 2 0.4\n"), std::string::npos) << s;
  EXPECT_NE(s.find("with image"), std::string::npos);
  EXPECT_NE(s.find("sprintf('%.2f', $3)"), std::string::npos);
  EXPECT_NE(s.find("set cbrange [-1:1]"), std::string::npos);
}

TEST(Chart, ScatterWithDiagonalAndLogAxes) {
  Chart c;
  c.kind = ChartKind::scatter;
  c.title = "Predicted vs measured";
  c.x_label = "Predicted [ms]";
  c.y_label = "Measured [ms]";
  c.x_scale = c.y_scale = AxisScale::log;
  c.diagonal = true;
  c.series.push_back(point_series("cpu", {1, 10}, {2, 30}, {"a", "b"}));
  const std::string s = chart_script(c, ImageFormat::png, "/tmp/x.png");
  EXPECT_NE(s.find("set logscale x 10"), std::string::npos);
  EXPECT_NE(s.find("set logscale y 10"), std::string::npos);
  EXPECT_NE(s.find("1 2 \"a\"\n10 30 \"b\"\n"), std::string::npos) << s;
  EXPECT_NE(s.find("y = x"), std::string::npos);
}

TEST(Chart, PrintedValuesHaveRoomAboveTheTallestBar) {
  // 3.44 is the tallest: without room gnuplot's autoscale stops at 3.5 and
  // the label above the bar is cut by the frame.
  Chart c = two_model_bars();
  c.series = {bar_series("ratio", {3.44, 2.1})};
  const std::string s = chart_script(c, ImageFormat::png, "/tmp/x.png");
  // 3.44 x 1.12 = 3.853, rounded up to a fifth of its decade (0.2): 4.
  EXPECT_NE(s.find("set yrange [0:4]\n$bars"), std::string::npos) << s;
  // An explicit range too low for the labels is raised: 1.12 x 3.44.
  c.y_min = 0;
  c.y_max = 3.5;
  const std::string t = chart_script(c, ImageFormat::png, "/tmp/x.png");
  EXPECT_NE(t.find("set yrange [0:3.8528]"), std::string::npos) << t;
}

TEST(Chart, LongTitlesAreBrokenIntoLinesNotClipped) {
  Chart c = two_model_bars();
  c.title = "resnet18 layers, batch 1: predicted vs measured (host-measured DRAM [measured], fp32)";
  const std::string s = chart_script(c, ImageFormat::png, "/tmp/x.png");
  // 1000 px: lines of at most 0.55 x 1000 / 8 = 68 characters, broken at a space.
  EXPECT_NE(s.find("set title \"resnet18 layers, batch 1: predicted vs measured (host-measured "
                   "DRAM\\n[measured], fp32)\" font"),
            std::string::npos)
      << s;
  c.title = "Short";
  EXPECT_NE(chart_script(c, ImageFormat::png, "/tmp/x.png").find("set title \"Short\" font"),
            std::string::npos);
}

TEST(Chart, OneSlicePieIsRejected) {
  Chart c;
  c.kind = ChartKind::pie;
  c.title = "activations";
  c.categories = {"Conv", "Relu"};
  c.series.push_back(bar_series("activation memory", {100, 0}));
  try {
    validate_chart(c);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("one slice ('Conv', 100%)"), std::string::npos)
        << e.what();
  }
}

TEST(Chart, PiesWrapIntoRows) {
  Chart c;
  c.kind = ChartKind::pie;
  c.title = "pies";
  c.categories = {"a", "b"};
  for (int i = 0; i < 6; ++i) c.series.push_back(bar_series(fmt::format("m{}", i), {1, 1}));
  c.pies_per_row = 4;
  const std::string s = chart_script(c, ImageFormat::png, "/tmp/x.png");
  // Two rows: the 5th pie starts the second row at (0, -2.6).
  EXPECT_NE(s.find("set xrange [-1.15:8.95]\nset yrange [-4.05:1.15]"), std::string::npos) << s;
  EXPECT_NE(s.find("0 -3.88 \"m4\""), std::string::npos) << s;
}

TEST(Chart, RendersPngAndInlineSvgWhenGnuplotIsPresent) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot not installed";
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("dnnroof-chart-test-{}", getpid());
  Chart heat;
  heat.kind = ChartKind::heatmap;
  heat.title = "Spearman";
  heat.categories = {"latency", "FLOPs"};
  heat.row_categories = heat.categories;
  heat.cells = {{1, -0.2}, {-0.2, 1}};
  for (const Chart& c : {two_model_bars(), heat}) {
    const std::filesystem::path png = dir / "c.png";
    render_chart(c, png);
    EXPECT_GT(std::filesystem::file_size(png), 1000u);
    const std::string svg = chart_svg_for_html(c, "t-");
    EXPECT_TRUE(svg.starts_with("<svg")) << svg.substr(0, 100);
    EXPECT_EQ(svg.find("<script"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dnnroof
