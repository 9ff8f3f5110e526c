#include "report/roofline.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/error.h"

namespace dnnroof {
namespace {

Ceiling ceiling(std::string chip, double peak, double bw) {
  Ceiling c;
  c.roof.chip_id = chip;
  c.roof.level = "DRAM";
  c.roof.peak_flops = peak;
  c.roof.bandwidth = bw;
  c.label = chip;
  c.short_label = chip;
  return c;
}

// A100-like: 19.5 TFLOP/s against 2039 GB/s. Ridge by hand: 19.5e12 / 2039e9
// = 9.56351... FLOP/B. Axis x: decade below 9.56 is 1, one more: 0.1; decade
// above is 10, one more: 100. Axis y: lowest drawn value is the slanted
// roof's start 2039e9 x 0.1 = 2.039e11 -> 1e11; highest 19.5e12 x 2 headroom
// = 3.9e13 -> 1e14.
TEST(RooflineFigure, OnePolylinePerCeilingWithItsCornerAtTheRidge) {
  const RooflineFigure fig = build_roofline_figure("t", {ceiling("a100", 19.5e12, 2039e9)});
  ASSERT_EQ(fig.ceilings.size(), 1u);
  const CeilingLine& line = fig.ceilings[0];
  EXPECT_NEAR(line.ridge_intensity, 9.5635, 1e-4);
  ASSERT_EQ(line.polyline.size(), 3u);
  EXPECT_DOUBLE_EQ(fig.x.min, 0.1);
  EXPECT_DOUBLE_EQ(fig.x.max, 100.0);
  EXPECT_DOUBLE_EQ(fig.y.min, 1e11);
  EXPECT_DOUBLE_EQ(fig.y.max, 1e14);
  // First vertex on the slanted roof at x_min.
  EXPECT_DOUBLE_EQ(line.polyline[0].x, 0.1);
  EXPECT_NEAR(line.polyline[0].y, 2.039e11, 1);
  // The corner: exactly the ridge point.
  EXPECT_NEAR(line.polyline[1].x, 9.5635, 1e-4);
  EXPECT_DOUBLE_EQ(line.polyline[1].y, 19.5e12);
  // Last vertex flat at the peak, at x_max.
  EXPECT_DOUBLE_EQ(line.polyline[2].x, 100.0);
  EXPECT_DOUBLE_EQ(line.polyline[2].y, 19.5e12);
}

TEST(RooflineFigure, AxisRangesHoldEveryRidgeAndPeak) {
  // Ridges by hand: 1e12/100e9 = 10, 8.1e12/320e9 = 25.3125,
  // 990e12/3.35e12 = 295.5, 50e9/100e9 = 0.5.
  const RooflineFigure fig =
      build_roofline_figure("t", {ceiling("cpu", 1e12, 100e9), ceiling("t4", 8.1e12, 320e9),
                                  ceiling("h100", 990e12, 3.35e12), ceiling("tiny", 50e9, 100e9)});
  EXPECT_DOUBLE_EQ(fig.x.min, 0.01);  // 0.5 -> 0.1 -> 0.01
  EXPECT_DOUBLE_EQ(fig.x.max, 1e4);   // 295.5 -> 1000 -> 10000
  for (const CeilingLine& c : fig.ceilings) {
    EXPECT_GT(c.ridge_intensity, fig.x.min);
    EXPECT_LT(c.ridge_intensity, fig.x.max);
    EXPECT_GT(c.ceiling.roof.peak_flops, fig.y.min);
    EXPECT_LT(c.ceiling.roof.peak_flops, fig.y.max);
    EXPECT_GE(c.polyline.front().y, fig.y.min);
  }
  EXPECT_DOUBLE_EQ(fig.ceilings[3].ridge_intensity, 0.5);
  // Lowest slanted start: 100e9 x 0.01 = 1e9 (cpu and tiny share it).
  EXPECT_DOUBLE_EQ(fig.y.min, 1e9);
}

TEST(RooflineFigure, PointAboveItsRoofIsFlaggedWithAWarning) {
  // Roof at 100 FLOP/B: min(19.5e12, 2039e9 x 100) = 19.5e12; 25e12 is above.
  // Roof at 1 FLOP/B: 2.039e12; 2e12 is under it.
  std::vector<PointInput> points{
      {"vgg16 b64", "vgg16", PointKind::measured, 100, 25e12, 0},
      {"resnet18 b64", "resnet18", PointKind::measured, 1, 2e12, 0},
  };
  const RooflineFigure fig = build_roofline_figure("t", {ceiling("a100", 19.5e12, 2039e9)}, points);
  ASSERT_EQ(fig.points.size(), 2u);
  EXPECT_TRUE(fig.points[0].above_roof);
  EXPECT_DOUBLE_EQ(fig.points[0].attainable_flops, 19.5e12);
  EXPECT_FALSE(fig.points[1].above_roof);
  EXPECT_NEAR(fig.points[1].attainable_flops, 2.039e12, 1);
  EXPECT_TRUE(fig.has_point_above_roof());
  ASSERT_EQ(fig.warnings.size(), 1u);
  EXPECT_NE(fig.warnings[0].find("vgg16 b64"), std::string::npos) << fig.warnings[0];
  EXPECT_NE(fig.warnings[0].find("1.28x"), std::string::npos) << fig.warnings[0];  // 25/19.5
  // Marker groups in order of first appearance.
  EXPECT_EQ(fig.points[0].marker, 0);
  EXPECT_EQ(fig.points[1].marker, 1);
}

TEST(RooflineFigure, PointOnTheRoofIsNotAbove) {
  // Exactly on the slanted roof at 4 FLOP/B: 4 x 2039e9.
  const RooflineFigure fig =
      build_roofline_figure("t", {ceiling("a100", 19.5e12, 2039e9)},
                            {{"on", "g", PointKind::measured, 4, 4 * 2039e9, 0}});
  EXPECT_FALSE(fig.points[0].above_roof);
  EXPECT_TRUE(fig.warnings.empty());
}

TEST(RooflineFigure, AttainablePointSitsOnTheRoof) {
  // Static point at 2 FLOP/B: on the slanted roof, 2 x 2039e9 = 4.078e12;
  // at 50 FLOP/B: on the flat roof, 19.5e12.
  const RooflineFigure fig =
      build_roofline_figure("t", {ceiling("a100", 19.5e12, 2039e9)},
                            {{"low", "m", PointKind::attainable, 2, 0, 0},
                             {"high", "m", PointKind::attainable, 50, 0, 0}});
  EXPECT_NEAR(fig.points[0].flops, 4.078e12, 1);
  EXPECT_DOUBLE_EQ(fig.points[1].flops, 19.5e12);
  EXPECT_FALSE(fig.points[0].above_roof);
  EXPECT_FALSE(fig.points[1].above_roof);
}

TEST(RooflineFigure, CeilingsOfOneChipShareAColourAndDifferInDash) {
  Ceiling l2 = ceiling("a100", 19.5e12, 5e12);
  l2.roof.level = "L2";
  const RooflineFigure fig = build_roofline_figure(
      "t", {ceiling("a100", 19.5e12, 2039e9), l2, ceiling("t4", 8.1e12, 320e9)});
  EXPECT_EQ(fig.ceilings[0].colour, fig.ceilings[1].colour);
  EXPECT_NE(fig.ceilings[0].dash, fig.ceilings[1].dash);
  EXPECT_NE(fig.ceilings[0].colour, fig.ceilings[2].colour);
}

TEST(RooflineFigure, ChipsBeyondThePaletteStillDifferInColourOrDash) {
  std::vector<Ceiling> cs;
  for (int i = 0; i < 30; ++i) cs.push_back(ceiling(fmt::format("c{}", i), 1e12, 1e11));
  const RooflineFigure fig = build_roofline_figure("t", cs);
  for (std::size_t i = 0; i < cs.size(); ++i) {
    for (std::size_t j = i + 1; j < cs.size(); ++j) {
      const bool same_colour = fig.ceilings[i].colour % 10 == fig.ceilings[j].colour % 10;
      const bool same_dash = fig.ceilings[i].dash % 6 == fig.ceilings[j].dash % 6;
      EXPECT_FALSE(same_colour && same_dash) << i << " and " << j;
    }
  }
}

TEST(RooflineFigure, RejectsWhatCannotBeDrawn) {
  EXPECT_THROW(build_roofline_figure("t", {}), Error);
  EXPECT_THROW(build_roofline_figure("t", {ceiling("x", 1e12, 0)}), Error);
  EXPECT_THROW(build_roofline_figure("t", {ceiling("x", 0, 1e9)}), Error);
  EXPECT_THROW(build_roofline_figure("t", {ceiling("x", 1e12, 1e9)},
                                     {{"p", "g", PointKind::measured, 0, 1e9, 0}}),
               Error);
  EXPECT_THROW(build_roofline_figure("t", {ceiling("x", 1e12, 1e9)},
                                     {{"p", "g", PointKind::measured, 1, 0, 0}}),
               Error);
  EXPECT_THROW(build_roofline_figure("t", {ceiling("x", 1e12, 1e9)},
                                     {{"p", "g", PointKind::measured, 1, 1e9, 1}}),
               Error);
}

}  // namespace
}  // namespace dnnroof
