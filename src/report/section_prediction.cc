// Section 6, predicted vs measured: the roofline's lower-bound time
// (per layer max(FLOPs / peak, bytes / bandwidth), summed) against the
// measured median.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/figures_measured.h"
#include "report/section_measured.h"
#include "store/timing_text.h"

namespace dnnroof {
namespace {}  // namespace

std::vector<std::string> prediction_commentary(const std::vector<Prediction>& predictions,
                                               const MeasuredDevice& d) {
  std::vector<std::string> out;
  std::vector<const Prediction*> ps;
  for (const Prediction& p : predictions) {
    if (p.measured_s > 0 && p.predicted_s > 0) ps.push_back(&p);
  }
  if (ps.empty()) return out;
  auto ratio = [](const Prediction* p) { return p->measured_s / p->predicted_s; };
  std::vector<double> r;
  for (const Prediction* p : ps) r.push_back(ratio(p));
  const auto [lo, hi] = std::minmax_element(ps.begin(), ps.end(),
                                            [&](auto* a, auto* b) { return ratio(a) < ratio(b); });
  std::string text = fmt::format(
      "On {}, against the {} roof, measured inference times are a median {} the roofline lower "
      "bound (sum over layers of max(FLOPs / peak, bytes / bandwidth)), from {} ({} b{}: {} "
      "measured vs {} predicted) to {} ({} b{}).",
      d.short_name, ps.front()->ceiling, ratio_text(median_of(r)), ratio_text(ratio(*lo)),
      (*lo)->model, (*lo)->batch, time_text((*lo)->measured_s), time_text((*lo)->predicted_s),
      ratio_text(ratio(*hi)), (*hi)->model, (*hi)->batch);
  std::vector<std::string> below;
  for (const Prediction* p : ps) {
    if (p->measured_s < p->predicted_s) below.push_back(fmt::format("{} b{}", p->model, p->batch));
  }
  if (!below.empty()) {
    // Which part of the bound is too high: its memory term (bytes that stay
    // in cache, which the no-reuse traffic counts) or its compute term (a
    // peak below what ran).
    std::vector<std::string> memory_side, compute_side;
    for (const Prediction* p : ps) {
      if (!(p->measured_s < p->predicted_s) || p->layers.empty()) continue;
      double memory_s = 0;
      for (const LayerPrediction& l : p->layers) {
        if (l.memory_s >= l.compute_s) memory_s += l.predicted_s;
      }
      (memory_s > 0.5 * p->predicted_s ? memory_side : compute_side)
          .push_back(fmt::format("{} b{}", p->model, p->batch));
    }
    text += fmt::format(" {} ran faster than the bound, which a lower bound forbids.",
                        list_text(below));
    if (!memory_side.empty()) {
      text += fmt::format(
          " For {} most of the bound is memory time: the no-reuse traffic counts "
          "bytes that stay in cache between layers.",
          list_text(memory_side));
    }
    if (!compute_side.empty()) {
      text += fmt::format(
          " For {} most of the bound is compute time: the ceiling's peak is below "
          "what this run achieved, so that ceiling is wrong for it.",
          list_text(compute_side));
    }
  }
  out.push_back(std::move(text));
  // Ranking: does the bound order the models as the measurements do?
  std::map<std::int64_t, std::pair<std::vector<double>, std::vector<double>>> by_batch;
  for (const Prediction* p : ps) {
    by_batch[p->batch].first.push_back(p->predicted_s);
    by_batch[p->batch].second.push_back(p->measured_s);
  }
  std::vector<std::string> parts;
  double min_rho = 1;
  for (const auto& [b, v] : by_batch) {
    if (v.first.size() < 3) continue;
    const double rho = spearman(v.first, v.second);
    if (std::isfinite(rho)) min_rho = std::min(min_rho, rho);
    parts.push_back(fmt::format("rho = {:.2f} at batch {} ({} models)", rho, b, v.first.size()));
  }
  if (!parts.empty()) {
    const double med = median_of(r);
    // "Better as a ranking" only when the ranks agree and the times do not.
    if (min_rho >= 0.7 && med > 1.5) {
      out.push_back(fmt::format(
          "As a ranking the bound does better than as a time: Spearman {} between predicted and "
          "measured, while the times differ by a median {}. That factor is the efficiency the "
          "roofline leaves out (kernel quality, threading, per-layer overhead); the ranking is "
          "what the FLOPs and bytes explain.",
          join(parts, ", "), ratio_text(med)));
    } else {
      out.push_back(
          fmt::format("Spearman rank correlation between predicted and measured: "
                      "{}{}.",
                      join(parts, ", "),
                      min_rho < 0.7 ? ": the bound does not order the models as the "
                                      "measurements do"
                                    : ""));
    }
  }
  // Per-layer sums against the whole model.
  std::vector<std::string> layer_parts;
  for (const Prediction* p : ps) {
    if (!(p->layer_measured_sum_s > 0)) continue;
    layer_parts.push_back(fmt::format(
        "{} b{}: layers run one by one sum to {} against {} for the whole model ({}); {} of {} "
        "layers are compute-bound on this roof",
        p->model, p->batch, time_text(p->layer_measured_sum_s), time_text(p->measured_s),
        ratio_text(p->layer_measured_sum_s / p->measured_s), p->compute_bound_layers,
        p->layers.size()));
  }
  if (!layer_parts.empty()) {
    // Beyond 10% either way; within it the two agree and no cause is given.
    std::size_t over = 0, under = 0, with_layers = 0;
    for (const Prediction* p : ps) {
      if (!(p->layer_measured_sum_s > 0)) continue;
      ++with_layers;
      over += p->layer_measured_sum_s > 1.1 * p->measured_s ? 1 : 0;
      under += p->layer_measured_sum_s < p->measured_s / 1.1 ? 1 : 0;
    }
    std::string why;
    if (over == with_layers) {
      why =
          "Timing each layer alone (synchronised, no overlap between layers) adds per-layer "
          "overhead, so the sum exceeds the whole.";
    } else if (under == with_layers) {
      why =
          "The layers alone sum to less than the whole model: the whole-model time carries "
          "work the layer timing does not see (allocation, dispatch between layers), or the "
          "whole-model median was taken on a busier machine.";
    } else if (over == 0 && under == 0) {
      why = "The layers' sum and the whole model agree within 10%.";
    } else {
      why = fmt::format(
          "Of {} models timed per layer, {} sum to more than the whole model by over "
          "10% (per-layer overhead), {} to less (work between layers the layer "
          "timing does not see), {} agree within 10%.",
          with_layers, over, under, with_layers - over - under);
    }
    out.push_back(fmt::format("Per layer: {}. {}", join(layer_parts, "; "), why));
  }
  return out;
}

namespace {

// The measured forward time with its interval (timing_text.h), and n.
Cell measured_cell(const MeasuredData& data, const MeasuredDevice& d, const Prediction& p) {
  const TimingStats* t = data.stats_of(d, p.model, p.batch, RunMode::infer, Phase::forward);
  return t != nullptr ? time_with_interval_cell(*t) : Cell(p.measured_s, time_text(p.measured_s));
}
Cell measured_samples_cell(const MeasuredData& data, const MeasuredDevice& d, const Prediction& p) {
  const TimingStats* t = data.stats_of(d, p.model, p.batch, RunMode::infer, Phase::forward);
  return t != nullptr ? samples_cell(*t) : Cell("-");
}

}  // namespace

MeasuredSection build_prediction_section(const MeasuredData& data, const std::string& n) {
  MeasuredSection out;
  Section& s = out.section = numbered_section("prediction", n, "Predicted vs measured");
  s.blocks.emplace_back(Paragraph{
      "The roofline as a predictor: for every layer, the time it cannot beat is max(FLOPs / "
      "peak, bytes / bandwidth) against the device's main-memory ceiling (measured by `dnnroof "
      "probe` where available); the model's predicted time is the sum over layers. The "
      "measured time is the median forward time. Every number is in `data/predictions.csv`."});
  Table t({"Model", "Device", "Batch", "Ceiling", "Predicted", "Whole-model bound", "Measured", "n",
           "Measured / predicted", "Compute-bound layers"},
          {"model", "device", "batch", "ceiling", "predicted_s", "whole_model_bound_s",
           "measured_s", "samples", "measured_over_predicted", "compute_bound_layers"});
  Table layers(
      {"Model", "Device", "Batch", "Layer", "Op", "FLOPs", "Bytes", "Predicted", "Measured", "n"},
      {"model", "device", "batch", "layer", "op", "flops", "bytes", "predicted_s", "measured_s",
       "samples"});
  SubsectionHeadings heading(s, n);
  for (const MeasuredDevice& d : data.devices) {
    const RoofCeiling* ceiling = main_memory_ceiling(d.ceilings);
    heading(d.name);
    if (ceiling == nullptr) {
      s.blocks.emplace_back(
          Paragraph{fmt::format("No main-memory ceiling for {}: {}", d.short_name, d.note)});
      continue;
    }
    std::vector<Prediction> preds;
    for (const ResultRecord* r : data.usable(d, RunMode::infer)) {
      const ModelCost* c = data.cost_of(*r, false);
      if (c == nullptr) continue;
      try {
        const std::vector<LayerTime> lt = layer_times(*r);
        preds.push_back(predict(*r, *c, Pass::forward, *ceiling, lt));
      } catch (const Error& e) {
        out.flags.push_back(e.what());
      }
    }
    if (preds.empty()) {
      s.blocks.emplace_back(Paragraph{"No inference measurement to compare with."});
      continue;
    }
    try {
      s.blocks.emplace_back(prediction_figure(
          preds, device_figure_id(data, d),
          fmt::format("Roofline lower bound vs measured time, {}", d.short_name)));
    } catch (const Error& e) {
      s.blocks.emplace_back(Paragraph{fmt::format("Figure not drawn: {}", e.what())});
    }
    for (const Prediction& p : preds) {
      t.add_row(
          {p.model, d.short_name, Cell(p.batch, std::to_string(p.batch)), p.ceiling,
           Cell(p.predicted_s, time_text(p.predicted_s)),
           Cell(p.whole_model_s, time_text(p.whole_model_s)), measured_cell(data, d, p),
           measured_samples_cell(data, d, p),
           Cell(p.measured_s / p.predicted_s, fmt::format("{:.2f}", p.measured_s / p.predicted_s)),
           Cell(static_cast<double>(p.compute_bound_layers),
                fmt::format("{} of {}", p.compute_bound_layers, p.layers.size()))});
      if (p.layer_measured_sum_s > 0) {
        try {
          s.blocks.emplace_back(layer_prediction_figure(p));
        } catch (const Error& e) {
          s.blocks.emplace_back(Paragraph{fmt::format("Figure not drawn: {}", e.what())});
        }
        for (const LayerPrediction& l : p.layers) {
          layers.add_row({p.model, d.short_name, Cell(p.batch, std::to_string(p.batch)), l.name,
                          std::string(op_name(l.op)), Cell(l.flops, format_si(l.flops, "FLOP")),
                          Cell(l.bytes, format_si(l.bytes, "B")),
                          Cell(l.predicted_s, time_text(l.predicted_s)),
                          std::isfinite(l.measured_s) ? Cell(l.measured_s, time_text(l.measured_s))
                                                      : Cell("-"),
                          // Each layer time is the median of the record's per-layer passes.
                          [&] {
                            const ResultRecord* r = data.find(d, p.model, p.batch, RunMode::infer);
                            return r != nullptr ? Cell(static_cast<double>(r->layer_passes),
                                                       std::to_string(r->layer_passes))
                                                : Cell("-");
                          }()});
        }
      }
    }
    for (std::string& para : prediction_commentary(preds, d)) {
      s.blocks.emplace_back(Paragraph{std::move(para)});
    }
  }
  if (t.rows() > 0) {
    s.blocks.emplace_back(TableBlock{"Predicted and measured forward time", t});
    out.data.push_back(DataFile{"predictions", t});
  }
  if (layers.rows() > 0) out.data.push_back(DataFile{"layer_predictions", layers});
  return out;
}

}  // namespace dnnroof
