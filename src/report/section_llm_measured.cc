// The language-model section's measured steps: each prefill or decode record
// placed under its device's roofs beside src/llm's lower bound, whole and per
// op group, and the commentary on the gap (section_llm.h).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "analysis/ceilings.h"
#include "core/error.h"
#include "core/units.h"
#include "report/gnuplot.h"
#include "report/section_llm.h"
#include "report/section_models.h"
#include "store/timing_text.h"

namespace dnnroof {
namespace {

// The bound's time per op instance below which a kernel's fixed launch and
// synchronisation cost (microseconds) is a plausible share of its time
// (the report's short-layer threshold, section_measured.h).
constexpr double kShortOpSeconds = kShortLayerSeconds;
// A measured step this many times its bound or more is "far from" it.
constexpr double kFarFromBound = 3;

std::optional<llm::Precision> precision_of(DType d) {
  if (d != DType::fp32 && d != DType::fp16 && d != DType::bf16) return std::nullopt;
  llm::Precision p;
  p.weights = p.activations = p.kv_cache = std::string(dtype_name(d));
  return p;
}

// The op name of a layer entry: its `op`, else the last part of its name
// ("h.3.attention" -> "attention").
std::string op_of(const LayerTiming& l) {
  if (!l.op.empty()) return l.op;
  const std::size_t dot = l.name.rfind('.');
  return dot == std::string::npos ? l.name : l.name.substr(dot + 1);
}

}  // namespace

std::vector<LlmMeasured> llm_measured(const LlmSectionInput& in,
                                      std::vector<std::string>& problems) {
  std::vector<LlmMeasured> out;
  for (const ResultRecord& r : in.records) {
    const std::string what =
        fmt::format("{} {} b{} c{} on {}", r.model, r.llm_phase, r.batch, r.llm_context, r.device);
    if (r.status == RecordStatus::failed) {
      problems.push_back(fmt::format("{}: failed ({})", what, r.status_reason));
      continue;
    }
    const auto t = r.timings.find(Phase::forward);
    if (t == r.timings.end() || !(t->second.median_s > 0)) {
      problems.push_back(fmt::format("{}: no forward time", what));
      continue;
    }
    const llm::LlmConfig* model = nullptr;
    for (const auto& m : in.sweep.models) {
      if (m.name == r.model) model = &m;
    }
    const auto prec = precision_of(r.dtype);
    const MeasuredDevice* dev = nullptr;
    for (const MeasuredDevice& d : in.devices) {
      if (d.key == device_key(r)) dev = &d;
    }
    // The roof the rest of the report judges this device by (measured over datasheet).
    const RoofCeiling* main = dev != nullptr ? main_memory_ceiling(dev->ceilings) : nullptr;
    if (model == nullptr || !prec || main == nullptr) {
      problems.push_back(fmt::format(
          "{}: {}", what,
          model == nullptr ? "no config for the model"
          : !prec ? fmt::format("dtype {} is not a language-model precision", dtype_name(r.dtype))
          : dev == nullptr ? std::string("no device")
                           : fmt::format("no main-memory ceiling ({})", dev->note)));
      continue;
    }
    try {
      LlmMeasured m;
      m.record = &r;
      m.device = dev;
      m.label = fmt::format("{} {} b{} c{}", r.model, r.llm_phase, r.batch, r.llm_context);
      llm::Workload w{llm::parse_phase(r.llm_phase), r.batch, r.llm_context, false};
      m.cost = llm::phase_cost(*model, w, *prec);
      if (r.cost && w.phase == llm::Phase::prefill) {
        // The executor may compute every prompt token's logits: take the
        // variant whose FLOPs the record's own figures match.
        w.all_logits = true;
        llm::PhaseCost all = llm::phase_cost(*model, w, *prec);
        if (std::abs(all.flops() - r.cost->forward_flops) <
            std::abs(m.cost.flops() - r.cost->forward_flops)) {
          m.cost = std::move(all);
        }
      }
      m.time_s = t->second.median_s;
      m.ceiling = main->label();
      m.main_bandwidth = main->bandwidth;
      m.main_peak = main->peak_flops;
      const llm::Roof roof{dev->chip_id, main->peak_flops, main->bandwidth, main->capacity_bytes};
      const llm::Bounded b = llm::bound_phase(m.cost, roof);
      m.bound_s = b.time_s;
      m.memory_bound = b.memory_bound;
      for (const llm::OpCost& o : m.cost.ops) m.op_instances += static_cast<std::size_t>(o.count);
      Work work;
      work.flops = r.cost && r.cost->forward_flops > 0 ? r.cost->forward_flops : m.cost.flops();
      work.bytes = r.cost && r.cost->forward_bytes > 0 ? r.cost->forward_bytes : m.cost.bytes();
      double largest_op = 0;
      for (const llm::OpCost& o : m.cost.ops) {
        largest_op = std::max(largest_op, o.bytes() / static_cast<double>(o.count));
      }
      work.working_set_bytes = largest_op;
      const bool converged = r.status == RecordStatus::ok && t->second.converged;
      m.placement = place_point(m.label, work, m.time_s, dev->ceilings, converged,
                                converged ? "" : noisy_reason_text(r));
      // Op groups from the per-layer times.
      std::map<std::string, LlmOpMeasured> groups;
      for (const LayerTiming& l : r.layers) {
        if (!(l.forward_median_s > 0)) continue;
        LlmOpMeasured& g = groups[op_of(l)];
        g.op = op_of(l);
        g.layers += 1;
        g.time_s += l.forward_median_s;
      }
      for (const llm::OpCost& o : m.cost.ops) {
        const auto it = groups.find(o.name);
        if (it == groups.end()) continue;
        LlmOpMeasured g = it->second;
        groups.erase(it);
        const llm::Bounded ob = llm::bound_op(o, roof);
        g.bound_s = ob.time_s;
        g.memory_bound = ob.memory_bound;
        if (!(o.flops > 0) || !(o.bytes() > 0)) continue;
        Work ow;
        ow.flops = o.flops;
        ow.bytes = o.bytes();
        ow.working_set_bytes = o.bytes() / static_cast<double>(o.count);
        g.placement = place_point(fmt::format("{} {}", m.label, o.name), ow, g.time_s,
                                  dev->ceilings, converged);
        g.placement.layer = o.name;
        m.ops.push_back(std::move(g));
      }
      for (const auto& [name, g] : groups) {
        problems.push_back(
            fmt::format("{}: layer op '{}' ({} entries) is no op of src/llm's "
                        "model (docs/llm.md lists them)",
                        what, name, g.layers));
      }
      out.push_back(std::move(m));
    } catch (const Error& e) {
      problems.push_back(fmt::format("{}: {}", what, e.what()));
    }
  }
  return out;
}

std::vector<std::string> llm_measured_commentary(const std::vector<LlmMeasured>& ms) {
  std::vector<std::string> out;
  for (const LlmMeasured& m : ms) {
    const ResultRecord& r = *m.record;
    const double bytes = m.cost.bytes(), flops = m.cost.flops();
    std::string text = fmt::format(
        "{} {} at batch {}, {} {} tokens, on {}: measured {} against a lower bound of {} ({} "
        "the bound; {:.1f}% of the roof at {} FLOP/B).",
        r.model, r.llm_phase, r.batch, r.llm_phase == "prefill" ? "prompt of" : "KV cache of",
        r.llm_context, m.device->short_name, time_with_interval_text(r.timings.at(Phase::forward)),
        time_text(m.bound_s), ratio_text(m.ratio()), m.placement.percent_of_attainable(),
        format_intensity(m.placement.intensity()));
    text += m.memory_bound
                ? fmt::format(
                      " The bound is memory time on the {} roof: {} moved at {}; the "
                      "measured step moved them at {} ({:.0f}% of that bandwidth).",
                      m.ceiling, format_si(bytes, "B"), format_si(m.main_bandwidth, "B/s"),
                      format_si(bytes / m.time_s, "B/s"), 100 * bytes / m.time_s / m.main_bandwidth)
                : fmt::format(
                      " The bound is compute time on the {} roof: {} at {}; the measured "
                      "step ran at {} ({:.0f}% of that peak).",
                      m.ceiling, format_si(flops, "FLOP"), format_si(m.main_peak, "FLOP/s"),
                      format_si(flops / m.time_s, "FLOP/s"), 100 * flops / m.time_s / m.main_peak);
    if (m.placement.above_roof) {
      text += fmt::format(" It ran faster than a lower bound allows, so it is flagged: {}",
                          m.placement.above_roof->explanation);
    } else if (m.ratio() >= kFarFromBound) {
      // Where the gap is, among the op groups timed.
      const LlmOpMeasured* worst = nullptr;
      for (const LlmOpMeasured& o : m.ops) {
        if (worst == nullptr || o.time_s - o.bound_s > worst->time_s - worst->bound_s) worst = &o;
      }
      if (worst != nullptr && worst->time_s > worst->bound_s) {
        text += fmt::format(
            " Of the gap ({}), {} takes the most: {} over {} layer{} against its bound of {} ({}).",
            time_text(m.time_s - m.bound_s), worst->op, time_text(worst->time_s), worst->layers,
            worst->layers == 1 ? "" : "s", time_text(worst->bound_s),
            ratio_text(worst->time_s / worst->bound_s));
      }
      const double per_op =
          m.bound_s / static_cast<double>(std::max<std::size_t>(m.op_instances, 1));
      if (per_op < kShortOpSeconds) {
        text += fmt::format(
            " Its {} op instances (ops x layers, each at least one kernel) average {} of bound "
            "each, under {}: at this size a kernel's fixed launch and synchronisation cost (a few "
            "microseconds) is comparable to its work, so per-call overhead, not {}, is the likely "
            "gap; a larger batch or context, or fused kernels, close it.",
            m.op_instances, time_text(per_op), time_text(kShortOpSeconds),
            m.memory_bound ? "bandwidth" : "the peak");
      }
    }
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace dnnroof
