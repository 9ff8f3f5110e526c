// Section 4's Nsight Compute subsection: FLOPs and bytes measured by the
// GPU's counters (`dnnroof import-ncu --out` files), as hierarchical
// roofline points and beside the cost model's analytic counts.

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <optional>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "ncu/results.h"
#include "report/gnuplot.h"
#include "report/section_measured.h"

namespace dnnroof {
namespace {

// A comparison quantity in its unit: FLOPs, bytes or an intensity.
std::string quantity_text(const std::string& quantity, double v) {
  if (quantity.starts_with("intensity")) return format_intensity(v);
  if (quantity.starts_with("bytes")) return format_si(v, "B");
  return format_si(v, "FLOP");
}

std::string optional_si(const std::optional<double>& v, const char* unit) {
  return v ? format_si(*v, unit) : std::string("not collected");
}

std::string describe(const NcuResults& r) {
  std::string what = r.model.empty() ? std::string("an unnamed workload") : r.model;
  if (r.batch > 0) what += fmt::format(" batch {}", r.batch);
  if (!r.mode.empty())
    what += fmt::format(" ({})", r.mode == "train" ? "training step" : "inference");
  std::string device = r.summary.device_name.empty() ? r.device_chip : r.summary.device_name;
  if (!r.summary.device_name.empty() && !r.device_chip.empty()) {
    device = fmt::format("{}, catalog chip {}", r.summary.device_name, r.device_chip);
  }
  if (!device.empty()) what += fmt::format(" on {}", device);
  return what;
}

}  // namespace

MeasuredSection build_ncu_subsection(const MeasuredData& data, const std::string& number) {
  MeasuredSection out;
  if (data.ncu.empty()) return out;
  Section& s = out.section;
  s.blocks.emplace_back(
      Heading{3, fmt::format("{} Measured FLOPs and bytes (Nsight Compute)", number)});
  s.blocks.emplace_back(Paragraph{
      "The measured rooflines of this section take FLOPs and bytes from the cost model; Nsight "
      "Compute counts them on "
      "the GPU: FLOPs from the SASS instruction counters (2 per FMA), bytes at DRAM, L2 and L1 "
      "from the memory counters, time from gpu__time_duration (kernels serialised, clocks as "
      "ncu set them). Each file of `dnnroof import-ncu --out` gives one point per memory level "
      "(the same FLOPs and time against that level's bytes) for all kernels and per kernel "
      "group, and, for a named model, the measured totals beside the analytic ones. Every "
      "number is in `data/ncu_points.csv` and `data/ncu_comparison.csv`."});
  Table points(
      {"Source", "Kernel group", "Level", "FLOPs", "Bytes", "Time", "OI [FLOP/B]", "FLOP/s"},
      {"source", "group", "level", "flops", "bytes", "seconds", "intensity_flop_per_byte",
       "flops_per_s"});
  Table cmp({"Source", "Quantity", "Analytic", "Measured", "Measured / analytic"},
            {"source", "quantity", "analytic", "measured", "ratio"});
  for (const NcuResults& r : data.ncu) {
    const NcuSummary& sum = r.summary;
    const std::string source =
        sum.source.empty() ? describe(r) : std::filesystem::path(sum.source).filename().string();
    std::string text = fmt::format(
        "{}: {} ({} kernel{}): {} in {} of kernel time; DRAM {}, L2 {}, L1 {}.", source,
        describe(r), sum.kernels.size(), sum.kernels.size() == 1 ? "" : "s",
        optional_si(sum.total.flops(), "FLOP"),
        sum.total.time_s ? time_text(*sum.total.time_s) : std::string("no time collected"),
        optional_si(sum.total.dram_bytes, "B"), optional_si(sum.total.l2_bytes, "B"),
        optional_si(sum.total.l1_bytes, "B"));
    if (!sum.missing.empty()) {
      text += fmt::format(" Not collected: {}.", list_text(sum.missing));
    }
    if (sum.tensor_flops_unknown) {
      text +=
          " Tensor-core instructions were counted but not their FLOPs (no "
          "sm__ops_path_tensor_* counter), so the FLOPs are a lower bound.";
    }
    std::vector<const MeasuredPoint*> totals;
    for (const MeasuredPoint& p : r.points) {
      points.add_row({source, p.label, p.level, Cell(p.flops, format_si(p.flops, "FLOP")),
                      Cell(p.bytes, format_si(p.bytes, "B")), Cell(p.seconds, time_text(p.seconds)),
                      Cell(p.intensity, format_intensity(p.intensity)),
                      Cell(p.flops_per_s, format_si(p.flops_per_s, "FLOP/s"))});
      if (p.label == "total") totals.push_back(&p);
    }
    if (!totals.empty()) {
      std::vector<std::string> parts;
      for (const MeasuredPoint* p : totals) {
        parts.push_back(fmt::format("{} {} FLOP/B", p->level, format_intensity(p->intensity)));
      }
      text += fmt::format(
          " All kernels together run at {}; their intensity against each "
          "level's bytes: {}.",
          format_si(totals.front()->flops_per_s, "FLOP/s"), join(parts, ", "));
      bool falling = totals.size() >= 2;
      for (std::size_t i = 1; i < totals.size(); ++i) {
        falling = falling && totals[i]->intensity < totals[i - 1]->intensity;
      }
      if (falling) {
        text +=
            " The intensity falls level by level towards the cores: data are reused from the "
            "caches, so each level closer to the cores moves more bytes for the same FLOPs.";
      }
    } else {
      text += " No roofline point: the profile has no FLOPs or no time.";
    }
    s.blocks.emplace_back(Paragraph{std::move(text)});

    std::optional<NcuComparison> comparison = r.comparison;
    if (!comparison && !r.model.empty() && r.batch > 0) {
      const auto m = data.costs.find(r.model);
      if (m != data.costs.end()) {
        const auto& by_batch = r.mode == "train" ? m->second.train : m->second.infer;
        const auto c = by_batch.find(r.batch);
        if (c != by_batch.end()) comparison = compare_with_cost(sum, c->second);
      }
      if (!comparison) {
        out.flags.push_back(fmt::format(
            "{}: no comparison with the cost model ({} at batch {} has no cost figures here; "
            "name it with --models, or import with --model)",
            source, r.model, r.batch));
      }
    }
    if (!comparison) continue;
    std::vector<std::string> ratios;
    for (const ComparisonRow& row : comparison->rows) {
      cmp.add_row({source, row.quantity,
                   Cell(row.analytic, quantity_text(row.quantity, row.analytic)),
                   row.measured ? Cell(*row.measured, quantity_text(row.quantity, *row.measured))
                                : Cell("not collected"),
                   row.ratio ? Cell(*row.ratio, fmt::format("{:.3g}", *row.ratio)) : Cell("")});
      if (row.ratio) ratios.push_back(fmt::format("{} {:.3g}", row.quantity, *row.ratio));
    }
    if (!ratios.empty()) {
      s.blocks.emplace_back(Paragraph{
          fmt::format("Measured over analytic for {}: {}.", describe(r), join(ratios, "; "))});
    }
    if (!comparison->explanations.empty()) {
      s.blocks.emplace_back(NoteBox{fmt::format("Why measured and analytic differ ({})", source),
                                    comparison->explanations});
    }
  }
  if (points.rows() > 0) {
    s.blocks.emplace_back(TableBlock{"Measured roofline points (Nsight Compute)", points});
    out.data.push_back(DataFile{"ncu_points", points});
  }
  if (cmp.rows() > 0) {
    s.blocks.emplace_back(TableBlock{"Analytic vs measured (Nsight Compute)", cmp});
    out.data.push_back(DataFile{"ncu_comparison", cmp});
  }
  return out;
}

}  // namespace dnnroof
