#pragma once
// From catalog chips to roofline ceilings and panels: which chips can be
// drawn at a precision (and why the others cannot), and how many chips go on
// one panel so a figure stays readable.

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "hw/chip.h"
#include "report/roofline.h"

namespace dnnroof {

// A chip left out of a figure, and why ("no fp16 peak", "main-memory
// bandwidth unknown").
struct SkippedChip {
  std::string id;
  std::string reason;
};

// The first of `precisions` that `chip` has a positive peak for; nullopt
// when none.
std::optional<DType> first_available_precision(const Chip& chip, std::span<const DType> precisions);

// Of `precisions`, the one with the highest peak on `chip` (ties: the first);
// nullopt when it has none. For "the tensor rate" of a chip: a CPU with AMX
// is fastest in bf16, not in fp16.
std::optional<DType> fastest_available_precision(const Chip& chip,
                                                 std::span<const DType> precisions);

// The chip's datasheet roof at `precision` against its main memory (the
// main-memory ceiling of chip_ceilings); nullopt when the chip has no peak at
// `precision` or no main-memory level with a bandwidth.
std::optional<RoofCeiling> main_memory_roof(const Chip& chip, DType precision);

// The chip's ridge point at `precision` against its main memory [FLOP/B];
// nullopt when the peak or the main bandwidth is missing.
std::optional<double> main_ridge_point(const Chip& chip, DType precision);

struct ChipCeilings {
  std::vector<Ceiling> ceilings;     // one per drawable chip, in input order
  std::vector<const Chip*> chips;    // the chip of each ceiling
  std::vector<DType> precisions;     // the precision used for each ceiling
  std::vector<SkippedChip> skipped;  // in input order
};

// One datasheet ceiling per chip: the first of `precisions` the chip has,
// against its main-memory bandwidth. Chips with none of the precisions, or
// without a known main bandwidth, go to `skipped` with the reason. When more
// than one precision is allowed the legend names the one used.
ChipCeilings main_memory_ceilings(const std::vector<const Chip*>& chips,
                                  std::span<const DType> precisions);

// Chips whose roofs coincide (the same peak at the same precision and the
// same main-memory bandwidth, e.g. `t4` and `colab-t4`) drawn once: the
// first keeps its place, its legend label names every one of them ("NVIDIA
// Tesla T4 (also colab-t4)") and its ridge label their ids ("t4 =
// colab-t4"); the others leave `ceilings`, `chips` and `precisions`.
// `skipped` is kept.
ChipCeilings merge_identical_roofs(ChipCeilings drawable);

// A group of chips drawn on one panel.
struct ChipPanel {
  std::string title;  // "GPU", or "GPU (1/2)" when a kind is split
  ChipKind kind = ChipKind::cpu;
  std::vector<const Chip*> chips;
};

// Groups chips by kind (cpu, gpu, asic, soc order; input order within a
// kind) and splits a kind with more than `max_per_panel` chips into the
// fewest panels of at most that many, balanced in size. Empty kinds give no
// panel. Throws Error when max_per_panel is 0.
std::vector<ChipPanel> panels_by_kind(const std::vector<const Chip*>& chips,
                                      std::size_t max_per_panel = 8);

// The roofline panels of `drawable`'s chips: chips with the same roof merged
// (merge_identical_roofs), then grouped by kind (panels_by_kind), each panel
// titled `title_of(panel)` with its chips' ceilings. The panels are drawn
// with shared axes (roofline_script).
std::vector<RooflineFigure> chip_panel_figures(
    const ChipCeilings& drawable, std::size_t max_per_panel,
    const std::function<std::string(const ChipPanel&)>& title_of);

// "GPU", "CPU", "ASIC", "SoC": the kind as a heading.
std::string chip_kind_title(ChipKind kind);

}  // namespace dnnroof
