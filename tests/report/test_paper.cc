// The paper around the results (src/report/paper.*, worked_example.cc,
// pdf.*) and the guarded commentary: for every sentence that states a cause
// or a condition, an input for which it must appear and a counter-example
// for which it must not. Numbers are worked out by hand in the comments.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "fixture.h"
#include "report/paper.h"
#include "report/pdf.h"
#include "report/section_measured.h"
#include "report/section_models.h"
#include "report/study.h"

namespace dnnroof {
namespace {

using test::has_all;
using test::has_none;
using test::joined;
using test::layer_point;

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

std::string section_text(const Section& s) {
  return test::section_text(s, test::kParagraphs | test::kBulletLists | test::kHeadings);
}

// Chip x: 100 GFLOP/s over 10 GB/s of DRAM, ridge 100e9 / 10e9 = 10 FLOP/B.
using test::x_dram_ceiling;

// ------------------------------------------------ per-layer roofline text

// The MaxPool: one layer of 6.56 ms at 45x its bound. Bound:
// 1e6 FLOPs, 1.4578e6 B, OI 0.686 FLOP/B: roof 6.86 GFLOP/s, lower bound
// 1.4578e6 / 10e9 = 145.8 us; 6.56 ms / 145.8 us = 45x. It must not be
// called short or dispatch-bound, and it is flagged and named.
TEST(GuardedCommentary, OneLongLayerIsNotCalledShortAndIsFlagged) {
  const std::vector<RoofCeiling> ceilings{x_dram_ceiling()};
  // conv: OI 100, 1e9 / 0.02 = 50 GFLOP/s of 100: 50%.
  const std::vector<Placement> layers{
      layer_point(ceilings, "conv1", OpKind::Conv, 1e9, 1e7, 0.02),
      layer_point(ceilings, "conv2", OpKind::Conv, 1e9, 1e7, 0.02),
      layer_point(ceilings, "maxpool", OpKind::MaxPool, 1e6, 1.4578e6, 6.56e-3)};
  const std::string s = joined(layer_roofline_commentary("m", 1, layers, {}, "cpu"));
  EXPECT_TRUE(has_none(s, {"short", "launch", "dispatch"}));
  // Its one layer: 6.56 ms of 46.56 ms = 14%; 100 / 2.22% = 45x.
  EXPECT_TRUE(has_all(s, {"MaxPool sits lowest under its roof: its one layer takes 6.56 ms (14% of "
                          "the timed layers' time), 45x the roofline lower bound",
                          "1 of the 3 layers take more than 10x their roofline lower bound",
                          "maxpool (MaxPool, 6.56 ms, 45x its bound)"}));
  const std::vector<const Placement*> far = far_below_roof(layers);
  ASSERT_EQ(far.size(), 1u);
  EXPECT_EQ(far.front()->layer, "maxpool");
}

// Counter-example the other way: three short ReLU layers (10 us each, far
// below their roof) are the case the dispatch sentence is for.
TEST(GuardedCommentary, ShortLayersOfOneTypeAreCalledShort) {
  const std::vector<RoofCeiling> ceilings{x_dram_ceiling()};
  // relu: 1e4 FLOPs, 8e4 B: OI 0.125, roof 1.25 GFLOP/s; 1e4 / 1e-5 = 1 GFLOP/s: 80%... make
  // them slow: 1e4 / 1e-4 s = 0.1 GFLOP/s = 8% (100 us). Short must be < 50 us: 4e-5 s gives
  // 0.25 GFLOP/s = 20%. Use 1e3 FLOPs, 8e3 B, 4e-5 s: 25 MFLOP/s of 1.25 GFLOP/s = 2%.
  std::vector<Placement> layers{layer_point(ceilings, "conv1", OpKind::Conv, 1e9, 1e7, 0.02)};
  for (const char* n : {"relu1", "relu2", "relu3"}) {
    layers.push_back(layer_point(ceilings, n, OpKind::Relu, 1e3, 8e3, 4e-5));
  }
  const std::string s = joined(layer_roofline_commentary("m", 1, layers, {}, "cpu"));
  EXPECT_TRUE(has(s, "ReLU sits lowest under its roof: its 3 layers are short (median 40 us)"))
      << s;
  // 100 / 2% = 50x: all three are far below their roof.
  EXPECT_TRUE(has(s, "3 of the 4 layers take more than 10x")) << s;
}

// ------------------------------------------------- op-time commentary

ResultRecord record_m() {
  ResultRecord r;
  r.model = "m";
  r.batch = 1;
  return r;
}

OpTypeShare share(OpKind op, int nodes, double t, double flops, double bytes, double ts, double fs,
                  double bs) {
  OpTypeShare o;
  o.op = op;
  o.nodes = nodes;
  o.time_s = t;
  o.flops = flops;
  o.bytes = bytes;
  o.time_share = ts;
  o.flops_share = fs;
  o.bytes_share = bs;
  return o;
}

TEST(GuardedCommentary, BytesMovedOnlyWhenTheOpIsNearItsMemoryRoof) {
  const RoofCeiling roof = x_dram_ceiling();
  const OpTypeShare conv = share(OpKind::Conv, 5, 30e-3, 3e9, 3e7, 0.84, 0.99, 0.5);
  // MaxPool 45x its bound (lower bound max(1e6 / 1e11, 1.4578e6 / 1e10) =
  // 145.8 us; 6.56 ms / 145.8 us = 45): far below, not "set by bytes".
  const OpTypeShare slow = share(OpKind::MaxPool, 1, 6.56e-3, 1e6, 1.4578e6, 0.16, 0.0003, 0.02);
  const std::string s1 = op_time_commentary(record_m(), {conv, slow}, Pass::forward, "cpu", &roof);
  EXPECT_FALSE(has(s1, "set by the bytes")) << s1;
  EXPECT_TRUE(has(s1,
                  "MaxPool takes the most time beyond its share of FLOPs (16% against 0%, 1 "
                  "layer): 6.56 ms in all, 45x its roofline lower bound of 146 us"))
      << s1;
  // The same MaxPool at 3x its bound (437 us): low intensity (0.686 < 10),
  // so its time is set by its bytes.
  const OpTypeShare fast = share(OpKind::MaxPool, 1, 437.3e-6, 1e6, 1.4578e6, 0.16, 0.0003, 0.02);
  const std::string s2 = op_time_commentary(record_m(), {conv, fast}, Pass::forward, "cpu", &roof);
  EXPECT_TRUE(has(s2,
                  "low-intensity work (0.686 FLOP/B, left of the 10 FLOP/B ridge) running at "
                  "3.0x its memory-bound lower bound, so its time is set by the bytes"))
      << s2;
  // Without a roof there is no reason to give, and none is given.
  const std::string s3 = op_time_commentary(record_m(), {conv, fast}, Pass::forward, "cpu");
  EXPECT_FALSE(has(s3, "bytes it moves")) << s3;
  EXPECT_FALSE(has(s3, "far below")) << s3;
}

// ----------------------------------------------------- training text

ForwardBackward fb(const std::string& model, double flops_ratio, double time_ratio) {
  ForwardBackward f;
  f.model = model;
  f.device = "cpu";
  f.batch = 1;
  f.flops_ratio = flops_ratio;
  f.time_ratio = time_ratio;
  return f;
}

// The real AlexNet has no normalisation layer: the reason given for its
// slow backward must not mention one; ResNet-18's may name BatchNorm.
TEST(GuardedCommentary, NoNormalisationGradientsForAModelWithoutNormalisation) {
  std::map<std::string, ModelCosts> costs;
  costs["alexnet"] =
      compute_model_costs("alexnet", "alexnet", {1}, DType::fp32, testing::zoo_model);
  costs["resnet18"] =
      compute_model_costs("resnet18", "resnet18", {1}, DType::fp32, testing::zoo_model);
  // Time ratios 3.5 > 1.25 x 2: slower than the FLOPs predict.
  const std::string a = joined(training_commentary({fb("alexnet", 1.99, 3.5)}, &costs));
  EXPECT_TRUE(has(a, "Backward costs more time than its FLOPs predict for alexnet b1")) << a;
  EXPECT_FALSE(has(a, "normalisation")) << a;
  EXPECT_FALSE(has(a, "BatchNorm")) << a;
  const std::string r = joined(training_commentary({fb("resnet18", 1.99, 3.5)}, &costs));
  EXPECT_TRUE(has(r, "resnet18:")) << r;
  // Without costs the text states the departure and gives no cause.
  const std::string none = joined(training_commentary({fb("alexnet", 1.99, 3.5)}));
  EXPECT_FALSE(has(none, "bytes per FLOP")) << none;
  EXPECT_FALSE(has(none, "normalisation")) << none;
  // "A little under 2 because of the first layer" needs a ratio under 2.
  const std::string two = joined(training_commentary({fb("x", 2.0, 2.0)}));
  EXPECT_FALSE(has(two, "a little under 2")) << two;
}

TEST(GuardedCommentary, MatrixShareNamesOnlyTheOpTypesPresent) {
  // AlexNet-like: Conv and Gemm 99% of FLOPs; ReLU and MaxPool the rest.
  // ReLU intensity 1e6 / 8e6 = 0.125, MaxPool 1e6 / 4e6 = 0.25 FLOP/B.
  std::map<std::string, std::vector<OpTypeShare>> fwd;
  fwd["alexnet"] = {share(OpKind::Conv, 5, 0, 1e9, 1e7, 0, 0.7, 0.3),
                    share(OpKind::Gemm, 3, 0, 3e8, 2e8, 0, 0.29, 0.6),
                    share(OpKind::Relu, 7, 0, 1e6, 8e6, 0, 0.005, 0.05),
                    share(OpKind::MaxPool, 3, 0, 1e6, 4e6, 0, 0.005, 0.05)};
  const std::string a = matrix_share_commentary(fwd, 1);
  EXPECT_FALSE(has(a, "normalisation")) << a;
  EXPECT_TRUE(has(a,
                  "The rest of the traffic is elementwise and pooling layers, whose intensity "
                  "is at most 0.25 FLOP/B"))
      << a;
  EXPECT_TRUE(has(a, "carry nearly all of the forward FLOPs in every model (at least 99%)")) << a;
  fwd["resnet"] = {share(OpKind::Conv, 20, 0, 3e9, 1e8, 0, 0.98, 0.5),
                   share(OpKind::BatchNorm, 20, 0, 4e7, 1e8, 0, 0.02, 0.5)};
  EXPECT_TRUE(has(matrix_share_commentary(fwd, 1), "normalisation"))
      << matrix_share_commentary(fwd, 1);
}

TEST(GuardedCommentary, NoisyIsSaidOnce) {
  ResultRecord r;
  r.status = RecordStatus::noisy;
  r.status_reason = "noisy: median CI ±3.1% after 40 samples, stopped by the budget";
  EXPECT_EQ(noisy_reason_text(r), "median CI ±3.1% after 40 samples, stopped by the budget");
  r.status_reason.clear();
  EXPECT_EQ(noisy_reason_text(r), "did not converge");
}

TEST(GuardedCommentary, PredictionCausesRestOnTheBoundsParts) {
  MeasuredDevice dev;
  dev.short_name = "cpu";
  auto pred = [](std::string m, double predicted, double measured, double compute_s,
                 double memory_s) {
    Prediction p = test::x_prediction(std::move(m), predicted, measured);
    LayerPrediction l;
    l.compute_s = compute_s;
    l.memory_s = memory_s;
    l.predicted_s = std::max(compute_s, memory_s);
    p.layers.push_back(l);
    return p;
  };
  // m: measured 0.5 ms against a compute-dominated 1 ms bound: the peak is
  // wrong, not the traffic. Ranks of (1, 2, 3) vs (1, 3, 2): rho 0.5 < 0.7.
  const std::string s = joined(
      prediction_commentary({pred("m", 1e-3, 0.5e-3, 1e-3, 1e-4), pred("n", 2e-3, 8e-3, 1e-4, 2e-3),
                             pred("o", 3e-3, 6e-3, 1e-4, 3e-3)},
                            dev));
  EXPECT_TRUE(has(s, "For m b1 most of the bound is compute time")) << s;
  EXPECT_FALSE(has(s, "stay in cache")) << s;
  EXPECT_FALSE(has(s, "does better than as a time")) << s;
  EXPECT_TRUE(has(s, "the bound does not order the models as the measurements do")) << s;
}

TEST(GuardedCommentary, CacheIsNotBlamedWithoutCapacities) {
  const std::vector<RoofCeiling> ceilings{x_dram_ceiling()};
  MeasuredDevice dev;
  dev.short_name = "cpu";
  dev.ceilings = ceilings;
  auto point = [&](std::int64_t b, double t) {
    Work w = test::work_of(1e9, 1e7);
    w.working_set_bytes = 1e6 * b;
    Placement p = place_point("m", w, t, ceilings);
    p.model = "m";
    p.batch = b;
    return p;
  };
  // 50% at batch 1, 10% at batch 8: worse, and no cache capacity is known.
  const std::string s =
      joined(utilisation_commentary(MeasuredData{}, {point(1, 0.02), point(8, 0.1)}, dev));
  EXPECT_TRUE(has(s, "the cache capacities do not explain it")) << s;
  EXPECT_FALSE(has(s, "no longer fits")) << s;
  // With an L2 of 4 MB: 1 MB fits at batch 1, 8 MB does not at batch 8.
  RoofCeiling l2 = x_dram_ceiling();
  l2.level = "L2";
  l2.is_main = false;
  l2.bandwidth = 100e9;
  l2.capacity_bytes = 4e6;
  dev.ceilings.push_back(l2);
  const std::string s2 =
      joined(utilisation_commentary(MeasuredData{}, {point(1, 0.02), point(8, 0.1)}, dev));
  EXPECT_TRUE(has(s2, "its median working set (8 MB) no longer fits the L2 (4 MB)")) << s2;
}

// Four models, FLOPs 1..4 GFLOP; "a" has the fewest FLOPs but the longest
// latency: FLOPs rank 1, latency rank 4, a departure of 3 ranks. Traffic
// sets each model's intensity.
MeasuredData departing(double a_traffic) {
  MeasuredData d;
  MeasuredDevice dev;
  dev.key = "cpu@h/1t";  // device_key(): host and thread count
  dev.device = "cpu";
  dev.short_name = "cpu";
  d.devices.push_back(dev);
  ResultRecord base;
  base.device = "cpu";
  base.batch = 1;
  base.conditions.host_name = std::string(1, 'h');
  base.conditions.threads = 1;
  const std::vector<std::tuple<std::string, double, double, double>> ms{
      {"a", 1e9, 0.5, a_traffic}, {"b", 2e9, 0.1, 1e8}, {"c", 3e9, 0.2, 1e8}, {"d", 4e9, 0.3, 1e8}};
  for (const auto& [name, flops, t, traffic] : ms) {
    ResultRecord r = base;
    r.model = name;
    r.timings[Phase::forward] = test::converged_timing(t);
    d.records.push_back(r);
    ModelCost c;
    c.batch = 1;
    c.forward.matmul_flops = flops;
    c.forward.bytes_read = traffic;
    c.params = 1e6;
    c.activation_bytes = flops / 100;  // not constant, or no rank correlation exists
    ModelCosts mc;
    mc.name = name;
    mc.infer.emplace(1, c);
    d.costs[name] = mc;
  }
  return d;
}

TEST(GuardedCommentary, RankDepartureCauseOnlyFromIntensity) {
  // a: 1e9 / 1e9 B = 1 FLOP/B against b, c, d at 20, 30, 40: median of
  // (1, 20, 30, 40) = 25; a is below it, so its bytes are the cause.
  const std::string low = joined(benchmark_commentary(departing(1e9)));
  EXPECT_TRUE(has(low,
                  "The largest departure is a: rank 1 by FLOPs but rank 4 by latency (rank 1 "
                  "= smallest), slower than its FLOPs suggest: its operational intensity (1 "
                  "FLOP/B) is below the median 25 FLOP/B"))
      << low;
  // a at 1e9 / 1e7 = 100 FLOP/B (median of 20, 30, 40, 100 = 35): the cost
  // model does not explain its slowness, and the text says so.
  const std::string high = joined(benchmark_commentary(departing(1e7)));
  EXPECT_TRUE(has(high,
                  "slower than its FLOPs suggest; its operational intensity (100 FLOP/B, "
                  "median 35) does not explain it"))
      << high;
  EXPECT_FALSE(has(high, "depthwise")) << high;
  EXPECT_FALSE(has(high, "moving bytes")) << high;
}

// ------------------------------------------------------------ the paper

MeasuredData measured_cpu(bool gpu_too) {
  MeasuredData d;
  auto add_device = [&](const std::string& dev, bool gpu) {
    MeasuredDevice m;
    // device_key(): a CPU device is also keyed by its thread count.
    m.key = gpu ? fmt::format("{}@h", dev) : fmt::format("{}@h/1t", dev);
    m.device = dev;
    m.short_name = dev;
    m.name = fmt::format("Test {} ({})", gpu ? "GPU" : "CPU", dev);
    m.gpu = gpu;
    m.ceilings = {x_dram_ceiling()};
    d.devices.push_back(m);
  };
  add_device("cpu", false);
  if (gpu_too) add_device("cuda:0", true);
  struct M {
    const char* name;
    double flops, bytes, params;
  };
  ResultRecord base;
  base.conditions.host_name = std::string(1, 'h');
  base.conditions.threads = 1;
  base.conditions.library_versions.emplace("libtorch", "1.13.1");
  // Latency at batch 1 = FLOPs / 20 GFLOP/s; at batch 4 the FLOPs are 4x,
  // the time 2x: throughput doubles.
  for (const M& m : {M{"a", 1e9, 1e8, 5e6}, M{"b", 2e9, 1e8, 1e6}, M{"c", 4e9, 1e8, 2e6}}) {
    ModelCosts mc;
    mc.name = m.name;
    for (std::int64_t b : {1, 4}) {
      ModelCost c;
      c.batch = b;
      c.forward.matmul_flops = m.flops * b;
      c.forward.bytes_read = m.bytes * b;
      c.params = m.params;
      mc.infer.emplace(b, c);
      for (const MeasuredDevice& dev : d.devices) {
        ResultRecord r = base;
        r.model = m.name;
        r.device = dev.device;
        r.batch = b;
        r.timings[Phase::forward] = test::converged_timing(m.flops / 20e9 * (b == 1 ? 1 : 2));
        d.records.push_back(r);
      }
    }
    d.costs[m.name] = mc;
  }
  return d;
}

struct PaperFixture {
  MeasuredData data;
  std::vector<ModelCosts> models;
  Chip gpu = testing::simple_chip("t4x", ChipKind::gpu, DType::fp32, 8e12, 320e9);
  HostInfo host;
  StudyRunInfo run;
  PaperContext context() {
    PaperContext c;
    c.data = &data;
    c.models = &models;
    c.chips = {&gpu};
    c.overlay_chips = {&gpu};
    c.host = &host;
    c.run = &run;
    return c;
  }
};

// A throughput that drops with the batch (batch 4 in 8x the time of batch 1:
// 4 / 8 = 0.5x) falls; it is never said to rise.
TEST(Paper, ThroughputThatFallsWithTheBatchIsNotSaidToRise) {
  PaperFixture fx;
  fx.data = measured_cpu(false);
  for (ResultRecord& r : fx.data.records) {
    if (r.batch == 4) r.timings[Phase::forward].median_s *= 4;  // 2x -> 8x batch 1's time
  }
  for (const auto& [n, m] : fx.data.costs) fx.models.push_back(m);
  const PaperContext c = fx.context();
  const PaperFindings f = compute_findings(c);
  const std::string text = section_text(abstract_section(c, f));
  EXPECT_TRUE(has(text, "From batch 1 to 4, throughput on cpu falls to a median 0.5x")) << text;
  EXPECT_FALSE(has(text, "rises a median 0.5x")) << text;
}

TEST(Paper, AbstractIsOneFiftyToTwoFiftyWordsWithTheHeadlineNumbers) {
  PaperFixture fx;
  fx.data = measured_cpu(false);
  for (const auto& [n, m] : fx.data.costs) fx.models.push_back(m);
  const PaperContext c = fx.context();
  const PaperFindings f = compute_findings(c);
  const Section a = abstract_section(c, f);
  const std::string text = section_text(a);
  const std::size_t words = word_count(text);
  EXPECT_GE(words, 150u) << text;
  EXPECT_LE(words, 250u) << text;
  EXPECT_TRUE(has(text, "No GPU was present in this run")) << text;
  // OI a 1e9 / 1e8 = 10, b 20, c 40 FLOP/B at both batches; T4x ridge
  // 8e12 / 320e9 = 25: a and b memory-bound.
  EXPECT_TRUE(has(text,
                  "the memory-bound models are 2 of 3 at batch 1 (a and b) and 2 of 3 at "
                  "batch 4 (a and b) on Chip t4x (ridge 25 FLOP/B)"))
      << text;
  // Throughput: batch 4 in twice the time: 2.0x for every model.
  EXPECT_TRUE(has(text, "From batch 1 to 4, throughput on cpu rises a median 2.0x")) << text;
  // Latency ranks (a, b, c) = FLOPs ranks: rho 1; parameters (5, 1, 2) M: rho -0.5.
  EXPECT_TRUE(has(text, "Spearman rho = 1.00) more closely than with parameters (rho = -0.50)"))
      << text;
  // a: 1e9 / 0.05 s = 20 GFLOP/s at OI 10 under min(100, 10 x 10) = 100 GFLOP/s: 20%;
  // b and c likewise (OI 20 and 40, right of the ridge 10): 20%.
  EXPECT_TRUE(has(text, "reach a median 20% of the roof")) << text;
  EXPECT_EQ(paper_title(c, f), "Roofline analysis and benchmarking of 3 DNNs on Test CPU (cpu)");
  // Counter-example: with a GPU measured, no "no GPU" anywhere.
  PaperFixture g;
  g.data = measured_cpu(true);
  for (const auto& [n, m] : g.data.costs) g.models.push_back(m);
  const PaperContext gc = g.context();
  const PaperFindings gf = compute_findings(gc);
  EXPECT_TRUE(gf.gpu_measured);
  const std::string all = section_text(abstract_section(gc, gf)) +
                          section_text(introduction_section(gc, gf, "1")) +
                          section_text(threats_section(gc, gf, "10"));
  EXPECT_FALSE(has(all, "No GPU")) << all;
}

TEST(Paper, ThreatsAreStatedOnlyWhenTheyApply) {
  PaperFixture fx;
  fx.data = measured_cpu(false);
  for (const auto& [n, m] : fx.data.costs) fx.models.push_back(m);
  fx.host.virtualized = true;
  fx.host.clock_note = "TSC frequency";
  fx.host.logical_cpus = 2;
  const std::string t =
      section_text(threats_section(fx.context(), compute_findings(fx.context()), "10"));
  EXPECT_TRUE(has(t, "Virtualised clock")) << t;
  EXPECT_TRUE(has(t, "Shared cores")) << t;
  EXPECT_TRUE(has(t, "LibTorch 1.x predates")) << t;
  EXPECT_TRUE(has(t, "No GPU was present")) << t;
  EXPECT_TRUE(has(t, "Traffic model")) << t;
  EXPECT_FALSE(has(t, "Noisy measurements")) << t;
  // Counter-examples: bare metal, LibTorch 2, a noisy result, a GPU.
  PaperFixture b;
  b.data = measured_cpu(true);
  for (ResultRecord& r : b.data.records) r.conditions.library_versions["libtorch"] = "2.5.1";
  b.data.records.front().status = RecordStatus::noisy;
  for (const auto& [n, m] : b.data.costs) b.models.push_back(m);
  const std::string u =
      section_text(threats_section(b.context(), compute_findings(b.context()), "10"));
  EXPECT_FALSE(has(u, "Virtualised clock")) << u;
  EXPECT_FALSE(has(u, "Shared cores")) << u;
  EXPECT_FALSE(has(u, "LibTorch 1.x")) << u;
  EXPECT_FALSE(has(u, "No GPU")) << u;
  EXPECT_TRUE(has(u, "Noisy measurements: 1 of 12 results")) << u;
}

TEST(Paper, ConclusionAnswersEachQuestionWithANumber) {
  PaperFixture fx;
  fx.data = measured_cpu(false);
  for (const auto& [n, m] : fx.data.costs) fx.models.push_back(m);
  const std::string t =
      section_text(conclusion_section(fx.context(), compute_findings(fx.context()), "11"));
  EXPECT_TRUE(
      has(t,
          "Q1, memory- or compute-bound: memory-bound by the cost model: 2 of 3 at batch 1 (a "
          "and b) and 2 of 3 at batch 4 (a and b) on Chip t4x (ridge 25 FLOP/B); "
          "measured on cpu at batch 1, 0 of 3 memory-bound (median 20% of the roof)"))
      << t;
  // Both batches rank as FLOPs do (latency 2x at batch 4 for every model).
  EXPECT_TRUE(has(t,
                  "Q2, FLOPs or parameters: FLOPs (Spearman rho of latency with FLOPs against "
                  "with parameters: 1.00 against -0.50 on cpu at batch 1 (3 models)"))
      << t;
  EXPECT_TRUE(has(t, "Q3, batching: 2.0x more throughput from batch 1 to 4 on cpu")) << t;
  EXPECT_TRUE(has(t, "Q4, backward: not measured")) << t;
}

TEST(Paper, WhereBatchingStopsHelpingIsTheMedianModels) {
  PaperFixture fx;
  fx.data = measured_cpu(false);
  for (const auto& [n, m] : fx.data.costs) fx.models.push_back(m);
  const std::string all_gain =
      section_text(discussion_section(fx.context(), compute_findings(fx.context()), "9"));
  EXPECT_TRUE(has(all_gain,
                  "No model stopped gaining 10% per step, so where batching stops "
                  "helping lies beyond batch 4."))
      << all_gain;
  // Model a at batch 4 in 4x its batch-1 time: throughput 1.0x, it stops;
  // b and c still double, so the median model does not stop.
  for (ResultRecord& r : fx.data.records) {
    if (r.model == "a" && r.batch == 4) r.timings[Phase::forward].median_s = 4 * 1e9 / 20e9;
  }
  const std::string one =
      section_text(discussion_section(fx.context(), compute_findings(fx.context()), "9"));
  EXPECT_TRUE(has(one,
                  "1 of 3 models stopped gaining 10% per step; for the median model, where "
                  "batching stops helping lies beyond batch 4."))
      << one;
  EXPECT_FALSE(has(one, "The median model stops")) << one;
  EXPECT_TRUE(has(one, "weak evidence")) << one;  // 3 models per correlation
}

TEST(Paper, NothingMeasuredIsSaidAndTheAbstractStillCarriesNumbers) {
  PaperFixture fx;
  const MeasuredData measured = measured_cpu(false);
  for (const auto& [n, m] : measured.costs) fx.models.push_back(m);  // costs only, no records
  const PaperContext c = fx.context();
  const PaperFindings f = compute_findings(c);
  EXPECT_FALSE(f.measured);
  const std::string a = section_text(abstract_section(c, f));
  EXPECT_GE(word_count(a), 150u) << a;
  EXPECT_LE(word_count(a), 250u) << a;
  EXPECT_TRUE(has(a, "2 of 3 at batch 1 (a and b)")) << a;
  EXPECT_FALSE(has(a, "Measured on")) << a;
  const std::string d = section_text(discussion_section(c, f, "9"));
  EXPECT_TRUE(has(d, "Q2 (FLOPs or parameters). Not answered here: nothing was measured")) << d;
  EXPECT_EQ(paper_title(c, f), "Roofline analysis of 3 DNNs on 1 chip (cost model and datasheets)");
}

TEST(Paper, ReferencesCiteTheRooflinePaperAndEveryDatasheet) {
  PaperFixture fx;
  fx.gpu.source = "https://example.com/t4x-datasheet.pdf";
  fx.gpu.name = "T4X";
  const std::string t =
      section_text(references_section(fx.context(), compute_findings(fx.context())));
  EXPECT_TRUE(has(t, "S. Williams, A. Waterman and D. Patterson")) << t;
  EXPECT_TRUE(has(t, "Communications of the ACM 52(4)")) << t;
  EXPECT_TRUE(has(t, "T4X: https://example.com/t4x-datasheet.pdf")) << t;
}

// ------------------------------------------------------ worked appendix

TEST(WorkedExample, HandFormulasByHandAndAgainstTheCostModel) {
  // AlexNet features.0 (3 -> 64, 11 x 11, stride 4, padding 2, bias, 224 x
  // 224): out side floor((224 + 4 - 11) / 4) + 1 = 55.
  // MACs 64 x 55 x 55 x 3 x 11 x 11 = 64 x 3025 x 363 = 70,276,800.
  const HandConv a = alexnet_conv1();
  EXPECT_EQ(a.out_h(), 55);
  const HandCost f = hand_conv_forward(a);
  EXPECT_DOUBLE_EQ(f.macs, 70'276'800);
  EXPECT_DOUBLE_EQ(f.flops, 140'553'600);
  // 4 x (150,528 + 23,232 + 64 + 193,600) = 4 x 367,424 = 1,469,696 B.
  EXPECT_DOUBLE_EQ(f.bytes, 1'469'696);
  // Backward: grad-weight only (140,553,600) + bias 193,600 = 140,747,200.
  const HandCost b = hand_conv_backward(a);
  EXPECT_DOUBLE_EQ(b.flops, 140'747'200);
  EXPECT_DOUBLE_EQ(b.bytes, 1'469'696);
  // A ResNet-18 3x3 conv: 64 x 56 x 56 x 64 x 9 = 115,605,504 MACs.
  const HandConv c = resnet_block_conv();
  EXPECT_DOUBLE_EQ(hand_conv_forward(c).macs, 115'605'504);
  EXPECT_DOUBLE_EQ(hand_conv_backward(c).flops, 4 * 115'605'504.0);
  // The cost model agrees with every row.
  const std::vector<WorkedRow> rows = worked_example_rows(testing::zoo_model);
  ASSERT_EQ(rows.size(), 4u);
  for (const WorkedRow& r : rows) {
    EXPECT_NEAR(r.hand.flops, r.model_flops, 0.5) << r.what;
    EXPECT_NEAR(r.hand.bytes, r.model_bytes, 0.5) << r.what;
  }
  const Section s = worked_example_section(testing::zoo_model, "A");
  EXPECT_EQ(s.title, "Appendix A. Worked example: FLOPs and bytes by hand");
  EXPECT_TRUE(has(section_text(s), "= 70,276,800; FLOPs = 2 x MACs = 140,553,600"))
      << section_text(s);
}

TEST(WordCount, CountsWords) {
  // Latency, ranks, with, FLOPs, (rho, 0.93). -- the lone "=" is no word.
  EXPECT_EQ(word_count("Latency ranks with FLOPs (rho = 0.93)."), 6u);
  EXPECT_EQ(word_count(""), 0u);
}

// ------------------------------------------------------------------ PDF

TEST(Pdf, MissingChromiumIsAClearError) {
  const char* old = std::getenv("DNNROOF_CHROMIUM");
  const std::string saved = old != nullptr ? old : "";
  setenv("DNNROOF_CHROMIUM", "/nonexistent/chromium", 1);
  try {
    find_chromium();
    ADD_FAILURE() << "no error for a missing DNNROOF_CHROMIUM";
  } catch (const Error& e) {
    EXPECT_TRUE(has(e.what(), "/nonexistent/chromium is not an executable file")) << e.what();
  }
  if (old != nullptr) {
    setenv("DNNROOF_CHROMIUM", saved.c_str(), 1);
  } else {
    unsetenv("DNNROOF_CHROMIUM");
  }
}

TEST(Pdf, PrintsAPageWhenChromiumIsInstalled) {
  const std::string chromium = find_chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (apt-get install chromium)";
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "dnnroof-pdf-test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream html(dir / "index.html");
    html << "<!DOCTYPE html><html><body><h1>dnnroof</h1><p>A page.</p></body></html>\n";
  }
  print_pdf(dir / "index.html", dir / "report.pdf", chromium);
  std::ifstream pdf(dir / "report.pdf", std::ios::binary);
  std::string head(5, '\0');
  pdf.read(head.data(), 5);
  EXPECT_EQ(head, "%PDF-");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dnnroof
