// Section 4, hardware utilisation: measured performance on each device's
// roofline.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/figures_measured.h"
#include "report/gnuplot.h"
#include "report/section_measured.h"
#include "store/timing_text.h"

namespace dnnroof {
namespace {

std::vector<Placement> device_placements(const MeasuredData& data, const MeasuredDevice& d,
                                         std::vector<std::string>& problems) {
  std::vector<Placement> out;
  for (const ResultRecord* r : data.usable(d, RunMode::infer)) {
    const ModelCost* c = data.cost_of(*r, false);
    if (c == nullptr) {
      problems.push_back(fmt::format("{} batch {}: no cost-model figures", r->model, r->batch));
      continue;
    }
    try {
      out.push_back(place_record(*r, *c, Pass::forward, d.ceilings));
    } catch (const Error& e) {
      problems.push_back(e.what());
    }
  }
  return out;
}

}  // namespace

std::vector<Placement> measured_placements(const MeasuredData& data, const MeasuredDevice& d) {
  std::vector<std::string> problems;  // listed by the section itself
  return device_placements(data, d, problems);
}

std::vector<const Placement*> far_below_roof(const std::vector<Placement>& layers) {
  std::vector<const Placement*> out;
  for (const Placement& p : layers) {
    if (p.above_roof || !(p.time_s > 0)) continue;
    const double pct = p.percent_of_attainable();
    if (pct > 0 && 100.0 / pct > kFarBelowFactor) out.push_back(&p);
  }
  std::sort(out.begin(), out.end(),
            [](const Placement* a, const Placement* b) { return a->time_s > b->time_s; });
  return out;
}

std::vector<std::string> utilisation_commentary(const MeasuredData& /*data*/,
                                                const std::vector<Placement>& placements,
                                                const MeasuredDevice& d) {
  std::vector<std::string> out;
  if (placements.empty()) return out;
  std::map<std::int64_t, std::vector<const Placement*>> by_batch;
  for (const Placement& p : placements) by_batch[p.batch].push_back(&p);
  std::vector<std::pair<std::int64_t, double>> medians;
  for (const auto& [b, ps] : by_batch) {
    std::vector<double> pct;
    std::vector<std::string> memory_bound;
    const Placement* best = ps.front();
    const Placement* worst = ps.front();
    for (const Placement* p : ps) {
      pct.push_back(p->percent_of_attainable());
      if (p->bound == Bound::memory) memory_bound.push_back(p->model);
      if (p->percent_of_attainable() > best->percent_of_attainable()) best = p;
      if (p->percent_of_attainable() < worst->percent_of_attainable()) worst = p;
    }
    const double med = median_of(pct);
    medians.emplace_back(b, med);
    const RoofCeiling& bc = d.ceilings.at(best->binding);
    std::string text = fmt::format(
        "On {} at batch {}, the {} models reach a median {:.1f}% of the performance their roof "
        "allows at their operational intensity ({} below it). Closest to the roof: {} at {:.1f}% "
        "({} achieved at {} FLOP/B, {}-bound under the {} roof); farthest: {} at {:.2g}% ({}).",
        d.short_name, b, ps.size(), med, ratio_text(100.0 / med), best->model,
        best->percent_of_attainable(), format_si(best->achieved_flops, "FLOP/s"),
        format_intensity(best->intensity()), bound_name(best->bound), bc.level, worst->model,
        worst->percent_of_attainable(), format_si(worst->achieved_flops, "FLOP/s"));
    text += memory_bound.empty()
                ? " Every model is compute-bound here: its intensity is right of the ridge point, "
                  "so the gap to the roof is compute efficiency (kernel quality, threads, "
                  "vector width), not bandwidth."
                : fmt::format(
                      " Memory-bound (left of the ridge): {}; for those the roof is "
                      "bandwidth x intensity, and moving fewer bytes per FLOP raises it "
                      "(fused layers; a larger batch where weights dominate the "
                      "traffic).",
                      list_text(memory_bound));
    out.push_back(std::move(text));
  }
  if (medians.size() >= 2) {
    const std::int64_t b_lo = medians.front().first, b_hi = medians.back().first;
    std::string effect = ", about the same";
    if (medians.back().second > medians.front().second * 1.2) {
      effect =
          ": the larger batch gives every layer a larger matrix product (batch x output "
          "positions rows), which runs closer to the roof";
    } else if (medians.back().second < medians.front().second / 1.2) {
      // The cache explanation only when the largest cache holds the median
      // working set at the small batch and not at the large one.
      double cache = 0;
      std::string cache_level;
      for (const RoofCeiling& c : d.ceilings) {
        if (!c.is_main && c.capacity_bytes > cache) {
          cache = c.capacity_bytes;
          cache_level = c.level;
        }
      }
      auto median_ws = [&](std::int64_t b) {
        std::vector<double> ws;
        for (const Placement* p : by_batch[b]) ws.push_back(p->work.working_set_bytes);
        return median_of(ws);
      };
      const double ws_lo = median_ws(b_lo), ws_hi = median_ws(b_hi);
      effect = cache > 0 && ws_lo <= cache && ws_hi > cache
                   ? fmt::format(
                         ": the larger batch runs less efficiently; its median working "
                         "set ({}) no longer fits the {} ({}), which held it at batch {} "
                         "({})",
                         format_si(ws_hi, "B"), cache_level, format_si(cache, "B"), b_lo,
                         format_si(ws_lo, "B"))
                   : ": the larger batch runs less efficiently, and the cache capacities do not "
                     "explain it (the median working set does not cross a cache size between "
                     "the two batches)";
    }
    out.push_back(fmt::format(
        "Batching and utilisation on {}: the median share of the roof goes from {:.1f}% at batch "
        "{} to {:.1f}% at batch {}{}.",
        d.short_name, medians.front().second, b_lo, medians.back().second, b_hi, effect));
  }
  std::size_t above = 0;
  for (const Placement& p : placements) above += p.above_roof ? 1 : 0;
  if (above > 0) {
    out.push_back(fmt::format(
        "{} of the {} points lie above their binding roof and are flagged (see the box below): a "
        "point above a roof means the roof is wrong for it (data reused in cache, traffic "
        "overcounted by the no-reuse model, a faster unit) or the measurement is.",
        above, placements.size()));
  } else {
    out.push_back(fmt::format(
        "No point lies above its roof on {} (every achieved rate is below min(peak, bandwidth x "
        "intensity) of the {} ceilings used).",
        d.short_name, d.ceilings.size()));
  }
  return out;
}

std::vector<std::string> layer_roofline_commentary(const std::string& model, std::int64_t batch,
                                                   const std::vector<Placement>& layers,
                                                   const std::vector<std::string>& skipped,
                                                   const std::string& device) {
  std::vector<std::string> out;
  if (layers.empty()) return out;
  std::map<OpKind, std::vector<double>> pct;
  for (const Placement& p : layers) pct[p.op].push_back(p.percent_of_attainable());
  struct OpRow {
    OpKind op;
    std::size_t n;
    double median;
  };
  std::vector<OpRow> rows;
  for (const auto& [op, v] : pct) rows.push_back({op, v.size(), median_of(v)});
  std::sort(rows.begin(), rows.end(),
            [](const OpRow& a, const OpRow& b) { return a.median < b.median; });
  std::vector<std::string> parts;
  for (const OpRow& r : rows) {
    parts.push_back(
        fmt::format("{} {:.1f}% ({} layer{})", op_name(r.op), r.median, r.n, r.n == 1 ? "" : "s"));
  }
  std::string text = fmt::format(
      "{} at batch {} on {}, layer by layer: {} layers placed{}. Median share of the roof by op "
      "type, lowest first: {}.",
      model, batch, device, layers.size(),
      skipped.empty() ? "" : fmt::format(" ({} skipped: no time, FLOPs or bytes)", skipped.size()),
      join(parts, ", "));
  double total_s = 0;
  for (const Placement& p : layers) total_s += p.time_s;
  if (rows.size() >= 2) {
    // Why the lowest op type sits lowest, from its own layers: only when
    // they are several and short is fixed per-call cost the explanation;
    // otherwise say how much time they take and how far from their bound.
    const OpKind low = rows.front().op;
    std::vector<double> times;
    double low_s = 0;
    for (const Placement& p : layers) {
      if (p.op != low) continue;
      times.push_back(p.time_s);
      low_s += p.time_s;
    }
    const double median_s = median_of(times);
    std::string why;
    if (rows.front().n >= 3 && median_s < kShortLayerSeconds) {
      why = fmt::format(
          "its {} layers are short (median {}), so a fixed per-call dispatch cost "
          "is a large part of their time",
          rows.front().n, time_text(median_s));
    } else {
      why = fmt::format("{} {} ({:.0f}% of the timed layers' time), {} the roofline lower bound",
                        rows.front().n == 1
                            ? std::string("its one layer takes")
                            : fmt::format("its {} layers together take", rows.front().n),
                        time_text(low_s), total_s > 0 ? 100 * low_s / total_s : 0.0,
                        ratio_text(100.0 / rows.front().median));
    }
    text += fmt::format(" {} sits lowest under its roof: {}; {} sits highest ({:.1f}%).",
                        op_name(low), why, op_name(rows.back().op), rows.back().median);
  }
  out.push_back(std::move(text));
  // Layers far below their bound: named, largest time first.
  const std::vector<const Placement*> far = far_below_roof(layers);
  if (!far.empty()) {
    double far_s = 0;
    for (const Placement* p : far) far_s += p->time_s;
    std::vector<std::string> named;
    for (std::size_t i = 0; i < far.size() && i < 5; ++i) {
      named.push_back(fmt::format("{} ({}, {}, {} its bound)", far[i]->layer, op_name(far[i]->op),
                                  time_text(far[i]->time_s),
                                  ratio_text(100.0 / far[i]->percent_of_attainable())));
    }
    if (far.size() > 5) named.push_back(fmt::format("{} more", far.size() - 5));
    out.push_back(fmt::format(
        "{} of the {} layers take more than {:.0f}x their roofline lower bound (max(FLOPs / peak, "
        "bytes / bandwidth)) and are flagged as far below their roof: {}. Together they take {} "
        "({:.0f}% of the timed layers' time); neither their FLOPs nor their bytes explain that "
        "time, so it is the kernels' efficiency at these shapes (or per-call overhead) that "
        "sets it.",
        far.size(), layers.size(), kFarBelowFactor, list_text(named), time_text(far_s),
        total_s > 0 ? 100 * far_s / total_s : 0.0));
  }
  out.push_back(std::move(text));
  std::vector<const Placement*> above;
  std::map<AboveRoofCause, std::size_t> causes;
  for (const Placement& p : layers) {
    if (!p.above_roof) continue;
    above.push_back(&p);
    for (AboveRoofCause c : p.above_roof->causes) ++causes[c];
  }
  if (above.empty()) {
    out.push_back(fmt::format("No layer of {} lies above its roof on {}.", model, device));
  } else {
    std::vector<std::string> why;
    for (const auto& [c, n] : causes) {
      why.push_back(fmt::format("{} ({})", above_roof_cause_name(c), n));
    }
    std::sort(above.begin(), above.end(), [](const Placement* a, const Placement* b) {
      return a->above_roof->ratio > b->above_roof->ratio;
    });
    std::vector<std::string> worst;
    for (std::size_t i = 0; i < above.size() && i < 3; ++i) {
      worst.push_back(fmt::format("{} ({}, {:.2f}x)", above[i]->layer, op_name(above[i]->op),
                                  above[i]->above_roof->ratio));
    }
    std::string flagged = fmt::format(
        "{} of the {} layers lie above their binding roof and are flagged; causes the analysis "
        "finds: {}. Highest: {}.",
        above.size(), layers.size(), list_text(why), list_text(worst));
    if (causes.count(AboveRoofCause::cache_fit) != 0) {
      flagged +=
          " A layer timed alone, again and again, keeps its working set in cache between "
          "iterations, so the main-memory roof does not bind it.";
    }
    if (causes.count(AboveRoofCause::unconverged) != 0) {
      flagged +=
          " The layers marked unconverged did not reach the sampling target; their "
          "medians are rough.";
    }
    if (causes.count(AboveRoofCause::unexplained) != 0) {
      flagged +=
          " For the unexplained ones no check holds: suspect the layer's time or its FLOP "
          "count.";
    }
    flagged += " Each flagged layer is listed below with the check that explains it.";
    out.push_back(std::move(flagged));
  }
  return out;
}

MeasuredSection build_utilisation_section(const MeasuredData& data, const std::string& n) {
  MeasuredSection out;
  Section& s = out.section = numbered_section("utilisation", n, "Hardware utilisation");
  s.blocks.emplace_back(Paragraph{
      "Each measured inference is a point at (operational intensity, achieved FLOP/s): x from "
      "the cost model (forward FLOPs / no-reuse bytes), y = forward FLOPs / median forward "
      "time. The roof it is compared with is the lowest of the device's ceilings at that "
      "intensity (binding ceiling); a point above it is flagged with the causes checked (cache "
      "fit, compulsory traffic, a faster precision's peak, an unconverged measurement). Every "
      "number is in `data/placements.csv`."});
  // Every row names the ceiling it was judged against, with that ceiling's
  // thread count beside the result's: they are equal by construction
  // (make_device, check in place_record), and the data says so.
  Table t({"Model", "Device", "Batch", "Threads", "OI [FLOP/B]", "Achieved", "n", "Binding ceiling",
           "Ceiling threads", "Attainable", "% of attainable", "Bound", "Flag"},
          {"model", "device", "batch", "threads", "intensity_flop_per_byte", "achieved_flops",
           "samples", "binding_ceiling", "ceiling_threads", "attainable_flops",
           "percent_of_attainable", "bound", "flag"});
  SubsectionHeadings heading(s, n);
  for (const MeasuredDevice& d : data.devices) {
    heading(d.name);
    if (d.ceilings.empty()) {
      s.blocks.emplace_back(Paragraph{fmt::format("No roofline for {}: {}", d.short_name, d.note)});
      continue;
    }
    if (!d.note.empty()) s.blocks.emplace_back(Paragraph{d.note});
    std::vector<std::string> problems;
    const std::vector<Placement> placements = device_placements(data, d, problems);
    if (placements.empty()) {
      s.blocks.emplace_back(Paragraph{
          fmt::format("No inference measurement of {} could be placed{}.", d.short_name,
                      problems.empty() ? "" : fmt::format(" ({})", join(problems, "; ")))});
      continue;
    }
    try {
      s.blocks.emplace_back(measured_roofline_figure(placements, d.ceilings,
                                                     device_figure_id(data, d), d.short_name));
    } catch (const Error& e) {
      s.blocks.emplace_back(Paragraph{fmt::format("Figure not drawn: {}", e.what())});
    }
    std::vector<std::string> flags;
    for (const Placement& p : placements) {
      const RoofCeiling& c = d.ceilings.at(p.binding);
      auto threads_cell = [](int count) {
        return count > 0 ? Cell(count, std::to_string(count)) : Cell("-");
      };
      t.add_row({p.model, d.short_name, Cell(p.batch, std::to_string(p.batch)),
                 threads_cell(p.threads), Cell(p.intensity(), format_intensity(p.intensity())),
                 Cell(p.achieved_flops, format_si(p.achieved_flops, "FLOP/s")),
                 [&] {
                   // The samples behind the achieved rate (median forward time).
                   const TimingStats* st =
                       data.stats_of(d, p.model, p.batch, RunMode::infer, Phase::forward);
                   return st != nullptr ? samples_cell(*st) : Cell("-");
                 }(),
                 c.label(), threads_cell(c.threads),
                 Cell(p.per_ceiling.at(p.binding).attainable_flops,
                      format_si(p.per_ceiling.at(p.binding).attainable_flops, "FLOP/s")),
                 Cell(p.percent_of_attainable(), fmt::format("{:.1f}", p.percent_of_attainable())),
                 std::string(bound_name(p.bound)),
                 p.above_roof ? fmt::format("above roof ({:.2f}x)", p.above_roof->ratio) : ""});
      if (p.above_roof) {
        flags.push_back(fmt::format("{} on {}: {:.2f}x above the {} roof. {}", p.label,
                                    d.short_name, p.above_roof->ratio, c.label(),
                                    p.above_roof->explanation));
      }
    }
    for (std::string& para : utilisation_commentary(data, placements, d)) {
      s.blocks.emplace_back(Paragraph{std::move(para)});
    }
    if (!flags.empty()) {
      s.blocks.emplace_back(NoteBox{"Flagged by the analysis: points above their roof", flags});
      out.flags.insert(out.flags.end(), flags.begin(), flags.end());
    }
    if (!problems.empty()) {
      s.blocks.emplace_back(NoteBox{"Not placed", problems});
    }
    // The model timed per layer: its layers under the same roofs.
    std::set<std::string> layered;
    for (const ResultRecord* r : data.usable(d, RunMode::infer)) {
      if (r->layers.empty() || !layered.insert(r->model).second) continue;
      const ModelCost* c = data.cost_of(*r, false);
      if (c == nullptr) continue;
      try {
        const std::vector<LayerTime> times = layer_times(*r);
        const LayerPlacements lp = place_layers(*r, *c, times, Pass::forward, d.ceilings);
        heading(fmt::format("{} layer by layer on {}", r->model, d.short_name));
        s.blocks.emplace_back(layer_roofline_figure(r->model, r->batch, lp.layers, d.ceilings,
                                                    device_figure_id(data, d), d.short_name));
        for (std::string& para :
             layer_roofline_commentary(r->model, r->batch, lp.layers, lp.skipped, d.short_name)) {
          s.blocks.emplace_back(Paragraph{std::move(para)});
        }
        std::vector<std::string> layer_flags;
        for (const Placement& p : lp.layers) {
          if (!p.above_roof) continue;
          layer_flags.push_back(fmt::format("{} layer {} ({}): {:.2f}x above the {} roof. {}",
                                            r->model, p.layer, op_name(p.op), p.above_roof->ratio,
                                            d.ceilings.at(p.above_roof->ceiling).label(),
                                            p.above_roof->explanation));
        }
        std::vector<std::string> far_items;
        for (const Placement* p : far_below_roof(lp.layers)) {
          far_items.push_back(
              fmt::format("{} layer {} ({}): {} measured, {} its lower bound {} under the {} roof.",
                          r->model, p->layer, op_name(p->op), time_text(p->time_s),
                          ratio_text(100.0 / p->percent_of_attainable()),
                          time_text(p->time_s * p->percent_of_attainable() / 100.0),
                          d.ceilings.at(p->binding).label()));
        }
        if (!far_items.empty()) {
          out.flags.push_back(fmt::format(
              "{} b{} on {}: {} layer(s) more than {:.0f}x below their roof (section {}).",
              r->model, r->batch, d.short_name, far_items.size(), kFarBelowFactor, n));
          s.blocks.emplace_back(NoteBox{
              fmt::format("Flagged by the analysis: layers of {} far below their roof (more than "
                          "{:.0f}x their lower-bound time)",
                          r->model, kFarBelowFactor),
              std::move(far_items)});
        }
        if (!layer_flags.empty()) {
          s.blocks.emplace_back(NoteBox{
              fmt::format("Flagged by the analysis: layers of {} above their roof", r->model),
              layer_flags});
          out.flags.push_back(fmt::format(
              "{} b{} on {}: {} layer(s) above their roof in the per-layer roofline (section {}, "
              "each with its cause).",
              r->model, r->batch, d.short_name, layer_flags.size(), n));
        }
      } catch (const Error& e) {
        s.blocks.emplace_back(Paragraph{fmt::format("No per-layer roofline of {} on {}: {}",
                                                    r->model, d.short_name, e.what())});
      }
    }
  }
  if (t.rows() > 0) {
    s.blocks.emplace_back(TableBlock{"Placement of every measured inference", t});
    out.data.push_back(DataFile{"placements", t});
  }
  if (!data.ncu.empty()) {
    MeasuredSection ncu = build_ncu_subsection(data, heading.next());
    for (Block& b : ncu.section.blocks) s.blocks.push_back(std::move(b));
    for (DataFile& f : ncu.data) out.data.push_back(std::move(f));
    out.flags.insert(out.flags.end(), ncu.flags.begin(), ncu.flags.end());
  }
  return out;
}

}  // namespace dnnroof
