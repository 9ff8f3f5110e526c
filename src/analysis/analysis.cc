#include "analysis/analysis.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string_view>

#include "core/error.h"
#include "core/units.h"
#include "store/timing_text.h"

namespace dnnroof {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool positive(double v) { return v > 0 && std::isfinite(v); }

// The backward:forward FLOPs ratio outside this range is suspicious
// (DESIGN.md: near 2, a little less; near 1 means a gradient was forgotten).
constexpr double kMinFlopsRatio = 1.5;
constexpr double kMaxFlopsRatio = 2.5;

std::string pass_name(Pass p) {
  switch (p) {
    case Pass::forward:
      return "forward";
    case Pass::backward:
      return "backward";
    case Pass::step:
      return "step";
  }
  return "?";
}

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
  const DType storage = r.dtype == DType::tf32 ? DType::fp32 : r.dtype;
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

}  // namespace

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

std::string_view above_roof_cause_name(AboveRoofCause c) {
  switch (c) {
    case AboveRoofCause::cache_fit:
      return "cache fit";
    case AboveRoofCause::compulsory_traffic:
      return "compulsory traffic";
    case AboveRoofCause::wrong_peak:
      return "wrong peak for the dtype";
    case AboveRoofCause::unconverged:
      return "unconverged measurement";
    case AboveRoofCause::unexplained:
      return "unexplained";
  }
  return "?";
}

std::string_view bound_name(Bound b) { return b == Bound::compute ? "compute" : "memory"; }

double Placement::percent_of_attainable() const {
  return per_ceiling.empty() ? kNaN : 100 * per_ceiling[binding].fraction;
}

Placement place_point(std::string label, const Work& work, double time_s,
                      std::span<const RoofCeiling> ceilings, bool converged,
                      const std::string& convergence_note_text) {
  if (!positive(work.flops)) {
    fail("'{}': {} FLOPs cannot be placed (must be > 0)", label, work.flops);
  }
  if (!positive(work.bytes)) {
    fail("'{}': {} bytes cannot be placed (must be > 0)", label, work.bytes);
  }
  if (!positive(time_s)) fail("'{}': a time of {} s cannot be placed (must be > 0)", label, time_s);
  if (ceilings.empty()) fail("'{}': no ceiling to place it against", label);
  for (const RoofCeiling& c : ceilings) check_ceiling(c);

  Placement p;
  p.label = std::move(label);
  p.work = work;
  p.time_s = time_s;
  p.achieved_flops = work.flops / time_s;
  const double x = work.intensity();
  for (std::size_t i = 0; i < ceilings.size(); ++i) {
    CeilingPlacement cp;
    cp.attainable_flops = ceilings[i].roof(x);
    cp.fraction = p.achieved_flops / cp.attainable_flops;
    cp.bound = x < ceilings[i].ridge() ? Bound::memory : Bound::compute;
    // Ties go to the later ceiling: levels are listed fastest first, so at a
    // compute-bound point the main-memory ceiling binds, not L1's.
    if (p.per_ceiling.empty() || cp.attainable_flops <= p.per_ceiling[p.binding].attainable_flops) {
      p.binding = i;
    }
    p.per_ceiling.push_back(cp);
  }
  const CeilingPlacement& bind = p.per_ceiling[p.binding];
  p.bound = bind.bound;
  if (p.achieved_flops <= bind.attainable_flops * (1 + kAboveRoofTolerance)) return p;

  // Above the binding roof: say which checks explain it.
  const RoofCeiling& bc = ceilings[p.binding];
  AboveRoof flag;
  flag.ceiling = p.binding;
  flag.ratio = bind.fraction;
  std::vector<std::string> why;
  why.push_back(fmt::format("{} reaches {}, {:.2f}x the {} roof ({} at {:.3g} FLOP/B).", p.label,
                            format_si(p.achieved_flops, "FLOP/s"), flag.ratio, bc.label(),
                            format_si(bind.attainable_flops, "FLOP/s"), x));
  // Cache fit: the smallest level (other than the binding one) that holds
  // the working set, and whose roof is above the point.
  if (positive(work.working_set_bytes)) {
    const RoofCeiling* fit = nullptr;
    for (const RoofCeiling& c : ceilings) {
      if (&c == &bc || c.is_main || !positive(c.capacity_bytes)) continue;
      if (c.source != bc.source || c.chip_id != bc.chip_id) continue;
      if (work.working_set_bytes > c.capacity_bytes) continue;
      if (fit == nullptr || c.capacity_bytes < fit->capacity_bytes) fit = &c;
    }
    if (fit != nullptr) {
      const double roof = fit->roof(x);
      if (p.achieved_flops <= roof * (1 + kAboveRoofTolerance)) {
        flag.causes.push_back(AboveRoofCause::cache_fit);
        why.push_back(fmt::format(
            "Its working set ({}) fits the {} ({}): against the {} roof ({}) it is at {:.0f}%, "
            "so the data came from cache, not {}.",
            format_si(work.working_set_bytes, "B"), fit->level, format_si(fit->capacity_bytes, "B"),
            fit->level, format_si(roof, "FLOP/s"), 100 * p.achieved_flops / roof, bc.level));
      }
    }
  }
  if (positive(work.compulsory_bytes) && work.compulsory_bytes < work.bytes) {
    const double xc = work.flops / work.compulsory_bytes;
    const double roof = bc.roof(xc);
    if (p.achieved_flops <= roof * (1 + kAboveRoofTolerance)) {
      flag.causes.push_back(AboveRoofCause::compulsory_traffic);
      why.push_back(fmt::format(
          "With compulsory traffic only ({}, intensity {:.3g} FLOP/B) the roof is {}: activations "
          "were reused between layers, which the no-reuse traffic model does not count.",
          format_si(work.compulsory_bytes, "B"), xc, format_si(roof, "FLOP/s")));
    }
  }
  if (p.achieved_flops > bc.peak_flops * (1 + kAboveRoofTolerance)) {
    std::string alternatives;
    for (const auto& [dtype, peak] : bc.other_peaks) {
      if (peak >= p.achieved_flops) {
        alternatives += fmt::format("{}{} {}", alternatives.empty() ? "" : ", ", dtype_name(dtype),
                                    format_si(peak, "FLOP/s"));
      }
    }
    if (!alternatives.empty()) {
      flag.causes.push_back(AboveRoofCause::wrong_peak);
      why.push_back(fmt::format(
          "It beats the {} peak ({}); only the peaks of {} allow it: the library probably ran "
          "another precision (e.g. tf32 or reduced-precision tensor cores), so the {} peak is the "
          "wrong ceiling.",
          dtype_name(bc.precision), format_si(bc.peak_flops, "FLOP/s"), alternatives,
          dtype_name(bc.precision)));
    }
  }
  if (!converged) {
    flag.causes.push_back(AboveRoofCause::unconverged);
    why.push_back(
        fmt::format("The measurement did not converge{}: its median is not trustworthy.",
                    convergence_note_text.empty() ? "" : " (" + convergence_note_text + ")"));
  }
  if (flag.causes.empty()) {
    flag.causes.push_back(AboveRoofCause::unexplained);
    why.emplace_back(
        "No cache level, compulsory traffic, other precision or noise explains it: suspect the "
        "time (e.g. asynchronous work not waited for) or the FLOP count.");
  }
  for (std::size_t i = 0; i < why.size(); ++i) {
    flag.explanation += (i == 0 ? "" : " ") + why[i];
  }
  p.above_roof = std::move(flag);
  return p;
}

Work model_work(const ModelCost& cost, Pass pass) {
  if (pass != Pass::forward && !cost.options.training) {
    fail("the cost of '{}' was estimated for inference: it has no {} pass", cost.graph_name,
         pass_name(pass));
  }
  Work w;
  const PassCost pc = pass == Pass::forward    ? cost.forward
                      : pass == Pass::backward ? cost.backward
                                               : cost.step();
  w.flops = pc.flops();
  w.bytes = pc.bytes();
  w.compulsory_bytes = pass == Pass::forward    ? cost.compulsory_forward_bytes
                       : pass == Pass::backward ? cost.compulsory_backward_bytes
                                                : cost.compulsory_step_bytes();
  for (const NodeCost& n : cost.nodes) {
    const double b =
        pass == Pass::step ? n.forward.bytes() + n.backward.bytes() : node_pass(n, pass).bytes();
    w.working_set_bytes =
        std::max(w.working_set_bytes,
                 pass == Pass::step ? std::max(n.forward.bytes(), n.backward.bytes()) : b);
  }
  return w;
}

Placement place_record(const ResultRecord& record, const ModelCost& cost, Pass pass,
                       std::span<const RoofCeiling> ceilings) {
  const TimingStats& t = phase_stats(record, phase_of(pass), "placement");
  if (cost.batch != record.batch) {
    fail("placement: the cost of '{}' is for batch {}, the record of {} for batch {}",
         cost.graph_name, cost.batch, describe(record.key()), record.batch);
  }
  check_matches(record, ceilings);
  const bool converged = record.status == RecordStatus::ok && t.converged;
  Placement p =
      place_point(fmt::format("{} b{}", record.model, record.batch), model_work(cost, pass),
                  t.median_s, ceilings, converged, converged ? "" : convergence_note(record, t));
  p.model = record.model;
  p.batch = record.batch;
  p.threads = threads_in_force(record);
  return p;
}

std::vector<LayerTime> layer_times(const ResultRecord& record) {
  std::vector<LayerTime> out;
  out.reserve(record.layers.size());
  for (const LayerTiming& l : record.layers) {
    out.push_back({l.name, l.forward_median_s, l.backward_median_s});
  }
  return out;
}

Work record_work(const ResultRecord& record, Pass pass) {
  if (!record.cost) {
    fail(
        "the record of {} has no cost figures (re-run the benchmark, or place it with the "
        "model's cost)",
        describe(record.key()));
  }
  if (pass != Pass::forward && record.mode != RunMode::train) {
    fail("the record of {} is inference: it has no {} pass", describe(record.key()),
         pass_name(pass));
  }
  const CostFigures& c = *record.cost;
  Work w;
  switch (pass) {
    case Pass::forward:
      w.flops = c.forward_flops;
      w.bytes = c.forward_bytes;
      if (record.mode == RunMode::infer) w.compulsory_bytes = c.compulsory_bytes;
      break;
    case Pass::backward:
      w.flops = c.backward_flops;
      w.bytes = c.backward_bytes;
      break;
    case Pass::step:
      w.flops = c.forward_flops + c.backward_flops;
      w.bytes = c.forward_bytes + c.backward_bytes;
      w.compulsory_bytes = c.compulsory_bytes;
      break;
  }
  return w;
}

Placement place_record(const ResultRecord& record, Pass pass,
                       std::span<const RoofCeiling> ceilings) {
  const TimingStats& t = phase_stats(record, phase_of(pass), "placement");
  check_matches(record, ceilings);
  const bool converged = record.status == RecordStatus::ok && t.converged;
  Placement p =
      place_point(fmt::format("{} b{}", record.model, record.batch), record_work(record, pass),
                  t.median_s, ceilings, converged, converged ? "" : convergence_note(record, t));
  p.model = record.model;
  p.batch = record.batch;
  p.threads = threads_in_force(record);
  return p;
}

LayerPlacements place_layers(const ResultRecord& record, const ModelCost& cost,
                             std::span<const LayerTime> times, Pass pass,
                             std::span<const RoofCeiling> ceilings) {
  if (pass == Pass::step) fail("layers are placed per pass (forward or backward), not per step");
  if (pass == Pass::backward && !cost.options.training) {
    fail("the cost of '{}' was estimated for inference: it has no backward pass", cost.graph_name);
  }
  check_matches(record, ceilings);
  const auto by_name = times_by_node(cost, times);
  const bool converged = record.status == RecordStatus::ok;
  LayerPlacements out;
  for (const NodeCost& n : cost.nodes) {
    const PassCost& pc = node_pass(n, pass);
    const auto it = by_name.find(n.name);
    const double t = it == by_name.end() ? kNaN : node_time(*it->second, pass);
    if (!(pc.flops() > 0) || !(pc.bytes() > 0)) {
      out.skipped.push_back(fmt::format("{}: no {} FLOPs", n.name, pass_name(pass)));
      continue;
    }
    if (!std::isfinite(t)) {
      out.skipped.push_back(fmt::format("{}: no {} time", n.name, pass_name(pass)));
      continue;
    }
    Work w;
    w.flops = pc.flops();
    w.bytes = pc.bytes();
    w.working_set_bytes = pc.bytes();
    Placement p = place_point(
        n.name, w, t, ceilings, converged,
        converged ? "" : "the record is " + std::string(record_status_name(record.status)));
    p.model = record.model;
    p.threads = threads_in_force(record);
    p.layer = n.name;
    p.op = n.op;
    p.batch = record.batch;
    out.layers.push_back(std::move(p));
  }
  return out;
}

Prediction predict(const ResultRecord& record, const ModelCost& cost, Pass pass,
                   const RoofCeiling& ceiling, std::span<const LayerTime> times) {
  check_ceiling(ceiling);
  check_matches(record, std::span<const RoofCeiling>(&ceiling, 1));
  if (pass != Pass::forward && !cost.options.training) {
    fail("the cost of '{}' was estimated for inference: it has no {} pass", cost.graph_name,
         pass_name(pass));
  }
  const auto by_name = times_by_node(cost, times);
  Prediction out;
  out.model = record.model;
  out.batch = record.batch;
  out.pass = pass;
  out.ceiling = ceiling.label();
  double measured_sum = 0;
  bool any_measured = false;
  for (const NodeCost& n : cost.nodes) {
    // A step is forward + backward per layer, each bounded on its own.
    const std::vector<const PassCost*> passes =
        pass == Pass::step ? std::vector<const PassCost*>{&n.forward, &n.backward}
                           : std::vector<const PassCost*>{&node_pass(n, pass)};
    LayerPrediction lp;
    lp.name = n.name;
    lp.op = n.op;
    for (const PassCost* pc : passes) {
      const double c = pc->flops() / ceiling.peak_flops;
      const double m = pc->bytes() / ceiling.bandwidth;
      lp.flops += pc->flops();
      lp.bytes += pc->bytes();
      lp.compute_s += c;
      lp.memory_s += m;
      lp.predicted_s += std::max(c, m);
    }
    lp.measured_s = kNaN;
    if (const auto it = by_name.find(n.name); it != by_name.end()) {
      double t = 0;
      if (pass == Pass::step) {
        t = node_time(*it->second, Pass::forward) +
            (n.backward.flops() > 0 || n.backward.bytes() > 0
                 ? node_time(*it->second, Pass::backward)
                 : 0);
      } else {
        t = node_time(*it->second, pass);
      }
      if (std::isfinite(t)) {
        lp.measured_s = t;
        measured_sum += t;
        any_measured = true;
      }
    }
    lp.error = positive(lp.measured_s) ? (lp.predicted_s - lp.measured_s) / lp.measured_s : kNaN;
    lp.faster_than_bound =
        positive(lp.measured_s) && lp.predicted_s > lp.measured_s * (1 + kAboveRoofTolerance);
    if (lp.compute_s > lp.memory_s) ++out.compute_bound_layers;
    out.predicted_s += lp.predicted_s;
    out.layers.push_back(std::move(lp));
  }
  const Work w = model_work(cost, pass);
  out.whole_model_s = std::max(w.flops / ceiling.peak_flops, w.bytes / ceiling.bandwidth);
  out.layer_measured_sum_s = any_measured ? measured_sum : kNaN;
  const auto it = record.timings.find(phase_of(pass));
  out.measured_s = record.status != RecordStatus::failed && it != record.timings.end() &&
                           positive(it->second.median_s)
                       ? it->second.median_s
                       : kNaN;
  out.error = positive(out.measured_s) ? (out.predicted_s - out.measured_s) / out.measured_s : kNaN;
  out.faster_than_bound =
      positive(out.measured_s) && out.predicted_s > out.measured_s * (1 + kAboveRoofTolerance);
  return out;
}

std::vector<double> average_ranks(std::span<const double> values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) fail("rank correlation: value {} is NaN", i);
  }
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    // Positions i..j (0-based) share the mean of ranks i+1..j+1.
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

double spearman(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) {
    fail("rank correlation: {} values against {} (must be pairs)", a.size(), b.size());
  }
  const std::vector<double> ra = average_ranks(a);
  const std::vector<double> rb = average_ranks(b);
  if (a.size() < 2) return kNaN;
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n;
  const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  if (saa == 0 || sbb == 0) return kNaN;
  return sab / std::sqrt(saa * sbb);
}

CorrelationMatrix correlation_matrix(std::span<const CorrelationRow> rows, int batch) {
  CorrelationMatrix m;
  m.batch = batch;
  std::vector<const CorrelationRow*> at;
  bool any_gpu = false;
  for (const CorrelationRow& r : rows) {
    if (r.batch != batch) continue;
    at.push_back(&r);
    any_gpu = any_gpu || positive(r.gpu_latency_s);
  }
  using Getter = double (*)(const CorrelationRow&);
  std::vector<std::pair<std::string, Getter>> vars;
  vars.emplace_back("CPU latency", [](const CorrelationRow& r) { return r.cpu_latency_s; });
  if (any_gpu) {
    vars.emplace_back("GPU latency", [](const CorrelationRow& r) { return r.gpu_latency_s; });
  }
  vars.emplace_back("FLOPs", [](const CorrelationRow& r) { return r.flops; });
  vars.emplace_back("parameters", [](const CorrelationRow& r) { return r.params; });
  vars.emplace_back("activation bytes", [](const CorrelationRow& r) { return r.activation_bytes; });
  std::vector<std::vector<double>> columns(vars.size());
  for (const CorrelationRow* r : at) {
    const bool complete = std::all_of(vars.begin(), vars.end(),
                                      [&](const auto& v) { return positive(v.second(*r)); });
    if (!complete) {
      m.left_out.push_back(r->model);
      continue;
    }
    m.models.push_back(r->model);
    for (std::size_t i = 0; i < vars.size(); ++i) columns[i].push_back(vars[i].second(*r));
  }
  if (m.models.size() < 3) {
    fail(
        "rank correlation at batch {}: {} model{} with every variable measured; at least 3 are "
        "needed",
        batch, m.models.size(), m.models.size() == 1 ? "" : "s");
  }
  for (const auto& v : vars) m.variables.push_back(v.first);
  m.rho.assign(vars.size(), std::vector<double>(vars.size(), 1.0));
  for (std::size_t i = 0; i < vars.size(); ++i) {
    for (std::size_t j = i + 1; j < vars.size(); ++j) {
      m.rho[i][j] = m.rho[j][i] = spearman(columns[i], columns[j]);
    }
  }
  return m;
}

ForwardBackward forward_backward(const ResultRecord& record, const ModelCost& training_cost,
                                 const ModelCost* inference_cost) {
  if (record.mode != RunMode::train) {
    fail("forward:backward needs a training record; {} is not one", describe(record.key()));
  }
  if (!training_cost.options.training || !(training_cost.backward.flops() > 0)) {
    fail("forward:backward: the cost of '{}' has no backward pass (estimate it for training)",
         training_cost.graph_name);
  }
  ForwardBackward fb;
  fb.model = record.model;
  fb.device = record.device;
  fb.batch = record.batch;
  fb.forward_flops =
      inference_cost != nullptr ? inference_cost->forward.flops() : training_cost.forward.flops();
  fb.backward_flops = training_cost.backward.flops();
  fb.flops_ratio = fb.backward_flops / fb.forward_flops;
  fb.forward_s = phase_stats(record, Phase::forward, "forward:backward").median_s;
  fb.backward_s = phase_stats(record, Phase::backward, "forward:backward").median_s;
  fb.time_ratio = fb.backward_s / fb.forward_s;
  for (const auto& [phase, out] :
       {std::pair{Phase::optimizer, &fb.optimizer_s}, std::pair{Phase::step, &fb.step_s}}) {
    const auto it = record.timings.find(phase);
    if (it != record.timings.end() && positive(it->second.median_s)) *out = it->second.median_s;
  }
  std::vector<std::string> notes;
  if (fb.flops_ratio < kMinFlopsRatio) {
    notes.push_back(fmt::format(
        "backward:forward FLOPs {:.2f} is well under 2: grad-input or grad-weight is missing "
        "from the count",
        fb.flops_ratio));
  } else if (fb.flops_ratio > kMaxFlopsRatio) {
    notes.push_back(fmt::format(
        "backward:forward FLOPs {:.2f} is above 2.5: elementwise backward rules dominate or are "
        "over-counted",
        fb.flops_ratio));
  }
  if (fb.time_ratio < 1) {
    notes.push_back(fmt::format(
        "backward took less time than forward ({:.2f}x): check that the backward pass was "
        "synchronised before its timer stopped",
        fb.time_ratio));
  }
  for (std::size_t i = 0; i < notes.size(); ++i) fb.note += (i == 0 ? "" : "; ") + notes[i];
  return fb;
}

std::vector<ThroughputSeries> throughput_vs_batch(std::span<const ResultRecord> records) {
  std::vector<ThroughputSeries> out;
  for (const ResultRecord& r : records) {
    if (r.status == RecordStatus::failed) continue;
    const auto phase = headline_phase(r);
    if (!phase || !positive(r.timings.at(*phase).median_s)) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const ThroughputSeries& s) {
      return s.model == r.model && s.device == r.device && s.mode == r.mode && s.dtype == r.dtype;
    });
    if (it == out.end()) {
      ThroughputSeries s;
      s.model = r.model;
      s.device = r.device;
      s.mode = r.mode;
      s.dtype = r.dtype;
      out.push_back(std::move(s));
      it = out.end() - 1;
    }
    if (std::find(it->batch.begin(), it->batch.end(), r.batch) != it->batch.end()) continue;
    const TimingStats& t = r.timings.at(*phase);
    // Insert keeping batch ascending.
    const auto pos = static_cast<std::ptrdiff_t>(
        std::upper_bound(it->batch.begin(), it->batch.end(), r.batch) - it->batch.begin());
    it->batch.insert(it->batch.begin() + pos, r.batch);
    it->latency_s.insert(it->latency_s.begin() + pos, t.median_s);
    it->throughput.insert(it->throughput.begin() + pos, r.batch / t.median_s);
    it->converged.insert(it->converged.begin() + pos, r.status == RecordStatus::ok && t.converged);
  }
  return out;
}

std::vector<OpTypeShare> op_type_shares(const ModelCost& cost, std::span<const LayerTime> times,
                                        Pass pass) {
  if (pass == Pass::step) fail("op-type shares are per pass (forward or backward), not per step");
  if (pass == Pass::backward && !cost.options.training) {
    fail("the cost of '{}' was estimated for inference: it has no backward pass", cost.graph_name);
  }
  const auto by_name = times_by_node(cost, times);
  std::map<OpKind, OpTypeShare> by_op;
  OpTypeShare total;
  for (const NodeCost& n : cost.nodes) {
    const PassCost& pc = node_pass(n, pass);
    OpTypeShare& s = by_op[n.op];
    s.op = n.op;
    ++s.nodes;
    double t = 0;
    if (const auto it = by_name.find(n.name); it != by_name.end()) {
      const double v = node_time(*it->second, pass);
      if (std::isfinite(v)) t = v;
    }
    const double act = pass == Pass::backward ? n.saved_bytes : n.activation_bytes;
    s.time_s += t;
    s.flops += pc.flops();
    s.bytes += pc.bytes();
    s.activation_bytes += act;
    s.params += n.params;
    total.time_s += t;
    total.flops += pc.flops();
    total.bytes += pc.bytes();
    total.activation_bytes += act;
  }
  auto share = [](double part, double whole) { return whole > 0 ? part / whole : 0.0; };
  std::vector<OpTypeShare> out;
  for (auto& [op, s] : by_op) {
    s.time_share = share(s.time_s, total.time_s);
    s.flops_share = share(s.flops, total.flops);
    s.bytes_share = share(s.bytes, total.bytes);
    s.activation_share = share(s.activation_bytes, total.activation_bytes);
    out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(), [](const OpTypeShare& a, const OpTypeShare& b) {
    if (a.time_share != b.time_share) return a.time_share > b.time_share;
    return a.flops_share > b.flops_share;
  });
  return out;
}

}  // namespace dnnroof
