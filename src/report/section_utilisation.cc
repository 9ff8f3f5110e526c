// Section 4, hardware utilisation: measured performance on each device's
// roofline.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/figures_measured.h"
#include "report/gnuplot.h"
#include "report/section_measured.h"

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

std::vector<std::string> utilisation_commentary(const MeasuredData& /*data*/,
                                                const std::vector<Placement>& placements,
                                                const MeasuredDevice& d) {
  std::vector<std::string> out;
  if (placements.empty()) return out;
  std::map<int, std::vector<const Placement*>> by_batch;
  for (const Placement& p : placements) by_batch[p.batch].push_back(&p);
  std::vector<std::pair<int, double>> medians;
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
                : fmt::format(" Memory-bound (left of the ridge): {}; for those the roof is "
                              "bandwidth x intensity, and fusing layers or larger batches raise "
                              "it.",
                              list_text(memory_bound));
    out.push_back(std::move(text));
  }
  if (medians.size() >= 2) {
    out.push_back(fmt::format(
        "Batching and utilisation on {}: the median share of the roof goes from {:.1f}% at batch "
        "{} to {:.1f}% at batch {}{}.",
        d.short_name, medians.front().second, medians.front().first, medians.back().second,
        medians.back().first,
        medians.back().second > medians.front().second * 1.2
            ? ": larger batches give larger matrix products that use the cores better"
            : (medians.back().second < medians.front().second / 1.2
                   ? ": the larger batch runs less efficiently (its working set leaves the caches)"
                   : ", about the same")));
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

MeasuredSection build_utilisation_section(const MeasuredData& data, const std::string& n) {
  MeasuredSection out;
  Section& s = out.section;
  s.id = "utilisation";
  s.title = fmt::format("{}. Hardware utilisation", n);
  s.blocks.emplace_back(Paragraph{
      "Each measured inference is a point at (operational intensity, achieved FLOP/s): x from "
      "the cost model (forward FLOPs / no-reuse bytes), y = forward FLOPs / median forward "
      "time. The roof it is compared with is the lowest of the device's ceilings at that "
      "intensity (binding ceiling); a point above it is flagged with the causes checked (cache "
      "fit, compulsory traffic, a faster precision's peak, an unconverged measurement). Every "
      "number is in `data/placements.csv`."});
  Table t({"Model", "Device", "Batch", "OI [FLOP/B]", "Achieved", "Binding ceiling", "Attainable",
           "% of attainable", "Bound", "Flag"},
          {"model", "device", "batch", "intensity_flop_per_byte", "achieved_flops",
           "binding_ceiling", "attainable_flops", "percent_of_attainable", "bound", "flag"});
  int sub = 0;
  for (const MeasuredDevice& d : data.devices) {
    s.blocks.emplace_back(Heading{3, fmt::format("{}.{} {}", n, ++sub, d.name)});
    if (d.ceilings.empty()) {
      s.blocks.emplace_back(Paragraph{fmt::format("No roofline for {}: {}", d.short_name, d.note)});
      continue;
    }
    if (!d.note.empty()) s.blocks.emplace_back(Paragraph{d.note});
    std::vector<std::string> problems;
    const std::vector<Placement> placements = device_placements(data, d, problems);
    if (placements.empty()) {
      s.blocks.emplace_back(Paragraph{fmt::format(
          "No inference measurement of {} could be placed{}.", d.short_name,
          problems.empty() ? "" : fmt::format(" ({})", join(problems, "; ")))});
      continue;
    }
    try {
      s.blocks.emplace_back(
          measured_roofline_figure(placements, d.ceilings, d.chip_id, d.short_name));
    } catch (const Error& e) {
      s.blocks.emplace_back(Paragraph{fmt::format("Figure not drawn: {}", e.what())});
    }
    std::vector<std::string> flags;
    for (const Placement& p : placements) {
      const RoofCeiling& c = d.ceilings.at(p.binding);
      t.add_row({p.model, d.short_name, Cell(p.batch, std::to_string(p.batch)),
                 Cell(p.intensity(), format_intensity(p.intensity())),
                 Cell(p.achieved_flops, format_si(p.achieved_flops, "FLOP/s")), c.label(),
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
  }
  if (t.rows() > 0) {
    s.blocks.emplace_back(TableBlock{"Placement of every measured inference", t});
    out.data.push_back(DataFile{"placements", t});
  }
  return out;
}

}  // namespace dnnroof
