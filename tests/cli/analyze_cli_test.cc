// `dnnroof analyze` through the program. Several models: one table of each
// kind with a row per model and batch, one JSON document, CSV with a model
// column; the unused parameters printed; ONNX files named by their file. The
// chip table on the roofline of the totals (worked out here from the
// catalog's figures), training columns, a peer convention's zeroed ops, and
// bad options. Expected figures are torchvision's published parameter
// counts, hand sums and the roofline formula applied here.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/cli.h"

namespace {

namespace fs = std::filesystem;

using dnnroof::test::CliRun;

class AnalyzeCli : public dnnroof::test::CliTest {
 protected:
  AnalyzeCli() : CliTest("analyze-cli") {}
};

TEST_F(AnalyzeCli, SeveralModelsMakeOneJsonDocument) {
  const CliRun r = run("analyze resnet18 alexnet --batch 1,2 --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& totals = doc.at("totals");
  ASSERT_EQ(totals.size(), 4U);
  const char* models[] = {"resnet18", "resnet18", "alexnet", "alexnet"};
  const double params[] = {11689512, 11689512, 61100840, 61100840};  // torchvision's
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(totals[i].at("model"), models[i]);
    EXPECT_EQ(totals[i].at("batch").get<double>(), 1.0 + static_cast<double>(i % 2));
    EXPECT_EQ(totals[i].at("params").get<double>(), params[i]);
    EXPECT_EQ(totals[i].at("unused_params").get<double>(), 0.0);
  }
  // Batch 2 is twice batch 1's MACs.
  EXPECT_EQ(totals[1].at("macs_fwd").get<double>(), 2 * totals[0].at("macs_fwd").get<double>());
  EXPECT_EQ(totals[3].at("macs_fwd").get<double>(), 2 * totals[2].at("macs_fwd").get<double>());
  // One summary line per model on stderr.
  EXPECT_NE(r.err.find("resnet18 ("), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("alexnet ("), std::string::npos) << r.err;
}

TEST_F(AnalyzeCli, SeveralModelsMakeOneTableAndCsvWithAModelColumn) {
  const CliRun t = run("analyze resnet18 squeezenet1_0");
  ASSERT_EQ(t.status, 0) << t.err;
  // One header: "model" starts exactly one line.
  std::size_t headers = 0;
  std::istringstream lines(t.out);
  for (std::string line; std::getline(lines, line);) headers += line.rfind("model ", 0) == 0;
  EXPECT_EQ(headers, 1U) << t.out;
  EXPECT_NE(t.out.find("\nresnet18 "), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("\nsqueezenet1_0 "), std::string::npos) << t.out;

  const CliRun c = run("analyze resnet18 squeezenet1_0 --by-type --format csv");
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_EQ(c.out.rfind("model,batch,op,", 0), 0U) << c.out;
  EXPECT_NE(c.out.find("\nresnet18,1,Conv,20,"), std::string::npos) << c.out;  // 20 convolutions
  EXPECT_NE(c.out.find("\nsqueezenet1_0,1,Conv,26,"), std::string::npos) << c.out;  // 26

  const CliRun l = run("analyze alexnet resnet18 --layers --format csv");
  ASSERT_EQ(l.status, 0) << l.err;
  EXPECT_EQ(l.out.rfind("model,batch,node,", 0), 0U) << l.out;
}

// inception_v3's auxiliary classifier is not run in inference: its
// parameters are read by no node, counted in params and shown apart. By
// hand: BasicConv2d(768, 128, 1x1) 98,304 + BN 256; BasicConv2d(128, 768,
// 5x5) 2,457,600 + BN 1,536; Linear(768, 1000) 769,000.
TEST_F(AnalyzeCli, UnusedParametersArePrinted) {
  const CliRun r = run("analyze inception_v3 --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto row = nlohmann::json::parse(r.out).at("totals").at(0);
  EXPECT_EQ(row.at("unused_params").get<double>(), 98304 + 256 + 2457600 + 1536 + 769000);
  EXPECT_EQ(row.at("params").get<double>(), 27161264);  // torchvision's, aux included
  EXPECT_NE(r.err.find("read by no node"), std::string::npos) << r.err;
  const CliRun t = run("analyze inception_v3");
  EXPECT_NE(t.out.find("unused params"), std::string::npos) << t.out;
}

TEST_F(AnalyzeCli, AnUnknownModelAmongSeveralIsAnErrorNamingIt) {
  const CliRun r = run("analyze resnet18 resnet81");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("resnet81"), std::string::npos) << r.err;
}

// The catalog of the report tests: round numbers (fx-gpu-a 19.5 TFLOP/s fp32
// and 2039 GB/s; fx-asic has no fp32 peak).
const std::string kCatalog =
    std::string("--catalog ") + DNNROOF_SOURCE_DIR + "/tests/report/data/fixture.toml ";

// Each chip row on the roofline, from the totals' FLOPs and traffic and the
// catalog's figures, worked out here: attainable = min(peak, bandwidth x
// intensity), the lower-bound time = max(FLOPs / peak, bytes / bandwidth),
// memory-bound when the bytes take longer.
TEST_F(AnalyzeCli, ChipTableIsTheRooflineOfTheTotals) {
  const CliRun r = run(kCatalog +
                       "analyze resnet18 --batch 1,8 --chip fx-gpu-a --chip fx-asic "
                       "--format json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& totals = doc.at("totals");
  const auto& chips = doc.at("chips");
  ASSERT_EQ(totals.size(), 2U);
  ASSERT_EQ(chips.size(), 4U);  // per batch: fx-gpu-a, fx-asic
  const double peak = 19.5e12, bw = 2039e9;
  for (std::size_t b = 0; b < 2; ++b) {
    const auto& t = totals[b];
    const auto& c = chips[2 * b];
    EXPECT_EQ(c.at("chip"), "fx-gpu-a");
    EXPECT_EQ(c.at("batch").get<double>(), t.at("batch").get<double>());
    EXPECT_DOUBLE_EQ(c.at("peak_flops").get<double>(), peak);
    EXPECT_DOUBLE_EQ(c.at("bandwidth_bytes_per_s").get<double>(), bw);
    EXPECT_NEAR(c.at("ridge_flop_per_byte").get<double>(), 9.5635, 1e-4);
    const double flops = t.at("flops_fwd").get<double>();
    for (const std::string traffic : {"no_reuse", "compulsory"}) {
      SCOPED_TRACE(traffic);
      const double bytes = t.at("traffic_" + traffic + "_bytes").get<double>();
      const double oi = flops / bytes;
      EXPECT_NEAR(c.at("intensity_" + traffic).get<double>(), oi, 1e-9 * oi);
      EXPECT_NEAR(c.at("attainable_flops_" + traffic).get<double>(), std::min(peak, bw * oi),
                  1e-9 * peak);
      const double seconds = std::max(flops / peak, bytes / bw);
      EXPECT_NEAR(c.at("min_time_s_" + traffic).get<double>(), seconds, 1e-9 * seconds);
      EXPECT_EQ(c.at("bound_" + traffic), bytes / bw > flops / peak ? "memory" : "compute");
    }
    // No fp32 peak: said in the computed cells, no roof invented.
    const auto& asic = chips[2 * b + 1];
    EXPECT_EQ(asic.at("chip"), "fx-asic");
    EXPECT_EQ(asic.at("attainable_flops_no_reuse"), "no fp32 peak");
    EXPECT_EQ(asic.at("min_time_s_compulsory"), "");
  }
  // CSV: the chip table, the most detailed one asked for.
  const CliRun csv = run(kCatalog + "analyze resnet18 --chip fx-gpu-a --format csv");
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("model,batch,chip,peak_flops,", 0), 0U) << csv.out;
  EXPECT_NE(csv.out.find("\nresnet18,1,fx-gpu-a,19500000000000,"), std::string::npos) << csv.out;
}

// Training: backward and step columns; step = forward + backward.
TEST_F(AnalyzeCli, TrainingAddsBackwardAndStep) {
  const CliRun r = run("analyze alexnet --training --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto t = nlohmann::json::parse(r.out).at("totals").at(0);
  const double fwd = t.at("flops_fwd").get<double>();
  const double bwd = t.at("flops_bwd").get<double>();
  EXPECT_GT(bwd, fwd);
  EXPECT_NEAR(t.at("flops_step").get<double>(), fwd + bwd, 1e-9 * (fwd + bwd));
  EXPECT_NEAR(t.at("bwd_fwd_flops_ratio").get<double>(), bwd / fwd, 1e-3);
  EXPECT_GT(t.at("saved_bytes").get<double>(), 0);
}

// A convention that does not count some ops says which (fvcore has no
// handler for ReLU: 0 FLOPs), and its FLOP columns are labelled by it.
TEST_F(AnalyzeCli, APeerConventionNamesTheOpsItDoesNotCount) {
  const CliRun r = run("analyze resnet18 --convention fvcore");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("fvcore counts 0 FLOPs for: "), std::string::npos) << r.err;
  // resnet18 has 17 ReLUs: the stem, and two in each of its 8 basic blocks.
  EXPECT_NE(r.err.find("ReLU (17 nodes)"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("fvcore params"), std::string::npos) << r.out;
}

TEST_F(AnalyzeCli, BadOptionsAreErrorsNamingThem) {
  struct Case {
    const char* args;
    const char* message;
  };
  for (const Case& c : {
           Case{"analyze resnet18 --batch 0", "--batch 0: batch sizes must be >= 1"},
           Case{"analyze resnet18 --dim seq=128", "--dim applies to .onnx models only"},
           Case{"analyze resnet18 --attention fused", "--attention must be plain or flash"},
           Case{"analyze resnet18 --format xml", "xml"},
           Case{"analyze resnet18 --dtype fp99", "fp99"},
           Case{"analyze resnet18 --convention flopsy", "flopsy"},
       }) {
    SCOPED_TRACE(c.args);
    const CliRun r = run(c.args);
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  const CliRun chip = run(kCatalog + "analyze resnet18 --chip fx-nosuch");
  EXPECT_NE(chip.status, 0);
  EXPECT_NE(chip.err.find("fx-nosuch"), std::string::npos) << chip.err;
}

#if defined(DNNROOF_TEST_HAVE_ONNX)
TEST_F(AnalyzeCli, OnnxFilesAreNamedByTheirFile) {
  const fs::path fixture =
      fs::path(DNNROOF_SOURCE_DIR) / "tests" / "onnx" / "fixtures" / "resnet18.onnx";
  if (!fs::exists(fixture)) GTEST_SKIP() << fixture << " is absent";
  fs::create_directories(dir_ / "a");
  fs::create_directories(dir_ / "b");
  fs::copy_file(fixture, dir_ / "a" / "net.onnx");
  fs::copy_file(fixture, dir_ / "b" / "net.onnx");
  const CliRun one = run("analyze " + fixture.string() + " alexnet --format json");
  ASSERT_EQ(one.status, 0) << one.err;
  const auto totals = nlohmann::json::parse(one.out).at("totals");
  EXPECT_EQ(totals.at(0).at("model"), "resnet18");
  EXPECT_EQ(totals.at(1).at("model"), "alexnet");
  // The same stem twice: each is shown by its path.
  const std::string a = (dir_ / "a" / "net.onnx").string();
  const std::string b = (dir_ / "b" / "net.onnx").string();
  const CliRun two = run("analyze " + a + " " + b + " --format json");
  ASSERT_EQ(two.status, 0) << two.err;
  const auto t2 = nlohmann::json::parse(two.out).at("totals");
  EXPECT_EQ(t2.at(0).at("model"), a);
  EXPECT_EQ(t2.at(1).at("model"), b);
}
#endif

}  // namespace
