#pragma once
// The file `dnnroof import-ncu --out` writes and the report reads: one
// imported Nsight Compute profile with its per-kernel work, groups, totals,
// measured roofline points and (when a model was named) the comparison with
// the cost model. JSON, documented in docs/ncu.md ("The results file").

#include <cstdint>
#include <optional>
#include <string>

#include "ncu/ncu.h"

namespace dnnroof {

inline constexpr std::string_view kNcuResultsKind = "dnnroof-ncu";
inline constexpr int kNcuResultsVersion = 1;

struct NcuResults {
  std::string model;        // "" when not given
  std::int64_t batch = 0;   // 0 when not given
  std::string mode;         // "infer" or "train"
  std::string device_chip;  // catalog id of the GPU ("" when not given)
  NcuSummary summary;
  std::vector<MeasuredPoint> points;
  std::optional<NcuComparison> comparison;
};

std::string ncu_results_to_json(const NcuResults& r);
NcuResults ncu_results_from_json(std::string_view text, const std::string& source = "<text>");
void write_ncu_results(const std::string& path, const NcuResults& r);
// Throws Error naming the file for a file that is not dnnroof-ncu JSON of
// this version.
NcuResults read_ncu_results(const std::string& path);

}  // namespace dnnroof
