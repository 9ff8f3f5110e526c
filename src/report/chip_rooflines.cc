#include "report/chip_rooflines.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/error.h"
#include "core/strings.h"

namespace dnnroof {

std::optional<DType> first_available_precision(const Chip& chip,
                                               std::span<const DType> precisions) {
  for (DType p : precisions) {
    auto it = chip.peak.find(p);
    if (it != chip.peak.end() && it->second.value > 0) return p;
  }
  return std::nullopt;
}

std::optional<DType> fastest_available_precision(const Chip& chip,
                                                 std::span<const DType> precisions) {
  std::optional<DType> best;
  double best_peak = 0;
  for (DType p : precisions) {
    auto it = chip.peak.find(p);
    if (it != chip.peak.end() && it->second.value > best_peak) {
      best = p;
      best_peak = it->second.value;
    }
  }
  return best;
}

std::optional<RoofCeiling> main_memory_roof(const Chip& chip, DType precision) {
  const MemoryLevel* main = chip.find_main_memory();
  if (!chip.peak_flops(precision) || main == nullptr || !(main->bandwidth.value > 0)) {
    return std::nullopt;
  }
  const std::vector<RoofCeiling> roofs = chip_ceilings(chip, precision, CeilingSource::datasheet);
  return *main_memory_ceiling(roofs);
}

std::optional<double> main_ridge_point(const Chip& chip, DType precision) {
  const std::optional<RoofCeiling> roof = main_memory_roof(chip, precision);
  if (!roof) return std::nullopt;
  return roof->ridge();
}

ChipCeilings main_memory_ceilings(const std::vector<const Chip*>& chips,
                                  std::span<const DType> precisions) {
  std::vector<std::string> names;
  for (DType p : precisions) names.emplace_back(dtype_name(p));
  const std::string wanted = join(names, "/");

  ChipCeilings out;
  for (const Chip* chip : chips) {
    const std::optional<DType> p = first_available_precision(*chip, precisions);
    if (!p) {
      out.skipped.push_back({chip->id, fmt::format("no {} peak in the catalog", wanted)});
      continue;
    }
    const MemoryLevel* main = chip->find_main_memory();
    if (main == nullptr) {
      out.skipped.push_back({chip->id, "no main-memory level in the catalog"});
      continue;
    }
    if (!(main->bandwidth.value > 0)) {
      out.skipped.push_back(
          {chip->id,
           fmt::format("{} bandwidth unknown", main->name.empty() ? "main-memory" : main->name)});
      continue;
    }
    const std::string name = chip->name.empty() ? chip->id : chip->name;
    out.ceilings.push_back(
        {*main_memory_roof(*chip, *p),
         precisions.size() > 1 ? fmt::format("{} ({})", name, dtype_name(*p)) : name, chip->id});
    out.chips.push_back(chip);
    out.precisions.push_back(*p);
  }
  return out;
}

ChipCeilings merge_identical_roofs(ChipCeilings in) {
  ChipCeilings out;
  out.skipped = std::move(in.skipped);
  std::vector<std::vector<std::string>> also;  // per kept ceiling: the merged ids
  for (std::size_t i = 0; i < in.ceilings.size(); ++i) {
    const Ceiling& c = in.ceilings[i];
    std::size_t k = 0;
    while (k < out.ceilings.size() && !(out.precisions[k] == in.precisions[i] &&
                                        out.ceilings[k].roof.peak_flops == c.roof.peak_flops &&
                                        out.ceilings[k].roof.bandwidth == c.roof.bandwidth)) {
      ++k;
    }
    if (k < out.ceilings.size()) {
      also[k].push_back(c.roof.chip_id);
      continue;
    }
    out.ceilings.push_back(c);
    out.chips.push_back(in.chips[i]);
    out.precisions.push_back(in.precisions[i]);
    also.emplace_back();
  }
  for (std::size_t k = 0; k < out.ceilings.size(); ++k) {
    if (also[k].empty()) continue;
    Ceiling& c = out.ceilings[k];
    c.label += fmt::format(" (also {})", join(also[k], ", "));
    c.short_label = fmt::format("{} = {}", c.short_label, join(also[k], " = "));
  }
  return out;
}

std::vector<RooflineFigure> chip_panel_figures(
    const ChipCeilings& drawable, std::size_t max_per_panel,
    const std::function<std::string(const ChipPanel&)>& title_of) {
  const ChipCeilings merged = merge_identical_roofs(drawable);
  std::vector<RooflineFigure> figures;
  for (const ChipPanel& panel : panels_by_kind(merged.chips, max_per_panel)) {
    std::vector<Ceiling> ceilings;
    for (const Chip* chip : panel.chips) {
      const auto at = std::find(merged.chips.begin(), merged.chips.end(), chip);
      ceilings.push_back(merged.ceilings[static_cast<std::size_t>(at - merged.chips.begin())]);
    }
    figures.push_back(build_roofline_figure(title_of(panel), std::move(ceilings)));
  }
  return figures;
}

std::string chip_kind_title(ChipKind kind) {
  switch (kind) {
    case ChipKind::cpu:
      return "CPU";
    case ChipKind::gpu:
      return "GPU";
    case ChipKind::asic:
      return "ASIC";
    case ChipKind::soc:
      return "SoC";
  }
  return "chip";
}

std::vector<ChipPanel> panels_by_kind(const std::vector<const Chip*>& chips,
                                      std::size_t max_per_panel) {
  if (max_per_panel == 0) fail("panels_by_kind: at most 0 chips per panel");
  static constexpr std::array<ChipKind, 4> kind_order{ChipKind::cpu, ChipKind::gpu, ChipKind::asic,
                                                      ChipKind::soc};
  std::vector<ChipPanel> panels;
  for (ChipKind kind : kind_order) {
    std::vector<const Chip*> of_kind;
    for (const Chip* c : chips) {
      if (c->kind == kind) of_kind.push_back(c);
    }
    if (of_kind.empty()) continue;
    const std::size_t n_panels = (of_kind.size() + max_per_panel - 1) / max_per_panel;
    // Balanced: the first (size % n_panels) panels take one chip more.
    const std::size_t base = of_kind.size() / n_panels;
    const std::size_t extra = of_kind.size() % n_panels;
    std::size_t next = 0;
    for (std::size_t i = 0; i < n_panels; ++i) {
      ChipPanel panel;
      panel.kind = kind;
      panel.title = n_panels == 1
                        ? chip_kind_title(kind)
                        : fmt::format("{} ({}/{})", chip_kind_title(kind), i + 1, n_panels);
      const std::size_t count = base + (i < extra ? 1 : 0);
      panel.chips.assign(of_kind.begin() + static_cast<std::ptrdiff_t>(next),
                         of_kind.begin() + static_cast<std::ptrdiff_t>(next + count));
      next += count;
      panels.push_back(std::move(panel));
    }
  }
  return panels;
}

}  // namespace dnnroof
