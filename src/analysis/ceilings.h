#pragma once
// The roofs that judge a measurement: one compute peak against one memory
// level's bandwidth, from a chip of the catalog or from `dnnroof probe`.
// Pure functions; conventions in analysis/analysis.h and docs/analysis.md.

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "hw/chip.h"

namespace dnnroof {

// Where a ceiling's numbers come from: the catalog (datasheet or derived
// from the micro-architecture) or `dnnroof probe` (host-measured).
enum class CeilingSource { datasheet, measured };
std::string_view ceiling_source_name(CeilingSource s);  // "datasheet", "measured"

// One roof: a compute peak against one memory level's bandwidth.
struct RoofCeiling {
  std::string chip_id;    // "xeon-8380", "host-measured"
  std::string chip_name;  // display name
  std::string level;      // memory level: "L1d", "L2", "L3", "DRAM", "HBM3"
  bool is_main = false;   // the main-memory level
  CeilingSource source = CeilingSource::datasheet;
  DType precision = DType::fp32;
  double peak_flops = 0;      // [FLOP/s] > 0
  double bandwidth = 0;       // [B/s] > 0
  double capacity_bytes = 0;  // [B] of the level; 0 when unknown
  // The chip's peaks at other precisions [FLOP/s], for the "wrong peak for
  // the dtype" check (e.g. fp32 work that ran on tf32 tensor cores).
  std::map<DType, double> other_peaks;
  // The CPU thread count this ceiling holds for; 0: not thread-specific (a
  // GPU's or an accelerator's ceilings).
  int threads = 0;
  // Set when the figures were scaled to `threads` rather than measured or
  // derived for it: "peak scaled to 1 of 2 cores; bandwidth of the whole chip".
  std::string scaling;

  double ridge() const { return peak_flops / bandwidth; }  // [FLOP/B]
  double roof(double intensity) const;                     // min(peak, bandwidth * intensity)
  // "xeon-8380 fp32 DRAM (datasheet)", "host-measured fp32 DRAM (measured, 1
  // thread)", "host fp32 DRAM (datasheet, 1 thread: peak scaled to 1 of 2
  // cores; bandwidth of the whole chip)".
  std::string label() const;
  // "host-measured fp32, 1 thread": which ceiling judged a result, short.
  std::string short_label() const;
};

// Every ceiling of `chip` at `precision`: one per memory level with a known
// bandwidth, fastest level first (as Chip::memory lists them). Throws Error
// naming the chip when it has no peak at `precision` or no level with a
// bandwidth.
std::vector<RoofCeiling> chip_ceilings(const Chip& chip, DType precision, CeilingSource source);

// The ceilings that judge a run on `threads` CPU threads (threads_in_force
// of its record): for a CPU chip, those of chip_for_threads(chip, threads),
// each with `threads` set; never another thread count's. For other kinds
// (threads do not set a GPU's roof) or threads <= 0, chip_ceilings. Throws
// Error naming the chip, the thread count and the counts it has when a CPU
// chip has no figures for `threads`.
std::vector<RoofCeiling> chip_ceilings_for_threads(const Chip& chip, DType precision,
                                                   CeilingSource source, int threads);

// For a CPU chip whose figures are the whole chip's (a datasheet, derived
// from the micro-architecture) and a run on fewer `threads` than its cores:
// the chip's ceilings with the compute peak scaled by threads / cores
// (exact for the peak formula, which is linear in cores), the bandwidths of
// the whole chip (a roof one core may not reach), each with `threads` and
// `scaling` saying so. Throws Error when the chip is no CPU, has per-thread
// entries (measured: use chip_ceilings_for_threads), or threads is not in
// [1, cores].
std::vector<RoofCeiling> scaled_chip_ceilings(const Chip& chip, DType precision,
                                              CeilingSource source, int threads);

// Relative tolerance for "above the roof": catalog figures are rounded to
// three or four digits, so anything within 0.1% of a roof counts as on it.
// Placements, predictions and the drawn roofline figures all use it.
inline constexpr double kAboveRoofTolerance = 1e-3;

// The main-memory ceiling among `ceilings` (is_main), a measured one before
// a datasheet one, else the first of them; nullptr when none is main.
const RoofCeiling* main_memory_ceiling(std::span<const RoofCeiling> ceilings);

}  // namespace dnnroof
