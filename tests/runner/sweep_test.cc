// run_sweep with a fake executor: the order of configurations, the values a
// record gets from synthetic timings (hand-computed), resume, failures with
// their reasons, the results file after every configuration and interrupted
// sweeps. No LibTorch: the executor is injected.
#include "runner/sweep.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "fake_executor.h"
#include "store/results_file.h"

namespace dnnroof {
namespace {

using runner_testing::base_options;
using runner_testing::Factory;
using runner_testing::FakeExecutor;
using runner_testing::FakeScript;
using runner_testing::tiny_model;

class TempPath {
 public:
  explicit TempPath(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("dnnroof-runner-" + std::to_string(::getpid()) + "-" + name + ".json")) {
    std::filesystem::remove(path_);
  }
  ~TempPath() { std::filesystem::remove(path_); }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(SweepConfigs, ModelsThenBatchesThenModes) {
  SweepOptions o;
  o.models = {"a", "b.onnx"};
  o.batches = {1, 8};
  o.modes = {RunMode::infer, RunMode::train};
  const auto configs = sweep_configs(o);
  ASSERT_EQ(configs.size(), 8u);
  const char* expected[] = {"a 1 infer", "a 1 train", "a 8 infer", "a 8 train",
                            "b 1 infer", "b 1 train", "b 8 infer", "b 8 train"};
  for (std::size_t i = 0; i < configs.size(); ++i) {
    EXPECT_EQ(configs[i].model + " " + std::to_string(configs[i].batch) + " " +
                  std::string(run_mode_name(configs[i].mode)),
              expected[i]);
  }
  EXPECT_EQ(configs[4].source, "b.onnx");
}

TEST(SweepModelName, ZooNameOrFileStem) {
  EXPECT_EQ(sweep_model_name("resnet18"), "resnet18");
  EXPECT_EQ(sweep_model_name("/data/models/my-net.ONNX"), "my-net");
}

TEST(NormalizeDevice, KnownFormsAndErrors) {
  EXPECT_EQ(normalize_device("cpu"), "cpu");
  EXPECT_EQ(normalize_device("CUDA"), "cuda:0");
  EXPECT_EQ(normalize_device("cuda:3"), "cuda:3");
  EXPECT_EQ(normalize_device("cuda:03"), "cuda:3");
  EXPECT_THROW(normalize_device("tpu"), Error);
  EXPECT_THROW(normalize_device("cuda:"), Error);
  EXPECT_THROW(normalize_device("cuda:x"), Error);
}

TEST(Eta, MeanOfFinishedTimesRemainingElseTheBudget) {
  // (10 + 20) / 2 = 15 s per configuration, 4 to go: 60 s.
  EXPECT_DOUBLE_EQ(estimate_eta_s({10, 20}, 4, 99), 60);
  // None finished: 3 x 12 s of budget.
  EXPECT_DOUBLE_EQ(estimate_eta_s({}, 3, 12), 36);
  EXPECT_DOUBLE_EQ(estimate_eta_s({5}, 0, 12), 0);
  EXPECT_TRUE(std::isnan(estimate_eta_s({}, 3, 0)));
}

TEST(ProgressLine, SaysWhereTheSweepIs) {
  SweepProgress p;
  p.index = 3;
  p.total = 12;
  p.finished = 2;
  p.failed = 1;
  p.elapsed_s = 45;
  p.eta_s = 130;
  p.current = "resnet18, batch 8, train";
  EXPECT_EQ(progress_line(p),
            "[3/12] resnet18, batch 8, train  (2 done, 1 failed; 45 s elapsed, ETA 2 min 10 s)");
  p.eta_from_budget = true;
  p.eta_s = 3725;
  p.failed = 0;
  p.skipped = 4;
  EXPECT_EQ(progress_line(p),
            "[3/12] resnet18, batch 8, train  (2 done, 4 skipped; 45 s elapsed, ETA ~1 h 2 min "
            "(from the budget))");
}

// A record of one configuration (status ok).
ResultRecord record_of(const std::string& model, std::int64_t batch, RunMode mode) {
  ResultRecord r;
  r.model = model;
  r.batch = batch;
  r.mode = mode;
  return r;
}

ResultRecord failed(ResultRecord r, const std::string& reason) {
  r.status = RecordStatus::failed;
  r.status_reason = reason;
  return r;
}

TEST(SweepSummary, CountsAndWhereTheResultsAre) {
  std::vector<ResultRecord> records{
      record_of("resnet18", 8, RunMode::train),
      failed(record_of("alexnet", 1, RunMode::infer), "out of memory"),
      record_of("alexnet", 2, RunMode::infer)};
  records[2].status = RecordStatus::noisy;
  EXPECT_EQ(sweep_summary_line(records, 2, "r.json"),
            "3 configurations measured, 1 failed, 2 skipped (--resume); the results are in "
            "'r.json'");
  records.resize(1);
  EXPECT_EQ(sweep_summary_line(records, 0, ""),
            "1 configuration measured; no results file (--out) was given");
  EXPECT_EQ(sweep_interrupted_text(1, ""),
            "interrupted: 1 configuration finished before the interrupt; no results file (--out) "
            "was given");
  EXPECT_EQ(sweep_interrupted_text(2, "r.json"),
            "interrupted: 2 configurations finished before the interrupt; the results are in "
            "'r.json' (run again with --resume to finish the sweep)");
}

TEST(SweepSummary, FailuresNameTheFirstThree) {
  std::vector<ResultRecord> records{record_of("resnet18", 8, RunMode::train)};
  EXPECT_EQ(sweep_failures_text(records), "");
  for (int b = 1; b <= 4; ++b) {
    records.push_back(failed(record_of("vgg16", b, RunMode::infer), "oom"));
  }
  EXPECT_EQ(sweep_failures_text(records),
            "4 of 5 configurations failed (vgg16, batch 1, infer: oom; vgg16, batch 2, infer: "
            "oom; vgg16, batch 3, infer: oom; ...)");
  ResultRecord llm = failed(record_of("gpt2", 4, RunMode::infer), "x");
  llm.llm_phase = "decode";
  llm.llm_context = 512;
  EXPECT_EQ(record_config_text(llm), "gpt2, decode, batch 4, context 512");
  EXPECT_EQ(sweep_failures_text({llm}),
            "1 of 1 configuration failed (gpt2, decode, batch 4, context 512: x)");
}

TEST(SweepSettings, ShortBudgetsShortenTheFloors) {
  SweepSettings s;
  s.measure.min_warmup_s = 0.2;
  s.measure.min_time_s = 0.5;
  s.budget_s = 0.5;  // floors at most 0.5 / 5 and 0.5 / 2
  fit_floors_to_budget(s);
  EXPECT_DOUBLE_EQ(s.measure.min_warmup_s, 0.1);
  EXPECT_DOUBLE_EQ(s.measure.min_time_s, 0.25);
  s.budget_s = 10;  // long budgets leave them alone
  fit_floors_to_budget(s);
  EXPECT_DOUBLE_EQ(s.measure.min_warmup_s, 0.1);
  EXPECT_DOUBLE_EQ(s.measure.min_time_s, 0.25);
}

TEST(RunSweep, RecordsInOrderWithValuesFromTheTimings) {
  Factory factory;
  factory.script.slow_calls = 3;  // warm-up only: must not reach the statistics
  SweepOptions o = base_options();
  o.models = {"tiny", "tinier"};
  o.batches = {1, 4};
  o.modes = {RunMode::infer, RunMode::train};
  o.threads = 2;
  o.make_executor = factory.make();
  std::vector<SweepProgress> progress;
  o.on_progress = [&](const SweepProgress& p) { progress.push_back(p); };
  std::vector<std::string> warnings;
  o.on_warning = [&](const std::string& w) { warnings.push_back(w); };

  const SweepOutcome out = run_sweep(o);
  EXPECT_FALSE(out.interrupted);
  EXPECT_TRUE(out.skipped.empty());
  ASSERT_EQ(out.records.size(), 8u);
  EXPECT_EQ(factory.made, 8);  // one fresh executor per configuration
  ASSERT_EQ(progress.size(), 8u);
  EXPECT_EQ(progress[0].index, 1u);
  EXPECT_EQ(progress[0].total, 8u);
  EXPECT_TRUE(progress[0].eta_from_budget);
  EXPECT_FALSE(progress[1].eta_from_budget);
  EXPECT_EQ(progress[7].finished, 7u);
  EXPECT_EQ(progress[5].current, "tinier, batch 1, train");

  for (const ResultRecord& r : out.records) {
    SCOPED_TRACE(describe(r.key()));
    EXPECT_EQ(r.status, RecordStatus::ok) << r.status_reason;
    EXPECT_EQ(r.device, "cpu");
    EXPECT_EQ(r.chip, "host");
    EXPECT_EQ(r.threads, 2);
    EXPECT_EQ(r.conditions.threads, 2);
    EXPECT_EQ(r.conditions.library_versions.at("libtorch"), "9.9.9");
    EXPECT_EQ(r.conditions.library_versions.at("blas"), "FakeBLAS 1.0");
    EXPECT_FALSE(r.conditions.date_utc.empty());
    EXPECT_GT(r.memory_peak_bytes, 0);  // this process's resident peak
    ASSERT_TRUE(r.cost.has_value());
    EXPECT_DOUBLE_EQ(r.cost->forward_flops, 27.0 * r.batch);
    EXPECT_DOUBLE_EQ(r.cost->forward_matmul_flops, 24.0 * r.batch);
  }
  const ResultRecord& infer = out.records[2];  // tiny, batch 4, infer
  EXPECT_EQ(infer.model, "tiny");
  EXPECT_EQ(infer.batch, 4);
  EXPECT_EQ(infer.mode, RunMode::infer);
  ASSERT_EQ(infer.timings.size(), 1u);
  const TimingStats& f = infer.timings.at(Phase::forward);
  EXPECT_DOUBLE_EQ(f.median_s, 0.002);
  EXPECT_DOUBLE_EQ(f.max_s, 0.002);  // the 3 slow warm-up calls are not samples
  EXPECT_GE(f.warmup_iterations, 3u);
  EXPECT_TRUE(f.converged);
  EXPECT_DOUBLE_EQ(throughput_per_s(infer), 4 / 0.002);
  EXPECT_DOUBLE_EQ(achieved_flops_per_s(infer), 27.0 * 4 / 0.002);

  const ResultRecord& train = out.records[3];  // tiny, batch 4, train
  EXPECT_EQ(train.mode, RunMode::train);
  ASSERT_EQ(train.timings.size(), 4u);
  EXPECT_DOUBLE_EQ(train.timings.at(Phase::forward).median_s, 0.001);
  EXPECT_DOUBLE_EQ(train.timings.at(Phase::backward).median_s, 0.002);
  EXPECT_DOUBLE_EQ(train.timings.at(Phase::optimizer).median_s, 0.0005);
  EXPECT_DOUBLE_EQ(train.timings.at(Phase::step).median_s, 0.0036);
  EXPECT_DOUBLE_EQ(train.timings.at(Phase::step).max_s, 0.0036);
  EXPECT_EQ(train.timings.at(Phase::forward).n, train.timings.at(Phase::step).n);
  EXPECT_DOUBLE_EQ(throughput_per_s(train), 4 / 0.0036);
  EXPECT_GT(train.cost->backward_flops, 0);
  EXPECT_NEAR(achieved_flops_per_s(train),
              (train.cost->forward_flops + train.cost->backward_flops) / 0.0036, 1e-6);
}

TEST(RunSweep, TheResultsFileHoldsEveryFinishedConfigurationAsItGoes) {
  TempPath file("each");
  Factory factory;
  SweepOptions o = base_options();
  o.models = {"tiny"};
  o.batches = {1, 2, 3};
  o.out = file.path();
  o.make_executor = factory.make();
  std::vector<std::size_t> sizes;
  o.on_result = [&](const ResultRecord&) {
    sizes.push_back(load_results(file.path()).records.size());
  };
  run_sweep(o);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1, 2, 3}));
  const ResultsFile back = load_results(file.path());
  ASSERT_EQ(back.records.size(), 3u);
  EXPECT_EQ(back.records[2].batch, 3);
  EXPECT_DOUBLE_EQ(back.records[2].timings.at(Phase::forward).median_s, 0.002);
}

TEST(RunSweep, ResumeSkipsFinishedKeysAndRetriesFailedOnes) {
  TempPath file("resume");
  Factory factory;
  factory.throw_for = "tinier";
  SweepOptions o = base_options();
  o.models = {"tiny", "tinier"};
  o.batches = {1, 2};
  o.out = file.path();
  o.make_executor = factory.make();
  const SweepOutcome first = run_sweep(o);
  ASSERT_EQ(first.records.size(), 4u);
  EXPECT_EQ(factory.made, 4);

  // Resume: the two ok records are skipped, the two failed ones run again
  // (and succeed now).
  factory.throw_for.clear();
  factory.made = 0;
  o.resume = true;
  std::vector<std::string> skipped;
  o.on_skip = [&](const SweepConfig& c) {
    skipped.push_back(c.model + "/" + std::to_string(c.batch));
  };
  const SweepOutcome second = run_sweep(o);
  EXPECT_EQ(skipped, (std::vector<std::string>{"tiny/1", "tiny/2"}));
  EXPECT_EQ(second.skipped.size(), 2u);
  ASSERT_EQ(second.records.size(), 2u);
  EXPECT_EQ(factory.made, 2);
  EXPECT_EQ(second.records[0].model, "tinier");
  EXPECT_EQ(second.records[0].status, RecordStatus::ok);
  const ResultsFile back = load_results(file.path());
  ASSERT_EQ(back.records.size(), 4u);  // replaced in place, not appended
  for (const ResultRecord& r : back.records) EXPECT_EQ(r.status, RecordStatus::ok);

  // A third resume has nothing left; another thread count is another key.
  factory.made = 0;
  EXPECT_TRUE(run_sweep(o).records.empty());
  EXPECT_EQ(factory.made, 0);
  o.threads = 7;
  EXPECT_EQ(run_sweep(o).records.size(), 4u);
}

// A failed configuration: recorded with `reason` and no timings.
void expect_failed_unmeasured(const ResultRecord& r, const std::string& reason) {
  EXPECT_EQ(r.status, RecordStatus::failed);
  EXPECT_EQ(r.status_reason, reason);
  EXPECT_TRUE(r.timings.empty());
}

TEST(RunSweep, FailuresAreRecordedWithTheirReasonAndTheSweepGoesOn) {
  TempPath file("fail");
  Factory factory;
  factory.throw_for = "tinier";
  SweepOptions o = base_options();
  o.models = {"broken", "tinier", "tiny"};
  o.out = file.path();
  o.make_executor = factory.make();
  const SweepOutcome out = run_sweep(o);
  ASSERT_EQ(out.records.size(), 3u);
  expect_failed_unmeasured(out.records[0], "model 'broken' does not import: node 7 has no inputs");
  EXPECT_TRUE(std::isnan(out.records[0].memory_peak_bytes));
  EXPECT_EQ(out.records[1].status, RecordStatus::failed);
  EXPECT_EQ(out.records[1].status_reason, factory.throw_text);
  EXPECT_EQ(out.records[2].status, RecordStatus::ok);
  const ResultsFile back = load_results(file.path());
  ASSERT_EQ(back.records.size(), 3u);
  EXPECT_EQ(back.records[1].status, RecordStatus::failed);
  EXPECT_EQ(back.records[1].status_reason, factory.throw_text);
}

TEST(RunSweep, AFailureDuringMeasurementIsRecordedToo) {
  Factory factory;
  factory.script.throw_at = 5;
  factory.script.throw_text = "unsupported op in backward (fake)";
  SweepOptions o = base_options();
  o.models = {"tiny"};
  o.modes = {RunMode::train, RunMode::infer};
  o.make_executor = factory.make();
  const SweepOutcome out = run_sweep(o);
  ASSERT_EQ(out.records.size(), 2u);
  expect_failed_unmeasured(out.records[0], "unsupported op in backward (fake)");
  // A fresh executor for the next configuration: its call count starts over,
  // and call 5 throws there too.
  EXPECT_EQ(out.records[1].status, RecordStatus::failed);
}

TEST(RunSweep, NoisyWhenTheCriterionDoesNotHoldBeforeTheBudget) {
  Factory factory;
  factory.script.alternate = 0.5;  // 2 ms and 3 ms: the median's CI stays ±20%
  SweepOptions o = base_options();
  o.models = {"tiny"};
  o.budget_s = 0.05;
  o.make_executor = factory.make();
  const SweepOutcome out = run_sweep(o);
  ASSERT_EQ(out.records.size(), 1u);
  const ResultRecord& r = out.records[0];
  EXPECT_EQ(r.status, RecordStatus::noisy);
  EXPECT_EQ(r.status_reason.rfind("noisy: median 95% CI ±", 0), 0u) << r.status_reason;
  EXPECT_FALSE(r.timings.at(Phase::forward).converged);
}

// Scripts: the executors of the main pass alternate 2 ms / 3 ms (the
// median's interval stays at ±20%: noisy); those made after `quiet_from`
// return a constant 2 ms (converges at min_samples, ±0%).
// A clock that advances 0.1 ms per reading, so budgets end after a fixed
// number of loop steps whatever the machine's load (these tests must not
// depend on timing).
Clock stepping_clock() {
  return [t = std::make_shared<double>(0)] { return *t += 1e-4; };
}

Factory noisy_then_quiet(int quiet_from) {
  Factory f;
  f.script_for = [quiet_from](int made) {
    FakeScript s;
    if (made < quiet_from) s.alternate = 0.5;
    return s;
  };
  return f;
}

TEST(RunSweep, AcceptTargetMakesAWideButBoundedIntervalConverged) {
  // 2 ms and 3 ms alternating: the median's interval is [2, 3] ms around
  // 2.5 ms, ±20%. Aiming at ±2% the budget ends first: noisy; accepting
  // ±25% it is converged (ok), accepting ±10% still noisy.
  for (const auto& [accept, status] :
       {std::pair{0.25, RecordStatus::ok}, std::pair{0.10, RecordStatus::noisy},
        std::pair{0.0, RecordStatus::noisy}}) {
    Factory factory;
    factory.script.alternate = 0.5;
    SweepOptions o = base_options();
    o.models = {"tiny"};
    o.budget_s = 0.05;
    o.accept_target = accept;
    o.measure.clock = stepping_clock();
    o.make_executor = factory.make();
    const SweepOutcome out = run_sweep(o);
    ASSERT_EQ(out.records.size(), 1u);
    EXPECT_EQ(out.records[0].status, status) << accept << ": " << out.records[0].status_reason;
    EXPECT_NEAR(out.records[0].timings.at(Phase::forward).ci_rel_half_width, 0.2, 1e-9);
  }
}

TEST(Remeasure, NoisyConfigurationsGetASecondChanceAtTheEnd) {
  TempPath file("remeasure");
  // Batches 1 and 2: executors 1 and 2 noisy; the re-measurements (3, 4)
  // quiet.
  Factory factory = noisy_then_quiet(3);
  SweepOptions o = base_options();
  o.models = {"tiny"};
  o.batches = {1, 2};
  o.budget_s = 0.05;
  o.out = file.path();
  o.make_executor = factory.make();
  o.measure.clock = stepping_clock();
  o.remeasure.enabled = true;
  std::vector<std::string> started;
  o.remeasure.on_start = [&](const ResultRecord& r, double estimate) {
    EXPECT_EQ(r.status, RecordStatus::noisy);
    EXPECT_GT(estimate, 0);
    started.push_back(r.model + " b" + std::to_string(r.batch));
  };
  const SweepOutcome out = run_sweep(o);
  EXPECT_EQ(factory.made, 4);
  EXPECT_EQ(started.size(), 2u);
  ASSERT_EQ(out.records.size(), 2u);
  for (const ResultRecord& r : out.records) {
    EXPECT_EQ(r.status, RecordStatus::ok) << r.status_reason;
    // Constant 2 ms: median 2 ms, interval of width 0.
    EXPECT_DOUBLE_EQ(r.timings.at(Phase::forward).median_s, 0.002);
    EXPECT_DOUBLE_EQ(r.timings.at(Phase::forward).ci_rel_half_width, 0);
  }
  EXPECT_EQ(out.records[0].batch, 1);  // in the sweep's order
  EXPECT_EQ(out.records[1].batch, 2);
  // The file holds the second measurements, one per key.
  const ResultsFile saved = load_results(file.path());
  ASSERT_EQ(saved.records.size(), 2u);
  for (const ResultRecord& r : saved.records) EXPECT_EQ(r.status, RecordStatus::ok);
}

TEST(Remeasure, OnlyWhileTimeRemainsAndNeverWorse) {
  // No time left: nothing is measured again, the noisy record stays.
  {
    Factory factory = noisy_then_quiet(2);
    SweepOptions o = base_options();
    o.models = {"tiny"};
    o.budget_s = 0.05;
    o.make_executor = factory.make();
    o.measure.clock = stepping_clock();
    o.remeasure.enabled = true;
    o.remeasure.time_left_s = [] { return 0.0; };
    const SweepOutcome out = run_sweep(o);
    EXPECT_EQ(factory.made, 1);
    ASSERT_EQ(out.records.size(), 1u);
    EXPECT_EQ(out.records[0].status, RecordStatus::noisy);
  }
  // The second measurement fails (out of memory on call 1): the first,
  // noisy one is kept, and counted as re-measured but not converged.
  {
    Factory factory = noisy_then_quiet(2);
    factory.script_for = [](int made) {
      FakeScript s;
      s.alternate = 0.5;
      if (made >= 2) {
        s.throw_at = 1;
        s.throw_text = "out of memory (fake)";
      }
      return s;
    };
    SweepOptions o = base_options();
    o.models = {"tiny"};
    o.budget_s = 0.05;
    o.make_executor = factory.make();
    o.measure.clock = stepping_clock();
    const SweepOutcome first = run_sweep(o);
    ASSERT_EQ(first.records.size(), 1u);
    ASSERT_EQ(first.records[0].status, RecordStatus::noisy);
    RemeasurePolicy policy;
    policy.enabled = true;
    const RemeasureOutcome again = remeasure_noisy(first.records, o, policy);
    EXPECT_EQ(factory.made, 2);
    EXPECT_EQ(again.remeasured, 1u);
    EXPECT_EQ(again.now_converged, 0u);
    ASSERT_EQ(again.records.size(), 1u);
    EXPECT_EQ(again.records[0].status, RecordStatus::noisy);
  }
}

TEST(Remeasure, CheapestFirstWithinTheTimeLeft) {
  // Three noisy records with first measurements of 1, 3 and 2 s of wall
  // time (factor 2: estimates 2, 6 and 4 s) and 7 s left, counted down by
  // each estimate as it starts: the 2 s and 4 s ones fit (7 -> 5 -> 1), the
  // 6 s one does not.
  Factory factory = noisy_then_quiet(1);  // every re-measurement quiet
  SweepOptions o = base_options();
  o.make_executor = factory.make();
  o.measure.clock = stepping_clock();
  std::vector<ResultRecord> records;
  for (auto [batch, total] : {std::pair{1, 1.0}, std::pair{2, 3.0}, std::pair{3, 2.0}}) {
    ResultRecord r;
    r.model = r.source = "tiny";
    r.device = "cpu";
    r.chip = "host";
    r.batch = batch;
    r.status = RecordStatus::noisy;
    TimingStats t;
    t.n = 3;
    t.median_s = 0.002;
    t.total_s = total;
    r.timings[Phase::forward] = t;
    records.push_back(r);
  }
  double left = 7;
  std::vector<std::int64_t> order;
  RemeasurePolicy policy;
  policy.enabled = true;
  policy.time_left_s = [&] { return left; };
  policy.on_start = [&](const ResultRecord& r, double estimate) {
    order.push_back(r.batch);
    left -= estimate;
  };
  const RemeasureOutcome out = remeasure_noisy(records, o, policy);
  EXPECT_EQ(order, (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(out.remeasured, 2u);
  EXPECT_EQ(out.now_converged, 2u);
  EXPECT_EQ(out.skipped_for_time, 1u);
  EXPECT_EQ(out.records[0].status, RecordStatus::ok);
  EXPECT_EQ(out.records[1].status, RecordStatus::noisy);  // batch 2: no time
  EXPECT_EQ(out.records[2].status, RecordStatus::ok);
}

TEST(RunSweep, StopFlagBetweenConfigurationsKeepsTheFinishedOnes) {
  TempPath file("stop");
  Factory factory;
  SweepOptions o = base_options();
  o.models = {"tiny"};
  o.batches = {1, 2, 3, 4};
  o.out = file.path();
  o.make_executor = factory.make();
  std::atomic<bool> stop{false};
  o.stop = &stop;
  o.on_result = [&](const ResultRecord& r) {
    if (r.batch == 2) stop = true;  // as a SIGINT handler would
  };
  const SweepOutcome out = run_sweep(o);
  EXPECT_TRUE(out.interrupted);
  EXPECT_EQ(out.records.size(), 2u);
  EXPECT_EQ(load_results(file.path()).records.size(), 2u);

  // Resume finishes the other two and skips the kept ones.
  stop = false;
  o.resume = true;
  o.on_result = nullptr;
  const SweepOutcome rest = run_sweep(o);
  EXPECT_FALSE(rest.interrupted);
  EXPECT_EQ(rest.skipped.size(), 2u);
  ASSERT_EQ(rest.records.size(), 2u);
  EXPECT_EQ(rest.records[0].batch, 3);
  EXPECT_EQ(load_results(file.path()).records.size(), 4u);
}

TEST(RunSweep, StopFlagDuringMeasurementDropsOnlyTheConfigurationUnderWay) {
  TempPath file("stop-mid");
  Factory factory;
  SweepOptions o = base_options();
  o.models = {"tiny"};
  o.batches = {1, 2};
  o.out = file.path();
  std::atomic<bool> stop{false};
  o.stop = &stop;
  // The second executor sets the flag on its 4th call, mid warm-up.
  o.make_executor = [&](const Graph& g, const ExecOptions& eo) -> std::unique_ptr<Executor> {
    FakeScript s;
    if (g.value(g.inputs[0]).shape[0] == 2) {
      s.on_call = [&](int call) {
        if (call == 4) stop = true;
      };
    }
    return std::make_unique<FakeExecutor>(g, eo, s);
  };
  const SweepOutcome out = run_sweep(o);
  EXPECT_TRUE(out.interrupted);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(out.records[0].batch, 1);
  const ResultsFile back = load_results(file.path());
  ASSERT_EQ(back.records.size(), 1u);
  EXPECT_EQ(back.records[0].status, RecordStatus::ok);
}

TEST(RunSweep, LayersGetMediansModulesAndFlops) {
  Factory factory;
  SweepOptions o = base_options();
  o.models = {"tiny"};
  o.batches = {2};
  o.modes = {RunMode::infer, RunMode::train};
  o.layers = true;
  o.make_executor = factory.make();
  const SweepOutcome out = run_sweep(o);
  ASSERT_EQ(out.records.size(), 2u);

  const ResultRecord& infer = out.records[0];
  ASSERT_EQ(infer.layers.size(), 2u);  // fc, relu
  EXPECT_GE(infer.layer_passes, 5u);
  const LayerTiming& fc = infer.layers[0];
  EXPECT_EQ(fc.name, "head.fc");
  EXPECT_EQ(fc.op, "Gemm");
  EXPECT_EQ(fc.module, "head");
  // Pass 1 of every 4 is 3x slower: the median is the fast value.
  EXPECT_DOUBLE_EQ(fc.forward_median_s, 1e-3);
  EXPECT_TRUE(std::isnan(fc.backward_median_s));
  EXPECT_DOUBLE_EQ(fc.forward_flops, 2.0 * 2 * 4 * 3);  // 48
  EXPECT_DOUBLE_EQ(infer.layers[1].forward_median_s, 2e-3);
  EXPECT_DOUBLE_EQ(infer.layers[1].forward_flops, 2.0 * 3);  // ReLU: 1 per element
  // (1 + 2) ms of layers over a 2 ms forward.
  EXPECT_DOUBLE_EQ(layers_to_model_ratio(infer), 1.5);

  const ResultRecord& train = out.records[1];
  ASSERT_EQ(train.layers.size(), 2u);
  EXPECT_DOUBLE_EQ(train.layers[0].backward_median_s, 2e-3);
  EXPECT_DOUBLE_EQ(train.layers[1].backward_median_s, 4e-3);
  // (1 + 2 + 2 + 4) ms over forward 1 ms + backward 2 ms.
  EXPECT_DOUBLE_EQ(layers_to_model_ratio(train), 3.0);
}

TEST(RunSweep, TheLoadersWeightsReachEveryConfigurationOfTheModel) {
  SweepOptions o = base_options();
  o.models = {"tiny", "tinier"};
  o.modes = {RunMode::infer, RunMode::train};
  o.load_model = [](const std::string& source, std::int64_t batch, DType dtype) {
    SweepModel m = tiny_model(source, batch, dtype);
    HostTensor w;
    w.name = "head.fc.weight";
    w.dims = {3, 4};
    w.data.assign(48, 0);
    m.weights[w.name] = w;
    return m;
  };
  std::vector<std::size_t> seen;
  o.make_executor = [&](const Graph& g, const ExecOptions& eo) -> std::unique_ptr<Executor> {
    seen.push_back(
        eo.weights.contains("head.fc.weight") ? eo.weights.at("head.fc.weight").data.size() : 0);
    return std::make_unique<FakeExecutor>(g, eo, FakeScript{});
  };
  run_sweep(o);
  // The first mode gets a copy, the last one of each model the loaded ones.
  EXPECT_EQ(seen, (std::vector<std::size_t>{48, 48, 48, 48}));
}

TEST(RunSweep, InvalidOptionsAreErrorsBeforeAnythingRuns) {
  Factory factory;
  auto error_of = [&](SweepOptions o) -> std::string {
    o.make_executor = factory.make();
    try {
      run_sweep(o);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  SweepOptions o = base_options();
  o.models = {"tiny"};
  SweepOptions none = o;
  none.models.clear();
  EXPECT_NE(error_of(none).find("no model given"), std::string::npos);
  SweepOptions zero = o;
  zero.batches = {1, 0};
  EXPECT_NE(error_of(zero).find("batch size 0"), std::string::npos);
  SweepOptions tpu = o;
  tpu.device = "tpu";
  EXPECT_NE(error_of(tpu).find("unknown device 'tpu'"), std::string::npos);
  SweepOptions cold = o;
  cold.device = "cuda:1";
  cold.cold = true;
  EXPECT_NE(error_of(cold).find("--cold"), std::string::npos);
  SweepOptions resume = o;
  resume.resume = true;
  EXPECT_NE(error_of(resume).find("--resume needs a results file"), std::string::npos);
  EXPECT_EQ(factory.made, 0);
  SweepOptions no_factory = o;
  EXPECT_THROW(run_sweep(no_factory), Error);
}

TEST(LoadSweepModel, ZooModelsAndUnknownNames) {
  const SweepModel m = load_sweep_model("alexnet", 2, DType::fp32);
  EXPECT_EQ(m.name, "alexnet");
  EXPECT_EQ(m.graph.value(m.graph.inputs[0]).shape, (Shape{2, 3, 224, 224}));
  try {
    load_sweep_model("resnet81", 1, DType::fp32);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model 'resnet81'"), std::string::npos);
  }
}

}  // namespace
}  // namespace dnnroof
