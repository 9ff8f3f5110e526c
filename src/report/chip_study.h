#pragma once
// Section "The chips" of the report: the catalog table, roofline figures per
// kind (at the chosen precision and at fp16/bf16 for accelerators), the
// host's detected facts, commentary computed from the numbers, methods and
// caveats; plus the data files behind it.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "hw/chip.h"
#include "hw/host.h"
#include "report/document.h"

namespace dnnroof {

struct ChipStudyOptions {
  std::string section_number = "1";
  DType precision = DType::fp32;
  // Accelerators (GPU, ASIC, SoC) also get a figure at the first of these
  // they have: their tensor-core rate.
  std::vector<DType> tensor_precisions{DType::fp16, DType::bf16};
  std::size_t max_per_panel = 8;  // more chips of one kind: several panels
};

struct ChipStudy {
  Section section;
  std::vector<DataFile> data;      // "chips", "ridge_points" and (with a host) "host"
  std::vector<std::string> notes;  // chips left out of figures and why (for stderr)
};

// Builds the section. `chips` is every chip to show (the host among them as
// id "host" when `host` is given); `host` adds the host's detected facts and
// the host-versus-accelerator commentary. Throws Error when `chips` is empty.
ChipStudy build_chip_study(const std::vector<const Chip*>& chips, const HostInfo* host,
                           const ChipStudyOptions& options = {});

// Ridge points [FLOP/B] at one precision over the chips that have both the
// peak and a main bandwidth.
struct RidgeStats {
  std::size_t count = 0;
  double min = 0, median = 0, max = 0;  // median of an even count: mean of the middle two
  const Chip* min_chip = nullptr;
  const Chip* max_chip = nullptr;
};
// nullopt when no chip has a ridge point at `precision`.
std::optional<RidgeStats> ridge_stats(const std::vector<const Chip*>& chips, DType precision);

// The commentary paragraphs, written from the numbers (see chip_study.cc).
std::vector<std::string> chip_commentary(const std::vector<const Chip*>& chips,
                                         const ChipStudyOptions& options);

// The catalog as a table, numbers kept for CSV/JSON: main memory, bandwidth
// and ridge points at `precision` and at the first tensor precision a chip
// has; or the dense peaks per precision; or all of it with vendor,
// capacity, tensor precision and source (the data file).
enum class CatalogColumns { memory_and_ridges, peaks, all };
Table chip_catalog_table(const std::vector<const Chip*>& chips, const ChipStudyOptions& options,
                         CatalogColumns which);

}  // namespace dnnroof
