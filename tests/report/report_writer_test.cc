#include "report/report_writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "fixture.h"
#include "report/gnuplot.h"
#include "report/study.h"
#include "support/files.h"

namespace dnnroof {
namespace {

using test::read_file;

class ReportWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("dnnroof-report-test-{}-{}", getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    StudyOptions options;
    options.load_graph = testing::zoo_model;
    options.include_host = false;
    options.generated_at = "2026-01-01 00:00 UTC";
    doc_ = build_study(testing::fixture_catalog(), nullptr, options, &notes_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path dir_;
  Document doc_;
  std::vector<std::string> notes_;
};

TEST_F(ReportWriterTest, WritesHtmlMarkdownAndDataWithTheExpectedSections) {
  ReportWriteOptions options;
  options.draw_figures = false;
  std::vector<std::string> progress;
  options.progress = [&](const std::string& line) { progress.push_back(line); };
  write_report(doc_, dir_, options);

  const std::string html = read_file(dir_ / "index.html");
  for (const char* expected :
       {"<h2>1. The chips</h2>", "<h3>1.1 Catalog</h3>", "<h3>1.2 Rooflines at fp32</h3>",
        "<h3>1.3 Rooflines at fp16/bf16 (tensor units)</h3>",
        // No host: the subsections after it move up.
        "<h3>1.4 What the numbers say</h3>", "<h3>1.5 Methods</h3>", "<h3>1.6 Caveats</h3>",
        "<td>fx-gpu-a</td>", "Generated 2026-01-01 00:00 UTC"}) {
    EXPECT_NE(html.find(expected), std::string::npos) << expected;
  }
  // No host was asked for: no host section.
  EXPECT_EQ(html.find("This machine"), std::string::npos);
  const std::string md = read_file(dir_ / "report.md");
  EXPECT_NE(md.find("## 1. The chips"), std::string::npos);
  EXPECT_NE(md.find("| fx-gpu-a | Fixture GPU A |"), std::string::npos);

  const std::string csv = read_file(dir_ / "data" / "chips.csv");
  EXPECT_EQ(csv.substr(0, csv.find(',')), "id");
  const nlohmann::json json = nlohmann::json::parse(read_file(dir_ / "data" / "chips.json"));
  ASSERT_EQ(json.size(), 4u);
  EXPECT_EQ(json[0]["id"], "fx-gpu-a");
  EXPECT_NEAR(json[0]["ridge_fp32_flop_per_byte"].get<double>(), 9.5635, 1e-4);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "data" / "ridge_points.csv"));
  EXPECT_FALSE(progress.empty());
  ASSERT_EQ(notes_.size(), 1u);  // fx-asic has no fp32 peak
}

TEST_F(ReportWriterTest, DrawsEveryFigureAsPngAndInlineSvg) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot not found: figure test skipped";
  write_report(doc_, dir_);
  for (const FigureBlock* f : document_figures(doc_)) {
    const auto png = dir_ / "figures" / (f->id + ".png");
    EXPECT_TRUE(std::filesystem::exists(png)) << png;
    EXPECT_GT(std::filesystem::file_size(png), 1000u);
  }
  const std::string html = read_file(dir_ / "index.html");
  EXPECT_EQ(html.find("figure not drawn"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  // Ids of different figures do not clash.
  EXPECT_NE(html.find("id=\"f0-gnuplot_canvas\""), std::string::npos);
  EXPECT_NE(html.find("id=\"f1-gnuplot_canvas\""), std::string::npos);
  EXPECT_NE(read_file(dir_ / "report.md").find("![GPU rooflines at fp32"), std::string::npos);
}

TEST_F(ReportWriterTest, RepeatedFigureIdIsAnError) {
  Document doc = doc_;
  FigureBlock dup = *document_figures(doc_).front();
  doc.sections.front().blocks.push_back(dup);
  ReportWriteOptions options;
  options.draw_figures = false;
  EXPECT_THROW(write_report(doc, dir_, options), Error);
}

TEST(Study, UnknownChipIdIsAnError) {
  StudyOptions options;
  options.load_graph = testing::zoo_model;
  options.chip_ids = {"fx-gpu-z"};
  EXPECT_THROW(build_study(testing::fixture_catalog(), nullptr, options), Error);
}

}  // namespace
}  // namespace dnnroof
