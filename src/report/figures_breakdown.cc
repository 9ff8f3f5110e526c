// The figures of section 5 (training: forward vs backward, op-type shares)
// and section 6 (predicted vs measured); declared in figures_measured.h.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "graph/ops.h"
#include "report/chart.h"
#include "report/figures_common.h"
#include "report/figures_measured.h"

namespace dnnroof {
namespace {

using figures_detail::chart_block;
using figures_detail::decades;
using figures_detail::equal_ranges;
using figures_detail::ms;
using figures_detail::positive;
using figures_detail::slug;

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

// top_op_types over every model of `shares` by `metric`, for a figure that
// compares the models; `what` ("op-type shares") names the figure in the
// Error thrown when there is no model, or none has a share.
std::vector<OpKind> top_op_types_of_models(
    const std::map<std::string, std::vector<OpTypeShare>>& shares, ShareMetric metric,
    std::size_t max_types, std::string_view what) {
  if (shares.empty()) fail("{} of {}: no model", what, share_metric_name(metric));
  std::vector<const std::vector<OpTypeShare>*> tables;
  tables.reserve(shares.size());
  for (const auto& [model, t] : shares) tables.push_back(&t);
  std::vector<OpKind> top = top_op_types(tables, {metric}, max_types);
  if (top.empty()) {
    fail("{} of {}: no model has any (were per-layer times measured?)", what,
         share_metric_name(metric));
  }
  return top;
}

// Removes every pie (series) of `c` with fewer than two slices above 0 and
// returns, for each, "<pie>: 100% <slice>".
std::vector<std::string> drop_one_slice_pies(Chart& c) {
  std::vector<std::string> dropped;
  std::vector<ChartSeries> kept;
  for (ChartSeries& se : c.series) {
    std::vector<std::size_t> slices;
    for (std::size_t i = 0; i < se.values.size(); ++i) {
      if (se.values[i] > 0) slices.push_back(i);
    }
    if (slices.size() >= 2) {
      kept.push_back(std::move(se));
    } else if (slices.size() == 1) {
      dropped.push_back(fmt::format("{}: 100% {}", se.name, c.categories[slices.front()]));
    } else {
      dropped.push_back(fmt::format("{}: none", se.name));
    }
  }
  c.series = std::move(kept);
  return dropped;
}

// "other" (the last category) stays in the legend only when some pie has it.
void drop_unused_other(Chart& c) {
  if (c.categories.empty() || c.categories.back() != kOtherOps) return;
  bool other = false;
  for (const ChartSeries& se : c.series) other = other || se.values.back() > 0;
  if (other) return;
  c.categories.pop_back();
  for (ChartSeries& se : c.series) se.values.pop_back();
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

FigureBlock forward_backward_time_figure(std::span<const ForwardBackward> ratios,
                                         const std::string& device) {
  if (ratios.empty()) fail("forward vs backward time on '{}': no training result", device);
  const bool optimizer = std::any_of(ratios.begin(), ratios.end(),
                                     [](const ForwardBackward& r) { return r.optimizer_s > 0; });
  Chart c;
  c.kind = ChartKind::bars;
  c.title = fmt::format("Forward, backward{} time per model on {}",
                        optimizer ? " and optimizer" : "", device);
  c.x_label = "Model (batch)";
  c.y_label = "Time, median [ms]";
  std::vector<double> fwd, bwd, opt;
  std::vector<std::string> shares;
  for (const ForwardBackward& r : ratios) {
    c.categories.push_back(fmt::format("{} (b{})", r.model, r.batch));
    fwd.push_back(1e3 * r.forward_s);
    bwd.push_back(1e3 * r.backward_s);
    opt.push_back(r.optimizer_s > 0 ? 1e3 * r.optimizer_s : std::nan(""));
    if (r.optimizer_s > 0) {
      // The three medians' sum, not the step's own median: the shares then
      // add up to 100%.
      const double sum = r.forward_s + r.backward_s + r.optimizer_s;
      shares.push_back(
          fmt::format("{} {} ({:.0f}%)", r.model, ms(r.optimizer_s), 100 * r.optimizer_s / sum));
    }
  }
  // Linear even across decades: a bar's length is its value, and on a log
  // axis the forward:backward proportion would not show; values are printed,
  // with room above the tallest.
  std::vector<double> all = fwd;
  all.insert(all.end(), bwd.begin(), bwd.end());
  for (double v : opt) {
    if (std::isfinite(v)) all.push_back(v);
  }
  std::tie(c.y_min, c.y_max) = figures_detail::linear_range(all);
  c.series.push_back(bar_series("forward", fwd));
  c.series.push_back(bar_series("backward", bwd));
  if (optimizer) c.series.push_back(bar_series("optimizer step", opt));
  c.label_values = true;
  c.value_decimals = 1;
  std::string caption = fmt::format(
      "Median time of the forward pass, the backward pass{} of one training step on {}, timed "
      "apart (synchronised between), per model; values in ms above the bars.",
      optimizer ? " and the optimizer's update (SGD with momentum over every parameter)" : "",
      device);
  if (optimizer) {
    caption += fmt::format(
        " The optimizer's time and its share of forward + backward + optimizer: {}. The update "
        "reads and writes every weight, its gradient and its momentum buffer once per step, "
        "whatever the batch size.",
        join(shares, "; "));
  } else {
    caption += " The results have no optimizer time (not timed apart), so it is not shown.";
  }
  return chart_block("fwd-bwd-time-" + slug(device), std::move(caption), std::move(c));
}

FigureBlock forward_backward_ratio_figure(std::span<const ForwardBackward> ratios,
                                          const std::string& device) {
  if (ratios.empty()) fail("forward:backward ratios on '{}': no training result", device);
  Chart c;
  c.kind = ChartKind::bars;
  c.title = fmt::format(
      "Backward : forward ratios on {} (dashed line: 2, the expected FLOPs ratio)", device);
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
  // Unlabelled (a label at the left edge would sit on the first bars' values):
  // the title and the caption say what it is.
  c.reference_lines.push_back({2.0, ""});
  std::string caption = fmt::format(
      "Backward over forward, in FLOPs (cost model: grad-input and grad-weight each cost about "
      "the forward FLOPs of a conv or linear layer, grad-input skipped for the first layer, so a "
      "little under 2) and in measured time on {}. A time ratio above the FLOPs ratio means the "
      "backward kernels run less efficiently than the forward ones.",
      device);
  if (!notes.empty()) caption += " Flagged: " + join(notes, "; ") + ".";
  return chart_block("fwd-bwd-ratio-" + slug(device), std::move(caption), std::move(c));
}

namespace {

// One model's op-type shares as its figures show them: the measures (time
// only when its layers were timed) and its largest op types by them.
struct ShareView {
  bool timed = false;
  std::vector<ShareMetric> metrics;
  std::vector<OpKind> top;
};

// `what` ("op-type shares") names the figure of `model` in the Error thrown
// when there is no share.
ShareView share_view(std::string_view what, const std::string& model,
                     std::span<const OpTypeShare> shares, std::size_t max_types) {
  if (shares.empty()) fail("{} of '{}': no op type", what, model);
  ShareView v;
  v.timed = std::any_of(shares.begin(), shares.end(),
                        [](const OpTypeShare& s) { return s.time_share > 0; });
  if (v.timed) v.metrics.push_back(ShareMetric::time);
  v.metrics.push_back(ShareMetric::flops);
  v.metrics.push_back(ShareMetric::bytes);
  v.metrics.push_back(ShareMetric::activation);
  const std::vector<OpTypeShare> table(shares.begin(), shares.end());
  v.top = top_op_types({&table}, v.metrics, max_types);
  return v;
}

// The axes of a predicted-vs-measured scatter of the times `all` [ms]:
// measured (x, labelled `x_label`) against the predicted lower bound (y),
// log when they span more than kLogSpanDecades, equal ranges and the y = x
// diagonal.
void predicted_vs_measured_axes(Chart& c, std::string x_label, const std::vector<double>& all) {
  c.x_label = std::move(x_label);
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
}

// A chart of op types (coloured by op, palette.h): `kind`, titled `title`.
Chart op_type_chart(ChartKind kind, std::string title) {
  Chart c;
  c.kind = kind;
  c.legend_key = StyleKey::op;
  c.title = std::move(title);
  return c;
}

}  // namespace

FigureBlock op_share_figure(const std::string& model, Pass pass,
                            std::span<const OpTypeShare> shares, std::size_t max_types) {
  const ShareView view = share_view("op-type shares", model, shares, max_types);
  const std::vector<ShareMetric>& metrics = view.metrics;
  const std::vector<OpKind>& top = view.top;
  Chart c = op_type_chart(ChartKind::stacked_bars,
                          fmt::format("{}: {} shares by op type", model, pass_name(pass)));
  c.x_label = "Measure";
  c.y_label = "Share of the model total [%]";
  c.y_min = 0;
  c.y_max = 100;
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
      model, pass_name(pass),
      view.timed ? "latency (sum of per-layer medians, each layer run alone), " : "",
      pass == Pass::backward ? " (bytes saved for backward)" : " (bytes of node outputs)",
      view.timed ? "" : " No per-layer times were measured, so there is no latency bar.");
  return chart_block(fmt::format("op-shares-{}-{}", slug(model), pass_name(pass)),
                     std::move(caption), std::move(c));
}

FigureBlock op_share_pies_figure(const std::string& model, Pass pass,
                                 std::span<const OpTypeShare> shares, std::size_t max_types) {
  const ShareView view = share_view("op-type pies", model, shares, max_types);
  const std::vector<ShareMetric>& metrics = view.metrics;
  const std::vector<OpKind>& top = view.top;
  Chart c =
      op_type_chart(ChartKind::pie, fmt::format("{}: {} pass by op type", model, pass_name(pass)));
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
  // A pie with one slice says nothing: its measure goes into the caption.
  const std::vector<std::string> single = drop_one_slice_pies(c);
  if (c.series.empty()) {
    fail("op-type pies of '{}': every measure is one op type ({})", model, join(single, "; "));
  }
  drop_unused_other(c);
  c.width_px = 300 * static_cast<int>(c.series.size()) + 260;
  c.height_px = 420;
  std::vector<std::string> drawn;
  for (const ChartSeries& se : c.series) drawn.push_back(se.name);
  std::string caption = fmt::format(
      "{}'s {} pass by op type, one pie per measure: {}; shares of 4% or more printed in the "
      "slice.{}",
      model, pass_name(pass), join(drawn, ", "),
      view.timed ? "" : " No per-layer times were measured, so there is no latency pie.");
  if (!single.empty()) {
    caption += fmt::format(" Not drawn as pies (one op type has it all): {}.", join(single, "; "));
  }
  return chart_block(fmt::format("op-pies-{}-{}", slug(model), pass_name(pass)), std::move(caption),
                     std::move(c));
}

FigureBlock op_share_by_model_figure(const std::map<std::string, std::vector<OpTypeShare>>& shares,
                                     ShareMetric metric, Pass pass, std::size_t max_types) {
  const std::vector<OpKind> top =
      top_op_types_of_models(shares, metric, max_types, "op-type shares");
  Chart c = op_type_chart(
      ChartKind::stacked_bars,
      fmt::format("Share of {} {} by op type", pass_name(pass), share_metric_name(metric)));
  c.x_label = "Model";
  c.y_label = fmt::format("Share of the model's {} [%]", share_metric_name(metric));
  c.y_min = 0;
  c.y_max = 100;
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
      pass_name(pass), share_metric_name(metric), top.size());
  return chart_block(
      fmt::format("op-shares-{}-{}", slug(share_metric_name(metric)), pass_name(pass)),
      std::move(caption), std::move(c));
}

FigureBlock op_share_pies_by_model_figure(
    const std::map<std::string, std::vector<OpTypeShare>>& shares, ShareMetric metric, Pass pass,
    std::size_t max_types) {
  const std::vector<OpKind> top = top_op_types_of_models(shares, metric, max_types, "op-type pies");
  Chart c = op_type_chart(ChartKind::pie, fmt::format("Share of {} {} by op type, per model",
                                                      pass_name(pass), share_metric_name(metric)));
  for (OpKind op : top) c.categories.emplace_back(op_name(op));
  c.categories.emplace_back(kOtherOps);
  for (const auto& [model, t] : shares) {
    std::vector<double> v(c.categories.size(), 0.0);
    for (const OpTypeShare& s : t) {
      const auto it = std::find(top.begin(), top.end(), s.op);
      v[static_cast<std::size_t>(it - top.begin())] += 100 * share_of(s, metric);
    }
    // A model without this measure (no training cost) has no pie.
    if (std::any_of(v.begin(), v.end(), [](double x) { return x > 0; })) {
      c.series.push_back(bar_series(model, std::move(v)));
    }
  }
  const std::vector<std::string> single = drop_one_slice_pies(c);
  if (c.series.empty()) {
    fail("op-type pies of {}: no model has two op types with a share ({})",
         share_metric_name(metric), single.empty() ? "no model has any" : join(single, "; "));
  }
  drop_unused_other(c);
  const std::size_t per_row = std::min<std::size_t>(c.series.size(), c.pies_per_row);
  const std::size_t rows = (c.series.size() + per_row - 1) / per_row;
  c.width_px = 280 * static_cast<int>(per_row) + 320;
  c.height_px = 300 * static_cast<int>(rows) + 110;
  std::string caption = fmt::format(
      "For each of {} model{}, the share of its {} {} taken by each op type (the {} largest over "
      "all models named, the rest as 'other', in grey), from the cost model; shares of 4% or "
      "more printed in the slice. An op type has the same colour in every figure of this report.",
      c.series.size(), c.series.size() == 1 ? "" : "s", pass_name(pass), share_metric_name(metric),
      top.size());
  if (!single.empty()) {
    caption += fmt::format(" Not drawn as pies (one op type has it all): {}.", join(single, "; "));
  }
  return chart_block(
      fmt::format("op-pies-by-model-{}-{}", slug(share_metric_name(metric)), pass_name(pass)),
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
  if (ceilings.empty()) {
    fail("predicted vs measured '{}': no prediction with a measured time", title);
  }
  Chart c;
  c.kind = ChartKind::scatter;
  c.title = title;
  predicted_vs_measured_axes(c, "Measured time, median [ms]", all);
  // One ceiling: one marker per model (its batch sizes share it, named in
  // the hover text); several: one marker per ceiling, so each ceiling's
  // bound reads as one cloud.
  const bool by_model = ceilings.size() == 1;
  std::vector<std::string> groups;
  for (const Prediction& p : predictions) {
    if (!positive(p.measured_s) || !positive(p.predicted_s)) continue;
    const std::string& g = by_model ? p.model : p.ceiling;
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
  }
  std::vector<double> errors;
  for (const std::string& g : groups) {
    std::vector<double> x, y;
    std::vector<std::string> labels;
    for (const Prediction& p : predictions) {
      if ((by_model ? p.model : p.ceiling) != g || !positive(p.measured_s) ||
          !positive(p.predicted_s)) {
        continue;
      }
      x.push_back(1e3 * p.measured_s);
      y.push_back(1e3 * p.predicted_s);
      errors.push_back(p.error);
      labels.push_back(fmt::format("{} b{}: predicted {}, measured {} ({:+.0f}%)", p.model, p.batch,
                                   ms(p.predicted_s), ms(p.measured_s), 100 * p.error));
    }
    c.series.push_back(point_series(g, std::move(x), std::move(y), std::move(labels)));
  }
  if (by_model) {
    c.title += fmt::format(" ({})", ceilings.front());
    c.legend_key = StyleKey::model;
  }
  std::sort(errors.begin(), errors.end());
  const double median_error = errors[errors.size() / 2];
  std::string caption = fmt::format(
      "Each point is one model and batch: measured median time (x) against the roofline lower "
      "bound (y), the sum over layers of max(FLOPs / peak, bytes / bandwidth), {}. On the dashed "
      "line the prediction is exact; below it the model runs slower than "
      "the bound. Median relative error (predicted - measured) / measured: {:+.0f}%.",
      by_model ? "one marker per model (its batch sizes in the hover text), against "
                 "the ceiling in the title"
               : "one marker per ceiling",
      100 * median_error);
  std::vector<std::string> faster;
  for (const Prediction& p : predictions) {
    if (p.faster_than_bound) {
      faster.push_back(
          fmt::format("{} b{} against {} ({:+.0f}%)", p.model, p.batch, p.ceiling, 100 * p.error));
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
  Chart c = op_type_chart(ChartKind::scatter,
                          fmt::format("{} layers, batch {}: predicted vs measured ({})",
                                      prediction.model, prediction.batch, prediction.ceiling));
  predicted_vs_measured_axes(c, "Measured layer time, median [ms]", all);
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
    c.series.push_back(
        point_series(std::string(op_name(op)), std::move(x), std::move(y), std::move(labels)));
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
    parts.reserve(faster_ops.size());
    for (const auto& [op, n] : faster_ops) parts.push_back(fmt::format("{} {}", n, op));
    caption += fmt::format(
        " {} layer{} ({}) ran faster than the bound, above the line: their data did not come "
        "from the memory level of this ceiling (a cache held them), so its bandwidth is not "
        "theirs.",
        faster, faster == 1 ? "" : "s", join(parts, ", "));
  }
  return chart_block(
      fmt::format("predicted-layers-{}-b{}", slug(prediction.model), prediction.batch),
      std::move(caption), std::move(c));
}

}  // namespace dnnroof
