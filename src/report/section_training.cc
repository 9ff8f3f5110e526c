// Section 5, inference vs training: backward against forward, in FLOPs and
// in time, and where the work goes by op type.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/figures_measured.h"
#include "report/section_measured.h"
#include "store/timing_text.h"

namespace dnnroof {

std::vector<std::string> training_commentary(const std::vector<ForwardBackward>& ratios) {
  std::vector<std::string> out;
  if (ratios.empty()) return out;
  std::vector<double> fr, tr;
  const ForwardBackward* fmin = &ratios.front();
  for (const ForwardBackward& r : ratios) {
    fr.push_back(r.flops_ratio);
    tr.push_back(r.time_ratio);
    if (r.flops_ratio < fmin->flops_ratio) fmin = &r;
  }
  const auto [flo, fhi] = std::minmax_element(fr.begin(), fr.end());
  const auto [tlo, thi] = std::minmax_element(tr.begin(), tr.end());
  out.push_back(fmt::format(
      "Backward/forward FLOPs ratio (cost model): {:.2f} to {:.2f}, median {:.2f}, over {} "
      "training measurement{}. Each convolution and matrix product costs its forward FLOPs once "
      "for the gradient of its input and once for the gradient of its weights, hence about 2; it "
      "is a little under 2 because the first layer, fed by the data, needs no input gradient "
      "(lowest here: {} at {:.3f}). A ratio near 1 would mean one of the two gradients was "
      "forgotten.",
      *flo, *fhi, median_of(fr), ratios.size(), ratios.size() == 1 ? "" : "s", fmin->model,
      fmin->flops_ratio));
  std::string text = fmt::format(
      "Measured backward/forward time ratio: {:.2f} to {:.2f}, median {:.2f}.", *tlo, *thi,
      median_of(tr));
  std::vector<std::string> slower, faster;
  for (const ForwardBackward& r : ratios) {
    const std::string item = fmt::format("{} b{} on {} (time {:.2f} vs FLOPs {:.2f})", r.model,
                                         r.batch, r.device, r.time_ratio, r.flops_ratio);
    if (r.time_ratio > 1.25 * r.flops_ratio) slower.push_back(item);
    if (r.time_ratio < r.flops_ratio / 1.25) faster.push_back(item);
  }
  if (slower.empty() && faster.empty()) {
    text += " Every time ratio is within 25% of its FLOPs ratio: backward runs about as "
            "efficiently as forward.";
  }
  if (!slower.empty()) {
    text += fmt::format(
        " Backward costs more time than its FLOPs predict for {}: its extra work is "
        "memory-bound (elementwise and normalisation gradients read saved activations, "
        "grad-weight reductions write whole weight tensors) and runs further below the roof than "
        "forward does.",
        list_text(slower));
  }
  if (!faster.empty()) {
    text += fmt::format(
        " Backward costs less time than its FLOPs predict for {}: the backward kernels are "
        "larger, better-shaped matrix products than the forward ones (or forward is dominated by "
        "fixed per-layer overhead at this batch size).",
        list_text(faster));
  }
  out.push_back(std::move(text));
  return out;
}

std::string op_time_commentary(const ResultRecord& r, const std::vector<OpTypeShare>& shares,
                               Pass pass, const std::string& device) {
  const char* pass_name = pass == Pass::forward ? "forward" : "backward";
  std::vector<std::string> parts;
  const OpTypeShare* most_over = nullptr;
  for (const OpTypeShare& o : shares) {
    if (o.time_share <= 0) continue;
    if (parts.size() < 4) {
      parts.push_back(fmt::format("{} {:.0f}% of the time for {:.0f}% of the FLOPs and {:.0f}% "
                                  "of the traffic",
                                  op_name(o.op), 100 * o.time_share, 100 * o.flops_share,
                                  100 * o.bytes_share));
    }
    const double excess = o.time_share - o.flops_share;
    if (most_over == nullptr || excess > most_over->time_share - most_over->flops_share) {
      most_over = &o;
    }
  }
  if (parts.empty()) return fmt::format("No {} layer of {} was timed.", pass_name, r.model);
  std::string text = fmt::format("{} at batch {} on {}, {} pass, timed layer by layer: {}.",
                                 r.model, r.batch, device, pass_name, join(parts, "; "));
  if (most_over != nullptr && most_over->time_share > most_over->flops_share + 0.05) {
    text += fmt::format(
        " {} takes the most time beyond its share of FLOPs ({:.0f}% against {:.0f}%): "
        "low-intensity work whose time is set by bytes moved, not by arithmetic.",
        op_name(most_over->op), 100 * most_over->time_share, 100 * most_over->flops_share);
  }
  return text;
}

std::string forward_flops_convention_text(
    const std::vector<std::pair<double, std::string>>& train_extra) {
  std::string text =
      "Forward FLOPs are the cost model's inference-mode forward pass in the dnnroof convention "
      "(2 FLOPs per multiply-accumulate, every other op by its own rule): the same figure as "
      "section 2 for the same model and batch, and the denominator of every backward/forward "
      "ratio.";
  if (train_extra.empty()) return text;
  const auto [lo, hi] = std::minmax_element(train_extra.begin(), train_extra.end());
  if (hi->first <= 0) {
    return text + " In training mode these models' forward pass does no extra arithmetic.";
  }
  text += fmt::format(
      " The forward pass of a training step does a little more (BatchNorm computes batch "
      "statistics, 5 FLOPs per element instead of 2; Dropout draws masks): {} here",
      lo->first == hi->first ? fmt::format("+{:.2g}% for {}", 100 * hi->first, hi->second)
                             : fmt::format("from +{:.2g}% ({}) to +{:.2g}% ({})", 100 * lo->first,
                                           lo->second, 100 * hi->first, hi->second));
  return text + ", counted in the time but in neither FLOPs column.";
}

MeasuredSection build_training_section(const MeasuredData& data,
                                       const std::vector<ModelCosts>& static_models,
                                       const std::string& n) {
  MeasuredSection out;
  Section& s = out.section;
  s.id = "training";
  s.title = fmt::format("{}. Inference vs training", n);
  int sub = 0;
  auto heading = [&](const std::string& text) {
    s.blocks.emplace_back(Heading{3, fmt::format("{}.{} {}", n, ++sub, text)});
  };
  s.blocks.emplace_back(Paragraph{
      "A training step is forward + backward + optimizer update, timed apart (synchronised "
      "between) on a fixed batch with cross-entropy on random labels. FLOPs come from the cost "
      "model's backward rules (grad-input + grad-weight for convolutions and matrix products; "
      "documented rules for the rest). Every number is in `data/forward_backward.csv`."});
  heading("Backward against forward");
  Table t({"Model", "Device", "Batch", "Forward FLOPs", "Backward FLOPs", "FLOPs ratio",
           "Forward time", "Backward time", "n", "Time ratio", "Note"},
          {"model", "device", "batch", "forward_flops", "backward_flops", "flops_ratio",
           "forward_s", "backward_s", "samples", "time_ratio", "note"});
  std::vector<ForwardBackward> all;
  // Training-mode forward FLOPs over the inference forward, minus 1, per row.
  std::vector<std::pair<double, std::string>> train_extra;
  for (const MeasuredDevice& d : data.devices) {
    std::vector<ForwardBackward> ratios;
    std::vector<const ResultRecord*> records;  // of each ratio
    for (const ResultRecord* r : data.usable(d, RunMode::train)) {
      const ModelCost* c = data.cost_of(*r, true);
      const ModelCost* inference = data.cost_of(*r, false);
      if (c == nullptr) continue;
      try {
        // One forward FLOP figure per model and batch in the whole report:
        // the inference forward of section 2.
        ForwardBackward fb = forward_backward(*r, *c, inference);
        fb.device = d.short_name;
        if (inference != nullptr && inference->forward.flops() > 0) {
          train_extra.emplace_back(c->forward.flops() / inference->forward.flops() - 1,
                                   fb.model + " b" + std::to_string(fb.batch));
        }
        ratios.push_back(fb);
        records.push_back(r);
      } catch (const Error& e) {
        out.flags.push_back(e.what());
      }
    }
    if (ratios.empty()) continue;
    for (std::size_t i = 0; i < ratios.size(); ++i) {
      const ForwardBackward& fb = ratios[i];
      const TimingStats& fs = records[i]->timings.at(Phase::forward);
      const TimingStats& bs = records[i]->timings.at(Phase::backward);
      t.add_row({fb.model, fb.device, Cell(fb.batch, std::to_string(fb.batch)),
                 Cell(fb.forward_flops, format_si(fb.forward_flops, "FLOP")),
                 Cell(fb.backward_flops, format_si(fb.backward_flops, "FLOP")),
                 Cell(fb.flops_ratio, fmt::format("{:.3f}", fb.flops_ratio)),
                 time_with_interval_cell(fs), time_with_interval_cell(bs), samples_cell(fs),
                 Cell(fb.time_ratio, fmt::format("{:.2f}", fb.time_ratio)), fb.note});
      if (!fb.note.empty()) {
        out.flags.push_back(fmt::format("{} b{} on {}: {}", fb.model, fb.batch, fb.device, fb.note));
      }
    }
    try {
      s.blocks.emplace_back(forward_backward_time_figure(ratios, d.short_name));
      s.blocks.emplace_back(forward_backward_ratio_figure(ratios, d.short_name));
    } catch (const Error& e) {
      s.blocks.emplace_back(Paragraph{fmt::format("Figure not drawn: {}", e.what())});
    }
    all.insert(all.end(), ratios.begin(), ratios.end());
  }
  if (all.empty()) {
    s.blocks.emplace_back(Paragraph{
        "No training step was measured, so there are no measured time ratios; the FLOPs ratios "
        "of every model are in section 2's table (column bwd/fwd FLOPs)."});
  } else {
    s.blocks.emplace_back(TableBlock{"Forward and backward, FLOPs and time", t});
    s.blocks.emplace_back(Paragraph{forward_flops_convention_text(train_extra)});
    out.data.push_back(DataFile{"forward_backward", t});
    for (std::string& p : training_commentary(all)) s.blocks.emplace_back(Paragraph{std::move(p)});
    std::vector<std::string> notes;
    for (const ForwardBackward& fb : all) {
      if (!fb.note.empty()) notes.push_back(fmt::format("{} b{} on {}: {}", fb.model, fb.batch, fb.device, fb.note));
    }
    if (!notes.empty()) s.blocks.emplace_back(NoteBox{"Flagged by the analysis", notes});
  }

  heading("Where the work goes, by op type");
  if (!static_models.empty()) {
    const int b0 = static_models.front().infer.begin()->first;
    std::map<std::string, std::vector<OpTypeShare>> fwd, bwd;
    Table shares({"Model", "Pass", "Op type", "Nodes", "FLOPs share", "Traffic share",
                  "Activation share"},
                 {"model", "pass", "op", "nodes", "flops_share", "bytes_share",
                  "activation_share"});
    for (const ModelCosts& m : static_models) {
      fwd[m.name] = op_type_shares(m.infer.at(b0), {}, Pass::forward);
      auto tr = m.train.find(b0);
      if (tr != m.train.end()) bwd[m.name] = op_type_shares(tr->second, {}, Pass::backward);
      for (const auto& [pass, v] : {std::pair{"forward", &fwd[m.name]}, std::pair{"backward", &bwd[m.name]}}) {
        for (const OpTypeShare& o : *v) {
          shares.add_row({m.name, pass, std::string(op_name(o.op)),
                          Cell(o.nodes, std::to_string(o.nodes)),
                          Cell(o.flops_share, fmt::format("{:.1f}%", 100 * o.flops_share)),
                          Cell(o.bytes_share, fmt::format("{:.1f}%", 100 * o.bytes_share)),
                          Cell(o.activation_share, fmt::format("{:.1f}%", 100 * o.activation_share))});
        }
      }
    }
    try {
      s.blocks.emplace_back(op_share_by_model_figure(fwd, ShareMetric::flops, Pass::forward));
      s.blocks.emplace_back(op_share_by_model_figure(fwd, ShareMetric::bytes, Pass::forward));
      if (!bwd.empty()) {
        s.blocks.emplace_back(op_share_by_model_figure(bwd, ShareMetric::flops, Pass::backward));
      }
    } catch (const Error& e) {
      s.blocks.emplace_back(Paragraph{fmt::format("Figure not drawn: {}", e.what())});
    }
    // Commentary: how much of FLOPs and traffic the matrix ops carry.
    std::vector<std::string> parts;
    double min_conv_bytes = 2, max_conv_bytes = -1;
    std::string min_name, max_name;
    for (const auto& [model, v] : fwd) {
      double flops = 0, bytes = 0;
      for (const OpTypeShare& o : v) {
        if (o.op == OpKind::Conv || o.op == OpKind::Gemm || o.op == OpKind::MatMul) {
          flops += o.flops_share;
          bytes += o.bytes_share;
        }
      }
      if (bytes < min_conv_bytes) {
        min_conv_bytes = bytes;
        min_name = fmt::format("{} ({:.0f}% of FLOPs, {:.0f}% of traffic)", model, 100 * flops, 100 * bytes);
      }
      if (bytes > max_conv_bytes) {
        max_conv_bytes = bytes;
        max_name = fmt::format("{} ({:.0f}% of FLOPs, {:.0f}% of traffic)", model, 100 * flops, 100 * bytes);
      }
    }
    if (!min_name.empty()) {
      s.blocks.emplace_back(Paragraph{fmt::format(
          "Convolutions and matrix products (Conv, Gemm, MatMul) carry nearly all FLOPs in every "
          "model, but not all the traffic: their share of the bytes moved at batch {} is lowest "
          "in {} and highest in {}. The rest of the traffic is elementwise and normalisation "
          "layers, which are memory-bound on every chip: the better a model's time tracks its "
          "FLOPs, the larger its matrix share of traffic.",
          b0, min_name, max_name)});
    }
    out.data.push_back(DataFile{"op_type_shares", shares});
  }
  // Measured per-layer times: time against FLOPs and traffic per op type.
  std::set<std::string> drawn;
  for (const MeasuredDevice& d : data.devices) {
    for (RunMode mode : {RunMode::infer, RunMode::train}) {
      for (const ResultRecord* r : data.usable(d, mode)) {
        if (r->layers.empty()) continue;
        const ModelCost* c = data.cost_of(*r, mode == RunMode::train);
        if (c == nullptr) continue;
        const Pass pass = mode == RunMode::train ? Pass::backward : Pass::forward;
        const std::string id = fmt::format("{}-{}", r->model, pass == Pass::forward ? "f" : "b");
        if (!drawn.insert(id).second) continue;
        try {
          const std::vector<OpTypeShare> v = op_type_shares(*c, layer_times(*r), pass);
          s.blocks.emplace_back(op_share_figure(r->model, pass, v));
          s.blocks.emplace_back(op_share_pies_figure(r->model, pass, v));
          s.blocks.emplace_back(Paragraph{op_time_commentary(*r, v, pass, d.short_name)});
        } catch (const Error& e) {
          s.blocks.emplace_back(Paragraph{fmt::format("No per-layer breakdown of {}: {}",
                                                      r->model, e.what())});
        }
      }
    }
  }
  return out;
}

}  // namespace dnnroof
