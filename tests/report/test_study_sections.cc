// The commentary of sections 2-6 from hand-built inputs: every number the
// tests look for is worked out by hand in the comments, and changing an
// input changes the text.

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "fixture.h"
#include "report/section_measured.h"
#include "report/section_models.h"
#include "report/study.h"

namespace dnnroof {
namespace {

bool contains(const std::vector<std::string>& paragraphs, const std::string& needle) {
  for (const std::string& p : paragraphs) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

// The paragraphs one a line.
std::string all(const std::vector<std::string>& paragraphs) { return test::joined(paragraphs); }

// A model cost with only the totals the commentary reads.
ModelCost cost(double flops, double params, double activation_bytes, double traffic_bytes) {
  ModelCost c;
  c.batch = 1;
  c.forward.macs = flops / 2;
  c.forward.matmul_flops = flops;
  c.forward.bytes_read = traffic_bytes * 0.8;
  c.forward.bytes_written = traffic_bytes * 0.2;
  c.params = params;
  c.param_bytes = 4 * params;
  c.activation_bytes = activation_bytes;
  return c;
}

ModelCosts model(const std::string& name, ModelCost c) {
  ModelCosts m;
  m.name = name;
  m.infer.emplace(1, std::move(c));
  return m;
}

TEST(ModelCommentary, RangesRatiosAndBoundsFromTheNumbers) {
  // small: 1 GFLOP, 1 M params (4 MB), 20 MB activations, 100 MB traffic -> OI 10.
  // big:   8 GFLOP, 4 M params (16 MB), 10 MB activations, 200 MB traffic -> OI 40.
  std::vector<ModelCosts> models{model("small", cost(1e9, 1e6, 20e6, 100e6)),
                                 model("big", cost(8e9, 4e6, 10e6, 200e6))};
  const Chip chip = testing::simple_chip("chip-x", ChipKind::gpu, DType::fp32, 100e9, 5e9);
  ModelSectionOptions o;
  o.overlay_chips = {&chip};
  const std::vector<std::string> text = model_commentary(models, o);
  // FLOPs 8e9 / 1e9 = 8.0x; parameters 4e6 / 1e6 = 4.0x.
  EXPECT_TRUE(contains(text, "(small) to 8 GFLOP (big), 8.0x apart")) << all(text);
  EXPECT_TRUE(contains(text, "(big), 4.0x apart")) << all(text);
  // FLOPs per parameter: big 8e9 / 4e6 = 2000, small 1e9 / 1e6 = 1000.
  EXPECT_TRUE(contains(text, "big does 2000 FLOPs per parameter")) << all(text);
  EXPECT_TRUE(contains(text, "small only 1000")) << all(text);
  // Activations above parameter bytes: small (20 MB > 4 MB) only.
  EXPECT_TRUE(contains(text, "for 1 of the 2 models (small)")) << all(text);
  // Ridge 100e9 / 5e9 = 20 FLOP/B: small (OI 10) memory-bound, at most 10 / 20 = 50%.
  EXPECT_TRUE(contains(text, "ridge 20 FLOP/B")) << all(text);
  EXPECT_TRUE(contains(text, "at batch 1 1 of the 2 models are memory-bound (small (10))"))
      << all(text);
  EXPECT_TRUE(contains(text, "can reach at most 50% of the peak")) << all(text);

  // Change the data, the text follows: big at 2 GFLOP -> 2.0x; its OI 2e9 / 200e6 = 10,
  // so both are memory-bound now.
  models[1] = model("big", cost(2e9, 4e6, 10e6, 200e6));
  const std::vector<std::string> changed = model_commentary(models, o);
  EXPECT_TRUE(contains(changed, "(small) to 2 GFLOP (big), 2.0x apart")) << all(changed);
  EXPECT_TRUE(contains(changed, "at batch 1 2 of the 2 models are memory-bound")) << all(changed);
  EXPECT_FALSE(contains(changed, "8.0x apart"));
}

TEST(TrainingCommentary, RatioRangesMediansAndOutliers) {
  auto fb = [](std::string m, double flops_ratio, double time_ratio) {
    ForwardBackward f;
    f.model = std::move(m);
    f.device = "cpu";
    f.batch = 1;
    f.flops_ratio = flops_ratio;
    f.time_ratio = time_ratio;
    return f;
  };
  // FLOPs 1.90, 1.95, 1.98: median 1.95. Time 2.0, 3.0, 1.2: median 2.00.
  // b: 3.0 > 1.25 x 1.95 = 2.44 -> slower than its FLOPs; c: 1.2 < 1.98 / 1.25 = 1.58 -> faster.
  const std::vector<std::string> text =
      training_commentary({fb("a", 1.90, 2.0), fb("b", 1.95, 3.0), fb("c", 1.98, 1.2)});
  EXPECT_TRUE(contains(text, "1.90 to 1.98, median 1.95, over 3 training measurements"))
      << all(text);
  EXPECT_TRUE(contains(text, "(lowest here: a at 1.900)")) << all(text);
  EXPECT_TRUE(contains(text, "1.20 to 3.00, median 2.00")) << all(text);
  EXPECT_TRUE(contains(text, "predict for b b1 on cpu (time 3.00 vs FLOPs 1.95)")) << all(text);
  EXPECT_TRUE(contains(text, "c b1 on cpu (time 1.20 vs FLOPs 1.98)")) << all(text);
  // All within 25%: the text says so instead.
  const std::vector<std::string> even = training_commentary({fb("a", 1.9, 2.0), fb("b", 1.9, 1.8)});
  EXPECT_TRUE(contains(even, "within 25% of its FLOPs ratio")) << all(even);
}

MeasuredData three_models_on_cpu() {
  MeasuredData d;
  MeasuredDevice dev;
  dev.key = "cpu@h";
  dev.device = "cpu";
  dev.short_name = "cpu";
  dev.name = "Test CPU (cpu)";
  d.devices.push_back(dev);
  // name, GFLOPs, latency [s], params, activation bytes
  struct M {
    const char* name;
    double flops, t, params, act;
  };
  for (const M& m : {M{"A", 1e9, 0.010, 3e6, 1e6}, M{"B", 4e9, 0.020, 1e6, 2e6},
                     M{"C", 16e9, 0.160, 2e6, 3e6}}) {
    ResultRecord r = test::result_record(m.name, "cpu", "host", 1);
    r.conditions.host_name = "h";
    r.timings[Phase::forward] = test::converged_timing(m.t);
    d.records.push_back(r);
    d.costs[m.name] = model(m.name, cost(m.flops, m.params, m.act, m.flops / 10));
  }
  d.devices.front().key = device_key(d.records.front());  // "cpu@h" and the thread count
  return d;
}

TEST(BenchmarkCommentary, LatencyRatiosAndSpearmanFromTheRecords) {
  const MeasuredData data = three_models_on_cpu();
  const std::vector<std::string> text = benchmark_commentary(data);
  EXPECT_TRUE(contains(text, "runs from 10 ms (A) to 160 ms (C)")) << all(text);
  // C / A: FLOPs 16e9 / 1e9 = 16x, latency 0.160 / 0.010 = 16x.
  EXPECT_TRUE(contains(text, "C has 16x the FLOPs of A but runs 16x slower")) << all(text);
  // Rates: A 1e9 / 0.01 = 100 GFLOP/s, B 4e9 / 0.02 = 200 GFLOP/s, C 100 GFLOP/s.
  EXPECT_TRUE(contains(text, "from 100 GFLOP/s (A) to 200 GFLOP/s (B)")) << all(text);
  // Ranks: latency (1, 2, 3), FLOPs (1, 2, 3): rho 1. Parameters (3, 1, 2):
  // d = (-2, 1, 1), rho = 1 - 6 x 6 / (3 x 8) = -0.5. Activations (1, 2, 3): 1.
  EXPECT_TRUE(contains(text, "rho(CPU latency, FLOPs) = 1.00")) << all(text);
  EXPECT_TRUE(contains(text, "rho(CPU latency, parameters) = -0.50")) << all(text);
  EXPECT_TRUE(contains(text, "FLOPs predict the latency ranking better than parameters (by 1.50)"))
      << all(text);

  // B slower than C: latency ranks (1, 3, 2) against FLOPs (1, 2, 3): d = (0, 1, -1),
  // rho = 1 - 6 x 2 / 24 = 0.5.
  MeasuredData changed = three_models_on_cpu();
  changed.records[1].timings[Phase::forward].median_s = 0.200;
  const std::vector<std::string> t2 = benchmark_commentary(changed);
  EXPECT_TRUE(contains(t2, "rho(CPU latency, FLOPs) = 0.50")) << all(t2);
  EXPECT_TRUE(contains(t2, "runs from 10 ms (A) to 200 ms (B)")) << all(t2);
}

TEST(UtilisationCommentary, ShareOfTheRoofAndFlags) {
  // 100 GFLOP/s, 10 GB/s: ridge 100e9 / 10e9 = 10 FLOP/B.
  const std::vector<RoofCeiling> ceilings{test::x_dram_ceiling()};
  MeasuredDevice dev;
  dev.short_name = "cpu";
  dev.ceilings = ceilings;
  auto point = [&](const std::string& m, double flops, double bytes, double t) {
    Placement p = place_point(m + " b1", test::work_of(flops, bytes), t, ceilings);
    p.model = m;
    p.batch = 1;
    return p;
  };
  // m1: OI 1, roof 10 GFLOP/s, achieved 1e9 / 0.2 = 5 GFLOP/s: 50%, memory-bound.
  // m2: OI 100, roof 100 GFLOP/s, achieved 1e9 / 0.04 = 25 GFLOP/s: 25%, compute-bound.
  const std::vector<Placement> ps{point("m1", 1e9, 1e9, 0.2), point("m2", 1e9, 1e7, 0.04)};
  const std::vector<std::string> text = utilisation_commentary(MeasuredData{}, ps, dev);
  EXPECT_TRUE(contains(text, "the 2 models reach a median 37.5% of the performance")) << all(text);
  EXPECT_TRUE(contains(text, "Closest to the roof: m1 at 50.0%")) << all(text);
  EXPECT_TRUE(contains(text, "farthest: m2 at 25%")) << all(text);
  EXPECT_TRUE(contains(text, "Memory-bound (left of the ridge): m1;")) << all(text);
  EXPECT_TRUE(contains(text, "No point lies above its roof on cpu")) << all(text);
  // m3: OI 1, achieved 1e9 / 0.05 = 20 GFLOP/s > 10: above the roof, flagged.
  std::vector<Placement> above = ps;
  above.push_back(point("m3", 1e9, 1e9, 0.05));
  const std::vector<std::string> t2 = utilisation_commentary(MeasuredData{}, above, dev);
  EXPECT_TRUE(contains(t2, "1 of the 3 points lie above their binding roof")) << all(t2);
}

TEST(PredictionCommentary, MeasuredOverPredicted) {
  MeasuredDevice dev;
  dev.short_name = "cpu";
  const auto pred = test::x_prediction;
  // Ratios 3e-3 / 1e-3 = 3, 4e-3 / 2e-3 = 2, 0.5e-3 / 1e-3 = 0.5: median 2.0x.
  const std::vector<std::string> text = prediction_commentary(
      {pred("p", 1e-3, 3e-3), pred("q", 2e-3, 4e-3), pred("r", 1e-3, 0.5e-3)}, dev);
  EXPECT_TRUE(contains(text, "a median 2.0x the roofline lower bound")) << all(text);
  EXPECT_TRUE(contains(text, "from 0.5x (r b1: 500 us measured vs 1 ms predicted) to 3.0x (p b1)"))
      << all(text);
  EXPECT_TRUE(contains(text, "r b1 ran faster than the bound")) << all(text);
  // Predicted (p 1, q 2, r 1 ms) -> ranks (1.5, 3, 1.5); measured (3, 4, 0.5 ms) -> (2, 3, 1).
  // Pearson of the ranks: deviations (-0.5, 1, -0.5) and (0, 1, -1), sum of products 1.5,
  // sums of squares 1.5 and 2: rho = 1.5 / sqrt(3) = 0.866.
  EXPECT_TRUE(contains(text, "rho = 0.87 at batch 1 (3 models)")) << all(text);
}

}  // namespace
}  // namespace dnnroof

namespace dnnroof {
namespace {

std::string section_text(const Section& s) {
  return test::section_text(s, test::kParagraphs | test::kBulletLists | test::kNoteItems);
}

ResultRecord cpu_record(const std::string& model, RecordStatus status, double median_s) {
  ResultRecord r = test::result_record(model, "cpu", "fx-cpu", 1);
  r.status = status;
  r.conditions.host_name = "elsewhere";
  r.conditions.threads = 2;
  if (status != RecordStatus::failed) {
    TimingStats s;
    s.n = 12;
    s.median_s = median_s;
    s.ci_rel_half_width = status == RecordStatus::noisy ? 0.075 : 0.01;
    r.timings[Phase::forward] = s;
  }
  return r;
}

TEST(Study, EverySectionWithFailedNoisyAndUnrunConfigurationsInTheCaveats) {
  StudyOptions o = testing::study_options();
  o.chip_ids = {"fx-gpu-a", "fx-cpu"};
  o.models = {"resnet18", "alexnet"};
  o.records = {cpu_record("resnet18", RecordStatus::ok, 0.05),
               cpu_record("alexnet", RecordStatus::noisy, 0.03),
               cpu_record("vgg16", RecordStatus::failed, 0)};
  o.records[2].status_reason = "out of memory";
  o.run.not_run = {"Not measured (time limit of 7 min reached), inference on cpu: resnet50 b8."};
  std::vector<std::string> notes;
  const Document doc = build_study(testing::fixture_catalog(), nullptr, o, &notes);
  std::vector<std::string> titles;
  for (const Section& s : doc.sections) titles.push_back(s.title);
  // The paper's order: abstract, introduction, methods, the results,
  // discussion, threats, conclusion, references, appendices.
  EXPECT_EQ(titles, (std::vector<std::string>{
                        "Abstract", "1. Introduction", "2. Methods", "3. The chips",
                        "4. Model compute and memory", "5. Benchmarks", "6. Hardware utilisation",
                        "7. Inference vs training", "8. Predicted vs measured", "9. Discussion",
                        "10. Threats to validity", "11. Conclusion", "References",
                        "Appendix A. Worked example: FLOPs and bytes by hand",
                        "Appendix B. Caveats of this run"}));
  // The title says what was studied where, from the data.
  EXPECT_EQ(doc.title.rfind("Roofline analysis and benchmarking of 2 DNNs on ", 0), 0u)
      << doc.title;
  const std::string caveats = section_text(doc.sections.back());
  EXPECT_NE(caveats.find("1 noisy result"), std::string::npos) << caveats;
  EXPECT_NE(caveats.find("alexnet b1 infer on cpu (±7.5%"), std::string::npos) << caveats;
  EXPECT_NE(caveats.find("vgg16 b1 infer on cpu: out of memory"), std::string::npos) << caveats;
  EXPECT_NE(caveats.find("resnet50 b8"), std::string::npos) << caveats;
  // The benchmark section counts them: 3 configurations, 1 converged, 1 noisy, 1 failed.
  const std::string bench = section_text(doc.sections[5]);
  EXPECT_NE(bench.find("3 configurations measured on one device"), std::string::npos) << bench;
  EXPECT_NE(bench.find("1 converged, 1 noisy"), std::string::npos) << bench;
  EXPECT_NE(bench.find("1 failed"), std::string::npos) << bench;
  // The device's ceilings come from its catalog chip (fx-cpu, measured
  // elsewhere), for the records' 2 threads: the datasheet's 10 cores scaled
  // to 2 of them, and said so.
  const std::string util = section_text(doc.sections[6]);
  EXPECT_NE(util.find("Ceilings: fx-cpu fp32 for 2 threads, as these runs had (catalog; peak "
                      "scaled to 2 of 10 cores; bandwidth of the whole chip)."),
            std::string::npos)
      << util;
  bool latency_file = false;
  for (const DataFile& d : doc.data_files) latency_file = latency_file || d.stem == "latency";
  EXPECT_TRUE(latency_file);
}

}  // namespace
}  // namespace dnnroof
