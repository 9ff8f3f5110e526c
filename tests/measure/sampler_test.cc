// The measurement loop on synthetic durations and a fake clock that advances
// by exactly what each iteration "took": no real timing anywhere. Durations
// are powers of two or their small multiples where sums must be exact.

#include "measure/sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "core/error.h"

namespace dnnroof {
namespace {

// Feeds durations from `sequence(i)` for i = 0, 1, ... and keeps a fake
// clock that advances by each of them.
struct Synthetic {
  std::function<double(std::size_t)> sequence;
  std::size_t calls = 0;
  double now_s = 0;

  std::function<double()> run_once() {
    return [this] {
      const double d = sequence(calls++);
      now_s += d;
      return d;
    };
  }
  Clock clock() {
    return [this] { return now_s; };
  }
};

// Options with every floor off, so each test states the ones it relies on.
MeasureOptions bare_options(Synthetic& s) {
  MeasureOptions o;
  o.min_warmup_iterations = 0;
  o.min_warmup_s = 0;
  o.min_samples = 10;
  o.min_time_s = 0;
  o.clock = s.clock();
  return o;
}

// `sequence` measured from bare_options() without warm-up under a budget of
// `max_time_s`, extended up to `max_time_for_min_samples_s` to reach
// min_samples (0: no extension, the default).
Measurement measure_on_budget(std::function<double(std::size_t)> sequence, double max_time_s,
                              double max_time_for_min_samples_s = 0) {
  Synthetic s{std::move(sequence)};
  MeasureOptions o = bare_options(s);
  o.max_warmup_iterations = 0;
  o.max_time_s = max_time_s;
  o.max_time_for_min_samples_s = max_time_for_min_samples_s;
  return measure(s.run_once(), o);
}

TEST(WarmupRule, StableOnlyWhenTheWindowMedianStopsFalling) {
  // Windows of 3: previous {9, 8, 7} median 8, last {7, 7, 6} median 7:
  // 7 >= 0.98 * 8 = 7.84 is false; with 20% tolerance 7 >= 6.4 is true.
  const std::vector<double> d = {9, 8, 7, 7, 7, 6};
  EXPECT_FALSE(warmup_is_stable(d, 3, 0.02));
  EXPECT_TRUE(warmup_is_stable(d, 3, 0.20));
  EXPECT_FALSE(warmup_is_stable(std::vector<double>{1, 1, 1, 1, 1}, 3, 0.02));  // < 2k
  // Rising is stable too: it has stopped falling.
  EXPECT_TRUE(warmup_is_stable(std::vector<double>{1, 1, 1, 2, 2, 2}, 3, 0.0));
}

TEST(Measure, ConstantSequenceConvergesAtMinSamples) {
  Synthetic s{[](std::size_t) { return 0.0009765625; }};  // 2^-10 s
  MeasureOptions o = bare_options(s);
  const Measurement m = measure(s.run_once(), o);
  // Warm-up: two windows of 5 with equal medians -> stable after 10.
  EXPECT_EQ(m.warmup_iterations, 10u);
  EXPECT_TRUE(m.warmup_stable);
  EXPECT_TRUE(m.converged);
  EXPECT_EQ(m.stop_reason, StopReason::converged);
  EXPECT_EQ(m.samples_s.size(), 10u);
  EXPECT_EQ(m.stats.n, 10u);
  EXPECT_DOUBLE_EQ(m.stats.median, 0.0009765625);
  EXPECT_DOUBLE_EQ(m.stats.ci_relative_half_width, 0);
  EXPECT_DOUBLE_EQ(m.warmup_s, 10 * 0.0009765625);
  EXPECT_DOUBLE_EQ(m.total_s, 20 * 0.0009765625);
  EXPECT_EQ(s.calls, 20u);
  EXPECT_EQ(describe_outcome(m), "converged: median 95% CI ±0.0% after 10 samples");
}

TEST(Measure, MinTimeKeepsSamplingPastMinSamples) {
  Synthetic s{[](std::size_t) { return 0.0009765625; }};  // 2^-10 s
  MeasureOptions o = bare_options(s);
  o.min_time_s = 0.03125;  // 2^-5 s = 32 samples of 2^-10 s
  const Measurement m = measure(s.run_once(), o);
  EXPECT_TRUE(m.converged);
  EXPECT_EQ(m.samples_s.size(), 32u);
}

TEST(Measure, LargeSpreadRunsToTheBudgetAndIsNoisy) {
  // 0.25 s, 0.75 s, 0.25 s, ... The window medians alternate between 0.25
  // and 0.75; after 10 iterations the last window {.75 .25 .75 .25 .75} has
  // median 0.75 >= 0.98 * 0.25, so warm-up ends at 10 (5 s of fake time).
  // Sampling then alternates from 0.25; the median's interval stays
  // [0.25, 0.75] around 0.5 (±50%), so only the 10 s budget stops it: after
  // 20 samples, exactly 10 s.
  Synthetic s{[](std::size_t i) { return i % 2 == 0 ? 0.25 : 0.75; }};
  MeasureOptions o = bare_options(s);
  o.max_time_s = 10;
  const Measurement m = measure(s.run_once(), o);
  EXPECT_EQ(m.warmup_iterations, 10u);
  EXPECT_FALSE(m.converged);
  EXPECT_EQ(m.stop_reason, StopReason::time_budget);
  EXPECT_EQ(m.samples_s.size(), 20u);
  EXPECT_DOUBLE_EQ(m.stats.median, 0.5);
  EXPECT_DOUBLE_EQ(m.stats.median_ci.low, 0.25);
  EXPECT_DOUBLE_EQ(m.stats.median_ci.high, 0.75);
  EXPECT_DOUBLE_EQ(m.total_s, 15);
  // max(0.5 - 0.25, 0.75 - 0.5) / 0.5 = 50%.
  EXPECT_EQ(describe_outcome(m),
            "noisy: median 95% CI ±50.0% after 20 samples, stopped by the time budget");
}

TEST(Measure, BudgetExtendsUntilMinSamplesForSlowWork) {
  // 1 s per iteration, no warm-up, budget 4 s: without the extension the
  // budget ends after 4 samples. With max_time_for_min_samples_s = 12 the
  // loop goes on to min_samples = 10 (10 s of fake time) and converges there
  // (constant durations: interval [1, 1], ±0%).
  const Measurement m = measure_on_budget([](std::size_t) { return 1.0; }, 4, 12);
  EXPECT_TRUE(m.converged);
  EXPECT_EQ(m.samples_s.size(), 10u);
  EXPECT_DOUBLE_EQ(m.total_s, 10);

  // Without it: 4 samples, noisy, and no ± in the outcome.
  const Measurement q = measure_on_budget([](std::size_t) { return 1.0; }, 4);
  EXPECT_FALSE(q.converged);
  EXPECT_EQ(q.samples_s.size(), 4u);
  EXPECT_EQ(describe_outcome(q),
            "noisy: n=4, no 95% CI (an interval needs at least 10 samples), stopped by the time "
            "budget");
}

TEST(Measure, BudgetExtensionIsCappedAndEndsAtMinSamples) {
  // 3 s per iteration, budget 4 s, extension capped at 12 s: samples at
  // 3, 6, 9, 12 s; at 12 s the cap ends it with 4 samples (< 10): noisy.
  const Measurement m = measure_on_budget([](std::size_t) { return 3.0; }, 4, 12);
  EXPECT_FALSE(m.converged);
  EXPECT_EQ(m.samples_s.size(), 4u);
  EXPECT_EQ(m.stop_reason, StopReason::time_budget);

  // Past min_samples the plain budget rules again: 0.25 s alternating with
  // 0.75 s never converges; min_samples = 10 is reached at 5 s > 4 s, so
  // the loop stops right there, not at the 12 s cap.
  const Measurement am =
      measure_on_budget([](std::size_t i) { return i % 2 == 0 ? 0.25 : 0.75; }, 4, 12);
  EXPECT_FALSE(am.converged);
  EXPECT_EQ(am.samples_s.size(), 10u);
  EXPECT_DOUBLE_EQ(am.total_s, 5);
}

TEST(Measure, AcceptCriterionAtTheBudget) {
  // 0.96 s and 1.04 s alternating, 1 s on average: the median's interval at
  // n >= 10 is [0.96, 1.04] around 1.0, ±4%. Aiming at ±2% never holds, so
  // the 30 s budget ends the loop (30 samples); with ±5% accepted the result
  // is converged, with ±3% it stays noisy.
  auto run = [](double accept) {
    auto s =
        std::make_shared<Synthetic>(Synthetic{[](std::size_t i) { return i % 2 ? 1.04 : 0.96; }});
    MeasureOptions o = bare_options(*s);
    o.max_warmup_iterations = 0;
    o.max_time_s = 30;
    o.accept_criterion = std::make_shared<MedianCiCriterion>(accept);
    return measure(s->run_once(), o);
  };
  const Measurement ok = run(0.05);
  EXPECT_TRUE(ok.converged);
  EXPECT_EQ(ok.stop_reason, StopReason::accepted);
  EXPECT_EQ(ok.samples_s.size(), 30u);
  EXPECT_NEAR(ok.stats.ci_relative_half_width, 0.04, 1e-12);
  EXPECT_EQ(describe_outcome(ok),
            "converged: median 95% CI ±4.0% after 30 samples (the budget ended before median "
            "95% CI within ±2%; accepted: median 95% CI within ±5%)");
  const Measurement noisy = run(0.03);
  EXPECT_FALSE(noisy.converged);
  EXPECT_EQ(noisy.stop_reason, StopReason::time_budget);
}

TEST(Measure, SampleCapEndsANoisyRun) {
  Synthetic s{[](std::size_t i) { return i % 2 == 0 ? 0.25 : 0.75; }};
  MeasureOptions o = bare_options(s);
  o.max_samples = 15;
  o.max_time_s = 1e9;
  const Measurement m = measure(s.run_once(), o);
  EXPECT_FALSE(m.converged);
  EXPECT_EQ(m.stop_reason, StopReason::sample_cap);
  EXPECT_EQ(m.samples_s.size(), 15u);
}

TEST(Measure, WarmupStopsWhenADecreasingSequenceFlattens) {
  // d_i = max(10 - i, 1) ms: 10 9 8 7 6 5 4 3 2 1 1 1 ... With windows of 3
  // after c iterations the last window's median is d_(c-2) and the previous
  // one's d_(c-5). d_(c-2) >= 0.99 * d_(c-5) first holds when both are 1,
  // i.e. c - 5 = 9: c = 14 (at c = 13: d_11 = 1 < 0.99 * d_8 = 1.98).
  Synthetic s{[](std::size_t i) { return (i < 9 ? 10.0 - static_cast<double>(i) : 1.0) * 1e-3; }};
  MeasureOptions o = bare_options(s);
  o.warmup_window = 3;
  o.warmup_tolerance = 0.01;
  const Measurement m = measure(s.run_once(), o);
  EXPECT_TRUE(m.warmup_stable);
  EXPECT_EQ(m.warmup_iterations, 14u);
  ASSERT_FALSE(m.samples_s.empty());
  EXPECT_DOUBLE_EQ(*std::max_element(m.samples_s.begin(), m.samples_s.end()), 1e-3);
  EXPECT_TRUE(m.converged);
  EXPECT_EQ(m.samples_s.size(), 10u);
}

TEST(Measure, WarmupFloorAndCap) {
  // Constant but with a floor of 25 iterations: the rule holds from 10 on,
  // the floor keeps it going to 25 (3.125 s, under the 10 s wall cap).
  Synthetic flat{[](std::size_t) { return 0.125; }};
  MeasureOptions o = bare_options(flat);
  o.min_warmup_iterations = 25;
  EXPECT_EQ(measure(flat.run_once(), o).warmup_iterations, 25u);
  // Rule off (window 0): exactly the floor, still a proper warm-up.
  Synthetic fixed{[](std::size_t i) { return 1.0 / static_cast<double>(i + 1); }};
  MeasureOptions x = bare_options(fixed);
  x.warmup_window = 0;
  x.min_warmup_iterations = 7;
  x.max_samples = 20;  // the samples keep falling: stop early
  const Measurement mx = measure(fixed.run_once(), x);
  EXPECT_EQ(mx.warmup_iterations, 7u);
  EXPECT_TRUE(mx.warmup_stable);
  EXPECT_DOUBLE_EQ(mx.samples_s.front(), 1.0 / 8);
  // The wall cap: 0.125 s iterations against max_warmup_s = 1 s stop after 8.
  Synthetic capped{[](std::size_t) { return 0.125; }};
  MeasureOptions c = bare_options(capped);
  c.min_warmup_iterations = 25;
  c.max_warmup_s = 1;
  const Measurement mc = measure(capped.run_once(), c);
  EXPECT_EQ(mc.warmup_iterations, 8u);
  EXPECT_FALSE(mc.warmup_stable);

  // d_i = 1 / (i + 1) keeps falling: with windows of 3 the ratio of medians
  // is (c - 4) / (c - 1), which reaches 0.99 only at c = 301. A cap of 50
  // ends warm-up unstable.
  Synthetic falling{[](std::size_t i) { return 1.0 / static_cast<double>(i + 1); }};
  MeasureOptions f = bare_options(falling);
  f.warmup_window = 3;
  f.warmup_tolerance = 0.01;
  f.max_warmup_iterations = 50;
  const Measurement m = measure(falling.run_once(), f);
  EXPECT_EQ(m.warmup_iterations, 50u);
  EXPECT_FALSE(m.warmup_stable);
}

TEST(Measure, ColdHookRunsBeforeEveryIteration) {
  Synthetic s{[](std::size_t) { return 0.125; }};
  MeasureOptions o = bare_options(s);
  std::size_t hooks = 0;
  std::size_t hooks_before_call = 0;
  o.before_each = [&] {
    ++hooks;
    hooks_before_call = s.calls;  // the hook must precede the iteration it prepares
    EXPECT_EQ(hooks, hooks_before_call + 1);
  };
  const Measurement m = measure(s.run_once(), o);
  EXPECT_EQ(hooks, m.warmup_iterations + m.samples_s.size());
  EXPECT_EQ(hooks, s.calls);
}

TEST(Measure, RelativeStdevCriterionPlugsIn) {
  // 1.0 then 1.1 repeating with period 4: {1, 1, 1, 1.1}: mean 1.025, squared
  // deviations 3 * 0.025^2 + 0.075^2 = 0.0075, / 3 -> stdev 0.05, relative
  // 0.04878.
  Synthetic s{[](std::size_t i) { return i % 4 == 3 ? 1.1 : 1.0; }};
  MeasureOptions o = bare_options(s);
  o.warmup_window = 2;  // windows {1, 1.1} and {1, 1}: medians 1.05 vs 1, stable at 4
  o.min_samples = 4;
  o.criterion = std::make_shared<RelativeStdevCriterion>(0.05);
  const Measurement m = measure(s.run_once(), o);
  EXPECT_EQ(m.warmup_iterations, 4u);
  EXPECT_TRUE(m.converged);
  EXPECT_EQ(m.samples_s.size(), 4u);
  EXPECT_EQ(m.criterion, "relative stdev within 5%");

  EXPECT_FALSE(RelativeStdevCriterion(0.048).done(std::vector<double>{1, 1, 1, 1.1}));
  EXPECT_TRUE(RelativeStdevCriterion(0.049).done(std::vector<double>{1, 1, 1, 1.1}));
}

TEST(MedianCiCriterion, NeedsEnoughSamplesAndANarrowInterval) {
  const MedianCiCriterion c(0.02);
  EXPECT_FALSE(c.done(std::vector<double>{1, 1, 1, 1, 1}));  // n = 5 cannot reach 95%
  // n = 10 uses x_(2) and x_(9): 99 100 ... 100 101 -> [100, 100], ±0%.
  EXPECT_TRUE(c.done(std::vector<double>{101, 100, 100, 100, 99, 100, 100, 100, 100, 100}));
  // 1..10: median 5.5, [2, 9]: ±64%.
  EXPECT_FALSE(c.done(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  // 100 +- 1 at ranks 2 and 9 of {98 99 100 ... 100 101 102} -> ±1%: within 2%, not 1%.
  const std::vector<double> tight = {98, 99, 100, 100, 100, 100, 100, 100, 101, 102};
  EXPECT_TRUE(MedianCiCriterion(0.02).done(tight));
  EXPECT_FALSE(MedianCiCriterion(0.009).done(tight));
  EXPECT_EQ(c.describe(), "median 95% CI within ±2%");
}

TEST(Measure, RejectsANegativeDuration) {
  Synthetic s{[](std::size_t i) { return i == 3 ? -1.0 : 1.0; }};
  MeasureOptions o = bare_options(s);
  EXPECT_THROW(measure(s.run_once(), o), Error);
}

}  // namespace
}  // namespace dnnroof
