// The figures of measured data on synthetic but realistic results: zoo
// models' real cost-model numbers, latencies of a 2-core CPU built from an
// efficiency per model (tens to hundreds of ms), one model made faster than
// the DRAM roof so a flagged point must appear. Checks what each figure holds
// (computed here from the inputs, not from the figure code), and renders them
// all when gnuplot is installed (to $DNNROOF_FIGURE_OUT when set, so they
// can be looked at).

#include "report/figures_measured.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>

#include "analysis/analysis.h"
#include "core/error.h"
#include "core/units.h"
#include "cost/cost.h"
#include "report/chart.h"
#include "report/gnuplot.h"
#include "support/files.h"
#include "support/study_fixtures.h"
#include "zoo/zoo.h"

namespace dnnroof {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A 2-core AVX2 host: 2 x 3 GHz x 32 FLOP/cycle = 192 GFLOP/s fp32.
Chip host_chip(bool measured) {
  Chip c;
  c.id = measured ? "host-measured" : "host";
  c.name = measured ? "2-core host (measured)" : "2-core host";
  c.peak[DType::fp32].value = measured ? 150e9 : 192e9;
  auto level = [](std::string name, double bw, double cap, bool main) {
    MemoryLevel l;
    l.name = std::move(name);
    l.bandwidth.value = bw;
    l.capacity.value = cap;
    l.is_main = main;
    return l;
  };
  c.memory = {level("L1d", measured ? 300e9 : 384e9, 64e3, false),
              level("L2", measured ? 150e9 : 192e9, 2e6, false),
              level("L3", measured ? 60e9 : 96e9, 32e6, false),
              level("DRAM", measured ? 14e9 : 20e9, 0, true)};
  return c;
}

// Efficiency of each model against the peak (compute-bound ones) and a
// ratio to the DRAM roof for the memory-bound ones.
const std::vector<std::pair<std::string, double>>& models() {
  static const std::vector<std::pair<std::string, double>> m{
      {"resnet18", 0.55},           {"alexnet", 0.45},         {"vgg16", 0.62},
      {"mobilenet_v2", 0.12},       {"squeezenet1_0", 0.35},   {"googlenet", 0.40},
      {"shufflenet_v2_x1_0", 0.08}, {"efficientnet_b0", 0.10}, {"densenet121", 0.30},
      {"regnet_y_400mf", 0.15}};
  return m;
}

ModelCost cost_of(const std::string& model, std::int64_t batch, bool training) {
  ZooOptions zo;
  zo.batch = batch;
  CostOptions co;
  co.training = training;
  return estimate_cost(build_zoo_model(model, zo), co);
}

ResultRecord make_record(const std::string& model, const std::string& device, RunMode mode,
                         std::int64_t batch, double fwd_s, double bwd_s = 0) {
  ResultRecord r = test::result_record(model, device, device == "cpu" ? "host" : "gpu", batch);
  r.mode = mode;
  test::set_medians(r, 30, fwd_s, bwd_s, fwd_s + bwd_s);
  return r;
}

struct Study {
  std::vector<RoofCeiling> ceilings;  // datasheet then measured
  std::map<std::pair<std::string, std::int64_t>, ModelCost> costs;
  std::vector<ResultRecord> records;
  std::vector<Placement> placements;
  std::vector<CorrelationRow> rows;
  std::vector<Prediction> predictions;
  std::vector<ForwardBackward> fb;
  std::vector<LayerTime> resnet_layers;  // resnet18 b1 forward
};

const Study& study() {
  static const Study s = [] {
    Study st;
    st.ceilings = chip_ceilings(host_chip(false), DType::fp32, CeilingSource::datasheet);
    for (RoofCeiling& c : chip_ceilings(host_chip(true), DType::fp32, CeilingSource::measured)) {
      st.ceilings.push_back(std::move(c));
    }
    const RoofCeiling& dram = st.ceilings[3];
    for (std::int64_t batch : {1, 8, 32}) {
      for (const auto& [model, eff] : models()) {
        const ModelCost& c = st.costs[{model, batch}] = cost_of(model, batch, false);
        const double x = c.forward.intensity();
        double achieved = eff * dram.roof(x);
        // mobilenet_v2 at batch 1 runs from the L3 cache: above the DRAM roof.
        if (model == "mobilenet_v2" && batch == 1) achieved = 1.6 * dram.roof(x);
        const double t = c.forward.flops() / achieved;
        st.records.push_back(make_record(model, "cpu", RunMode::infer, batch, t));
        st.placements.push_back(place_record(st.records.back(), c, Pass::forward, st.ceilings));
        // A GPU ~30x faster, less so for small models (launch-bound).
        st.rows.push_back(test::correlation_row(model, batch, t, t / 30 + 0.8e-3, c.forward.flops(),
                                                c.params, c.activation_bytes));
        st.predictions.push_back(predict(st.records.back(), c, Pass::forward, st.ceilings[3]));
        st.predictions.push_back(predict(st.records.back(), c, Pass::forward, st.ceilings[7]));
      }
    }
    for (const auto& [model, eff] : models()) {
      if (model != "resnet18" && model != "alexnet" && model != "vgg16" &&
          model != "mobilenet_v2") {
        continue;
      }
      const ModelCost c = cost_of(model, 8, true);
      const double fwd = c.forward.flops() / (eff * 192e9);
      const double bwd = fwd * (model == "mobilenet_v2" ? 2.6 : 2.1);
      st.fb.push_back(forward_backward(make_record(model, "cpu", RunMode::train, 8, fwd, bwd), c));
    }
    // resnet18 per-layer: conv-like layers at 55% of their roof, the rest
    // (elementwise, from cache) at 60% of the L3 roof: above the DRAM roof.
    const ModelCost& r18 = st.costs.at({"resnet18", 1});
    for (const NodeCost& n : r18.nodes) {
      if (!(n.forward.flops() > 0)) continue;
      const double x = n.forward.intensity();
      const bool matrix = n.forward.matmul_flops > 0;
      const double achieved = matrix ? 0.55 * dram.roof(x) : 0.6 * st.ceilings[2].roof(x);
      st.resnet_layers.push_back({n.name, n.forward.flops() / achieved, kNaN});
    }
    return st;
  }();
  return s;
}

// DNNROOF_FIGURE_OUT when set (to look at the figures), else a folder of this
// process's own, removed at exit: test processes run in parallel (ctest -j,
// other checkouts) must not write over each other's figures.
std::filesystem::path figure_dir() {
  if (const char* d = std::getenv("DNNROOF_FIGURE_OUT"); d != nullptr && *d != '\0') return d;
  static const test::TempDir dir("figures-measured-test");
  return dir.path();
}

// Draws the figure to PNG (and, for charts, to inline SVG) when gnuplot is
// installed; checks a file came out.
void render(const FigureBlock& f) {
  if (find_gnuplot().empty()) return;
  const std::filesystem::path png = figure_dir() / (f.id + ".png");
  if (f.chart) {
    render_chart(*f.chart, png);
    const std::string svg = chart_svg_for_html(*f.chart, "t-");
    EXPECT_NE(svg.find("<svg"), std::string::npos) << f.id;
  } else {
    PlotLayout layout;
    layout.columns = 1;
    render_roofline(f.panels, f.title, png, layout);
  }
  EXPECT_GT(std::filesystem::file_size(png), 1000u) << f.id;
}

TEST(FiguresMeasured, LatencyVsFlopsOneMarkerPerModel) {
  const Study& s = study();
  const FigureBlock f =
      latency_vs_work_figure(s.rows, DeviceSide::cpu, WorkMetric::flops, 8, "2-core host");
  EXPECT_EQ(f.id, "latency-vs-flops-cpu-b8");
  ASSERT_TRUE(f.chart.has_value());
  EXPECT_EQ(f.chart->kind, ChartKind::scatter);
  ASSERT_EQ(f.chart->series.size(), models().size());
  const ModelCost& vgg = s.costs.at({"vgg16", 8});
  for (const ChartSeries& se : f.chart->series) {
    if (se.name != "vgg16") continue;
    EXPECT_NEAR(se.x[0], vgg.forward.flops() / 1e9, 1e-9);
  }
  EXPECT_NE(f.chart->x_label.find("[GFLOP]"), std::string::npos);
  EXPECT_NE(f.chart->y_label.find("[ms]"), std::string::npos);
  render(f);
  render(latency_vs_work_figure(s.rows, DeviceSide::cpu, WorkMetric::params, 1, "2-core host"));
  render(latency_vs_work_figure(s.rows, DeviceSide::gpu, WorkMetric::flops, 32, "GPU"));
  EXPECT_THROW(latency_vs_work_figure(s.rows, DeviceSide::cpu, WorkMetric::flops, 64, "x"), Error);
}

// Model m`i` at `batch`, measured on the CPU only (GPU latency and
// activation bytes not set).
CorrelationRow cpu_row(int i, std::int64_t batch, double cpu_latency_s, double flops,
                       double params) {
  return test::correlation_row("m" + std::to_string(i), batch, cpu_latency_s, 0, flops, params, 0);
}

TEST(FiguresMeasured, LinearAxesUnlessTheDataSpanDecades) {
  std::vector<CorrelationRow> rows;
  for (int i = 1; i <= 4; ++i) {
    // 10..40 ms: 0.6 decades; parameters 10M .. 10G: 3 decades.
    rows.push_back(cpu_row(i, 1, 0.01 * i, 1e9 * i, 1e6 * std::pow(10.0, i)));
  }
  const FigureBlock lin = latency_vs_work_figure(rows, DeviceSide::cpu, WorkMetric::flops, 1, "h");
  EXPECT_EQ(lin.chart->x_scale, AxisScale::linear);
  EXPECT_EQ(lin.chart->y_scale, AxisScale::linear);
  const FigureBlock lg = latency_vs_work_figure(rows, DeviceSide::cpu, WorkMetric::params, 1, "h");
  EXPECT_EQ(lg.chart->x_scale, AxisScale::log);
  EXPECT_NE(lg.chart->x_label.find("log scale"), std::string::npos);
  // The caption says why: 10M .. 10G parameters is 3 decades.
  EXPECT_NE(lg.caption.find("span 3.0 decades"), std::string::npos) << lg.caption;
  EXPECT_NE(lin.caption.find("linear from 0 at every batch size"), std::string::npos)
      << lin.caption;
}

TEST(FiguresMeasured, LatencyAxesHaveOneScaleAtEveryBatchSize) {
  // Batch 1: 10..40 ms (0.6 decades); batch 8: 10 ms .. 1 s (2 decades).
  // Both figures must use the same (log) latency axis, and say why.
  std::vector<CorrelationRow> rows;
  for (int i = 1; i <= 4; ++i) {
    rows.push_back(cpu_row(i, 1, 0.01 * i, 1e9 * i, 1e6 * i));
    // 10 ms .. 1 s
    rows.push_back(cpu_row(i, 8, 0.01 * std::pow(10.0, 2.0 * (i - 1) / 3.0), 8e9 * i, 1e6 * i));
  }
  const FigureBlock b1 = latency_vs_work_figure(rows, DeviceSide::cpu, WorkMetric::flops, 1, "h");
  const FigureBlock b8 = latency_vs_work_figure(rows, DeviceSide::cpu, WorkMetric::flops, 8, "h");
  EXPECT_EQ(b1.chart->y_scale, AxisScale::log);
  EXPECT_EQ(b8.chart->y_scale, AxisScale::log);
  // FLOPs 1..4 G span 0.6 decades at both batch sizes: linear x at both.
  EXPECT_EQ(b1.chart->x_scale, AxisScale::linear);
  EXPECT_EQ(b8.chart->x_scale, AxisScale::linear);
  for (const FigureBlock* f : {&b1, &b8}) {
    EXPECT_NE(f->caption.find("logarithmic at every batch size because at batch 8 the latencies "
                              "span 2.0 decades"),
              std::string::npos)
        << f->caption;
  }
}

TEST(FiguresMeasured, TrainingStepBarsIncludeTheOptimizer) {
  // alexnet b8: forward 50 ms, backward 100 ms, optimizer 90 ms: the
  // optimizer is 90 / 240 = 37.5% of the three.
  const ModelCost c = cost_of("alexnet", 8, true);
  ResultRecord r = make_record("alexnet", "cpu", RunMode::train, 8, 0.050, 0.100);
  TimingStats t = r.timings.at(Phase::forward);
  t.median_s = 0.090;
  r.timings[Phase::optimizer] = t;
  const ForwardBackward fb = forward_backward(r, c);
  EXPECT_DOUBLE_EQ(fb.optimizer_s, 0.090);
  const FigureBlock f = forward_backward_time_figure(std::vector<ForwardBackward>{fb}, "cpu");
  ASSERT_EQ(f.chart->series.size(), 3u);
  EXPECT_EQ(f.chart->series[2].name, "optimizer step");
  EXPECT_NEAR(f.chart->series[2].values[0], 90.0, 1e-9);
  EXPECT_NE(f.caption.find(fmt::format("alexnet {} (38%)", format_si(0.090, "s"))),
            std::string::npos)
      << f.caption;
  render(f);
  // Without an optimizer time the caption says so.
  const FigureBlock g = forward_backward_time_figure(study().fb, "cpu");
  EXPECT_EQ(g.chart->series.size(), 2u);
  EXPECT_NE(g.caption.find("no optimizer time"), std::string::npos);
}

TEST(FiguresMeasured, PiesPerModelAndNoOneSlicePie) {
  const Study& s = study();
  std::map<std::string, std::vector<OpTypeShare>> by_model;
  for (const auto& [model, eff] : models()) {
    by_model[model] = op_type_shares(s.costs.at({model, 1}), {}, Pass::forward);
  }
  // A model whose FLOPs are all one op type: a table row, not a pie.
  OpTypeShare only;
  only.op = OpKind::Gemm;
  only.flops = 1e9;
  only.flops_share = 1.0;
  by_model["onelayer"] = {only};
  const FigureBlock f = op_share_pies_by_model_figure(by_model, ShareMetric::flops, Pass::forward);
  EXPECT_EQ(f.id, "op-pies-by-model-flops-forward");
  ASSERT_TRUE(f.chart.has_value());
  EXPECT_EQ(f.chart->legend_key, StyleKey::op);
  ASSERT_EQ(f.chart->series.size(), models().size());  // every model but onelayer
  for (const ChartSeries& se : f.chart->series) {
    EXPECT_NE(se.name, "onelayer");
    double sum = 0;
    for (double v : se.values) sum += v;
    EXPECT_NEAR(sum, 100.0, 1e-9) << se.name;
  }
  EXPECT_NE(f.caption.find("onelayer: 100% Gemm"), std::string::npos) << f.caption;
  render(f);
  // The per-model pies drop a one-slice measure into the caption.
  OpTypeShare conv;
  conv.op = OpKind::Conv;
  conv.flops_share = 0.9;
  conv.bytes_share = 0.5;
  conv.activation_share = 1.0;
  OpTypeShare relu;
  relu.op = OpKind::Relu;
  relu.flops_share = 0.1;
  relu.bytes_share = 0.5;
  const FigureBlock g =
      op_share_pies_figure("m", Pass::forward, std::vector<OpTypeShare>{conv, relu});
  ASSERT_EQ(g.chart->series.size(), 2u);  // FLOPs and traffic
  EXPECT_NE(g.caption.find("activation memory: 100% Conv"), std::string::npos) << g.caption;
}

TEST(FiguresMeasured, ThroughputLinesPerModel) {
  const Study& s = study();
  const auto series = throughput_vs_batch(s.records);
  const FigureBlock f = throughput_figure(series, "cpu", RunMode::infer);
  ASSERT_TRUE(f.chart.has_value());
  ASSERT_EQ(f.chart->series.size(), models().size());
  const ChartSeries& r18 = f.chart->series[0];
  EXPECT_EQ(r18.name, "resnet18");
  EXPECT_TRUE(r18.lines);
  EXPECT_EQ(r18.x, (std::vector<double>{1, 8, 32}));
  // Ticks at the batch sizes measured; the throughput axis (log: 3.8 to
  // 185 samples/s here) fixed to 1-2-5 steps, labelled at each.
  EXPECT_EQ(f.chart->x_tics, (std::vector<double>{1, 8, 32}));
  const std::string script = chart_script(*f.chart, ImageFormat::png, "x.png");
  EXPECT_NE(script.find("set xtics ('1' 1, '8' 8, '32' 32)"), std::string::npos);
  EXPECT_NE(script.find("'20' 20, '50' 50"), std::string::npos);
  // throughput = batch / latency of the record
  for (const ResultRecord& r : s.records) {
    if (r.model == "resnet18" && r.batch == 8) {
      EXPECT_NEAR(r18.y[1], 8 / r.timings.at(Phase::forward).median_s, 1e-9);
    }
  }
  render(f);
}

TEST(FiguresMeasured, CorrelationHeatMapHoldsTheMatrix) {
  const Study& s = study();
  const CorrelationMatrix m = correlation_matrix(s.rows, 8);
  const FigureBlock f = correlation_figure(m);
  EXPECT_EQ(f.id, "spearman-b8");
  ASSERT_TRUE(f.chart.has_value());
  EXPECT_EQ(f.chart->kind, ChartKind::heatmap);
  EXPECT_EQ(f.chart->row_categories.size(), 5u);  // CPU, GPU, FLOPs, params, activations
  EXPECT_EQ(f.chart->cells, m.rho);
  EXPECT_NE(f.chart->title.find("n = 10"), std::string::npos);
  const std::string script = chart_script(*f.chart, ImageFormat::png, "x.png");
  EXPECT_NE(script.find("with labels"), std::string::npos);  // values printed in the cells
  render(f);
}

TEST(FiguresMeasured, MeasuredRooflineFlagsThePointAboveItsRoof) {
  const Study& s = study();
  const FigureBlock f = measured_roofline_figure(s.placements, s.ceilings, "cpu", "2-core host");
  EXPECT_EQ(f.id, "roofline-measured-cpu");
  ASSERT_EQ(f.panels.size(), 3u);  // batches 1, 8, 32
  // Drawn: L3 and DRAM of each source (last cache level and main memory).
  EXPECT_EQ(drawn_ceilings(s.ceilings), (std::vector<std::size_t>{2, 3, 6, 7}));
  ASSERT_EQ(f.panels[0].ceilings.size(), 4u);
  // mobilenet_v2 at batch 1 was built 1.6x above the datasheet DRAM roof.
  std::size_t flagged = 0;
  for (const PlacedPoint& p : f.panels[0].points) {
    if (p.input.label == "mobilenet_v2 b1") {
      EXPECT_TRUE(p.above_roof);
      EXPECT_NEAR(p.flops / p.attainable_flops, 1.6 * 20.0 / 14.0, 1e-6);
    }
    flagged += p.above_roof ? 1 : 0;
  }
  EXPECT_EQ(flagged, 1u);
  EXPECT_EQ(f.panels[0].warnings.size(), 1u);
  EXPECT_NE(f.caption.find("mobilenet_v2 b1"), std::string::npos);
  EXPECT_FALSE(f.panels[1].has_point_above_roof());
  const std::string script = roofline_script(f.panels, f.title, ImageFormat::png, "x.png");
  EXPECT_NE(script.find("above roof"), std::string::npos);
  render(f);
}

TEST(FiguresMeasured, LayerRooflineGroupsByOpType) {
  const Study& s = study();
  const ModelCost& r18 = s.costs.at({"resnet18", 1});
  const LayerPlacements lp =
      place_layers(s.records[0], r18, s.resnet_layers, Pass::forward, s.ceilings);
  ASSERT_EQ(lp.layers.size(), s.resnet_layers.size());
  const FigureBlock f =
      layer_roofline_figure("resnet18", 1, lp.layers, s.ceilings, "cpu", "2-core host");
  ASSERT_EQ(f.panels.size(), 1u);
  std::set<int> markers;
  for (const PlacedPoint& p : f.panels[0].points) markers.insert(p.marker);
  // Conv, BatchNorm, Relu, MaxPool, Add, GlobalAvgPool/AdaptiveAvgPool, Gemm: several groups.
  EXPECT_GE(markers.size(), 5u);
  // The elementwise layers were built at 60% of the L3 roof: above DRAM's,
  // explained by the cache.
  std::size_t cache = 0;
  for (const Placement& p : lp.layers) {
    if (p.above_roof) {
      cache += std::count(p.above_roof->causes.begin(), p.above_roof->causes.end(),
                          AboveRoofCause::cache_fit);
    }
  }
  EXPECT_GT(cache, 0u);
  render(f);
}

TEST(FiguresMeasured, ForwardBackwardBarsAndRatios) {
  const Study& s = study();
  const FigureBlock t = forward_backward_time_figure(s.fb, "cpu");
  ASSERT_TRUE(t.chart.has_value());
  ASSERT_EQ(t.chart->series.size(), 2u);
  EXPECT_NEAR(t.chart->series[1].values[0], 1e3 * s.fb[0].backward_s, 1e-9);
  const FigureBlock r = forward_backward_ratio_figure(s.fb, "cpu");
  ASSERT_EQ(r.chart->reference_lines.size(), 1u);
  EXPECT_DOUBLE_EQ(r.chart->reference_lines[0].y, 2.0);
  for (std::size_t i = 0; i < s.fb.size(); ++i) {
    EXPECT_NEAR(r.chart->series[1].values[i], s.fb[i].backward_s / s.fb[i].forward_s, 1e-12);
  }
  render(t);
  render(r);
}

TEST(FiguresMeasured, OpSharesStackTo100Percent) {
  const Study& s = study();
  const ModelCost& r18 = s.costs.at({"resnet18", 1});
  const auto shares = op_type_shares(r18, s.resnet_layers, Pass::forward);
  const FigureBlock f = op_share_figure("resnet18", Pass::forward, shares, 5);
  ASSERT_TRUE(f.chart.has_value());
  EXPECT_EQ(f.chart->categories,
            (std::vector<std::string>{"latency", "FLOPs", "memory traffic", "activation memory"}));
  EXPECT_LE(f.chart->series.size(), 6u);  // 5 op types + other
  for (std::size_t k = 0; k < f.chart->categories.size(); ++k) {
    double sum = 0;
    for (const ChartSeries& se : f.chart->series) sum += se.values[k];
    EXPECT_NEAR(sum, 100.0, 1e-9) << f.chart->categories[k];
  }
  render(f);
  const FigureBlock pies = op_share_pies_figure("resnet18", Pass::forward, shares, 5);
  ASSERT_TRUE(pies.chart.has_value());
  EXPECT_EQ(pies.chart->kind, ChartKind::pie);
  ASSERT_EQ(pies.chart->series.size(), 4u);  // latency, FLOPs, traffic, activations
  for (const ChartSeries& se : pies.chart->series) {
    double sum = 0;
    for (double v : se.values) sum += v;
    EXPECT_NEAR(sum, 100.0, 1e-9) << se.name;
  }
  const std::string script = chart_script(*pies.chart, ImageFormat::png, "x.png");
  EXPECT_NE(script.find("with circles"), std::string::npos);
  // Conv comes first in the operator table: the palette's first colour.
  EXPECT_NE(script.find("keyentry with boxes fc rgb '#1f77b4' title 'Conv'"), std::string::npos);
  render(pies);
  std::map<std::string, std::vector<OpTypeShare>> by_model;
  for (const auto& [model, eff] : models()) {
    by_model[model] = op_type_shares(s.costs.at({model, 1}), {}, Pass::forward);
  }
  const FigureBlock g = op_share_by_model_figure(by_model, ShareMetric::flops, Pass::forward);
  EXPECT_EQ(g.chart->categories.size(), models().size());
  render(g);
  EXPECT_THROW(op_share_by_model_figure(by_model, ShareMetric::time, Pass::forward), Error);
}

TEST(FiguresMeasured, PredictedVsMeasuredWithDiagonal) {
  const Study& s = study();
  const FigureBlock f = prediction_figure(s.predictions, "cpu", "Predicted vs measured, CPU");
  ASSERT_TRUE(f.chart.has_value());
  EXPECT_TRUE(f.chart->diagonal);
  ASSERT_EQ(f.chart->series.size(), 2u);  // datasheet and measured DRAM ceilings
  EXPECT_EQ(f.chart->series[0].x.size(), 30u);
  render(f);
  // One ceiling: one series per model, 3 batch sizes each.
  std::vector<Prediction> one;
  for (const Prediction& p : s.predictions) {
    if (p.ceiling == s.ceilings[7].label()) one.push_back(p);
  }
  const FigureBlock g = prediction_figure(one, "cpu-measured", "Predicted vs measured");
  ASSERT_EQ(g.chart->series.size(), models().size());
  EXPECT_EQ(g.chart->series[0].name, "resnet18");
  EXPECT_EQ(g.chart->series[0].x.size(), 3u);
  EXPECT_NE(g.chart->title.find(s.ceilings[7].label()), std::string::npos);
  render(g);
  const ModelCost& r18 = s.costs.at({"resnet18", 1});
  const Prediction p = predict(s.records[0], r18, Pass::forward, s.ceilings[3], s.resnet_layers);
  render(layer_prediction_figure(p));
}

TEST(FiguresMeasured, BadInputIsAClearError) {
  const Study& s = study();
  // Points placed against 8 ceilings cannot be drawn under 2 of them.
  const std::vector<RoofCeiling> two(s.ceilings.begin(), s.ceilings.begin() + 2);
  try {
    measured_roofline_figure(s.placements, two, "cpu", "2-core host");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("resnet18 b1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(measured_roofline_figure({}, s.ceilings, "cpu", "h"), Error);
  EXPECT_THROW(layer_roofline_figure("m", 1, {}, s.ceilings, "cpu", "h"), Error);
  CorrelationMatrix bad;
  bad.variables = {"a", "b"};
  bad.rho = {{1.0}};
  EXPECT_THROW(correlation_figure(bad), Error);
  EXPECT_THROW(forward_backward_time_figure({}, "cpu"), Error);
  EXPECT_THROW(forward_backward_ratio_figure({}, "cpu"), Error);
  EXPECT_THROW(op_share_figure("m", Pass::forward, {}), Error);
  EXPECT_THROW(prediction_figure({}, "x", "t"), Error);
  EXPECT_THROW(throughput_figure({}, "cpu", RunMode::infer), Error);
}

TEST(FiguresMeasured, PieValidationNamesThePie) {
  Chart c;
  c.kind = ChartKind::pie;
  c.title = "t";
  c.categories = {"a", "b"};
  c.series.push_back(bar_series("FLOPs", {1.0, -1.0}));
  try {
    validate_chart(c);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'FLOPs' slice 'b'"), std::string::npos) << e.what();
  }
  c.series[0].values = {0.0, 0.0};
  EXPECT_THROW(validate_chart(c), Error);
  c.series[0].values = {1.0};
  EXPECT_THROW(validate_chart(c), Error);
  // 3 of 4 is 75%, 1 of 4 is 25%: printed in the slices.
  c.series[0].values = {3.0, 1.0};
  const std::string script = chart_script(c, ImageFormat::png, "x.png");
  EXPECT_NE(script.find("\"75%\""), std::string::npos);
  EXPECT_NE(script.find("\"25%\""), std::string::npos);
}

}  // namespace
}  // namespace dnnroof
