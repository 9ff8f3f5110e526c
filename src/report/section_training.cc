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
#include "graph/op_family.h"
#include "report/figures_measured.h"
#include "report/gnuplot.h"
#include "report/section_measured.h"
#include "store/timing_text.h"

namespace dnnroof {

namespace {

// "normalisation", "pooling", "elementwise" or "other": how the text names
// the non-matrix op types a model has.
std::string op_category(OpKind op) {
  switch (op_family(op)) {
    case OpFamily::normalisation:
      return "normalisation";
    case OpFamily::pooling:
      return "pooling";
    case OpFamily::activation:
    case OpFamily::arithmetic:
      return "elementwise";
    default:
      return "other";
  }
}

bool is_matrix(OpKind op) { return op_family(op) == OpFamily::matrix; }

// The training cost of a ratio's model at its batch; nullptr when unknown.
const ModelCost* train_cost(const std::map<std::string, ModelCosts>* costs,
                            const ForwardBackward& r) {
  if (costs == nullptr) return nullptr;
  auto m = costs->find(r.model);
  if (m == costs->end()) return nullptr;
  auto c = m->second.train.find(r.batch);
  return c == m->second.train.end() ? nullptr : &c->second;
}

// The op types that move the most backward bytes, by name with their
// share: "Conv 61% and ReLU 20%" (the op types the model has, and no other).
std::string top_backward_traffic(const ModelCost& c) {
  std::vector<OpTypeCost> groups = group_by_op(c);
  double total = 0;
  for (const OpTypeCost& g : groups) total += g.backward.bytes();
  if (!(total > 0)) return {};
  std::sort(groups.begin(), groups.end(), [](const OpTypeCost& a, const OpTypeCost& b) {
    return a.backward.bytes() > b.backward.bytes();
  });
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < groups.size() && parts.size() < 3; ++i) {
    if (groups[i].backward.bytes() <= 0) break;
    parts.push_back(
        fmt::format("{} {:.0f}%", op_name(groups[i].op), 100 * groups[i].backward.bytes() / total));
  }
  return list_text(parts);
}

}  // namespace

const RoofCeiling* memory_ceiling_of(const MeasuredDevice& d) {
  const RoofCeiling* main = main_memory_ceiling(d.ceilings);
  return main != nullptr || d.ceilings.empty() ? main : &d.ceilings.front();
}

std::vector<std::string> training_commentary(const std::vector<ForwardBackward>& ratios,
                                             const std::map<std::string, ModelCosts>* costs) {
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
  std::string flops_text = fmt::format(
      "Backward/forward FLOPs ratio (cost model): {:.2f} to {:.2f}, median {:.2f}, over {} "
      "training measurement{}. Each convolution and matrix product costs its forward FLOPs once "
      "for the gradient of its input and once for the gradient of its weights, hence about 2",
      *flo, *fhi, median_of(fr), ratios.size(), ratios.size() == 1 ? "" : "s");
  // "A little under 2 because of the first layer" only where that holds.
  if (fmin->flops_ratio < 2.0 && fmin->flops_ratio > 1.5) {
    flops_text += fmt::format(
        "; it is a little under 2 because the first layer, fed by the data, needs no input "
        "gradient (lowest here: {} at {:.3f}).",
        fmin->model, fmin->flops_ratio);
  } else {
    flops_text += fmt::format(" (lowest here: {} at {:.3f}).", fmin->model, fmin->flops_ratio);
  }
  if (*flo < 1.5) {
    flops_text += fmt::format(
        " A ratio as low as {:.2f} means one of the two gradients is missing for much of the "
        "work: check the cost rules of {}.",
        fmin->flops_ratio, fmin->model);
  } else {
    flops_text += " A ratio near 1 would mean one of the two gradients was forgotten.";
  }
  out.push_back(std::move(flops_text));
  std::string text =
      fmt::format("Measured backward/forward time ratio: {:.2f} to {:.2f}, median {:.2f}.", *tlo,
                  *thi, median_of(tr));
  std::vector<const ForwardBackward*> slower, faster;
  for (const ForwardBackward& r : ratios) {
    if (r.time_ratio > 1.25 * r.flops_ratio) slower.push_back(&r);
    if (r.time_ratio < r.flops_ratio / 1.25) faster.push_back(&r);
  }
  auto item = [](const ForwardBackward* r) {
    return fmt::format("{} b{} on {} (time {:.2f} vs FLOPs {:.2f})", r->model, r->batch, r->device,
                       r->time_ratio, r->flops_ratio);
  };
  if (slower.empty() && faster.empty()) {
    text +=
        " Every time ratio is within 25% of its FLOPs ratio: backward runs about as "
        "efficiently as forward.";
  }
  // Each explanation rests on the model's own cost: its backward intensity
  // against its forward one, and the op types that move its backward bytes.
  if (!slower.empty()) {
    std::vector<std::string> items;
    for (const ForwardBackward* r : slower) items.push_back(item(r));
    text +=
        fmt::format(" Backward costs more time than its FLOPs predict for {}.", list_text(items));
    for (const ForwardBackward* r : slower) {
      const ModelCost* c = train_cost(costs, *r);
      if (c == nullptr) continue;
      const double fi = c->forward.intensity(), bi = c->backward.intensity();
      if (bi < fi / 1.2) {
        text += fmt::format(
            " {}: its backward moves more bytes per FLOP than its forward ({} against {} FLOP/B "
            "in the cost model), most of them in {}, so more of its time goes to memory "
            "traffic.",
            r->model, format_intensity(bi), format_intensity(fi), top_backward_traffic(*c));
      } else {
        text += fmt::format(
            " {}: its backward is about as intense as its forward or more ({} against {} FLOP/B "
            "in the cost model), so the cost model's traffic does not explain the extra time; "
            "the gradient kernels run further below the roof at these shapes.",
            r->model, format_intensity(bi), format_intensity(fi));
      }
    }
  }
  if (!faster.empty()) {
    std::vector<std::string> items;
    for (const ForwardBackward* r : faster) items.push_back(item(r));
    text +=
        fmt::format(" Backward costs less time than its FLOPs predict for {}.", list_text(items));
    for (const ForwardBackward* r : faster) {
      const ModelCost* c = train_cost(costs, *r);
      if (c == nullptr) continue;
      const double fi = c->forward.intensity(), bi = c->backward.intensity();
      text += bi > 1.2 * fi ? fmt::format(
                                  " {}: its backward is more intense than its forward ({} "
                                  "against {} FLOP/B), so it runs closer to the compute roof.",
                                  r->model, format_intensity(bi), format_intensity(fi))
                            : fmt::format(
                                  " {}: its backward is not clearly more intense than its "
                                  "forward ({} against {} FLOP/B); the cost model does not "
                                  "explain why it runs faster per FLOP.",
                                  r->model, format_intensity(bi), format_intensity(fi));
    }
  }
  out.push_back(std::move(text));
  return out;
}

std::string op_time_commentary(const ResultRecord& r, const std::vector<OpTypeShare>& shares,
                               Pass pass, const std::string& device, const RoofCeiling* roof) {
  std::vector<std::string> parts;
  const OpTypeShare* most_over = nullptr;
  for (const OpTypeShare& o : shares) {
    if (o.time_share <= 0) continue;
    if (parts.size() < 4) {
      parts.push_back(
          fmt::format("{} {:.0f}% of the time for {:.0f}% of the FLOPs and {:.0f}% "
                      "of the traffic",
                      op_name(o.op), 100 * o.time_share, 100 * o.flops_share, 100 * o.bytes_share));
    }
    const double excess = o.time_share - o.flops_share;
    if (most_over == nullptr || excess > most_over->time_share - most_over->flops_share) {
      most_over = &o;
    }
  }
  if (parts.empty()) return fmt::format("No {} layer of {} was timed.", pass_name(pass), r.model);
  std::string text = fmt::format("{} at batch {} on {}, {} pass, timed layer by layer: {}.",
                                 r.model, r.batch, device, pass_name(pass), join(parts, "; "));
  if (most_over != nullptr && most_over->time_share > most_over->flops_share + 0.05) {
    const OpTypeShare& o = *most_over;
    text += fmt::format(
        " {} takes the most time beyond its share of FLOPs ({:.0f}% against "
        "{:.0f}%, {} layer{})",
        op_name(o.op), 100 * o.time_share, 100 * o.flops_share, o.nodes, o.nodes == 1 ? "" : "s");
    // Why, only from its intensity and its time against its roofline bound.
    if (roof != nullptr && roof->peak_flops > 0 && roof->bandwidth > 0 && o.bytes > 0 &&
        o.time_s > 0) {
      const double oi = o.flops / o.bytes;
      const double bound_s = std::max(o.flops / roof->peak_flops, o.bytes / roof->bandwidth);
      const double over = o.time_s / bound_s;
      if (over > kFarBelowFactor) {
        text += fmt::format(
            ": {} in all, {} its roofline lower bound of {} under the {} roof. Neither its "
            "FLOPs nor its bytes explain that time: it is far below its roof (flagged in the "
            "hardware utilisation section).",
            time_text(o.time_s), ratio_text(over), time_text(bound_s), roof->label());
      } else if (oi < roof->ridge()) {
        text += fmt::format(
            ": low-intensity work ({} FLOP/B, left of the {} FLOP/B ridge) running at {} its "
            "memory-bound lower bound, so its time is set by the bytes it moves, not by "
            "arithmetic.",
            format_intensity(oi), format_intensity(roof->ridge()), ratio_text(over));
      } else {
        text += fmt::format(
            ": compute-bound work ({} FLOP/B, right of the {} FLOP/B ridge) running at {} its "
            "lower bound: its kernels, not its bytes, set its time.",
            format_intensity(oi), format_intensity(roof->ridge()), ratio_text(over));
      }
    } else {
      text += ".";
    }
  }
  return text;
}

std::string matrix_share_commentary(const std::map<std::string, std::vector<OpTypeShare>>& fwd,
                                    std::int64_t batch) {
  double min_flops = 2, min_bytes = 2, max_bytes = -1;
  std::string min_name, max_name;
  std::set<std::string> rest_kinds;  // what carries the rest of the traffic
  double rest_max_oi = 0;            // [FLOP/B] the most intense of those op types
  for (const auto& [model, v] : fwd) {
    double flops = 0, bytes = 0;
    for (const OpTypeShare& o : v) {
      if (is_matrix(o.op)) {
        flops += o.flops_share;
        bytes += o.bytes_share;
      } else if (o.bytes > 0) {
        rest_kinds.insert(op_category(o.op));
        rest_max_oi = std::max(rest_max_oi, o.flops / o.bytes);
      }
    }
    min_flops = std::min(min_flops, flops);
    if (bytes < min_bytes) {
      min_bytes = bytes;
      min_name =
          fmt::format("{} ({:.0f}% of FLOPs, {:.0f}% of traffic)", model, 100 * flops, 100 * bytes);
    }
    if (bytes > max_bytes) {
      max_bytes = bytes;
      max_name =
          fmt::format("{} ({:.0f}% of FLOPs, {:.0f}% of traffic)", model, 100 * flops, 100 * bytes);
    }
  }
  if (min_name.empty()) return {};
  std::string text = fmt::format(
      "Convolutions and matrix products (Conv, Gemm, MatMul) carry {} of the forward FLOPs in "
      "every model (at least {:.0f}%), and a smaller share of the bytes moved: at batch {} "
      "lowest in {}, highest in {}.",
      min_flops >= 0.9 ? "nearly all" : "most", 100 * min_flops, batch, min_name, max_name);
  if (!rest_kinds.empty()) {
    text += fmt::format(
        " The rest of the traffic is {} layers, whose intensity is at most {} "
        "FLOP/B.",
        list_text(std::vector<std::string>(rest_kinds.begin(), rest_kinds.end())),
        format_intensity(rest_max_oi));
  }
  return text;
}

std::string forward_flops_convention_text(
    const std::vector<std::pair<double, std::string>>& train_extra) {
  std::string text =
      "Forward FLOPs are the cost model's inference-mode forward pass in the dnnroof convention "
      "(2 FLOPs per multiply-accumulate, every other op by its own rule): the same figure as "
      "section 4 (model compute and memory) for the same model and batch, and the denominator of "
      "every backward/forward "
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
  Section& s = out.section = numbered_section("training", n, "Inference vs training");
  SubsectionHeadings heading(s, n);
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
        out.flags.push_back(
            fmt::format("{} b{} on {}: {}", fb.model, fb.batch, fb.device, fb.note));
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
        "of every model are in the table of the model compute and memory section (column bwd/fwd "
        "FLOPs)."});
  } else {
    s.blocks.emplace_back(TableBlock{"Forward and backward, FLOPs and time", t});
    s.blocks.emplace_back(Paragraph{forward_flops_convention_text(train_extra)});
    out.data.push_back(DataFile{"forward_backward", t});
    for (std::string& p : training_commentary(all, &data.costs))
      s.blocks.emplace_back(Paragraph{std::move(p)});
    std::vector<std::string> notes;
    for (const ForwardBackward& fb : all) {
      if (!fb.note.empty())
        notes.push_back(fmt::format("{} b{} on {}: {}", fb.model, fb.batch, fb.device, fb.note));
    }
    if (!notes.empty()) s.blocks.emplace_back(NoteBox{"Flagged by the analysis", notes});
  }

  heading("Where the work goes, by op type");
  if (!static_models.empty()) {
    const std::int64_t b0 = static_models.front().infer.begin()->first;
    std::map<std::string, std::vector<OpTypeShare>> fwd, bwd;
    Table shares(
        {"Model", "Pass", "Op type", "Nodes", "FLOPs share", "Traffic share", "Activation share"},
        {"model", "pass", "op", "nodes", "flops_share", "bytes_share", "activation_share"});
    for (const ModelCosts& m : static_models) {
      fwd[m.name] = op_type_shares(m.infer.at(b0), {}, Pass::forward);
      auto tr = m.train.find(b0);
      if (tr != m.train.end()) bwd[m.name] = op_type_shares(tr->second, {}, Pass::backward);
      for (const auto& [pass, v] :
           {std::pair{"forward", &fwd[m.name]}, std::pair{"backward", &bwd[m.name]}}) {
        for (const OpTypeShare& o : *v) {
          shares.add_row(
              {m.name, pass, std::string(op_name(o.op)), Cell(o.nodes, std::to_string(o.nodes)),
               Cell(o.flops_share, fmt::format("{:.1f}%", 100 * o.flops_share)),
               Cell(o.bytes_share, fmt::format("{:.1f}%", 100 * o.bytes_share)),
               Cell(o.activation_share, fmt::format("{:.1f}%", 100 * o.activation_share))});
        }
      }
    }
    // A model without a training cost has an empty backward table.
    const bool any_bwd = std::any_of(bwd.begin(), bwd.end(),
                                     [](const auto& entry) { return !entry.second.empty(); });
    try {
      s.blocks.emplace_back(op_share_by_model_figure(fwd, ShareMetric::flops, Pass::forward));
      s.blocks.emplace_back(op_share_by_model_figure(fwd, ShareMetric::bytes, Pass::forward));
      if (any_bwd) {
        s.blocks.emplace_back(op_share_by_model_figure(bwd, ShareMetric::flops, Pass::backward));
      }
      s.blocks.emplace_back(op_share_pies_by_model_figure(fwd, ShareMetric::flops, Pass::forward));
      s.blocks.emplace_back(
          op_share_pies_by_model_figure(fwd, ShareMetric::activation, Pass::forward));
      if (any_bwd) {
        s.blocks.emplace_back(
            op_share_pies_by_model_figure(bwd, ShareMetric::flops, Pass::backward));
      }
    } catch (const Error& e) {
      s.blocks.emplace_back(Paragraph{fmt::format("Figure not drawn: {}", e.what())});
    }
    if (std::string text = matrix_share_commentary(fwd, b0); !text.empty()) {
      s.blocks.emplace_back(Paragraph{std::move(text)});
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
          s.blocks.emplace_back(
              Paragraph{op_time_commentary(*r, v, pass, d.short_name, memory_ceiling_of(d))});
        } catch (const Error& e) {
          s.blocks.emplace_back(
              Paragraph{fmt::format("No per-layer breakdown of {}: {}", r->model, e.what())});
        }
      }
    }
  }
  return out;
}

}  // namespace dnnroof
