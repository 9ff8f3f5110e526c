#include "analysis/ceilings.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <string_view>

#include "analysis/detail/shared.h"
#include "core/error.h"
#include "core/units.h"
#include "store/timing_text.h"

namespace dnnroof {

using namespace analysis_detail;  // the record and ceiling checks they share

std::string_view ceiling_source_name(CeilingSource s) {
  return s == CeilingSource::measured ? "measured" : "datasheet";
}

double RoofCeiling::roof(double intensity) const {
  return std::min(peak_flops, bandwidth * intensity);
}

std::string RoofCeiling::label() const {
  std::string conditions(ceiling_source_name(source));
  if (threads > 0) conditions += ", " + threads_words(threads);
  if (!scaling.empty()) conditions += ": " + scaling;
  return fmt::format("{} {} {} ({})", chip_id, dtype_name(precision), level, conditions);
}

std::string RoofCeiling::short_label() const {
  std::string out = fmt::format("{} {}", chip_id, dtype_name(precision));
  if (threads > 0) out += ", " + threads_words(threads);
  if (!scaling.empty()) out += " (scaled)";
  return out;
}

std::vector<RoofCeiling> chip_ceilings_for_threads(const Chip& chip, DType precision,
                                                   CeilingSource source, int threads) {
  if (chip.kind != ChipKind::cpu || threads <= 0) return chip_ceilings(chip, precision, source);
  const std::optional<Chip> at = chip_for_threads(chip, threads);
  if (!at) {
    std::vector<std::string> have;
    for (const ThreadCeilings& t : chip.thread_ceilings) have.push_back(std::to_string(t.threads));
    if (have.empty() && chip_threads(chip) > 0) have.push_back(std::to_string(chip_threads(chip)));
    fail("chip '{}' has no ceilings for {} (it has them for {} thread{})", chip.id,
         threads_words(threads),
         have.empty() ? std::string("no") : fmt::format("{}", fmt::join(have, ", ")),
         have.size() == 1 && have[0] == "1" ? "" : "s");
  }
  std::vector<RoofCeiling> out = chip_ceilings(*at, precision, source);
  for (RoofCeiling& c : out) c.threads = threads;
  return out;
}

std::vector<RoofCeiling> scaled_chip_ceilings(const Chip& chip, DType precision,
                                              CeilingSource source, int threads) {
  const int cores = chip_threads(chip);
  if (cores <= 0)
    fail("chip '{}' is no CPU with a core count: its ceilings cannot be scaled", chip.id);
  if (!chip.thread_ceilings.empty()) {
    fail("chip '{}' has ceilings per thread count: they are not scaled", chip.id);
  }
  if (threads < 1 || threads > cores) {
    fail("chip '{}': cannot scale its {} cores' ceilings to {}", chip.id, cores,
         threads_words(threads));
  }
  std::vector<RoofCeiling> out = chip_ceilings(chip, precision, source);
  const double share = static_cast<double>(threads) / cores;
  for (RoofCeiling& c : out) {
    c.peak_flops *= share;
    for (auto& [dtype, peak] : c.other_peaks) peak *= share;
    c.threads = threads;
    c.scaling = threads == cores
                    ? std::string()
                    : fmt::format("peak scaled to {} of {} cores; bandwidth of the whole chip",
                                  threads, cores);
  }
  return out;
}

std::vector<RoofCeiling> chip_ceilings(const Chip& chip, DType precision, CeilingSource source) {
  const std::optional<double> peak = chip.peak_flops(precision);
  if (!peak || !positive(*peak)) {
    fail("chip '{}' has no {} peak to place results against", chip.id, dtype_name(precision));
  }
  std::map<DType, double> others;
  for (const auto& [dtype, figure] : chip.peak) {
    if (dtype != precision && positive(figure.value)) others.emplace(dtype, figure.value);
  }
  std::vector<RoofCeiling> out;
  for (const MemoryLevel& level : chip.memory) {
    if (!positive(level.bandwidth.value)) continue;
    RoofCeiling c;
    c.chip_id = chip.id;
    c.chip_name = chip.name;
    c.level = level.name;
    c.is_main = level.is_main;
    c.source = source;
    c.precision = precision;
    c.peak_flops = *peak;
    c.bandwidth = level.bandwidth.value;
    c.capacity_bytes = positive(level.capacity.value) ? level.capacity.value : 0;
    c.other_peaks = others;
    out.push_back(std::move(c));
  }
  if (out.empty()) fail("chip '{}' has no memory level with a known bandwidth", chip.id);
  return out;
}

const RoofCeiling* main_memory_ceiling(std::span<const RoofCeiling> ceilings) {
  const RoofCeiling* best = nullptr;
  for (const RoofCeiling& c : ceilings) {
    if (!c.is_main) continue;
    if (best == nullptr ||
        (c.source == CeilingSource::measured && best->source != CeilingSource::measured)) {
      best = &c;
    }
  }
  return best;
}

}  // namespace dnnroof
