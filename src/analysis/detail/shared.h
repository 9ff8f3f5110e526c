#pragma once
// Internal to src/analysis: the checks and lookups the analysis functions
// share (records, passes, layer times, ceilings). Not for other modules.

#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "analysis/ceilings.h"
#include "analysis/placement.h"
#include "cost/cost.h"
#include "store/record.h"

namespace dnnroof::analysis_detail {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Positive and finite.
bool positive(double v);

// The record's phase that times `p`.
Phase phase_of(Pass p);

// The node's cost of `p` (backward for Pass::backward, else forward).
const PassCost& node_pass(const NodeCost& n, Pass p);

// The layer's time of `p` [s]; NaN when not measured.
double node_time(const LayerTime& t, Pass p);

// Layer times by node name; Error naming a time whose layer is no node.
std::map<std::string, const LayerTime*> times_by_node(const ModelCost& cost,
                                                      std::span<const LayerTime> times);

// The record's timing of `phase`; Error (saying it is for `what`) when the
// record failed or has no such time.
const TimingStats& phase_stats(const ResultRecord& r, Phase phase, std::string_view what);

// "status noisy, 40 samples, median 95% CI ±7.5%: why".
std::string convergence_note(const ResultRecord& r, const TimingStats& t);

// Error naming the ceiling unless its peak and bandwidth are positive.
void check_ceiling(const RoofCeiling& c);

// Error unless every ceiling holds for the record's thread count and
// precision (DESIGN.md: judged under the same conditions as the run).
void check_matches(const ResultRecord& r, std::span<const RoofCeiling> ceilings);

// "1 thread", "4 threads".
std::string threads_words(int n);

}  // namespace dnnroof::analysis_detail
