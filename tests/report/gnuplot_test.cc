#include "report/gnuplot.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace dnnroof {
namespace {

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

RooflineFigure three_chips(std::vector<PointInput> points = {}) {
  std::vector<Ceiling> cs;
  const std::vector<std::tuple<std::string, double, double>> chips{
      {"a100", 19.5e12, 2039e9}, {"t4", 8.1e12, 320e9}, {"cpu", 1e12, 100e9}};
  for (const auto& [id, peak, bw] : chips) {
    Ceiling c;
    c.roof.chip_id = id;
    c.roof.level = "DRAM";
    c.roof.peak_flops = peak;
    c.roof.bandwidth = bw;
    c.label = fmt::format("Chip {}", id);
    c.short_label = id;
    cs.push_back(c);
  }
  return build_roofline_figure("Three chips at fp32", cs, std::move(points));
}

TEST(GnuplotScript, LogLogAxesWithUnitsAndOneLinePerChip) {
  const std::string s = roofline_script({three_chips()}, "", ImageFormat::png, "out.png");
  EXPECT_NE(s.find("set terminal pngcairo"), std::string::npos);
  EXPECT_NE(s.find("set output 'out.png'"), std::string::npos);
  EXPECT_NE(s.find("set logscale xy"), std::string::npos);
  EXPECT_NE(s.find("set xlabel 'Operational intensity [FLOP/B]'"), std::string::npos);
  EXPECT_NE(s.find("set ylabel 'Performance [FLOP/s]'"), std::string::npos);
  EXPECT_NE(s.find("set ytics format '%.0s%c'"), std::string::npos);  // SI: 1T, 10T
  // One `with lines` plot element per chip, drawn from its own datablock.
  EXPECT_EQ(count(s, "with lines"), 3u);
  EXPECT_EQ(count(s, "$p0c0 using 1:2 with lines"), 1u);
  EXPECT_EQ(count(s, "$p0c2 using 1:2 with lines"), 1u);
  // The A100's datablock holds its three vertices; the corner is the ridge
  // 19.5e12 / 2039e9 = 9.563511525 FLOP/B.
  EXPECT_NE(s.find("$p0c0 << EOD\n0.1 2.039e+11\n9.563511525 1.95e+13\n1000 1.95e+13\nEOD"),
            std::string::npos)
      << s;
  // Legend entries and ridge labels carry the ridge value.
  EXPECT_NE(s.find("'Chip a100: ridge 9.56 FLOP/B'"), std::string::npos);
  EXPECT_NE(s.find("'a100: 9.56 FLOP/B'"), std::string::npos);
  EXPECT_NE(s.find("'t4: 25.3 FLOP/B'"), std::string::npos);
  // Distinct colour and dash per chip.
  EXPECT_NE(s.find("lc rgb '#1f77b4' dt solid"), std::string::npos);
  EXPECT_NE(s.find("lc rgb '#ff7f0e' dt (14,6)"), std::string::npos);
  EXPECT_EQ(s.find("above roof"), std::string::npos);
}

TEST(GnuplotScript, PointAboveRoofGetsItsOwnMarkerAndLegendEntry) {
  const std::string s =
      roofline_script({three_chips({{"vgg16", "vgg16", PointKind::measured, 100, 25e12, 0},
                                    {"resnet18", "resnet18", PointKind::measured, 5, 1e12, 0}})},
                      "", ImageFormat::svg, "out.svg");
  EXPECT_NE(s.find("title 'above roof: check ceiling'"), std::string::npos) << s;
  EXPECT_NE(s.find("vgg16 (above roof)"), std::string::npos);
  EXPECT_NE(s.find("title 'resnet18'"), std::string::npos);
  // vgg16's only point is above the roof: no ordinary marker entry for it.
  EXPECT_EQ(s.find("title 'vgg16'"), std::string::npos);
}

TEST(GnuplotScript, TerminalFollowsTheFormat) {
  // 600 px for the plot, and 2 rows of legend (3 entries in two columns)
  // x 21 px below it.
  EXPECT_NE(roofline_script({three_chips()}, "", ImageFormat::svg, "a.svg")
                .find("set terminal svg size 1000,642 dynamic standalone mouse"),
            std::string::npos);
  EXPECT_NE(
      roofline_script({three_chips()}, "", ImageFormat::pdf, "a.pdf").find("set terminal pdfcairo"),
      std::string::npos);
  EXPECT_EQ(image_format_for_path("x/Fig.PNG"), ImageFormat::png);
  EXPECT_EQ(image_format_for_path("a.svg"), ImageFormat::svg);
  EXPECT_EQ(image_format_for_path("a.pdf"), ImageFormat::pdf);
  EXPECT_THROW(image_format_for_path("a.jpg"), Error);
  EXPECT_THROW(image_format_for_path("noext"), Error);
}

TEST(GnuplotScript, SeveralPanelsAreAMultiplot) {
  PlotLayout layout;
  const std::string two =
      roofline_script({three_chips(), three_chips()}, "All", ImageFormat::png, "o.png", layout);
  EXPECT_NE(two.find("set multiplot layout 1,2 title 'All'"), std::string::npos);
  EXPECT_NE(two.find("unset multiplot"), std::string::npos);
  // Each panel has its own datablocks and its three lines.
  EXPECT_EQ(count(two, "with lines"), 6u);
  EXPECT_NE(two.find("$p1c2 << EOD"), std::string::npos);
  layout.columns = 1;
  const std::string stacked = roofline_script({three_chips(), three_chips(), three_chips()}, "All",
                                              ImageFormat::png, "o.png", layout);
  EXPECT_NE(stacked.find("set multiplot layout 3,1"), std::string::npos);
  EXPECT_THROW(roofline_script({}, "none", ImageFormat::png, "o.png"), Error);
}

TEST(GnuplotScript, QuotesInTitlesAreEscaped) {
  RooflineFigure fig = three_chips();
  fig.title = "AMD EPYC 9654 (Zen 4 'Genoa')";
  const std::string s = roofline_script({fig}, "", ImageFormat::png, "o.png");
  EXPECT_NE(s.find("set title 'AMD EPYC 9654 (Zen 4 ''Genoa'')'"), std::string::npos);
}

TEST(FormatIntensity, ThreeSignificantDigitsThenWholeNumbers) {
  EXPECT_EQ(format_intensity(9.56351), "9.56");
  EXPECT_EQ(format_intensity(0.5), "0.5");
  EXPECT_EQ(format_intensity(25.3125), "25.3");
  EXPECT_EQ(format_intensity(1234.4), "1234");
}

class GnuplotRender : public ::testing::Test {
 protected:
  void SetUp() override {
    if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot not found: rendering tests skipped";
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("dnnroof-gnuplot-test-{}-{}", getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path dir_;
};

std::string head(const std::filesystem::path& p, std::size_t n) {
  std::ifstream in(p, std::ios::binary);
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

TEST_F(GnuplotRender, WritesPngSvgAndPdf) {
  render_roofline({three_chips()}, "t", dir_ / "f.png");
  EXPECT_EQ(head(dir_ / "f.png", 8), "\x89PNG\r\n\x1a\n");
  render_roofline({three_chips(), three_chips()}, "t", dir_ / "sub" / "f.pdf");
  EXPECT_EQ(head(dir_ / "sub" / "f.pdf", 5), "%PDF-");
  render_roofline({three_chips()}, "t", dir_ / "f.svg");
  EXPECT_NE(head(dir_ / "f.svg", 400).find("<svg"), std::string::npos);
}

TEST_F(GnuplotRender, SvgForHtmlHasNoScriptPrefixedIdsAndHoverTitles) {
  const std::string svg = roofline_svg_for_html({three_chips()}, "My figure", "f7-");
  EXPECT_TRUE(svg.starts_with("<svg")) << svg.substr(0, 80);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("gnuplot_svg."), std::string::npos);
  EXPECT_NE(svg.find("<title>My figure</title>"), std::string::npos);
  EXPECT_NE(svg.find("id=\"f7-gnuplot_canvas\""), std::string::npos);
  EXPECT_EQ(svg.find("id=\"gnuplot_canvas\""), std::string::npos);
  EXPECT_EQ(svg.find("xlink:href='#gpPt"), std::string::npos);
  // Ridge point hover text: id, ridge, peak and bandwidth.
  EXPECT_NE(svg.find("<title>a100: ridge 9.56 FLOP/B, peak 19.5 TFLOP/s, DRAM 2.04 TB/s</title>"),
            std::string::npos);
}

TEST_F(GnuplotRender, AFailingScriptThrowsWithGnuplotsMessage) {
  try {
    run_gnuplot(
        fmt::format("set output '{}'\nplot nonsense_function(x)\n", (dir_ / "x.png").string()));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("gnuplot failed"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nonsense_function"), std::string::npos) << msg;
    // The script is kept for the user; clean it up here.
    const std::string marker = "script kept at ";
    const std::size_t at = msg.find(marker);
    ASSERT_NE(at, std::string::npos);
    const std::size_t end = msg.find(')', at);
    std::filesystem::remove(msg.substr(at + marker.size(), end - at - marker.size()));
  }
}

}  // namespace
}  // namespace dnnroof
