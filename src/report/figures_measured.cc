#include "report/figures_measured.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "graph/ops.h"
#include "report/chart.h"
#include "report/figures_common.h"
#include "report/roofline.h"

namespace dnnroof {
namespace {

using figures_detail::chart_block;
using figures_detail::decades;
using figures_detail::fit_axes;
using figures_detail::ms;
using figures_detail::positive;
using figures_detail::scale_for;
using figures_detail::slug;

std::string_view side_name(DeviceSide s) { return s == DeviceSide::gpu ? "GPU" : "CPU"; }

// Roofline ceilings of analysis as figure ceilings.
Ceiling figure_ceiling(const RoofCeiling& c) {
  // Short, so the legend fits two columns; gnuplot.cc appends "[measured]".
  // The precision is in the figure's title.
  return {c, fmt::format("{} {}", c.chip_id, c.level), fmt::format("{} {}", c.chip_id, c.level)};
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
  figure_ceilings.reserve(drawn.size());
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
    in.ceiling =
        static_cast<std::size_t>(std::find(drawn.begin(), drawn.end(), p->binding) - drawn.begin());
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
  std::string out =
      fmt::format(" {} point{} above the lowest roof, drawn as red crosses: ", flagged.size(),
                  flagged.size() == 1 ? " lies" : "s lie");
  if (flagged.size() <= kMaxExplainedPoints) {
    std::vector<std::string> lines;
    lines.reserve(flagged.size());
    for (const Placement* p : flagged) {
      lines.push_back(
          fmt::format("{} ({}): {}", p->label, causes_of(*p), p->above_roof->explanation));
    }
    return out + join(lines, " ");
  }
  std::map<AboveRoofCause, std::vector<std::string>> by_cause;
  for (const Placement* p : flagged) {
    for (AboveRoofCause c : p->above_roof->causes) by_cause[c].push_back(p->label);
  }
  std::vector<std::string> parts;
  parts.reserve(by_cause.size());
  for (const auto& [cause, names] : by_cause) {
    parts.push_back(
        fmt::format("{} ({}): {}", above_roof_cause_name(cause), names.size(), join(names, ", ")));
  }
  return out + join(parts, "; ") + ". For example, " + flagged.front()->above_roof->explanation;
}

// " (fp32)": the ceilings' precision, or their precisions.
std::string precision_suffix(std::span<const RoofCeiling> ceilings) {
  std::vector<std::string> names;
  for (const RoofCeiling& c : ceilings) {
    const std::string n(dtype_name(c.precision));
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return names.empty() ? std::string() : " (" + join(names, ", ") + ")";
}

std::string ceiling_list(std::span<const RoofCeiling> ceilings, const std::vector<std::size_t>& i) {
  std::vector<std::string> names;
  names.reserve(i.size());
  for (std::size_t k : i) {
    names.push_back(fmt::format("{} ({} at {})", ceilings[k].label(),
                                format_si(ceilings[k].peak_flops, "FLOP/s"),
                                format_si(ceilings[k].bandwidth, "B/s")));
  }
  return join(names, "; ");
}

// One panel of a placement figure: its title and its points.
struct PlacementPanel {
  std::string title;
  std::vector<const Placement*> points;
};

// A figure of placed points: one panel per entry of `panels` under the
// ceilings drawn_ceilings keeps (placement_panel), one marker per
// `group_of`, coloured by `key`. Its caption: `caption_of` given the drawn
// ceilings' list (ceiling_list), then what flagged_caption says of all the
// points.
FigureBlock placement_figure(std::string id, std::string title,
                             std::span<const RoofCeiling> ceilings,
                             const std::vector<PlacementPanel>& panels,
                             const std::function<std::string(const Placement&)>& group_of,
                             StyleKey key,
                             const std::function<std::string(const std::string&)>& caption_of) {
  const std::vector<std::size_t> drawn = drawn_ceilings(ceilings);
  FigureBlock f;
  f.id = std::move(id);
  f.title = std::move(title);
  std::vector<const Placement*> all;
  for (const PlacementPanel& p : panels) {
    all.insert(all.end(), p.points.begin(), p.points.end());
    f.panels.push_back(placement_panel(p.title, p.points, ceilings, drawn, group_of));
    f.panels.back().group_key = key;
  }
  f.caption = caption_of(ceiling_list(ceilings, drawn)) + flagged_caption(all);
  return f;
}

// The widest span [decades] of the work (x) and the latencies (y) at any one
// batch size, over the models that have a latency on `side`.
struct WorkSpans {
  double x_decades = 0;
  double y_decades = 0;
  std::int64_t x_batch = 0;  // the batch sizes where the widest spans are
  std::int64_t y_batch = 0;
};

WorkSpans work_spans(std::span<const CorrelationRow> rows, DeviceSide side, WorkMetric metric) {
  std::map<std::int64_t, std::pair<std::vector<double>, std::vector<double>>> by_batch;
  for (const CorrelationRow& r : rows) {
    const double t = side == DeviceSide::gpu ? r.gpu_latency_s : r.cpu_latency_s;
    const double w = metric == WorkMetric::flops ? r.flops : r.params;
    if (!positive(t) || !positive(w)) continue;
    by_batch[r.batch].first.push_back(w);
    by_batch[r.batch].second.push_back(t);
  }
  WorkSpans out;
  for (const auto& [batch, v] : by_batch) {
    if (const double d = decades(v.first); d > out.x_decades) {
      out.x_decades = d;
      out.x_batch = batch;
    }
    if (const double d = decades(v.second); d > out.y_decades) {
      out.y_decades = d;
      out.y_batch = batch;
    }
  }
  return out;
}

// The caption's sentence on the axes: which are logarithmic, and why, the
// same at every batch size.
std::string scale_reason(const WorkSpans& s, bool log_x, bool log_y, WorkMetric metric) {
  const char* work = metric == WorkMetric::flops ? "FLOP counts" : "parameter counts";
  auto why = [work](const char* what, double d, std::int64_t batch, bool log) {
    return log ? fmt::format(
                     "the {} axis is logarithmic at every batch size because at batch {} the "
                     "{} span {:.1f} decades (more than {}), so on a linear axis the small "
                     "models would sit on top of each other at 0",
                     what, batch, std::string_view(what) == "x" ? work : "latencies", d,
                     kLogSpanDecades)
               : fmt::format(
                     "the {} axis is linear from 0 at every batch size because no "
                     "batch size spans more than {} decades ({:.1f} at most), so "
                     "a point's distance from the axis is proportional to its value",
                     what, kLogSpanDecades, d);
  };
  std::string y = why("y", s.y_decades, s.y_batch, log_y);
  y[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(y[0])));
  return fmt::format("{}; {}.", y, why("x", s.x_decades, s.x_batch, log_x));
}

}  // namespace

FigureBlock latency_vs_work_figure(std::span<const CorrelationRow> rows, DeviceSide side,
                                   WorkMetric metric, std::int64_t batch,
                                   const std::string& device_name) {
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
    ys.push_back(side == DeviceSide::gpu ? r->gpu_latency_s : r->cpu_latency_s);
  }
  // Milliseconds, or seconds when the slowest takes 10 s or more.
  const bool seconds = *std::max_element(ys.begin(), ys.end()) >= 10;
  for (double& y : ys) y *= seconds ? 1 : 1e3;
  Chart c;
  c.kind = ChartKind::scatter;
  const bool same = to_lower(device_name) == to_lower(side_name(side));
  c.title = fmt::format("Inference latency vs {} on {}{}, batch {}", flops ? "FLOPs" : "parameters",
                        side_name(side), same ? std::string() : " (" + device_name + ")", batch);
  c.x_label = flops ? fmt::format("Forward FLOPs at batch {} [GFLOP]", batch)
                    : std::string("Parameters [millions]");
  c.y_label = seconds ? "Latency, median [s]" : "Latency, median [ms]";
  c.legend_key = StyleKey::model;
  // One scale choice for every batch size, so the figures of one device
  // compare: log on an axis when at any batch size its values span more
  // than kLogSpanDecades decades.
  const WorkSpans spans = work_spans(rows, side, metric);
  const bool log_x = spans.x_decades > kLogSpanDecades;
  const bool log_y = spans.y_decades > kLogSpanDecades;
  c.x_scale = log_x ? AxisScale::log : AxisScale::linear;
  c.y_scale = log_y ? AxisScale::log : AxisScale::linear;
  if (log_x) c.x_label += " (log scale)";
  if (log_y) c.y_label += " (log scale)";
  fit_axes(c, xs, ys);
  for (std::size_t i = 0; i < use.size(); ++i) {
    c.series.push_back(
        point_series(use[i]->model, {xs[i]}, {ys[i]},
                     {fmt::format("{}: {} {}, {} {}", use[i]->model, fmt::format("{:.3g}", xs[i]),
                                  flops ? "GFLOP" : "M params", fmt::format("{:.3g}", ys[i]),
                                  seconds ? "s" : "ms")}));
  }
  const std::string id =
      fmt::format("latency-vs-{}-{}-b{}", flops ? "flops" : "params", slug(side_name(side)), batch);
  std::string caption = fmt::format(
      "Median inference latency of {} model{} on {} at batch {} against {} (one marker per "
      "model, named in the legend). {}",
      use.size(), use.size() == 1 ? "" : "s", device_name, batch,
      flops ? "their forward FLOPs (2 x MACs for matrix ops)" : "their parameter count",
      scale_reason(spans, log_x, log_y, metric));
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
  c.legend_key = StyleKey::model;
  c.y_label = mode == RunMode::train ? "Throughput [samples/s] (training steps x batch)"
                                     : "Throughput [samples/s]";
  // Batch sizes are usually powers of two: a log axis spaces them evenly.
  const double bd = decades(batches);
  if (bd > 1.0) {
    c.x_scale = AxisScale::log;
    c.x_label += " (log scale: batch sizes grow geometrically)";
  }
  c.y_scale = scale_for(tps, c.y_label);
  fit_axes(c, batches, tps);
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
                                     const std::string& device_id, const std::string& device_name) {
  if (placements.empty()) fail("measured roofline of '{}': no measured point", device_id);
  std::set<std::int64_t> batches;
  for (const Placement& p : placements) batches.insert(p.batch);
  std::vector<PlacementPanel> panels;
  for (std::int64_t b : batches) {
    PlacementPanel& panel = panels.emplace_back();
    panel.title = fmt::format("{}, batch {}", device_name, b);
    for (const Placement& p : placements) {
      if (p.batch == b) panel.points.push_back(&p);
    }
  }
  return placement_figure(
      "roofline-measured-" + slug(device_id),
      fmt::format("Measured performance on the roofline of {}{}", device_name,
                  precision_suffix(ceilings)),
      ceilings, panels, [](const Placement& p) { return p.model.empty() ? p.label : p.model; },
      StyleKey::model,
      [&](const std::string& drawn) {
        return fmt::format(
            "Each model at its operational intensity (cost-model FLOPs / bytes, no reuse between "
            "layers) and achieved performance (FLOPs / median time), one panel per batch size, "
            "one marker per model. The lines are the rooflines of {} (slanted: bandwidth x "
            "intensity, flat: peak; dashed: other memory levels or measured ceilings): {}. A "
            "point's distance below the lowest roof is the performance left unused.",
            device_name, drawn);
      });
}

FigureBlock layer_roofline_figure(const std::string& model, std::int64_t batch,
                                  std::span<const Placement> layers,
                                  std::span<const RoofCeiling> ceilings,
                                  const std::string& device_id, const std::string& device_name) {
  if (layers.empty()) {
    fail("per-layer roofline of '{}' on '{}': no layer was placed", model, device_id);
  }
  PlacementPanel panel;
  panel.title = fmt::format("{} layers on the roofline of {}{}, batch {}", model, device_name,
                            precision_suffix(ceilings), batch);
  for (const Placement& p : layers) panel.points.push_back(&p);
  return placement_figure(
      fmt::format("roofline-layers-{}-{}-b{}", slug(model), slug(device_id), batch), panel.title,
      ceilings, {panel}, [](const Placement& p) { return std::string(op_name(p.op)); },
      StyleKey::op,
      [&](const std::string& drawn) {
        return fmt::format(
            "Every timed layer of {} with FLOPs (views excluded) at its own intensity and "
            "achieved performance (layer FLOPs / its median time, each layer run alone), one "
            "marker per op type. Ceilings: {}.",
            model, drawn);
      });
}

}  // namespace dnnroof
