// The probe's bandwidth figure as a chart: one line per curve, one per
// plateau, binary tics over the measured range, and a script gnuplot reads.
#include "report/probe_figure.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

namespace dnnroof {
namespace {

constexpr double kKiB = 1024;
constexpr double kMiB = 1024 * kKiB;

ProbeResult two_point_result() {
  ProbeResult r;
  r.host.cpu_model = "Test 'Quoted' CPU";
  BandwidthCurve triad;
  triad.kind = MemoryKernelKind::triad;
  triad.threads = 2;
  BandwidthPoint small;
  small.working_set_bytes = 16 * kKiB;
  small.rate.best = 400e9;
  BandwidthPoint large;
  large.working_set_bytes = 512 * kMiB;
  large.rate.best = 19e9;
  triad.points = {small, large};
  triad.plateaus = {{"L1d", 0, 0, 4 * kKiB, 32 * kKiB, 400e9},
                    {"DRAM", 1, 1, 128 * kMiB, 512 * kMiB, 20.5e9}};
  r.curves.push_back(triad);
  return r;
}

TEST(BandwidthChart, OneLinePerCurveAndPerPlateau) {
  const Chart c = bandwidth_chart(two_point_result());
  EXPECT_EQ(c.kind, ChartKind::scatter);
  EXPECT_EQ(c.x_scale, AxisScale::log);
  EXPECT_EQ(c.y_scale, AxisScale::log);
  ASSERT_EQ(c.series.size(), 3u);  // the curve, then its two plateaus
  EXPECT_EQ(c.series[0].name, "triad, 2 threads");
  EXPECT_TRUE(c.series[0].lines);
  EXPECT_EQ(c.series[0].x, (std::vector<double>{16 * kKiB, 512 * kMiB}));
  EXPECT_EQ(c.series[0].y, (std::vector<double>{400e9, 19e9}));
  EXPECT_EQ(c.series[2].name, "DRAM 20.5 GB/s (2T)");
  EXPECT_EQ(c.series[2].x, (std::vector<double>{128 * kMiB, 512 * kMiB}));
  EXPECT_EQ(c.series[2].y, (std::vector<double>{20.5e9, 20.5e9}));
  // Tics at 4 KiB x 16^k up to 4x the largest working set (2 GiB): 4 KiB,
  // 64 KiB, 1 MiB, 16 MiB, 256 MiB (4 GiB is beyond it).
  EXPECT_EQ(c.x_tics, (std::vector<double>{4 * kKiB, 64 * kKiB, kMiB, 16 * kMiB, 256 * kMiB}));
  ASSERT_EQ(c.x_tic_labels.size(), 5u);
  EXPECT_EQ(c.x_tic_labels[0], "4 KiB");
  EXPECT_EQ(c.x_tic_labels[4], "256 MiB");
}

TEST(BandwidthChart, ScriptHasTheTicLabelsAndTheTitle) {
  const std::string s =
      chart_script(bandwidth_chart(two_point_result()), ImageFormat::png, "/tmp/bw.png");
  EXPECT_NE(s.find("set terminal pngcairo size 1200,700"), std::string::npos) << s;
  EXPECT_NE(s.find("'4 KiB' 4096"), std::string::npos) << s;
  EXPECT_NE(s.find("working set: Test 'Quoted' CPU\""), std::string::npos) << s;
  EXPECT_NE(s.find("set logscale x 10"), std::string::npos) << s;
}

TEST(BandwidthChart, NoCurveIsAnError) { EXPECT_THROW(bandwidth_chart(ProbeResult{}), Error); }

TEST(GnuplotScript, QuotingNumbersAndFormats) {
  EXPECT_EQ(gnuplot_quote("it's"), "'it''s'");
  EXPECT_EQ(gnuplot_number(0.1), "0.1");
  EXPECT_EQ(gnuplot_number(1.0 / 0.0), "?");
  EXPECT_EQ(image_format_for_path("a/B.SVG"), ImageFormat::svg);
  EXPECT_THROW(image_format_for_path("bw.jpg"), Error);
  EXPECT_EQ(gnuplot_terminal(ImageFormat::pdf, 1000, 600),
            "set terminal pdfcairo size 10.00in,6.00in noenhanced font 'Sans,8'\n");
}

}  // namespace
}  // namespace dnnroof
