// The analysis on hand-built results: every expected value below is worked
// out by hand in the comment beside it (or, for Spearman, taken from SciPy's
// documentation), never copied from the code's output.

#include "analysis/analysis.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "support/study_fixtures.h"

namespace dnnroof {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A chip with peak 1 TFLOP/s (fp32), 8 TFLOP/s (tf32); L2 1 TB/s and 1 MB;
// DRAM 100 GB/s (main). Ridges: L2 1, DRAM 10 FLOP/B.
Chip test_chip() {
  Chip c = test::chip_with(
      "tc", "Test chip", ChipKind::cpu, 1e12,
      {test::memory_level("L1d", 0),  // unknown bandwidth: no ceiling
       test::memory_level("L2", 1e12, false, 1e6), test::memory_level("DRAM", 1e11, true)});
  c.peak[DType::tf32].value = 8e12;
  return c;
}

bool has_cause(const Placement& p, AboveRoofCause c) {
  return p.above_roof && std::find(p.above_roof->causes.begin(), p.above_roof->causes.end(), c) !=
                             p.above_roof->causes.end();
}

TEST(Ceilings, OnePerLevelWithBandwidth) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].level, "L2");
  EXPECT_FALSE(c[0].is_main);
  EXPECT_DOUBLE_EQ(c[0].capacity_bytes, 1e6);
  EXPECT_EQ(c[1].level, "DRAM");
  EXPECT_TRUE(c[1].is_main);
  EXPECT_DOUBLE_EQ(c[1].ridge(), 10.0);  // 1e12 / 1e11
  EXPECT_DOUBLE_EQ(c[1].roof(2.0), 2e11);
  EXPECT_DOUBLE_EQ(c[1].roof(50.0), 1e12);
  ASSERT_EQ(c[1].other_peaks.size(), 1u);
  EXPECT_DOUBLE_EQ(c[1].other_peaks.at(DType::tf32), 8e12);
  EXPECT_EQ(c[1].label(), "tc fp32 DRAM (datasheet)");
}

TEST(Ceilings, MissingPeakOrBandwidthIsAnError) {
  EXPECT_THROW(chip_ceilings(test_chip(), DType::fp16, CeilingSource::datasheet), Error);
  Chip no_bw = test_chip();
  for (MemoryLevel& l : no_bw.memory) l.bandwidth.value = 0;
  EXPECT_THROW(chip_ceilings(no_bw, DType::fp32, CeilingSource::datasheet), Error);
}

TEST(Placement, BelowTheRoofMemoryBound) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  const Work w = test::work_of(2e9, 1e9);  // x = 2 FLOP/B
  const Placement p = place_point("m b1", w, 0.05, c);
  EXPECT_DOUBLE_EQ(p.intensity(), 2.0);
  EXPECT_DOUBLE_EQ(p.achieved_flops, 4e10);  // 2e9 / 0.05
  // DRAM roof at x = 2: min(1e12, 1e11 * 2) = 2e11; L2: min(1e12, 2e12) = 1e12.
  EXPECT_EQ(p.binding, 1u);
  EXPECT_DOUBLE_EQ(p.per_ceiling[1].attainable_flops, 2e11);
  EXPECT_DOUBLE_EQ(p.per_ceiling[0].attainable_flops, 1e12);
  EXPECT_EQ(p.bound, Bound::memory);                    // 2 < ridge 10
  EXPECT_EQ(p.per_ceiling[0].bound, Bound::compute);    // 2 > L2 ridge 1
  EXPECT_NEAR(p.percent_of_attainable(), 20.0, 1e-12);  // 4e10 / 2e11
  EXPECT_FALSE(p.above_roof.has_value());
}

TEST(Placement, ComputeBoundAboveTheRidge) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  const Work w = test::work_of(1e12, 1e10);  // x = 100 > ridge 10
  const Placement p = place_point("big", w, 2.0, c);
  // Both roofs are the 1e12 peak at x = 100: the tie goes to main memory.
  EXPECT_EQ(p.binding, 1u);
  EXPECT_EQ(p.bound, Bound::compute);
  EXPECT_NEAR(p.percent_of_attainable(), 50.0, 1e-12);  // 5e11 of 1e12
}

TEST(Placement, AboveTheRoofExplainedByCacheAndCompulsoryTraffic) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  Work w = test::work_of(2e9, 1e9);                      // x = 2, DRAM roof 2e11
  w.working_set_bytes = 5e5;                             // fits L2 (1 MB)
  w.compulsory_bytes = 1e8;                              // x_c = 20: DRAM roof there 1e12
  const Placement p = place_point("m b1", w, 0.005, c);  // 4e11 FLOP/s
  ASSERT_TRUE(p.above_roof.has_value());
  EXPECT_EQ(p.above_roof->ceiling, 1u);
  EXPECT_NEAR(p.above_roof->ratio, 2.0, 1e-12);                   // 4e11 / 2e11
  EXPECT_TRUE(has_cause(p, AboveRoofCause::cache_fit));           // L2 roof 1e12 >= 4e11
  EXPECT_TRUE(has_cause(p, AboveRoofCause::compulsory_traffic));  // 1e12 >= 4e11
  EXPECT_FALSE(has_cause(p, AboveRoofCause::wrong_peak));         // below the peak
  EXPECT_FALSE(has_cause(p, AboveRoofCause::unconverged));
  EXPECT_FALSE(has_cause(p, AboveRoofCause::unexplained));
  EXPECT_NE(p.above_roof->explanation.find("L2"), std::string::npos);
  EXPECT_NE(p.above_roof->explanation.find("2.00x"), std::string::npos);
}

TEST(Placement, CacheTooSmallIsNoExplanation) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  Work w = test::work_of(2e9, 1e9);
  w.working_set_bytes = 5e6;  // 5 MB > 1 MB L2
  const Placement p = place_point("m", w, 0.005, c);
  ASSERT_TRUE(p.above_roof.has_value());
  EXPECT_EQ(p.above_roof->causes, std::vector<AboveRoofCause>{AboveRoofCause::unexplained});
}

TEST(Placement, AboveThePeakWithAFasterPrecision) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  const Work w = test::work_of(1e12, 1e10);            // x = 100: roof = peak 1e12
  const Placement p = place_point("fast", w, 0.5, c);  // 2e12 > 1e12; tf32 8e12 allows it
  ASSERT_TRUE(p.above_roof.has_value());
  EXPECT_EQ(p.above_roof->causes, std::vector<AboveRoofCause>{AboveRoofCause::wrong_peak});
  EXPECT_NE(p.above_roof->explanation.find("tf32"), std::string::npos);
}

TEST(Placement, UnconvergedAndUnexplained) {
  std::vector<RoofCeiling> c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  for (RoofCeiling& r : c) r.other_peaks.clear();
  const Work w = test::work_of(1e12, 1e10);
  const Placement bug = place_point("bug", w, 0.5, c);  // 2e12, nothing allows it
  EXPECT_EQ(bug.above_roof->causes, std::vector<AboveRoofCause>{AboveRoofCause::unexplained});
  const Placement noisy = place_point("noisy", w, 0.5, c, false, "CI +-9%");
  EXPECT_EQ(noisy.above_roof->causes, std::vector<AboveRoofCause>{AboveRoofCause::unconverged});
  EXPECT_NE(noisy.above_roof->explanation.find("CI +-9%"), std::string::npos);
}

TEST(Placement, WithinRoundingToleranceIsOnTheRoof) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  const Work w = test::work_of(1e12, 1e10);
  // 1.0005e12 is 0.05% above the peak: within the 0.1% tolerance.
  EXPECT_FALSE(place_point("edge", w, 1.0 / 1.0005, c).above_roof.has_value());
  EXPECT_TRUE(place_point("over", w, 1.0 / 1.002, c).above_roof.has_value());
}

TEST(Placement, BadInputNamesThePoint) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  Work w = test::work_of(1e9, 1e9);
  try {
    place_point("resnet18 b8", w, 0.0, c);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("resnet18 b8"), std::string::npos);
  }
  EXPECT_THROW(place_point("x", w, kNaN, c), Error);
  w.bytes = 0;
  EXPECT_THROW(place_point("x", w, 1.0, c), Error);
  w.bytes = 1e9;
  EXPECT_THROW(place_point("x", w, 1.0, {}), Error);
}

// A two-node model by hand. Node "conv": 1e11 FLOPs, 1e9 B; node "relu":
// 1e6 FLOPs, 4e9 B. Backward (training): conv 2e11 FLOPs / 2e9 B; relu 1e6 /
// 8e9 B.
ModelCost two_node_cost(bool training) {
  ModelCost m;
  m.graph_name = "two";
  m.batch = 4;
  m.options.training = training;
  struct Node {
    const char* name;
    OpKind op;
    PassCost forward, backward;  // backward: only when training
    double activation_bytes, params;
  };
  const Node nodes[] = {
      {"conv", OpKind::Conv, test::pass_cost(1e11, 0, 6e8, 4e8),
       test::pass_cost(2e11, 0, 1.5e9, 5e8), 4e8, 1000},
      {"relu", OpKind::Relu, test::pass_cost(0, 1e6, 2e9, 2e9), test::pass_cost(0, 1e6, 4e9, 4e9),
       2e9, 0},
      {"flatten", OpKind::Flatten, {}, {}, 0, 0},  // a view: no FLOPs, no bytes
  };
  for (const Node& node : nodes) {
    NodeCost n;
    n.name = node.name;
    n.op = node.op;
    n.forward = node.forward;
    if (training) n.backward = node.backward;
    n.activation_bytes = node.activation_bytes;
    n.params = node.params;
    m.nodes.push_back(n);
    m.forward += n.forward;
    m.backward += n.backward;
  }
  m.compulsory_forward_bytes = 1e9;
  m.compulsory_backward_bytes = 2e9;
  return m;
}

// A record of model "two" on the cpu of chip tc, with converged medians; a
// training one's step takes 1 ms more than forward and backward.
ResultRecord record(RunMode mode, double fwd_s, double bwd_s = 0, std::int64_t batch = 4) {
  ResultRecord r = test::result_record("two", "cpu", "tc", batch);
  r.mode = mode;
  test::set_medians(r, 20, fwd_s, bwd_s, fwd_s + bwd_s + 0.001);
  return r;
}

// A measured CPU chip with ceilings per thread count: all-core (2 threads)
// peak 2e11, DRAM 2e10; 1 thread peak 1e11, DRAM 1.25e10 (ridge 8 FLOP/B).
Chip measured_cpu() {
  return test::measured_cpu_chip("mc", 2e11, 2e10, {{1, 1e11, 1.25e10}, {2, 2e11, 2e10}});
}

TEST(Ceilings, PerThreadCountNeverAnotherCount) {
  const auto one =
      chip_ceilings_for_threads(measured_cpu(), DType::fp32, CeilingSource::measured, 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].threads, 1);
  EXPECT_DOUBLE_EQ(one[0].peak_flops, 1e11);
  EXPECT_DOUBLE_EQ(one[0].bandwidth, 1.25e10);
  EXPECT_DOUBLE_EQ(one[0].ridge(), 8.0);  // 1e11 / 1.25e10
  EXPECT_EQ(one[0].label(), "mc fp32 DRAM (measured, 1 thread)");
  EXPECT_EQ(one[0].short_label(), "mc fp32, 1 thread");
  const auto two =
      chip_ceilings_for_threads(measured_cpu(), DType::fp32, CeilingSource::measured, 2);
  EXPECT_DOUBLE_EQ(two[0].peak_flops, 2e11);
  EXPECT_EQ(two[0].label(), "mc fp32 DRAM (measured, 2 threads)");
  // 3 threads were not measured: an error naming what there is, not the
  // all-core figures.
  try {
    chip_ceilings_for_threads(measured_cpu(), DType::fp32, CeilingSource::measured, 3);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no ceilings for 3 threads (it has them for 1, 2 "
                                         "threads)"),
              std::string::npos)
        << e.what();
  }
  // Measured chips are never scaled.
  EXPECT_THROW(scaled_chip_ceilings(measured_cpu(), DType::fp32, CeilingSource::measured, 1),
               Error);
  // A GPU's ceilings do not depend on CPU threads.
  Chip gpu_chip = test_chip();
  gpu_chip.kind = ChipKind::gpu;
  const auto gpu = chip_ceilings_for_threads(gpu_chip, DType::fp32, CeilingSource::datasheet, 1);
  EXPECT_EQ(gpu[0].threads, 0);
}

TEST(Ceilings, DatasheetCpuIsTheWholeChipAndScalesExplicitly) {
  Chip whole = measured_cpu();
  whole.thread_ceilings.clear();  // derived figures: 2 cores, peak 2e11, DRAM 2e10
  const auto all = chip_ceilings_for_threads(whole, DType::fp32, CeilingSource::datasheet, 2);
  EXPECT_EQ(all[0].threads, 2);
  EXPECT_DOUBLE_EQ(all[0].peak_flops, 2e11);
  EXPECT_TRUE(all[0].scaling.empty());
  EXPECT_THROW(chip_ceilings_for_threads(whole, DType::fp32, CeilingSource::datasheet, 1), Error);
  // Scaled to 1 of 2 cores: peak 2e11 / 2 = 1e11; bandwidth kept, and said.
  const auto one = scaled_chip_ceilings(whole, DType::fp32, CeilingSource::datasheet, 1);
  EXPECT_EQ(one[0].threads, 1);
  EXPECT_DOUBLE_EQ(one[0].peak_flops, 1e11);
  EXPECT_DOUBLE_EQ(one[0].bandwidth, 2e10);
  EXPECT_EQ(one[0].label(),
            "mc fp32 DRAM (datasheet, 1 thread: peak scaled to 1 of 2 cores; bandwidth of the "
            "whole chip)");
  EXPECT_THROW(scaled_chip_ceilings(whole, DType::fp32, CeilingSource::datasheet, 3), Error);
}

TEST(ModelWork, PassesAndWorkingSet) {
  const ModelCost m = two_node_cost(true);
  const Work f = model_work(m, Pass::forward);
  EXPECT_DOUBLE_EQ(f.flops, 1e11 + 1e6);
  EXPECT_DOUBLE_EQ(f.bytes, 1e9 + 4e9);
  EXPECT_DOUBLE_EQ(f.compulsory_bytes, 1e9);
  EXPECT_DOUBLE_EQ(f.working_set_bytes, 4e9);  // the relu's 4e9 B
  const Work s = model_work(m, Pass::step);
  EXPECT_DOUBLE_EQ(s.flops, 1e11 + 1e6 + 2e11 + 1e6);
  EXPECT_DOUBLE_EQ(s.bytes, 5e9 + 2e9 + 8e9);
  EXPECT_DOUBLE_EQ(s.compulsory_bytes, 3e9);
  EXPECT_THROW(model_work(two_node_cost(false), Pass::backward), Error);
}

TEST(PlaceRecord, ModelLevelFromTheRecordsMedian) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  const Placement p =
      place_record(record(RunMode::infer, 0.5), two_node_cost(false), Pass::forward, c);
  EXPECT_EQ(p.label, "two b4");
  EXPECT_EQ(p.batch, 4);
  EXPECT_DOUBLE_EQ(p.achieved_flops, (1e11 + 1e6) / 0.5);
  // x = 100001e6 / 5e9 = 20.0002 > 10: compute bound, roof 1e12.
  EXPECT_EQ(p.bound, Bound::compute);
  EXPECT_NEAR(p.percent_of_attainable(), 100 * (1e11 + 1e6) / 0.5 / 1e12, 1e-9);

  ResultRecord noisy = record(RunMode::infer, 0.05);  // 2e12 FLOP/s: above the 1e12 peak
  noisy.status = RecordStatus::noisy;
  const Placement q = place_record(noisy, two_node_cost(false), Pass::forward, c);
  EXPECT_TRUE(has_cause(q, AboveRoofCause::unconverged));
  EXPECT_TRUE(has_cause(q, AboveRoofCause::wrong_peak));  // tf32 8e12 would allow it
}

TEST(PlaceRecord, FromTheRecordsOwnCostFigures) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  ResultRecord r = record(RunMode::train, 0.5, 1.0);
  EXPECT_THROW(place_record(r, Pass::forward, c), Error);  // no cost figures yet
  CostFigures f;
  f.forward_flops = 4e11;
  f.backward_flops = 8e11;
  f.forward_bytes = 2e10;
  f.backward_bytes = 4e10;
  f.compulsory_bytes = 3e9;
  r.cost = f;
  const Work step = record_work(r, Pass::step);
  EXPECT_DOUBLE_EQ(step.flops, 1.2e12);
  EXPECT_DOUBLE_EQ(step.bytes, 6e10);
  EXPECT_DOUBLE_EQ(step.compulsory_bytes, 3e9);
  EXPECT_DOUBLE_EQ(record_work(r, Pass::forward).compulsory_bytes, 0.0);  // training: step only
  // Step median = 0.5 + 1.0 + 0.001 (see record()); x = 20 > ridge 10: compute bound.
  const Placement p = place_record(r, Pass::step, c);
  EXPECT_DOUBLE_EQ(p.achieved_flops, 1.2e12 / 1.501);
  EXPECT_EQ(p.bound, Bound::compute);
  const Placement b = place_record(r, Pass::backward, c);
  EXPECT_DOUBLE_EQ(b.achieved_flops, 8e11 / 1.0);
  ResultRecord inf = record(RunMode::infer, 0.5);
  inf.cost = f;
  EXPECT_DOUBLE_EQ(record_work(inf, Pass::forward).compulsory_bytes, 3e9);
  EXPECT_THROW(record_work(inf, Pass::backward), Error);
}

TEST(PlaceRecord, LayerTimesFromTheRecord) {
  ResultRecord r = record(RunMode::train, 0.5, 1.0);
  LayerTiming l;
  l.name = "conv";
  l.forward_median_s = 0.2;
  l.backward_median_s = 0.3;
  r.layers.push_back(l);
  const std::vector<LayerTime> t = layer_times(r);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].name, "conv");
  EXPECT_DOUBLE_EQ(t[0].forward_s, 0.2);
  EXPECT_DOUBLE_EQ(t[0].backward_s, 0.3);
}

TEST(PlaceRecord, RefusesMismatchedOrFailedRecords) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  EXPECT_THROW(
      place_record(record(RunMode::infer, 0.5, 0, 8), two_node_cost(false), Pass::forward, c),
      Error);  // batch 8 vs the cost's 4
  ResultRecord failed = record(RunMode::infer, 0.5);
  failed.status = RecordStatus::failed;
  failed.status_reason = "out of memory";
  try {
    place_record(failed, two_node_cost(false), Pass::forward, c);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("out of memory"), std::string::npos);
  }
  EXPECT_THROW(place_record(record(RunMode::infer, 0.5), two_node_cost(false), Pass::backward, c),
               Error);  // no backward time (and no backward cost)
}

// A record is judged only against ceilings of its own thread count.
TEST(PlaceRecord, RefusesCeilingsOfAnotherThreadCount) {
  const auto two =
      chip_ceilings_for_threads(measured_cpu(), DType::fp32, CeilingSource::measured, 2);
  const auto one =
      chip_ceilings_for_threads(measured_cpu(), DType::fp32, CeilingSource::measured, 1);
  ResultRecord r = record(RunMode::infer, 2.0);
  r.threads = 1;
  r.conditions.threads = 1;
  try {
    place_record(r, two_node_cost(false), Pass::forward, two);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ran on 1 thread; the ceiling 'mc fp32 DRAM (measured, "
                                         "2 threads)' holds for 2"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(predict(r, two_node_cost(false), Pass::forward, two[0]), Error);
  // x = 100001e6 / 5e9 = 20.0002 > ridge 8: compute bound under the 1e11
  // one-thread peak; achieved 100001e6 / 2 = 5.00005e10: 50.0005%.
  const Placement p = place_record(r, two_node_cost(false), Pass::forward, one);
  EXPECT_EQ(p.threads, 1);
  EXPECT_EQ(p.bound, Bound::compute);
  EXPECT_NEAR(p.percent_of_attainable(), 50.0005, 1e-9);
  // The record's own count is the pools' read-back, before the request.
  r.threads = 2;
  EXPECT_EQ(threads_in_force(r), 1);
  EXPECT_NO_THROW(place_record(r, two_node_cost(false), Pass::forward, one));
}

TEST(PlaceLayers, TimedNodesWithWorkOnly) {
  const auto c = chip_ceilings(test_chip(), DType::fp32, CeilingSource::datasheet);
  const std::vector<LayerTime> times{{"conv", 0.2, kNaN}, {"flatten", 1e-6, kNaN}};
  const LayerPlacements lp =
      place_layers(record(RunMode::infer, 0.5), two_node_cost(false), times, Pass::forward, c);
  ASSERT_EQ(lp.layers.size(), 1u);
  EXPECT_EQ(lp.layers[0].layer, "conv");
  EXPECT_EQ(lp.layers[0].op, OpKind::Conv);
  EXPECT_DOUBLE_EQ(lp.layers[0].achieved_flops, 5e11);  // 1e11 / 0.2
  EXPECT_DOUBLE_EQ(lp.layers[0].intensity(), 100.0);    // 1e11 / 1e9
  EXPECT_EQ(lp.skipped.size(), 2u);                     // relu: no time; flatten: no FLOPs
  const std::vector<LayerTime> bad{{"conv2", 0.1, 0}};
  EXPECT_THROW(
      place_layers(record(RunMode::infer, 0.5), two_node_cost(false), bad, Pass::forward, c),
      Error);
}

TEST(Prediction, PerLayerLowerBoundSummedAndErrors) {
  RoofCeiling c;
  c.chip_id = "tc";
  c.level = "DRAM";
  c.peak_flops = 1e12;
  c.bandwidth = 1e11;
  const std::vector<LayerTime> times{{"conv", 0.12, kNaN}, {"relu", 0.05, kNaN}};
  const Prediction p =
      predict(record(RunMode::infer, 0.2), two_node_cost(false), Pass::forward, c, times);
  ASSERT_EQ(p.layers.size(), 3u);
  // conv: max(1e11/1e12, 1e9/1e11) = max(0.1, 0.01) = 0.1 (compute bound)
  EXPECT_DOUBLE_EQ(p.layers[0].predicted_s, 0.1);
  EXPECT_DOUBLE_EQ(p.layers[0].memory_s, 0.01);
  EXPECT_NEAR(p.layers[0].error, (0.1 - 0.12) / 0.12, 1e-12);
  // relu: max(1e6/1e12, 4e9/1e11) = 0.04 (memory bound)
  EXPECT_DOUBLE_EQ(p.layers[1].predicted_s, 0.04);
  EXPECT_NEAR(p.layers[1].error, -0.2, 1e-12);
  EXPECT_TRUE(std::isnan(p.layers[2].measured_s));  // flatten: not timed
  EXPECT_NEAR(p.predicted_s, 0.14, 1e-12);
  // Whole model: max(100001e6/1e12, 5e9/1e11) = 0.100001: below the per-layer sum.
  EXPECT_NEAR(p.whole_model_s, 0.100001, 1e-12);
  EXPECT_DOUBLE_EQ(p.measured_s, 0.2);
  EXPECT_NEAR(p.error, (0.14 - 0.2) / 0.2, 1e-12);
  EXPECT_NEAR(p.layer_measured_sum_s, 0.17, 1e-12);
  EXPECT_EQ(p.compute_bound_layers, 1u);
  EXPECT_FALSE(p.faster_than_bound);
  EXPECT_FALSE(p.layers[0].faster_than_bound);
  // Measured 0.1 s is faster than the 0.14 s bound; conv alone in 0.05 s
  // beats its 0.1 s bound too.
  const std::vector<LayerTime> fast{{"conv", 0.05, kNaN}};
  const Prediction q =
      predict(record(RunMode::infer, 0.1), two_node_cost(false), Pass::forward, c, fast);
  EXPECT_TRUE(q.faster_than_bound);
  EXPECT_NEAR(q.error, 0.4, 1e-12);
  EXPECT_TRUE(q.layers[0].faster_than_bound);
  EXPECT_FALSE(q.layers[1].faster_than_bound);  // relu: not timed
}

TEST(Prediction, StepIsForwardPlusBackwardPerLayer) {
  RoofCeiling c;
  c.peak_flops = 1e12;
  c.bandwidth = 1e11;
  const Prediction p =
      predict(record(RunMode::train, 0.2, 0.4), two_node_cost(true), Pass::step, c);
  // conv: 0.1 + max(0.2, 0.02) = 0.3; relu: 0.04 + max(1e-6, 0.08) = 0.12.
  EXPECT_NEAR(p.predicted_s, 0.42, 1e-12);
  EXPECT_DOUBLE_EQ(p.measured_s, 0.601);  // the step median
  EXPECT_TRUE(std::isnan(p.layer_measured_sum_s));
  c.bandwidth = 0;
  EXPECT_THROW(predict(record(RunMode::infer, 0.2), two_node_cost(false), Pass::forward, c), Error);
}

TEST(Spearman, AverageRanksForTies) {
  const std::vector<double> v{10, 20, 20, 5, 20};
  // sorted: 5(1) 10(2) 20,20,20 (ranks 3,4,5 -> 4)
  EXPECT_EQ(average_ranks(v), (std::vector<double>{2, 4, 4, 1, 4}));
  const std::vector<double> bad{1, kNaN};
  EXPECT_THROW(average_ranks(bad), Error);
}

TEST(Spearman, KnownValues) {
  // SciPy's documentation example: spearmanr([1,2,3,4,5], [5,6,7,8,7]) =
  // 0.8207826816681233 (ties in the second variable).
  const std::vector<double> a{1, 2, 3, 4, 5};
  const std::vector<double> b{5, 6, 7, 8, 7};
  EXPECT_NEAR(spearman(a, b), 0.8207826816681233, 1e-12);
  // By hand: ranks (1, 2.5, 2.5, 4) and (1, 3, 2, 4): deviations (-1.5, 0, 0,
  // 1.5) and (-1.5, .5, -.5, 1.5): 4.5 / sqrt(4.5 * 5) = sqrt(0.9).
  const std::vector<double> c{1, 2, 2, 3};
  const std::vector<double> d{1, 3, 2, 4};
  EXPECT_NEAR(spearman(c, d), std::sqrt(0.9), 1e-12);
  const std::vector<double> rev{4, 3, 2, 1};
  EXPECT_NEAR(spearman(c, rev), -spearman(c, std::vector<double>{1, 2, 3, 4}), 1e-12);
  EXPECT_TRUE(std::isnan(spearman(c, std::vector<double>{7, 7, 7, 7})));  // constant
  EXPECT_THROW(spearman(c, a), Error);                                    // 4 vs 5 values
}

TEST(Spearman, MatrixOverModelsWithEveryVariable) {
  // Four complete models at batch 8, one without a CPU time, one at batch 1.
  std::vector<CorrelationRow> rows;
  auto row = [&](std::string m, std::int64_t batch, double cpu, double flops, double params,
                 double act) {
    rows.push_back(test::correlation_row(std::move(m), batch, cpu, kNaN, flops, params, act));
  };
  row("a", 8, 0.10, 1, 40, 7);
  row("b", 8, 0.30, 3, 10, 5);
  row("c", 8, 0.20, 2, 30, 6);
  row("d", 8, 0.40, 4, 20, 8);
  row("e", 8, kNaN, 5, 50, 9);
  row("z", 1, 0.01, 1, 1, 1);
  const CorrelationMatrix m = correlation_matrix(rows, 8);
  EXPECT_EQ(m.models, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(m.left_out, std::vector<std::string>{"e"});
  ASSERT_EQ(m.variables.size(), 4u);  // no GPU column: nobody has a GPU time
  EXPECT_EQ(m.variables[0], "CPU latency");
  // CPU latency ranks (1,3,2,4) = FLOPs ranks: rho 1.
  EXPECT_NEAR(m.rho[0][1], 1.0, 1e-12);
  // params ranks (4,1,3,2) vs (1,3,2,4): d = (3,-2,1,-2), sum d^2 = 18,
  // rho = 1 - 6*18/(4*15) = -0.8.
  EXPECT_NEAR(m.rho[0][2], -0.8, 1e-12);
  EXPECT_NEAR(m.rho[2][0], -0.8, 1e-12);
  // activation ranks (3,1,2,4) vs (1,3,2,4): d = (2,-2,0,0): 1 - 6*8/60 = 0.2.
  EXPECT_NEAR(m.rho[0][3], 0.2, 1e-12);
  EXPECT_DOUBLE_EQ(m.rho[3][3], 1.0);
  EXPECT_THROW(correlation_matrix(rows, 1), Error);  // one model at batch 1
}

TEST(ForwardBackward, RatiosAndNotes) {
  const ForwardBackward fb =
      forward_backward(record(RunMode::train, 0.01, 0.025), two_node_cost(true));
  EXPECT_NEAR(fb.flops_ratio, (2e11 + 1e6) / (1e11 + 1e6), 1e-12);
  EXPECT_NEAR(fb.time_ratio, 2.5, 1e-12);
  EXPECT_TRUE(fb.note.empty());

  ModelCost forgot = two_node_cost(true);
  forgot.backward.matmul_flops = 1e11;  // grad-weight only: ratio ~1
  const ForwardBackward bad = forward_backward(record(RunMode::train, 0.01, 0.005), forgot);
  EXPECT_NE(bad.note.find("grad-input or grad-weight"), std::string::npos);
  EXPECT_NE(bad.note.find("less time than forward"), std::string::npos);

  EXPECT_THROW(forward_backward(record(RunMode::infer, 0.01), two_node_cost(true)), Error);
  EXPECT_THROW(forward_backward(record(RunMode::train, 0.01, 0.02), two_node_cost(false)), Error);
  EXPECT_THROW(forward_backward(record(RunMode::train, 0.01), two_node_cost(true)), Error);
}

TEST(Throughput, SeriesPerModelDeviceBatchAscending) {
  std::vector<ResultRecord> rs{record(RunMode::infer, 0.04, 0, 8),
                               record(RunMode::infer, 0.01, 0, 1),
                               record(RunMode::infer, 0.5, 0, 32)};
  rs[2].status = RecordStatus::failed;
  ResultRecord other = record(RunMode::infer, 0.002, 0, 1);
  other.device = "cuda:0";
  rs.push_back(other);
  const auto s = throughput_vs_batch(rs);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].device, "cpu");
  EXPECT_EQ(s[0].batch, (std::vector<std::int64_t>{1, 8}));
  EXPECT_DOUBLE_EQ(s[0].throughput[0], 100.0);  // 1 / 0.01
  EXPECT_DOUBLE_EQ(s[0].throughput[1], 200.0);  // 8 / 0.04
  EXPECT_DOUBLE_EQ(s[1].throughput[0], 500.0);  // 1 / 0.002
}

TEST(OpTypeShares, SharesOfTimeFlopsBytes) {
  ModelCost m = two_node_cost(false);
  NodeCost conv2 = m.nodes[0];
  conv2.name = "conv2";  // a second conv: 1e11 FLOPs, 1e9 B, act 4e8
  m.nodes.push_back(conv2);
  const std::vector<LayerTime> times{
      {"conv", 0.3, kNaN}, {"relu", 0.1, kNaN}, {"conv2", 0.6, kNaN}};
  const auto s = op_type_shares(m, times, Pass::forward);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].op, OpKind::Conv);
  EXPECT_EQ(s[0].nodes, 2);
  EXPECT_NEAR(s[0].time_share, 0.9, 1e-12);  // 0.9 of 1.0 s
  EXPECT_NEAR(s[0].flops_share, 2e11 / (2e11 + 1e6), 1e-12);
  EXPECT_NEAR(s[0].bytes_share, 2e9 / 6e9, 1e-12);
  EXPECT_NEAR(s[0].activation_share, 8e8 / 2.8e9, 1e-12);
  EXPECT_EQ(s[1].op, OpKind::Relu);
  EXPECT_NEAR(s[1].time_share, 0.1, 1e-12);
  EXPECT_EQ(s[2].op, OpKind::Flatten);
  EXPECT_DOUBLE_EQ(s[2].flops_share, 0.0);
  // No times: time shares are all 0, FLOPs shares unchanged.
  const auto u = op_type_shares(m, {}, Pass::forward);
  EXPECT_DOUBLE_EQ(u[0].time_share, 0.0);
  EXPECT_EQ(u[0].op, OpKind::Conv);
  EXPECT_THROW(op_type_shares(m, {}, Pass::step), Error);
}

}  // namespace
}  // namespace dnnroof
