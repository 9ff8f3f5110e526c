// The optional, additive fields of schema 1: the cost model's figures, the
// achieved FLOP/s derived from them, and per-layer times with the
// sum-of-layers to whole-model ratio. Expected values computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "fixtures.h"
#include "store/results_file.h"

namespace dnnroof {
namespace {

using testing::infer_record;
using testing::train_record;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

CostFigures figures() {
  CostFigures c;
  c.forward_flops = 3.6e9;  // resnet18-like: 1.8 GMAC x 2
  c.backward_flops = 7.1e9;
  c.forward_matmul_flops = 3.5e9;
  c.backward_matmul_flops = 7.0e9;
  c.forward_bytes = 1.2e8;
  c.backward_bytes = 2.5e8;
  c.compulsory_bytes = 9e7;
  return c;
}

TEST(AchievedFlops, InferenceUsesForwardFlopsOverTheForwardMedian) {
  ResultRecord r = infer_record("resnet18", 64, 0.004);
  EXPECT_TRUE(std::isnan(achieved_flops_per_s(r)));  // no cost figures
  r.cost = figures();
  EXPECT_DOUBLE_EQ(achieved_flops_per_s(r), 3.6e9 / 0.004);  // 9e11 FLOP/s
}

TEST(AchievedFlops, TrainingUsesForwardPlusBackwardOverTheStep) {
  ResultRecord r = train_record("resnet18", 32);  // step median 0.032 s
  r.cost = figures();
  EXPECT_DOUBLE_EQ(achieved_flops_per_s(r), (3.6e9 + 7.1e9) / 0.032);
}

TEST(Layers, SumAndRatioInference) {
  ResultRecord r = infer_record("tiny", 1, 0.004);
  EXPECT_TRUE(std::isnan(layers_sum_s(r)));
  r.layers = {{"conv1", "Conv", "", 0.003, kNaN, 2e9, kNaN},
              {"relu", "Relu", "", 0.0005, kNaN, 1e6, kNaN},
              {"fc", "Gemm", "", 0.0015, kNaN, 1e6, kNaN}};
  // 3 + 0.5 + 1.5 ms = 5 ms over a 4 ms forward: 1.25.
  EXPECT_DOUBLE_EQ(layers_sum_s(r), 0.005);
  EXPECT_DOUBLE_EQ(model_time_for_layers_s(r), 0.004);
  EXPECT_DOUBLE_EQ(layers_to_model_ratio(r), 1.25);
}

TEST(Layers, SumAndRatioTraining) {
  ResultRecord r = train_record("tiny", 1);  // forward 10 ms, backward 20 ms
  r.layers = {{"conv1", "Conv", "features", 0.006, 0.012, 2e9, 2e9},
              {"fc", "Gemm", "", 0.006, 0.009, 1e6, 2e6}};
  // (6 + 12 + 6 + 9) ms = 33 ms over 30 ms: 1.1.
  EXPECT_DOUBLE_EQ(layers_sum_s(r), 0.033);
  EXPECT_DOUBLE_EQ(model_time_for_layers_s(r), 0.030);
  EXPECT_NEAR(layers_to_model_ratio(r), 1.1, 1e-12);
}

TEST(ResultsFileOptional, CostAndLayersRoundTripAndDerivedFieldsAreWritten) {
  ResultRecord r = infer_record("tiny", 2, 0.004);
  r.cost = figures();
  r.layers = {{"conv1", "Conv", "features", 0.003, kNaN, 2e9, kNaN},
              {"fc", "Gemm", "", 0.002, kNaN, kNaN, kNaN}};
  r.layer_passes = 17;
  ResultsFile file;
  file.records.push_back(r);
  const nlohmann::json doc = results_to_json(file);
  const auto& rec = doc.at("records").at(0);
  EXPECT_EQ(doc.at("schema_version"), 1);
  EXPECT_DOUBLE_EQ(rec.at("achieved_flops_per_s").get<double>(), 9e11);
  EXPECT_DOUBLE_EQ(rec.at("layers_sum_s").get<double>(), 0.005);
  EXPECT_DOUBLE_EQ(rec.at("layers_to_model_ratio").get<double>(), 1.25);
  EXPECT_TRUE(rec.at("layers").at(0).at("backward_median_s").is_null());
  EXPECT_EQ(rec.at("layers").at(1).at("module"), "");

  const ResultsFile back = parse_results(doc.dump(), "mem");
  const ResultRecord& b = back.records.at(0);
  ASSERT_TRUE(b.cost.has_value());
  EXPECT_EQ(b.cost->convention, "dnnroof");
  EXPECT_EQ(b.cost->forward_flops, 3.6e9);
  EXPECT_EQ(b.cost->backward_bytes, 2.5e8);
  EXPECT_EQ(b.cost->compulsory_bytes, 9e7);
  ASSERT_EQ(b.layers.size(), 2u);
  EXPECT_EQ(b.layers[0].name, "conv1");
  EXPECT_EQ(b.layers[0].op, "Conv");
  EXPECT_EQ(b.layers[0].module, "features");
  EXPECT_EQ(b.layers[0].forward_median_s, 0.003);
  EXPECT_TRUE(std::isnan(b.layers[0].backward_median_s));
  EXPECT_TRUE(std::isnan(b.layers[1].forward_flops));
  EXPECT_EQ(b.layer_passes, 17u);
}

TEST(ResultsFileOptional, RecordsWithoutTheNewFieldsStayAsTheyWere) {
  ResultsFile file;
  file.records.push_back(infer_record("tiny", 2, 0.004));
  const nlohmann::json doc = results_to_json(file);
  const auto& rec = doc.at("records").at(0);
  EXPECT_FALSE(rec.contains("cost"));
  EXPECT_FALSE(rec.contains("layers"));
  EXPECT_FALSE(rec.contains("achieved_flops_per_s"));
  const ResultsFile back = parse_results(doc.dump(), "mem");
  EXPECT_FALSE(back.records.at(0).cost.has_value());
  EXPECT_TRUE(back.records.at(0).layers.empty());
}

TEST(ResultsFileOptional, ALayerWithoutANameIsAnErrorThatSaysWhere) {
  ResultsFile file;
  ResultRecord r = infer_record("tiny", 2, 0.004);
  r.layers = {{"conv1", "Conv", "", 0.003, kNaN, kNaN, kNaN}};
  file.records.push_back(r);
  nlohmann::json doc = results_to_json(file);
  doc["records"][0]["layers"][0].erase("name");
  try {
    parse_results(doc.dump(), "x.json");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("results file 'x.json', record 0, layer 0: missing field "
                                         "'name'"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace dnnroof
