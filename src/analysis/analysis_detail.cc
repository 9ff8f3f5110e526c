// What the analysis functions share: record, pass and ceiling checks.
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

namespace dnnroof::analysis_detail {

bool positive(double v) { return v > 0 && std::isfinite(v); }

Phase phase_of(Pass p) {
  switch (p) {
    case Pass::forward:
      return Phase::forward;
    case Pass::backward:
      return Phase::backward;
    case Pass::step:
      return Phase::step;
  }
  return Phase::forward;
}

const PassCost& node_pass(const NodeCost& n, Pass p) {
  return p == Pass::backward ? n.backward : n.forward;
}

double node_time(const LayerTime& t, Pass p) {
  const double v = p == Pass::backward ? t.backward_s : t.forward_s;
  return positive(v) ? v : kNaN;
}

// Layer times by node name; Error naming a time whose layer is no node.
std::map<std::string, const LayerTime*> times_by_node(const ModelCost& cost,
                                                      std::span<const LayerTime> times) {
  std::set<std::string> names;
  for (const NodeCost& n : cost.nodes) names.insert(n.name);
  std::map<std::string, const LayerTime*> out;
  for (const LayerTime& t : times) {
    if (!names.contains(t.name)) {
      fail("layer time for '{}' matches no node of the cost model of '{}'", t.name,
           cost.graph_name);
    }
    out.emplace(t.name, &t);
  }
  return out;
}

const TimingStats& phase_stats(const ResultRecord& r, Phase phase, std::string_view what) {
  if (r.status == RecordStatus::failed) {
    fail("{}: the record of {} failed ({}); nothing to {}", what, describe(r.key()),
         r.status_reason.empty() ? "no reason given" : r.status_reason, what);
  }
  const auto it = r.timings.find(phase);
  if (it == r.timings.end() || !positive(it->second.median_s)) {
    fail("{}: the record of {} has no {} time", what, describe(r.key()), phase_name(phase));
  }
  return it->second;
}

std::string convergence_note(const ResultRecord& r, const TimingStats& t) {
  // No interval of fewer than 10 samples (store/timing_text.h).
  std::string note =
      fmt::format("status {}, {} samples, {}", record_status_name(r.status), t.n,
                  has_reportable_interval(t) ? "median 95% CI " + interval_text(t) : "no 95% CI");
  std::string_view why = r.status_reason;
  if (why.starts_with("noisy: ")) why.remove_prefix(7);
  if (!why.empty()) note += fmt::format(": {}", why);
  return note;
}

void check_ceiling(const RoofCeiling& c) {
  if (!positive(c.peak_flops) || !positive(c.bandwidth)) {
    fail("ceiling '{}' needs a positive peak and bandwidth (got {} FLOP/s, {} B/s)", c.label(),
         c.peak_flops, c.bandwidth);
  }
}

// A ceiling judges a record only when it holds for the record's thread
// count (DESIGN.md: the same conditions as the run) and precision.
void check_matches(const ResultRecord& r, std::span<const RoofCeiling> ceilings) {
  const int threads = threads_in_force(r);
  const DType storage = storage_dtype(r.dtype);
  for (const RoofCeiling& c : ceilings) {
    if (c.threads > 0 && threads > 0 && c.threads != threads) {
      fail(
          "{} ran on {} thread{}; the ceiling '{}' holds for {}: judge it against ceilings of "
          "its own thread count",
          describe(r.key()), threads, threads == 1 ? "" : "s", c.label(), c.threads);
    }
    if (c.precision != r.dtype && c.precision != storage) {
      fail("{} ran in {}; the ceiling '{}' is for {}", describe(r.key()), dtype_name(r.dtype),
           c.label(), dtype_name(c.precision));
    }
  }
}

std::string threads_words(int n) { return fmt::format("{} thread{}", n, n == 1 ? "" : "s"); }

}  // namespace dnnroof::analysis_detail
