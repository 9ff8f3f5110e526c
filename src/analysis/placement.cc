#include "analysis/placement.h"

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

std::string_view pass_name(Pass p) {
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

namespace {

// The record's `pass` time placed with the work `work_of()` gives, asked for
// after the record and the ceilings were checked (so their errors come first).
template <typename WorkOf>
Placement place_record_work(const ResultRecord& record, const WorkOf& work_of, Pass pass,
                            std::span<const RoofCeiling> ceilings) {
  const TimingStats& t = phase_stats(record, phase_of(pass), "placement");
  check_matches(record, ceilings);
  const bool converged = record.status == RecordStatus::ok && t.converged;
  Placement p =
      place_point(fmt::format("{} b{}", record.model, record.batch), work_of(), t.median_s,
                  ceilings, converged, converged ? "" : convergence_note(record, t));
  p.model = record.model;
  p.batch = record.batch;
  p.threads = threads_in_force(record);
  return p;
}

}  // namespace

Placement place_record(const ResultRecord& record, const ModelCost& cost, Pass pass,
                       std::span<const RoofCeiling> ceilings) {
  phase_stats(record, phase_of(pass), "placement");
  if (cost.batch != record.batch) {
    fail("placement: the cost of '{}' is for batch {}, the record of {} for batch {}",
         cost.graph_name, cost.batch, describe(record.key()), record.batch);
  }
  return place_record_work(
      record, [&] { return model_work(cost, pass); }, pass, ceilings);
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
  return place_record_work(
      record, [&] { return record_work(record, pass); }, pass, ceilings);
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

}  // namespace dnnroof
