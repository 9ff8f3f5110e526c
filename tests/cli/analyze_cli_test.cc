// `dnnroof analyze` with several models: one table of each kind with a row
// per model and batch, one JSON document, CSV with a model column; the
// unused parameters printed; ONNX files named by their file. Expected
// figures are torchvision's published parameter counts and hand sums.
#include <gtest/gtest.h>

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
