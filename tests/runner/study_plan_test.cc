// The measuring plan of `dnnroof report` (make_study_plan: each mode's
// defaults as README and docs/report.md state them, and what the options
// override) and its run (measure_study with the fake executor: the order of
// the stages, the large batches only for the small models, and what a stop
// or the time limit leaves out).
#include "runner/study_plan.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "core/error.h"
#include "fake_executor.h"
#include "support/files.h"

namespace dnnroof {
namespace {

using test::error_of;

TEST(StudyPlan, DefaultModeIsTheSeedsStudy) {
  StudyPlanRequest r;
  r.threads = 2;
  const StudyPlan p = make_study_plan(r, false);
  EXPECT_EQ(p.mode, "default");
  // README: 11 models at batch 1 and 8, the 9 smaller ones at 32 too.
  ASSERT_EQ(p.models.size(), 11u);
  EXPECT_EQ(p.models.front(), "resnet18");
  EXPECT_EQ(p.models.back(), "vgg16");
  EXPECT_EQ(p.batches, (std::vector<std::int64_t>{1, 8, 32}));
  EXPECT_DOUBLE_EQ(p.large_batch_max_flops, 4e9);
  EXPECT_EQ(p.train_models, (std::vector<std::string>{"resnet18", "mobilenet_v2", "squeezenet1_0",
                                                      "alexnet", "resnet50"}));
  EXPECT_EQ(p.layers_models,
            (std::vector<std::string>{"resnet18", "mobilenet_v2", "squeezenet1_0", "alexnet"}));
  EXPECT_EQ(p.devices, (std::vector<std::string>{"cpu"}));
  EXPECT_DOUBLE_EQ(p.budget_s, 4);
  EXPECT_DOUBLE_EQ(p.min_samples_budget_s, 12);  // 3 x the budget
  EXPECT_DOUBLE_EQ(p.time_limit_s, 420);
  EXPECT_EQ(p.threads, 2);
  EXPECT_EQ(make_study_plan(r, true).devices, (std::vector<std::string>{"cpu", "cuda:0"}));
}

TEST(StudyPlan, QuickAndFull) {
  StudyPlanRequest r;
  r.quick = true;
  StudyPlan p = make_study_plan(r, false);
  EXPECT_EQ(p.models,
            (std::vector<std::string>{"squeezenet1_1", "shufflenet_v2_x0_5", "resnet18"}));
  EXPECT_EQ(p.batches, (std::vector<std::int64_t>{1, 4}));
  EXPECT_DOUBLE_EQ(p.large_batch_max_flops, 0);  // every model at every batch
  EXPECT_EQ(p.train_models, p.models);
  EXPECT_EQ(p.layers_models, (std::vector<std::string>{"squeezenet1_1"}));
  EXPECT_DOUBLE_EQ(p.budget_s, 0.4);
  EXPECT_DOUBLE_EQ(p.time_limit_s, 100);
  r.quick = false;
  r.full = true;
  p = make_study_plan(r, false);
  EXPECT_EQ(p.batches, (std::vector<std::int64_t>{1, 64, 256}));
  EXPECT_DOUBLE_EQ(p.budget_s, 10);
  EXPECT_DOUBLE_EQ(p.time_limit_s, 0);  // none
}

TEST(StudyPlan, OptionsOverrideTheDefaults) {
  StudyPlanRequest r;
  r.models = " alexnet , m.onnx,";
  r.batch = "2,16";
  r.device = "cpu,CUDA";
  r.train_models = "none";
  r.layers_model = "alexnet";
  r.budget_s = 1.5;
  r.time_limit_s = 0;
  const StudyPlan p = make_study_plan(r, false);
  EXPECT_EQ(p.models, (std::vector<std::string>{"alexnet", "m.onnx"}));
  EXPECT_EQ(p.batches, (std::vector<std::int64_t>{2, 16}));
  EXPECT_DOUBLE_EQ(p.large_batch_max_flops, 0);  // --batch: every model at every batch
  EXPECT_TRUE(p.train_models.empty());
  EXPECT_EQ(p.train_batch, 2);
  EXPECT_EQ(p.layers_models, (std::vector<std::string>{"alexnet"}));
  EXPECT_EQ(p.devices, (std::vector<std::string>{"cpu", "cuda:0"}));
  EXPECT_DOUBLE_EQ(p.budget_s, 1.5);
  EXPECT_DOUBLE_EQ(p.min_samples_budget_s, 4.5);
  EXPECT_DOUBLE_EQ(p.time_limit_s, 0);
  // --models alone: all of them trained, the first timed per layer.
  StudyPlanRequest m;
  m.models = "vgg16,resnet18";
  const StudyPlan q = make_study_plan(m, false);
  EXPECT_EQ(q.train_models, q.models);
  EXPECT_EQ(q.layers_models, (std::vector<std::string>{"vgg16"}));
}

TEST(StudyPlan, BadRequestsNameWhatIsWrong) {
  StudyPlanRequest r;
  r.quick = r.full = true;
  EXPECT_NE(error_of([&] { make_study_plan(r, false); }).find("--quick and --full"),
            std::string::npos);
  r = {};
  r.batch = "1,x8";
  EXPECT_NE(error_of([&] { make_study_plan(r, false); }).find("--batch: 'x8' is not a batch size"),
            std::string::npos);
  r.batch = "0";
  EXPECT_NE(error_of([&] { make_study_plan(r, false); }).find("'0'"), std::string::npos);
  r.batch = " , ";
  EXPECT_NE(error_of([&] { make_study_plan(r, false); }).find("no batch size"), std::string::npos);
  r = {};
  r.models = ",";
  EXPECT_NE(error_of([&] { make_study_plan(r, false); }).find("--models: no model"),
            std::string::npos);
  r = {};
  r.device = "tpu";
  EXPECT_NE(error_of([&] { make_study_plan(r, false); }).find("tpu"), std::string::npos);
  r = {};
  r.threads = -1;
  EXPECT_NE(error_of([&] { make_study_plan(r, false); }).find("--threads -1"), std::string::npos);
}

// "small": [b, 4] -> Linear(4, 3) -> ReLU: 2 x 4 x 3 + 3 = 27 FLOPs at batch
// 1; "big": [b, 64] -> Linear(64, 64) -> ReLU: 2 x 64 x 64 + 64 = 8256.
SweepModel two_sizes(const std::string& source, std::int64_t batch, DType dtype) {
  const std::int64_t width = source == "big" ? 64 : 4;
  const std::int64_t out = source == "big" ? 64 : 3;
  GraphBuilder b(source, dtype);
  ValueId x = b.input("x", {batch, width});
  x = b.relu(b.linear(x, out, true, "fc"));
  b.output(x);
  SweepModel m;
  m.name = m.source = source;
  m.graph = b.finish();
  return m;
}

StudyPlan small_plan() {
  StudyPlan p;
  p.mode = "default";
  p.models = {"small", "big"};
  p.batches = {1, 2, 4};
  p.large_batch_max_flops = 1000;  // between 27 and 8256
  p.train_models = {"small"};
  p.devices = {"cpu"};
  p.budget_s = 0.2;
  p.min_samples_budget_s = 0.6;
  p.time_limit_s = 0;
  p.threads = 1;
  return p;
}

struct Measured {
  StudyMeasurement m;
  std::vector<std::string> log;
};

Measured measure(const StudyPlan& plan, bool stopped) {
  test::TempDir dir("study-plan");
  runner_testing::Factory factory;
  std::atomic<bool> stop{stopped};
  Measured out;
  StudyMeasureOptions o;
  o.results = dir / "results.json";
  o.make_executor = factory.make();
  o.load_model = two_sizes;
  o.stop = &stop;
  o.log = [&](const std::string& line) { out.log.push_back(line); };
  out.m = measure_study(plan, o);
  return out;
}

std::string config_of(const ResultRecord& r) {
  return r.model + " b" + std::to_string(r.batch) + " " + std::string(run_mode_name(r.mode));
}

TEST(MeasureStudy, StagesInOrderAndLargeBatchesForSmallModelsOnly) {
  const Measured run = measure(small_plan(), false);
  std::vector<std::string> got;
  for (const ResultRecord& r : run.m.records) got.push_back(config_of(r));
  // Every model at batch 1, then training, then batch 2, then batch 4 for
  // the model within 1000 FLOPs.
  EXPECT_EQ(got, (std::vector<std::string>{"small b1 infer", "big b1 infer", "small b1 train",
                                           "small b2 infer", "big b2 infer", "small b4 infer"}));
  ASSERT_EQ(run.m.not_run.size(), 1u);
  EXPECT_NE(run.m.not_run[0].find("Batch 4 was measured only for the models of at most"),
            std::string::npos)
      << run.m.not_run[0];
  EXPECT_NE(run.m.not_run[0].find("not for big ("), std::string::npos) << run.m.not_run[0];
  EXPECT_FALSE(run.m.interrupted);
  ASSERT_FALSE(run.log.empty());
  EXPECT_EQ(run.log.front().rfind("dnnroof report: measuring 6 configurations (default mode: 2 "
                                  "models, batch 1,2,4, 0.2 s sampling budget each, 1 thread "
                                  "pinned to CPU ",
                                  0),
            0u)
      << run.log.front();
  bool last = false;
  for (const std::string& l : run.log)
    last = last || l.rfind("[6/6] inference on cpu: small", 0) == 0;
  EXPECT_TRUE(last);
}

TEST(MeasureStudy, AStopLeavesEveryStageNamedAsNotMeasured) {
  const Measured run = measure(small_plan(), true);
  EXPECT_TRUE(run.m.records.empty());
  EXPECT_TRUE(run.m.interrupted);
  ASSERT_EQ(run.m.not_run.size(), 5u);  // the batch-4 note and four stages
  EXPECT_EQ(run.m.not_run[1],
            "Not measured (interrupted), inference on cpu: small b1 infer, big "
            "b1 infer.");
  EXPECT_EQ(run.m.not_run[2], "Not measured (interrupted), training on cpu: small b1 train.");
  EXPECT_EQ(run.m.not_run[4], "Not measured (interrupted), inference on cpu: small b4 infer.");
}

TEST(MeasureStudy, TheTimeLimitStopsItAndIsNamed) {
  StudyPlan plan = small_plan();
  plan.large_batch_max_flops = 0;
  plan.batches = {1};
  plan.time_limit_s = 1e-9;  // passed before the first configuration starts
  const Measured run = measure(plan, false);
  EXPECT_FALSE(run.m.interrupted);  // the limit is no interruption
  EXPECT_TRUE(run.m.records.empty());
  ASSERT_EQ(run.m.not_run.size(), 2u);
  EXPECT_EQ(run.m.not_run[0],
            "Not measured (time limit of 0 s reached), inference on cpu: small b1 infer, big b1 "
            "infer.");
  EXPECT_EQ(run.m.not_run[1],
            "Not measured (time limit of 0 s reached), training on cpu: small b1 train.");
}

TEST(MeasureStudy, NeedsAStopFlag) {
  StudyMeasureOptions o;
  EXPECT_NE(error_of([&] { measure_study(small_plan(), o); }).find("no stop flag"),
            std::string::npos);
}

}  // namespace
}  // namespace dnnroof
