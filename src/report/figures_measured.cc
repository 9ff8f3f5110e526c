#include "report/figures_measured.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "graph/ops.h"
#include "report/chart.h"
#include "report/roofline.h"

namespace dnnroof {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool positive(double v) { return v > 0 && std::isfinite(v); }

// A figure id part: lower-case letters, digits and dashes.
std::string slug(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "x" : out;
}

// Decades the positive finite values span (0 with fewer than two).
double decades(const std::vector<double>& values) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  for (double v : values) {
    if (!positive(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return hi > 0 && std::isfinite(lo) ? std::log10(hi / lo) : 0;
}

// Log when the data span more than kLogSpanDecades decades; the label then
// says why.
AxisScale scale_for(const std::vector<double>& values, std::string& label) {
  const double d = decades(values);
  if (d <= kLogSpanDecades) return AxisScale::linear;
  label += fmt::format(" (log scale: the values span {:.1f} decades)", d);
  return AxisScale::log;
}

std::string ms(double s) { return format_si(s, "s"); }

// A log axis's range: 1-2-5 steps around the values with a little room, so
// points do not sit on the frame and no empty decade is added.
std::pair<double, double> log_range(const std::vector<double>& values) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  for (double v : values) {
    if (!positive(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!(hi > 0)) return {kNaN, kNaN};
  // Round out to 1, 2 or 5 x 10^k, leaving at least 15% room.
  auto nice_below = [](double v) {
    const double d = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {5.0, 2.0, 1.0}) {
      if (m * d <= v) return m * d;
    }
    return d;
  };
  auto nice_above = [](double v) {
    const double d = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
      if (m * d >= v) return m * d;
    }
    return 10 * d;
  };
  return {nice_below(lo / 1.15), nice_above(hi * 1.15)};
}

// Fixes the range of each log axis of a scatter plot (gnuplot's own
// autoscaling adds a decade on either side).
void fit_log_axes(Chart& c, const std::vector<double>& xs, const std::vector<double>& ys) {
  if (c.x_scale == AxisScale::log) std::tie(c.x_min, c.x_max) = log_range(xs);
  if (c.y_scale == AxisScale::log) std::tie(c.y_min, c.y_max) = log_range(ys);
}

// The same range on both axes of a predicted-vs-measured plot, so y = x is
// the diagonal: whole decades around the values (log), or 0 to 10% above the
// largest (linear).
void equal_ranges(Chart& c, const std::vector<double>& values) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  for (double v : values) {
    if (!positive(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!(hi > 0)) return;
  if (c.x_scale == AxisScale::log) {
    c.x_min = c.y_min = std::pow(10.0, std::floor(std::log10(lo)));
    c.x_max = c.y_max = std::pow(10.0, std::ceil(std::log10(hi)));
    if (c.x_max <= c.x_min) c.x_max = c.y_max = c.x_min * 10;
  } else {
    c.x_min = c.y_min = 0;
    c.x_max = c.y_max = 1.1 * hi;
  }
}

std::string_view side_name(DeviceSide s) { return s == DeviceSide::gpu ? "GPU" : "CPU"; }

std::string pass_text(Pass p) {
  switch (p) {
    case Pass::forward:
      return "forward";
    case Pass::backward:
      return "backward";
    case Pass::step:
      return "step";
  }
  return "?";
}

FigureBlock chart_block(std::string id, std::string caption, Chart chart) {
  validate_chart(chart);
  FigureBlock f;
  f.id = std::move(id);
  f.caption = std::move(caption);
  f.title = chart.title;
  f.chart = std::move(chart);
  return f;
}

// Roofline ceilings of analysis as figure ceilings.
Ceiling figure_ceiling(const RoofCeiling& c) {
  Ceiling out;
  out.chip = c.chip_id;
  // Short, so the legend fits two columns; gnuplot.cc appends "[measured]".
  out.label = fmt::format("{} {} ({})", c.chip_id, c.level, dtype_name(c.precision));
  out.short_label = fmt::format("{} {}", c.chip_id, c.level);
  out.level = c.level;
  out.origin = c.source == CeilingSource::measured ? CeilingOrigin::measured
                                                     : CeilingOrigin::datasheet;
  out.peak_flops = c.peak_flops;
  out.bandwidth = c.bandwidth;
  return out;
}

// Builds one roofline panel of `points` (already placed against
// `ceilings`), drawing the ceilings in `drawn` plus every point's binding
// one; the figure's warnings become the analysis's explanations.
RooflineFigure placement_panel(const std::string& title, std::span<const Placement* const> points,
                               std::span<const RoofCeiling> ceilings,
                               const std::vector<std::size_t>& drawn_in,
                               const std::function<std::string(const Placement&)>& group_of) {
  std::vector<std::size_t> drawn = drawn_in;
  for (const Placement* p : points) {
    if (p->binding >= ceilings.size()) {
      fail("roofline '{}': point '{}' was placed against {} ceilings, not these {}", title,
           p->label, p->per_ceiling.size(), ceilings.size());
    }
    if (std::find(drawn.begin(), drawn.end(), p->binding) == drawn.end()) {
      drawn.push_back(p->binding);
    }
  }
  std::vector<Ceiling> figure_ceilings;
  for (std::size_t i : drawn) figure_ceilings.push_back(figure_ceiling(ceilings[i]));
  std::vector<PointInput> inputs;
  for (const Placement* p : points) {
    if (p->per_ceiling.size() != ceilings.size()) {
      fail("roofline '{}': point '{}' was placed against {} ceilings, not these {}", title,
           p->label, p->per_ceiling.size(), ceilings.size());
    }
    PointInput in;
    in.label = p->label;
    in.group = group_of(*p);
    in.kind = PointKind::measured;
    in.intensity = p->intensity();
    in.flops = p->achieved_flops;
    in.ceiling = static_cast<std::size_t>(
        std::find(drawn.begin(), drawn.end(), p->binding) - drawn.begin());
    inputs.push_back(std::move(in));
  }
  RooflineFigure fig = build_roofline_figure(title, std::move(figure_ceilings), std::move(inputs));
  fig.warnings.clear();
  for (std::size_t i = 0; i < points.size(); ++i) {
    // The figure and the analysis use the same roof and tolerance; a
    // disagreement would draw a point above its roof without its reason.
    if (fig.points[i].above_roof != points[i]->above_roof.has_value()) {
      fail("roofline '{}': point '{}' is {} its roof in the figure but {} in the analysis", title,
           points[i]->label, fig.points[i].above_roof ? "above" : "below",
           points[i]->above_roof ? "above" : "below");
    }
    if (points[i]->above_roof) fig.warnings.push_back(points[i]->above_roof->explanation);
  }
  return fig;
}

// Few flagged points: each with its full explanation. Many (a per-layer
// view where every elementwise layer runs from cache): counted by cause,
// with the names, and the first explanation as an example.
constexpr std::size_t kMaxExplainedPoints = 3;

std::string flagged_caption(std::span<const Placement* const> points) {
  std::vector<const Placement*> flagged;
  for (const Placement* p : points) {
    if (p->above_roof) flagged.push_back(p);
  }
  if (flagged.empty()) return " No point lies above its roof.";
  auto causes_of = [](const Placement& p) {
    std::vector<std::string> causes;
    for (AboveRoofCause c : p.above_roof->causes) causes.emplace_back(above_roof_cause_name(c));
    return join(causes, ", ");
  };
  std::string out = fmt::format(" {} point{} above the lowest roof, drawn as red crosses: ",
                                flagged.size(), flagged.size() == 1 ? " lies" : "s lie");
  if (flagged.size() <= kMaxExplainedPoints) {
    std::vector<std::string> lines;
    for (const Placement* p : flagged) {
      lines.push_back(fmt::format("{} ({}): {}", p->label, causes_of(*p), p->above_roof->explanation));
    }
    return out + join(lines, " ");
  }
  std::map<AboveRoofCause, std::vector<std::string>> by_cause;
  for (const Placement* p : flagged) {
    for (AboveRoofCause c : p->above_roof->causes) by_cause[c].push_back(p->label);
  }
  std::vector<std::string> parts;
  for (const auto& [cause, names] : by_cause) {
    parts.push_back(fmt::format("{} ({}): {}", above_roof_cause_name(cause), names.size(),
                                join(names, ", ")));
  }
  return out + join(parts, "; ") + ". For example, " + flagged.front()->above_roof->explanation;
}

std::string ceiling_list(std::span<const RoofCeiling> ceilings, const std::vector<std::size_t>& i) {
  std::vector<std::string> names;
  for (std::size_t k : i) {
    names.push_back(fmt::format("{} {} ({}, {} at {})", ceilings[k].chip_id, ceilings[k].level,
                                ceiling_source_name(ceilings[k].source),
                                format_si(ceilings[k].peak_flops, "FLOP/s"),
                                format_si(ceilings[k].bandwidth, "B/s")));
  }
  return join(names, "; ");
}

double share_of(const OpTypeShare& s, ShareMetric m) {
  switch (m) {
    case ShareMetric::time:
      return s.time_share;
    case ShareMetric::flops:
      return s.flops_share;
    case ShareMetric::bytes:
      return s.bytes_share;
    case ShareMetric::activation:
      return s.activation_share;
  }
  return 0;
}

// The op types to show on their own: the `max_types` with the largest
// share in any of `metrics` over all `tables`; the rest are "other".
std::vector<OpKind> top_op_types(const std::vector<const std::vector<OpTypeShare>*>& tables,
                                 const std::vector<ShareMetric>& metrics, std::size_t max_types) {
  std::map<OpKind, double> best;
  for (const auto* t : tables) {
    for (const OpTypeShare& s : *t) {
      for (ShareMetric m : metrics) best[s.op] = std::max(best[s.op], share_of(s, m));
    }
  }
  std::vector<std::pair<OpKind, double>> sorted(best.begin(), best.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<OpKind> out;
  for (const auto& [op, v] : sorted) {
    if (out.size() >= max_types) break;
    if (v > 0) out.push_back(op);
  }
  return out;
}

}  // namespace

std::string_view share_metric_name(ShareMetric m) {
  switch (m) {
    case ShareMetric::time:
      return "latency";
    case ShareMetric::flops:
      return "FLOPs";
    case ShareMetric::bytes:
      return "memory traffic";
    case ShareMetric::activation:
      return "activation memory";
  }
  return "?";
}

FigureBlock latency_vs_work_figure(std::span<const CorrelationRow> rows, DeviceSide side,
                                   WorkMetric metric, int batch, const std::string& device_name) {
  const bool flops = metric == WorkMetric::flops;
  std::vector<const CorrelationRow*> use;
  for (const CorrelationRow& r : rows) {
    const double t = side == DeviceSide::gpu ? r.gpu_latency_s : r.cpu_latency_s;
    const double w = flops ? r.flops : r.params;
    if (r.batch == batch && positive(t) && positive(w)) use.push_back(&r);
  }
  if (use.empty()) {
    fail("latency vs {}: no model has a {} latency at batch {}", flops ? "FLOPs" : "parameters",
         side_name(side), batch);
  }
  std::vector<double> xs, ys;
  for (const CorrelationRow* r : use) {
    xs.push_back((flops ? r->flops : r->params) / (flops ? 1e9 : 1e6));
    ys.push_back(1e3 * (side == DeviceSide::gpu ? r->gpu_latency_s : r->cpu_latency_s));
  }
  Chart c;
  c.kind = ChartKind::scatter;
  c.title = fmt::format("Inference latency vs {} on {} ({}), batch {}",
                        flops ? "FLOPs" : "parameters", side_name(side), device_name, batch);
  c.x_label = flops ? fmt::format("Forward FLOPs at batch {} [GFLOP]", batch)
                    : std::string("Parameters [millions]");
  c.y_label = "Latency, median [ms]";
  c.x_scale = scale_for(xs, c.x_label);
  c.y_scale = scale_for(ys, c.y_label);
  fit_log_axes(c, xs, ys);
  for (std::size_t i = 0; i < use.size(); ++i) {
    c.series.push_back(point_series(
        use[i]->model, {xs[i]}, {ys[i]},
        {fmt::format("{}: {} {}, {} ms", use[i]->model, fmt::format("{:.3g}", xs[i]),
                     flops ? "GFLOP" : "M params", fmt::format("{:.3g}", ys[i]))}));
  }
  const std::string id = fmt::format("latency-vs-{}-{}-b{}", flops ? "flops" : "params",
                                     slug(side_name(side)), batch);
  std::string caption = fmt::format(
      "Median inference latency of {} model{} on {} at batch {} against {} (one marker per "
      "model, named in the legend). {}",
      use.size(), use.size() == 1 ? "" : "s", device_name, batch,
      flops ? "their forward FLOPs (2 x MACs for matrix ops)" : "their parameter count",
      c.x_scale == AxisScale::log || c.y_scale == AxisScale::log
          ? "An axis is logarithmic only where its values span more than 1.5 decades, as its "
            "label says."
          : "Both axes are linear from 0.");
  return chart_block(id, std::move(caption), std::move(c));
}

FigureBlock throughput_figure(std::span<const ThroughputSeries> series, const std::string& device,
                              RunMode mode) {
  std::vector<const ThroughputSeries*> use;
  for (const ThroughputSeries& s : series) {
    if (s.device == device && s.mode == mode && !s.batch.empty()) use.push_back(&s);
  }
  if (use.empty()) {
    fail("throughput vs batch: no {} results on '{}'", run_mode_name(mode), device);
  }
  std::vector<double> batches, tps;
  for (const ThroughputSeries* s : use) {
    for (std::size_t i = 0; i < s->batch.size(); ++i) {
      batches.push_back(s->batch[i]);
      tps.push_back(s->throughput[i]);
    }
  }
  Chart c;
  c.kind = ChartKind::scatter;
  c.title = fmt::format("{} throughput vs batch size on {}",
                        mode == RunMode::train ? "Training" : "Inference", device);
  c.x_label = "Batch size";
  c.y_label = mode == RunMode::train ? "Throughput [samples/s] (training steps x batch)"
                                     : "Throughput [samples/s]";
  // Batch sizes are usually powers of two: a log axis spaces them evenly.
  const double bd = decades(batches);
  if (bd > 1.0) {
    c.x_scale = AxisScale::log;
    c.x_label += " (log scale: batch sizes grow geometrically)";
  }
  c.y_scale = scale_for(tps, c.y_label);
  fit_log_axes(c, batches, tps);
  // Tick marks at the batch sizes measured.
  std::set<double> distinct(batches.begin(), batches.end());
  c.x_tics.assign(distinct.begin(), distinct.end());
  for (const ThroughputSeries* s : use) {
    std::vector<double> x(s->batch.begin(), s->batch.end());
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < s->batch.size(); ++i) {
      labels.push_back(fmt::format("{} batch {}: {:.4g} samples/s ({}){}", s->model, s->batch[i],
                                   s->throughput[i], ms(s->latency_s[i]),
                                   s->converged[i] ? "" : ", not converged"));
    }
    ChartSeries se = point_series(s->model, std::move(x), s->throughput, std::move(labels));
    se.lines = true;
    c.series.push_back(std::move(se));
  }
  std::string caption = fmt::format(
      "Throughput (batch / median latency) of {} model{} on {} at each batch size measured, one "
      "line per model. A line that flattens shows the batch size past which the device is "
      "saturated.",
      use.size(), use.size() == 1 ? "" : "s", device);
  return chart_block(fmt::format("throughput-{}-{}", slug(device), run_mode_name(mode)),
                     std::move(caption), std::move(c));
}

FigureBlock correlation_figure(const CorrelationMatrix& m) {
  if (m.variables.empty() || m.rho.size() != m.variables.size()) {
    fail("correlation figure at batch {}: the matrix has {} variables and {} rows", m.batch,
         m.variables.size(), m.rho.size());
  }
  Chart c;
  c.kind = ChartKind::heatmap;
  c.title = fmt::format("Spearman rank correlation at batch {} (n = {} models)", m.batch,
                        m.models.size());
  c.categories = m.variables;
  c.row_categories = m.variables;
  c.cells = m.rho;
  c.cell_min = -1;
  c.cell_max = 1;
  c.value_decimals = 2;
  c.width_px = 800;
  c.height_px = 640;
  std::string caption = fmt::format(
      "Spearman's rho (Pearson correlation of ranks; tied values share their average rank) "
      "between latency and the static measures at batch {}, over the {} models that have all of "
      "them: {}. +1 (red): the same order; -1 (blue): the reverse; 0 (white): no monotonic "
      "relation. With n = {}, |rho| needs to exceed about {:.2f} to differ from 0 at the 5% "
      "level.",
      m.batch, m.models.size(), join(m.models, ", "), m.models.size(),
      1.96 / std::sqrt(std::max<double>(1.0, static_cast<double>(m.models.size()) - 1)));
  if (!m.left_out.empty()) {
    caption += fmt::format(" Left out (a variable missing): {}.", join(m.left_out, ", "));
  }
  return chart_block(fmt::format("spearman-b{}", m.batch), std::move(caption), std::move(c));
}

std::vector<std::size_t> drawn_ceilings(std::span<const RoofCeiling> ceilings) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < ceilings.size(); ++i) {
    if (ceilings[i].is_main) {
      out.push_back(i);
      continue;
    }
    // The last cache level of its chip and source: the next level is main
    // memory, or there is none.
    bool last_cache = true;
    for (std::size_t j = i + 1; j < ceilings.size(); ++j) {
      if (ceilings[j].chip_id == ceilings[i].chip_id && ceilings[j].source == ceilings[i].source &&
          !ceilings[j].is_main) {
        last_cache = false;
      }
    }
    if (last_cache) out.push_back(i);
  }
  return out;
}

FigureBlock measured_roofline_figure(std::span<const Placement> placements,
                                     std::span<const RoofCeiling> ceilings,
                                     const std::string& device_id,
                                     const std::string& device_name) {
  if (placements.empty()) fail("measured roofline of '{}': no measured point", device_id);
  std::set<int> batches;
  for (const Placement& p : placements) batches.insert(p.batch);
  const std::vector<std::size_t> drawn = drawn_ceilings(ceilings);
  FigureBlock f;
  f.id = "roofline-measured-" + slug(device_id);
  f.title = fmt::format("Measured performance on the roofline of {}", device_name);
  std::vector<const Placement*> all;
  for (int b : batches) {
    std::vector<const Placement*> pts;
    for (const Placement& p : placements) {
      if (p.batch == b) pts.push_back(&p);
    }
    all.insert(all.end(), pts.begin(), pts.end());
    f.panels.push_back(placement_panel(
        fmt::format("{}, batch {}", device_name, b), pts, ceilings, drawn,
        [](const Placement& p) { return p.model.empty() ? p.label : p.model; }));
  }
  f.caption = fmt::format(
      "Each model at its operational intensity (cost-model FLOPs / bytes, no reuse between "
      "layers) and achieved performance (FLOPs / median time), one panel per batch size, one "
      "marker per model. The lines are the rooflines of {} (slanted: bandwidth x intensity, flat: "
      "peak; dashed: other memory levels or measured ceilings): {}. A point's distance below the "
      "lowest roof is the performance left unused.",
      device_name, ceiling_list(ceilings, drawn));
  f.caption += flagged_caption(all);
  return f;
}

FigureBlock layer_roofline_figure(const std::string& model, int batch,
                                  std::span<const Placement> layers,
                                  std::span<const RoofCeiling> ceilings,
                                  const std::string& device_id, const std::string& device_name) {
  if (layers.empty()) {
    fail("per-layer roofline of '{}' on '{}': no layer was placed", model, device_id);
  }
  std::vector<const Placement*> pts;
  for (const Placement& p : layers) pts.push_back(&p);
  const std::vector<std::size_t> drawn = drawn_ceilings(ceilings);
  FigureBlock f;
  f.id = fmt::format("roofline-layers-{}-{}-b{}", slug(model), slug(device_id), batch);
  f.title = fmt::format("{} layers on the roofline of {}, batch {}", model, device_name, batch);
  f.panels.push_back(placement_panel(f.title, pts, ceilings, drawn, [](const Placement& p) {
    return std::string(op_name(p.op));
  }));
  f.caption = fmt::format(
      "Every timed layer of {} with FLOPs (views excluded) at its own intensity and achieved "
      "performance (layer FLOPs / its median time, each layer run alone), one marker per op type. "
      "Ceilings: {}.",
      model, ceiling_list(ceilings, drawn));
  f.caption += flagged_caption(pts);
  return f;
}

FigureBlock forward_backward_time_figure(std::span<const ForwardBackward> ratios,
                                         const std::string& device) {
  if (ratios.empty()) fail("forward vs backward time on '{}': no training result", device);
  Chart c;
  c.kind = ChartKind::bars;
  c.title = fmt::format("Forward and backward time per model on {}", device);
  c.x_label = "Model (batch)";
  c.y_label = "Time, median [ms]";
  std::vector<double> fwd, bwd, all;
  for (const ForwardBackward& r : ratios) {
    c.categories.push_back(fmt::format("{} (b{})", r.model, r.batch));
    fwd.push_back(1e3 * r.forward_s);
    bwd.push_back(1e3 * r.backward_s);
    all.push_back(1e3 * r.forward_s);
    all.push_back(1e3 * r.backward_s);
  }
  c.y_scale = scale_for(all, c.y_label);
  c.series.push_back(bar_series("forward", fwd));
  c.series.push_back(bar_series("backward", bwd));
  c.label_values = true;
  c.value_decimals = 1;
  std::string caption = fmt::format(
      "Median time of the forward and the backward pass of one training step on {}, timed apart "
      "(synchronised between), per model; values in ms above the bars.",
      device);
  return chart_block("fwd-bwd-time-" + slug(device), std::move(caption), std::move(c));
}

FigureBlock forward_backward_ratio_figure(std::span<const ForwardBackward> ratios,
                                          const std::string& device) {
  if (ratios.empty()) fail("forward:backward ratios on '{}': no training result", device);
  Chart c;
  c.kind = ChartKind::bars;
  c.title = fmt::format("Backward : forward ratios per model on {}", device);
  c.x_label = "Model (batch)";
  c.y_label = "Backward / forward [ratio]";
  std::vector<double> fl, tm;
  std::vector<std::string> notes;
  for (const ForwardBackward& r : ratios) {
    c.categories.push_back(fmt::format("{} (b{})", r.model, r.batch));
    fl.push_back(r.flops_ratio);
    tm.push_back(r.time_ratio);
    if (!r.note.empty()) notes.push_back(fmt::format("{}: {}", r.model, r.note));
  }
  c.series.push_back(bar_series("FLOPs ratio (cost model)", fl));
  c.series.push_back(bar_series("time ratio (measured)", tm));
  c.label_values = true;
  c.value_decimals = 2;
  c.reference_lines.push_back({2.0, "2: grad-input + grad-weight, each ~ the forward FLOPs"});
  std::string caption = fmt::format(
      "Backward over forward, in FLOPs (cost model: grad-input and grad-weight each cost about "
      "the forward FLOPs of a conv or linear layer, grad-input skipped for the first layer, so a "
      "little under 2) and in measured time on {}. A time ratio above the FLOPs ratio means the "
      "backward kernels run less efficiently than the forward ones.",
      device);
  if (!notes.empty()) caption += " Flagged: " + join(notes, "; ") + ".";
  return chart_block("fwd-bwd-ratio-" + slug(device), std::move(caption), std::move(c));
}

FigureBlock op_share_figure(const std::string& model, Pass pass,
                            std::span<const OpTypeShare> shares, std::size_t max_types) {
  if (shares.empty()) fail("op-type shares of '{}': no op type", model);
  const bool timed = std::any_of(shares.begin(), shares.end(),
                                 [](const OpTypeShare& s) { return s.time_share > 0; });
  std::vector<ShareMetric> metrics;
  if (timed) metrics.push_back(ShareMetric::time);
  metrics.push_back(ShareMetric::flops);
  metrics.push_back(ShareMetric::bytes);
  metrics.push_back(ShareMetric::activation);
  const std::vector<OpTypeShare> table(shares.begin(), shares.end());
  const std::vector<OpKind> top = top_op_types({&table}, metrics, max_types);
  Chart c;
  c.kind = ChartKind::stacked_bars;
  c.title = fmt::format("{}: {} shares by op type", model, pass_text(pass));
  c.x_label = "Measure";
  c.y_label = "Share of the model total [%]";
  for (ShareMetric m : metrics) c.categories.emplace_back(share_metric_name(m));
  for (OpKind op : top) {
    std::vector<double> v;
    for (ShareMetric m : metrics) {
      double x = 0;
      for (const OpTypeShare& s : shares) {
        if (s.op == op) x = 100 * share_of(s, m);
      }
      v.push_back(x);
    }
    c.series.push_back(bar_series(std::string(op_name(op)), std::move(v)));
  }
  std::vector<double> other(metrics.size(), 0.0);
  bool any_other = false;
  for (const OpTypeShare& s : shares) {
    if (std::find(top.begin(), top.end(), s.op) != top.end()) continue;
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      other[i] += 100 * share_of(s, metrics[i]);
      any_other = any_other || share_of(s, metrics[i]) > 0;
    }
  }
  if (any_other) c.series.push_back(bar_series("other", std::move(other)));
  c.width_px = 900;
  std::string caption = fmt::format(
      "Where {}'s {} pass goes, by op type: {}FLOPs, memory traffic (bytes read and written) "
      "and activation memory{}, each bar 100%.{}",
      model, pass_text(pass), timed ? "latency (sum of per-layer medians, each layer run alone), " : "",
      pass == Pass::backward ? " (bytes saved for backward)" : " (bytes of node outputs)",
      timed ? "" : " No per-layer times were measured, so there is no latency bar.");
  return chart_block(fmt::format("op-shares-{}-{}", slug(model), pass_text(pass)),
                     std::move(caption), std::move(c));
}

FigureBlock op_share_pies_figure(const std::string& model, Pass pass,
                                 std::span<const OpTypeShare> shares, std::size_t max_types) {
  if (shares.empty()) fail("op-type pies of '{}': no op type", model);
  const bool timed = std::any_of(shares.begin(), shares.end(),
                                 [](const OpTypeShare& s) { return s.time_share > 0; });
  std::vector<ShareMetric> metrics;
  if (timed) metrics.push_back(ShareMetric::time);
  metrics.push_back(ShareMetric::flops);
  metrics.push_back(ShareMetric::bytes);
  metrics.push_back(ShareMetric::activation);
  const std::vector<OpTypeShare> table(shares.begin(), shares.end());
  const std::vector<OpKind> top = top_op_types({&table}, metrics, max_types);
  Chart c;
  c.kind = ChartKind::pie;
  c.title = fmt::format("{}: {} pass by op type", model, pass_text(pass));
  for (OpKind op : top) c.categories.emplace_back(op_name(op));
  c.categories.emplace_back("other");
  for (ShareMetric m : metrics) {
    std::vector<double> v(c.categories.size(), 0.0);
    for (const OpTypeShare& s : shares) {
      const auto it = std::find(top.begin(), top.end(), s.op);
      v[static_cast<std::size_t>(it - top.begin())] += 100 * share_of(s, m);
    }
    c.series.push_back(bar_series(std::string(share_metric_name(m)), std::move(v)));
  }
  // "other" stays in the legend only when some pie has it.
  bool other = false;
  for (const ChartSeries& se : c.series) other = other || se.values.back() > 0;
  if (!other) {
    c.categories.pop_back();
    for (ChartSeries& se : c.series) se.values.pop_back();
  }
  c.width_px = 300 * static_cast<int>(metrics.size()) + 260;
  c.height_px = 420;
  std::string caption = fmt::format(
      "{}'s {} pass by op type, one pie per measure: {}FLOPs, memory traffic and activation "
      "memory; shares of 4% or more printed in the slice.{}",
      model, pass_text(pass), timed ? "latency (per-layer medians), " : "",
      timed ? "" : " No per-layer times were measured, so there is no latency pie.");
  return chart_block(fmt::format("op-pies-{}-{}", slug(model), pass_text(pass)),
                     std::move(caption), std::move(c));
}

FigureBlock op_share_by_model_figure(const std::map<std::string, std::vector<OpTypeShare>>& shares,
                                     ShareMetric metric, Pass pass, std::size_t max_types) {
  if (shares.empty()) fail("op-type shares of {}: no model", share_metric_name(metric));
  std::vector<const std::vector<OpTypeShare>*> tables;
  for (const auto& [model, t] : shares) tables.push_back(&t);
  const std::vector<OpKind> top = top_op_types(tables, {metric}, max_types);
  if (top.empty()) {
    fail("op-type shares of {}: no model has any (were per-layer times measured?)",
         share_metric_name(metric));
  }
  Chart c;
  c.kind = ChartKind::stacked_bars;
  c.title = fmt::format("Share of {} {} by op type", pass_text(pass), share_metric_name(metric));
  c.x_label = "Model";
  c.y_label = fmt::format("Share of the model's {} [%]", share_metric_name(metric));
  for (const auto& [model, t] : shares) c.categories.push_back(model);
  std::vector<double> other;
  bool any_other = false;
  for (OpKind op : top) {
    std::vector<double> v;
    for (const auto& [model, t] : shares) {
      double x = 0;
      for (const OpTypeShare& s : t) {
        if (s.op == op) x = 100 * share_of(s, metric);
      }
      v.push_back(x);
    }
    c.series.push_back(bar_series(std::string(op_name(op)), std::move(v)));
  }
  for (const auto& [model, t] : shares) {
    double x = 0;
    for (const OpTypeShare& s : t) {
      if (std::find(top.begin(), top.end(), s.op) == top.end()) x += 100 * share_of(s, metric);
    }
    any_other = any_other || x > 0;
    other.push_back(x);
  }
  if (any_other) c.series.push_back(bar_series("other", std::move(other)));
  std::string caption = fmt::format(
      "For each model, the share of its {} {} taken by each op type (the {} largest named, the "
      "rest as 'other'); every bar is 100%.",
      pass_text(pass), share_metric_name(metric), top.size());
  return chart_block(
      fmt::format("op-shares-{}-{}", slug(share_metric_name(metric)), pass_text(pass)),
      std::move(caption), std::move(c));
}

FigureBlock prediction_figure(std::span<const Prediction> predictions, const std::string& id_suffix,
                              const std::string& title) {
  std::vector<std::string> ceilings;
  std::vector<double> all;
  for (const Prediction& p : predictions) {
    if (!positive(p.measured_s) || !positive(p.predicted_s)) continue;
    if (std::find(ceilings.begin(), ceilings.end(), p.ceiling) == ceilings.end()) {
      ceilings.push_back(p.ceiling);
    }
    all.push_back(1e3 * p.measured_s);
    all.push_back(1e3 * p.predicted_s);
  }
  if (ceilings.empty()) fail("predicted vs measured '{}': no prediction with a measured time", title);
  Chart c;
  c.kind = ChartKind::scatter;
  c.title = title;
  c.x_label = "Measured time, median [ms]";
  c.y_label = "Predicted lower bound [ms]";
  const double d = decades(all);
  if (d > kLogSpanDecades) {
    c.x_scale = c.y_scale = AxisScale::log;
    c.x_label += fmt::format(" (log scale: {:.1f} decades)", d);
    c.y_label += " (log scale)";
  }
  c.diagonal = true;
  equal_ranges(c, all);
  c.height_px = 700;
  std::vector<double> errors;
  for (const std::string& ce : ceilings) {
    std::vector<double> x, y;
    std::vector<std::string> labels;
    for (const Prediction& p : predictions) {
      if (p.ceiling != ce || !positive(p.measured_s) || !positive(p.predicted_s)) continue;
      x.push_back(1e3 * p.measured_s);
      y.push_back(1e3 * p.predicted_s);
      errors.push_back(p.error);
      labels.push_back(fmt::format("{} b{}: predicted {}, measured {} ({:+.0f}%)", p.model,
                                   p.batch, ms(p.predicted_s), ms(p.measured_s), 100 * p.error));
    }
    c.series.push_back(point_series(ce, std::move(x), std::move(y), std::move(labels)));
  }
  std::sort(errors.begin(), errors.end());
  const double median_error = errors[errors.size() / 2];
  std::string caption = fmt::format(
      "Each point is one model and batch: measured median time (x) against the roofline lower "
      "bound (y), the sum over layers of max(FLOPs / peak, bytes / bandwidth), one series per "
      "ceiling. On the dashed line the prediction is exact; below it the model runs slower than "
      "the bound. Median relative error (predicted - measured) / measured: {:+.0f}%.",
      100 * median_error);
  std::vector<std::string> faster;
  for (const Prediction& p : predictions) {
    if (p.faster_than_bound) {
      faster.push_back(fmt::format("{} b{} against {} ({:+.0f}%)", p.model, p.batch, p.ceiling,
                                   100 * p.error));
    }
  }
  if (!faster.empty()) {
    caption += fmt::format(
        " Above the line, faster than its lower bound, so that ceiling does not hold for it "
        "(data reused from cache, or a wrong peak or time; see its flag on the roofline): {}.",
        join(faster, "; "));
  }
  return chart_block("predicted-vs-measured-" + slug(id_suffix), std::move(caption), std::move(c));
}

FigureBlock layer_prediction_figure(const Prediction& prediction) {
  std::vector<OpKind> ops;
  std::vector<double> all;
  for (const LayerPrediction& l : prediction.layers) {
    if (!positive(l.measured_s) || !positive(l.predicted_s)) continue;
    if (std::find(ops.begin(), ops.end(), l.op) == ops.end()) ops.push_back(l.op);
    all.push_back(1e3 * l.measured_s);
    all.push_back(1e3 * l.predicted_s);
  }
  if (ops.empty()) {
    fail("per-layer prediction of '{}': no layer has both a measured time and work",
         prediction.model);
  }
  Chart c;
  c.kind = ChartKind::scatter;
  c.title = fmt::format("{} layers, batch {}: predicted vs measured ({})", prediction.model,
                        prediction.batch, prediction.ceiling);
  c.x_label = "Measured layer time, median [ms]";
  c.y_label = "Predicted lower bound [ms]";
  const double d = decades(all);
  if (d > kLogSpanDecades) {
    c.x_scale = c.y_scale = AxisScale::log;
    c.x_label += fmt::format(" (log scale: {:.1f} decades)", d);
    c.y_label += " (log scale)";
  }
  c.diagonal = true;
  equal_ranges(c, all);
  c.height_px = 700;
  for (OpKind op : ops) {
    std::vector<double> x, y;
    std::vector<std::string> labels;
    for (const LayerPrediction& l : prediction.layers) {
      if (l.op != op || !positive(l.measured_s) || !positive(l.predicted_s)) continue;
      x.push_back(1e3 * l.measured_s);
      y.push_back(1e3 * l.predicted_s);
      labels.push_back(fmt::format("{}: predicted {}, measured {}", l.name, ms(l.predicted_s),
                                   ms(l.measured_s)));
    }
    c.series.push_back(point_series(std::string(op_name(op)), std::move(x), std::move(y),
                                    std::move(labels)));
  }
  std::string caption = fmt::format(
      "Every timed layer of {} at batch {}: measured median time against its roofline lower bound "
      "on {} (max(FLOPs / peak, bytes / bandwidth)), one marker per op type. Layers far below "
      "the dashed line are where the model loses time to overheads the roofline does not see "
      "(launches, layout changes, small tensors).",
      prediction.model, prediction.batch, prediction.ceiling);
  std::size_t faster = 0;
  std::map<std::string, std::size_t> faster_ops;
  for (const LayerPrediction& l : prediction.layers) {
    if (!l.faster_than_bound) continue;
    ++faster;
    ++faster_ops[std::string(op_name(l.op))];
  }
  if (faster > 0) {
    std::vector<std::string> parts;
    for (const auto& [op, n] : faster_ops) parts.push_back(fmt::format("{} {}", n, op));
    caption += fmt::format(
        " {} layer{} ({}) ran faster than the bound, above the line: their data did not come "
        "from the memory level of this ceiling (a cache held them), so its bandwidth is not "
        "theirs.",
        faster, faster == 1 ? "" : "s", join(parts, ", "));
  }
  return chart_block(fmt::format("predicted-layers-{}-b{}", slug(prediction.model),
                                 prediction.batch),
                     std::move(caption), std::move(c));
}

}  // namespace dnnroof
