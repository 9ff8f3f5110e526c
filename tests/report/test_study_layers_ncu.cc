// Section 4's per-layer roofline commentary and its Nsight Compute
// subsection. Every expected number is worked out by hand in the comments
// (the Nsight Compute ones summed from tests/ncu/data/resnet18_a100_raw.csv).

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "fixture.h"
#include "ncu/ncu.h"
#include "ncu/results.h"
#include "report/section_measured.h"
#include "report/study.h"

namespace dnnroof {
namespace {

using test::data_file;
using test::joined;

TEST(LayerRooflineCommentary, LowestOpTypesAndFlaggedLayers) {
  // 100 GFLOP/s, 10 GB/s: ridge 100e9 / 10e9 = 10 FLOP/B.
  const std::vector<RoofCeiling> ceilings{test::x_dram_ceiling()};
  auto layer = [&](const std::string& name, OpKind op, double flops, double bytes, double t) {
    return test::layer_point(ceilings, name, op, flops, bytes, t);
  };
  // conv1: OI 100, roof 100 GFLOP/s, 1e9 / 0.02 = 50 GFLOP/s: 50%.
  // conv2: OI 100, 1e9 / 0.1 = 10 GFLOP/s: 10%. Conv median (50 + 10) / 2 = 30%.
  // relu1: OI 1e6 / 8e6 = 0.125, roof 1.25 GFLOP/s, 1e6 / 0.01 = 0.1 GFLOP/s: 8%.
  const std::vector<Placement> below{layer("conv1", OpKind::Conv, 1e9, 1e7, 0.02),
                                     layer("conv2", OpKind::Conv, 1e9, 1e7, 0.1),
                                     layer("relu1", OpKind::Relu, 1e6, 8e6, 0.01)};
  const std::vector<std::string> t1 =
      layer_roofline_commentary("m", 1, below, {"flatten: no FLOPs"}, "cpu");
  const std::string s1 = joined(t1);
  EXPECT_NE(s1.find("3 layers placed (1 skipped"), std::string::npos) << s1;
  EXPECT_NE(s1.find("lowest first: ReLU 8.0% (1 layer), Conv 30.0% (2 layers)."), std::string::npos)
      << s1;
  // One ReLU layer of 10 ms is not "short": the text gives its time and
  // share instead (10 ms of 20 + 100 + 10 ms = 8%), and flags it as far
  // below its roof (100 / 8% = 12.5x > 10x).
  EXPECT_NE(s1.find("ReLU sits lowest under its roof: its one layer takes 10 ms (8% of the timed "
                    "layers' time)"),
            std::string::npos)
      << s1;
  EXPECT_EQ(s1.find("short"), std::string::npos) << s1;
  EXPECT_NE(s1.find("relu1 (ReLU, 10 ms"), std::string::npos) << s1;
  EXPECT_NE(s1.find("No layer of m lies above its roof on cpu."), std::string::npos) << s1;
  // add1: OI 1e6 / 1e6 = 1, roof 10 GFLOP/s, 1e6 / 5e-5 = 20 GFLOP/s: 200%,
  // 2.00x above; no cache, compulsory traffic or other peak to explain it.
  std::vector<Placement> with_above = below;
  with_above.push_back(layer("add1", OpKind::Add, 1e6, 1e6, 5e-5));
  ASSERT_TRUE(with_above.back().above_roof.has_value());
  const std::string s2 = joined(layer_roofline_commentary("m", 1, with_above, {}, "cpu"));
  EXPECT_NE(s2.find("4 layers placed."), std::string::npos) << s2;
  EXPECT_NE(s2.find("Conv 30.0% (2 layers), Add 200.0% (1 layer)"), std::string::npos) << s2;
  EXPECT_NE(s2.find("1 of the 4 layers lie above their binding roof and are flagged; causes the "
                    "analysis finds: unexplained (1). Highest: add1 (Add, 2.00x)."),
            std::string::npos)
      << s2;
  EXPECT_NE(s2.find("For the unexplained ones no check holds"), std::string::npos) << s2;
  EXPECT_EQ(s2.find("keeps its working set in cache"), std::string::npos) << s2;
  EXPECT_TRUE(layer_roofline_commentary("m", 1, {}, {}, "cpu").empty());
}

// The raw fixture, column by column (7 kernels; units as written there):
//   FP32 FLOPs: 2 x ffma (118,013,952 + 802,816 + 512,000) + fadd (12,544 +
//     25,088) + fmul (12,544 + 512) = 238,657,536 + 37,632 + 13,056 = 238,708,224
//   (tensor instructions 28,224 without an ops counter: no FLOPs added);
//   DRAM: read [MB] 3.21 x 4 + 1.03 + 0.10035 + 2.05 = 16.02035 -> 16,020,350 B,
//     write [KB] 3,211.26 x 3 + 802.82 + 200.70 + 2.05 + 4.10 = 10,643.45 -> 10,643,450 B,
//     total 26,663,800 B;
//   time [us]: 61.47 + 9.22 + 5.12 + 12.38 + 23.45 + 4.10 + 14.21 = 129.95.
constexpr double kFlops = 238708224;
constexpr double kDram = 26663800;
constexpr double kTime = 129.95e-6;

std::string section_text(const Section& s) {
  return test::section_text(
      s, test::kHeadings | test::kParagraphs | test::kNoteTitles | test::kNoteItems);
}

class StudyNcu : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("dnnroof-study-ncu-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The fixture imported as `dnnroof import-ncu --out` does it, written and
  // read back.
  NcuResults imported(bool with_comparison) {
    NcuResults r;
    r.model = "resnet18";
    r.batch = 1;
    r.mode = "infer";
    r.device_chip = "a100-sxm4-40gb";
    r.summary = summarize(
        read_ncu_csv(std::string(DNNROOF_SOURCE_DIR) + "/tests/ncu/data/resnet18_a100_raw.csv"));
    r.points = measured_points(r.summary);
    if (with_comparison) {
      r.comparison = compare_with_cost(r.summary, test::ncu_fixture_cost());
    }
    const std::string path = (dir_ / "resnet18-ncu.json").string();
    write_ncu_results(path, r);
    return read_ncu_results(path);
  }

  std::filesystem::path dir_;
};

TEST_F(StudyNcu, SubsectionWithPointsAndComparison) {
  StudyOptions o = testing::study_options();
  o.chip_ids = {"fx-gpu-a"};
  o.ncu = {imported(true)};
  const Document doc = build_study(testing::fixture_catalog(), nullptr, o);
  const Section* util = nullptr;
  for (const Section& s : doc.sections) {
    if (s.id == "utilisation") util = &s;
  }
  ASSERT_NE(util, nullptr);
  const std::string text = section_text(*util);
  EXPECT_NE(text.find("5.1 Measured FLOPs and bytes (Nsight Compute)"), std::string::npos) << text;
  EXPECT_NE(text.find("resnet18_a100_raw.csv: resnet18 batch 1 (inference) on NVIDIA "
                      "A100-SXM4-40GB, catalog chip a100-sxm4-40gb (7 kernels)"),
            std::string::npos)
      << text;
  // 238,708,224 FLOPs; 26,663,800 B of DRAM traffic.
  EXPECT_NE(text.find("239 MFLOP"), std::string::npos) << text;
  EXPECT_NE(text.find("DRAM 26.7 MB"), std::string::npos) << text;
  // Ratios: 238,708,224 / 242e6 = 0.986; 26,663,800 / 30e6 = 0.889; / 12e6 = 2.22.
  EXPECT_NE(text.find("FLOPs (all kernels vs all ops) 0.986; "), std::string::npos) << text;
  EXPECT_NE(text.find("bytes (DRAM vs no-reuse traffic) 0.889; bytes (DRAM vs compulsory "
                      "traffic) 2.22"),
            std::string::npos)
      << text;
  // The comparison's own explanations, as the ncu module gives them.
  EXPECT_NE(text.find("DRAM traffic is 89% of the no-reuse model"), std::string::npos) << text;

  const Table* pts = data_file(doc, "ncu_points");
  ASSERT_NE(pts, nullptr);
  const std::vector<Cell>& total = pts->data().front();
  EXPECT_EQ(total[1].text, "total");
  EXPECT_EQ(total[2].text, "DRAM");
  EXPECT_DOUBLE_EQ(*total[3].number, kFlops);
  EXPECT_NEAR(*total[4].number, kDram, 1e-6);
  EXPECT_NEAR(*total[5].number, kTime, 1e-15);
  // OI 238,708,224 / 26,663,800 = 8.95252; 238,708,224 / 129.95e-6 = 1.836924e12 FLOP/s.
  EXPECT_NEAR(*total[6].number, 8.95252, 1e-5);
  EXPECT_NEAR(*total[7].number, 1.836924e12, 1e6);

  const Table* cmp = data_file(doc, "ncu_comparison");
  ASSERT_NE(cmp, nullptr);
  ASSERT_EQ(cmp->rows(), 5u);
  EXPECT_EQ(cmp->data()[0][1].text, "FLOPs (all kernels vs all ops)");
  EXPECT_DOUBLE_EQ(*cmp->data()[0][2].number, 242e6);  // 240e6 matmul + 2e6 other
  EXPECT_DOUBLE_EQ(*cmp->data()[0][3].number, kFlops);
  EXPECT_NEAR(*cmp->data()[0][4].number, kFlops / 242e6, 1e-12);
  EXPECT_NEAR(*cmp->data()[2][4].number, kDram / 30e6, 1e-12);
}

TEST_F(StudyNcu, ComparisonComputedFromTheCostModelWhenTheFileHasNone) {
  StudyOptions o = testing::study_options();
  o.chip_ids = {"fx-gpu-a"};
  o.ncu = {imported(false)};
  const Document doc = build_study(testing::fixture_catalog(), nullptr, o);
  const Table* cmp = data_file(doc, "ncu_comparison");
  ASSERT_NE(cmp, nullptr);
  ASSERT_EQ(cmp->rows(), 5u);
  EXPECT_EQ(cmp->data()[0][1].text, "FLOPs (all kernels vs all ops)");
  EXPECT_DOUBLE_EQ(*cmp->data()[0][3].number, kFlops);
  // The analytic side is resnet18's cost at batch 1: 2 x 1.81 GMAC, far more than the 7 kernels.
  EXPECT_GT(*cmp->data()[0][2].number, 3e9);
  EXPECT_LT(*cmp->data()[0][4].number, 0.1);
}

TEST_F(StudyNcu, NoSubsectionWithoutResults) {
  StudyOptions o = testing::study_options();
  o.chip_ids = {"fx-gpu-a"};
  o.models = {"resnet18"};
  const Document doc = build_study(testing::fixture_catalog(), nullptr, o);
  EXPECT_EQ(data_file(doc, "ncu_points"), nullptr);
  for (const Section& s : doc.sections) {
    EXPECT_EQ(section_text(s).find("Nsight Compute"), std::string::npos) << s.title;
  }
}

}  // namespace
}  // namespace dnnroof
