// The report's language-model section: prefill and decode on the roofline
// (section_llm.h).

#include "report/section_llm.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/figures_measured.h"
#include "report/gnuplot.h"
#include "report/roofline.h"
#include "report/section_models.h"
#include "store/timing_text.h"

namespace dnnroof {
namespace {

constexpr std::int64_t kSearchCap = std::int64_t{1} << 20;
// The bound's time per op instance below which a kernel's fixed launch and
// synchronisation cost (microseconds) is a plausible share of its time
// (the report's short-layer threshold, section_measured.h).
constexpr double kShortOpSeconds = kShortLayerSeconds;
// A measured step this many times its bound or more is "far from" it.
constexpr double kFarFromBound = 3;

Cell si(double v, std::string_view unit) { return Cell(v, format_si(v, unit)); }
Cell integer(std::int64_t v) { return Cell(static_cast<double>(v), std::to_string(v)); }
Cell num3(double v) { return Cell(v, fmt::format("{:.3g}", v)); }

llm::Workload decode_at(std::int64_t batch, std::int64_t context) {
  return llm::Workload{llm::Phase::decode, batch, context, false};
}

bool decode_memory_bound(const llm::LlmConfig& m, const LlmChip& chip, const llm::Precision& p,
                         std::int64_t batch, std::int64_t context) {
  return llm::bound_phase(llm::phase_cost(m, decode_at(batch, context), p), chip.roof).memory_bound;
}

// The smallest n in [1, kSearchCap] with done(n) (done monotone: false then
// true); 0 when none.
template <typename Done>
std::int64_t first_true(Done done) {
  if (done(1)) return 1;
  std::int64_t lo = 1, hi = 2;  // !done(lo)
  while (hi <= kSearchCap && !done(hi)) {
    lo = hi;
    hi *= 2;
  }
  if (hi > kSearchCap) return 0;
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (done(mid) ? hi : lo) = mid;
  }
  return hi;
}

std::string contexts_text(const std::vector<std::int64_t>& v) {
  std::vector<std::string> s;
  for (auto x : v) s.push_back(std::to_string(x));
  return list_text(s);
}

// "512", "512 or 4096", "512, 4096 or 32768".
std::string or_text(const std::vector<std::int64_t>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += i + 1 == v.size() ? " or " : ", ";
    out += std::to_string(v[i]);
  }
  return out;
}

const Chip* find_chip(const Catalog& catalog, const std::string& id) {
  for (const Chip& c : catalog.chips()) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::optional<llm::Precision> precision_of(DType d) {
  if (d != DType::fp32 && d != DType::fp16 && d != DType::bf16) return std::nullopt;
  llm::Precision p;
  p.weights = p.activations = p.kv_cache = std::string(dtype_name(d));
  return p;
}

// The main-memory ceiling of a device: the first is_main one.
const RoofCeiling* main_ceiling(const MeasuredDevice& d) {
  for (const RoofCeiling& c : d.ceilings) {
    if (c.is_main) return &c;
  }
  return d.ceilings.empty() ? nullptr : &d.ceilings.front();
}

// The op name of a layer entry: its `op`, else the last part of its name
// ("h.3.attention" -> "attention").
std::string op_of(const LayerTiming& l) {
  if (!l.op.empty()) return l.op;
  const std::size_t dot = l.name.rfind('.');
  return dot == std::string::npos ? l.name : l.name.substr(dot + 1);
}

}  // namespace

// ------------------------------------------------------------------ inputs

LlmSectionInput make_llm_section_input(const Catalog& catalog, const LlmStudyOptions& options,
                                       const std::vector<std::string>& report_chip_ids,
                                       std::vector<ResultRecord> records,
                                       std::vector<MeasuredDevice> devices) {
  LlmSectionInput in;
  in.records = std::move(records);
  in.devices = std::move(devices);
  LlmSweep& s = in.sweep;
  s.precision.weights = s.precision.activations = s.precision.kv_cache = to_lower(options.dtype);
  s.precision.validate();
  const DType compute = s.precision.compute();
  s.batches = options.batches;
  s.contexts = options.contexts;
  for (auto* v : {&s.batches, &s.contexts}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  if (s.batches.empty() || s.batches.front() < 1) fail("--llm-batch: batch sizes must be >= 1");
  if (s.contexts.empty() || s.contexts.front() < 1) fail("--llm-context: contexts must be >= 1");

  std::set<std::string> seen;
  for (const std::string& m : options.models) {
    llm::LlmConfig c = llm::resolve_llm(m);  // the user's input: errors propagate
    if (seen.insert(c.name).second) s.models.push_back(std::move(c));
  }
  for (const ResultRecord& r : in.records) {
    const std::string src = r.source.empty() ? r.model : r.source;
    if (seen.count(r.model) != 0) continue;
    try {
      llm::LlmConfig c = llm::resolve_llm(src);
      c.name = r.model;
      seen.insert(r.model);
      s.models.push_back(std::move(c));
    } catch (const Error& e) {
      seen.insert(r.model);
      in.notes.push_back(
          fmt::format("language model {} of the records left out: {}", src, e.what()));
    }
  }

  std::vector<std::string> ids = options.chip_ids;
  if (ids.empty()) {
    for (const ResultRecord& r : in.records) {
      const Chip* c = find_chip(catalog, r.chip);
      if (c != nullptr && c->kind != ChipKind::cpu) ids.push_back(r.chip);
    }
    for (const std::string& id : report_chip_ids) {
      const Chip* c = find_chip(catalog, id);
      if (c != nullptr && (c->kind == ChipKind::gpu || c->kind == ChipKind::asic) &&
          c->peak_flops(compute).has_value()) {
        ids.push_back(id);
      }
    }
    if (ids.empty()) {
      for (const char* id : {"h100-sxm", "a100-sxm4-80gb"}) {
        if (find_chip(catalog, id) != nullptr) ids.emplace_back(id);
      }
    }
  }
  std::set<std::string> chip_seen;
  for (const std::string& id : ids) {
    if (!chip_seen.insert(id).second) continue;
    const Chip* c = find_chip(catalog, id);
    if (c == nullptr) {
      in.notes.push_back(fmt::format("language-model chip '{}' is not in the catalog", id));
      continue;
    }
    if (s.chips.size() >= kMaxLlmChips) {
      in.notes.push_back(fmt::format(
          "language-model figures: chip {} left out (at most {} chips; --llm-chips chooses)", id,
          kMaxLlmChips));
      continue;
    }
    try {
      s.chips.push_back(llm_chip(*c, compute));
    } catch (const Error& e) {
      in.notes.push_back(fmt::format("language-model figures: chip {} left out: {}", id, e.what()));
    }
  }
  return in;
}

// ----------------------------------------------------------- static bounds

DecodeCrossover decode_crossover(const llm::LlmConfig& m, const LlmChip& chip,
                                 const llm::Precision& p, std::int64_t context) {
  DecodeCrossover d;
  d.model = m.name;
  d.chip = chip.id;
  d.context = context;
  d.ridge = chip.roof.ridge();
  d.batch =
      first_true([&](std::int64_t b) { return !decode_memory_bound(m, chip, p, b, context); });
  const llm::PhaseCost a = llm::phase_cost(m, decode_at(1024, context), p);
  const llm::PhaseCost b = llm::phase_cost(m, decode_at(2048, context), p);
  const double dbytes = b.bytes() - a.bytes();
  d.per_sequence_intensity = dbytes > 0 ? (b.flops() - a.flops()) / dbytes : 0;
  const double dkv =
      (b.kv_read_bytes() + b.kv_write_bytes()) - (a.kv_read_bytes() + a.kv_write_bytes());
  d.per_sequence_kv_share = dbytes > 0 ? dkv / dbytes : 0;
  d.max_batch_that_fits =
      chip.roof.capacity > 0
          ? llm::max_batch_that_fits(m, decode_at(1, context), p, chip.roof.capacity)
          : -1;
  return d;
}

std::int64_t prefill_compute_bound_from(const llm::LlmConfig& m, const LlmChip& chip,
                                        const llm::Precision& p) {
  return first_true([&](std::int64_t prompt) {
    return !llm::bound_phase(
                llm::phase_cost(m, llm::Workload{llm::Phase::prefill, 1, prompt, false}, p),
                chip.roof)
                .memory_bound;
  });
}

std::vector<std::string> llm_bound_commentary(const LlmSweep& s) {
  std::vector<std::string> out;
  for (const auto& m : s.models) {
    std::vector<std::int64_t> beyond;
    for (const std::int64_t ctx : s.contexts) {
      if (m.max_positions > 0 && ctx > m.max_positions) beyond.push_back(ctx);
    }
    if (!beyond.empty()) {
      out.push_back(fmt::format(
          "{} was trained for {} positions (max_position_embeddings): its figures at {} tokens "
          "are computed as if it allowed them, for the trend, not as something it can run.",
          m.name, m.max_positions, or_text(beyond)));
    }
    for (const LlmChip& chip : s.chips) {
      std::vector<DecodeCrossover> xs;
      for (const std::int64_t ctx : s.contexts)
        xs.push_back(decode_crossover(m, chip, s.precision, ctx));
      std::vector<std::string> parts;
      std::vector<std::int64_t> never_contexts;
      for (const DecodeCrossover& x : xs) {
        if (x.batch == 0) never_contexts.push_back(x.context);
      }
      for (const DecodeCrossover& x : xs) {
        if (x.batch > 0) {
          std::string fit;
          if (x.max_batch_that_fits >= 0 && x.batch > x.max_batch_that_fits) {
            fit = x.max_batch_that_fits == 0
                      ? " (where not even one sequence fits in its memory)"
                      : fmt::format(
                            " (but at most {} such sequences fit in its memory, so it is "
                            "memory-bound at every batch that fits)",
                            x.max_batch_that_fits);
          }
          parts.push_back(
              fmt::format("at batch {} with a {}-token cache{}", x.batch, x.context, fit));
        } else if (x.context == never_contexts.front()) {
          parts.push_back(
              fmt::format("at no batch with a cache of {} tokens", or_text(never_contexts)));
        }
      }
      std::string text = fmt::format(
          "On {} (ridge {} FLOP/B at {}), {} decode stops being memory-bound {}.", chip.id,
          format_intensity(chip.roof.ridge()), s.precision.activations, m.name, join(parts, "; "));
      // Why it never does, where it does not: the intensity each added
      // sequence brings is below the ridge.
      std::vector<const DecodeCrossover*> never;
      for (const DecodeCrossover& x : xs) {
        if (x.batch == 0 && x.per_sequence_intensity < x.ridge) never.push_back(&x);
      }
      if (!never.empty()) {
        const DecodeCrossover& x = *never.front();
        text += fmt::format(
            " Batching shares the weights, but each added sequence brings {} FLOP/B of its own "
            "(with a {}-token cache), below the ridge, so the step's intensity tends to that and "
            "never reaches the ridge",
            format_intensity(x.per_sequence_intensity), x.context);
        text += x.per_sequence_kv_share > 0.5
                    ? fmt::format(
                          ": {:.0f}% of the bytes a sequence adds are its own KV cache, "
                          "read once per step for one token's worth of FLOPs.",
                          100 * x.per_sequence_kv_share)
                    : ".";
      }
      const std::int64_t pre = prefill_compute_bound_from(m, chip, s.precision);
      if (pre > 0) {
        const std::int64_t ctx = llm_figure_context(s);
        const llm::PhaseCost pc =
            llm::phase_cost(m, llm::Workload{llm::Phase::prefill, 1, ctx, false}, s.precision);
        text += fmt::format(
            " Prefill is compute-bound from a prompt of {} token{} at batch 1 (a {}-token "
            "prompt: {} FLOP/B); its time to first token at {} tokens is at least {}.",
            pre, pre == 1 ? "" : "s", ctx, format_intensity(pc.intensity()), ctx,
            time_text(llm::bound_phase(pc, chip.roof).time_s));
      }
      out.push_back(std::move(text));
    }
  }
  return out;
}

std::vector<std::string> llm_memory_commentary(const LlmSweep& s) {
  std::vector<std::string> out;
  for (const auto& m : s.models) {
    for (const LlmChip& chip : s.chips) {
      const double cap = chip.roof.capacity;
      if (!(cap > 0)) {
        out.push_back(
            fmt::format("{}: the catalog gives no memory capacity for {}, so no fit is "
                        "computed.",
                        m.name, chip.id));
        continue;
      }
      const double weights = llm::memory_needed(m, decode_at(1, 1), s.precision).weights;
      const double per_token = llm::kv_bytes_per_token(m, s.precision);
      if (weights >= cap) {
        out.push_back(fmt::format(
            "{}'s weights alone ({} at {}) exceed {}'s {} of memory: it does not run on one such "
            "chip without splitting the weights over {} or more chips or storing them in fewer "
            "bits (e.g. `--weight-dtype int4` in `dnnroof analyze`).",
            m.name, format_si(weights, "B"), s.precision.weights, chip.id, format_si(cap, "B"),
            static_cast<int>(std::ceil(weights / cap))));
        continue;
      }
      std::vector<std::string> fits;
      for (const std::int64_t ctx : s.contexts) {
        fits.push_back(fmt::format("{} at {} tokens",
                                   llm::max_batch_that_fits(m, decode_at(1, ctx), s.precision, cap),
                                   ctx));
      }
      const std::int64_t max_ctx = llm::max_context_that_fits(m, decode_at(1, 1), s.precision, cap);
      const bool unlimited = max_ctx >= (std::int64_t{1} << 30);
      std::string text = fmt::format(
          "On {} ({}), {}'s weights take {} ({}%), leaving {} for the KV cache ({} per token "
          "per sequence{}) and activations: the largest batch that fits is {}; {}.",
          chip.id, format_si(cap, "B"), m.name, format_si(weights, "B"),
          fmt::format("{:.2g}", 100 * weights / cap), format_si(cap - weights, "B"),
          format_si(per_token, "B"),
          m.sliding_window > 0
              ? fmt::format(", at most the {}-token sliding window", m.sliding_window)
              : "",
          list_text(fits),
          unlimited && m.sliding_window > 0
              ? fmt::format("at batch 1 memory does not limit the context, since the cache "
                            "never holds more than the {}-token window",
                            m.sliding_window)
              : fmt::format("at batch 1 the cache can hold up to {} tokens", max_ctx));
      if (m.max_positions > 0 && max_ctx > m.max_positions) {
        text += fmt::format(
            " That is beyond the {} positions the model was trained for "
            "(max_position_embeddings), which is then the limit, not memory.",
            m.max_positions);
      }
      out.push_back(std::move(text));
    }
  }
  // Grouped-query attention, where the models differ in KV heads.
  if (s.models.size() >= 2) {
    const auto [lo, hi] =
        std::minmax_element(s.models.begin(), s.models.end(), [&](const auto& a, const auto& b) {
          return llm::kv_bytes_per_token(a, s.precision) < llm::kv_bytes_per_token(b, s.precision);
        });
    const double ratio =
        llm::kv_bytes_per_token(*hi, s.precision) / llm::kv_bytes_per_token(*lo, s.precision);
    if (ratio >= 1.5) {
      // 2 x layers x KV heads x head size each; grouped-query attention is
      // the reason only when the layers and head size are the same.
      std::string why =
          fmt::format(": {} layers x {} KV heads x {} against {} x {} x {}", hi->layers,
                      hi->kv_heads, hi->head_dim, lo->layers, lo->kv_heads, lo->head_dim);
      if (hi->layers == lo->layers && hi->head_dim == lo->head_dim && hi->kv_heads > lo->kv_heads) {
        why += fmt::format(
            ", the same layers and head size: {} shares each key/value head "
            "among {} query heads ({}), {} among {} ({})",
            lo->name, lo->heads / lo->kv_heads, lo->attention_kind(), hi->name,
            hi->heads / hi->kv_heads, hi->attention_kind());
      }
      out.push_back(fmt::format(
          "Per token of context, {}'s KV cache takes {} the bytes of {}'s ({} against {}){}; the "
          "same memory holds that many times fewer tokens, and each decode step reads that many "
          "times more cache per sequence.",
          hi->name, ratio_text(ratio), lo->name,
          format_si(llm::kv_bytes_per_token(*hi, s.precision), "B"),
          format_si(llm::kv_bytes_per_token(*lo, s.precision), "B"), why));
    }
  }
  return out;
}

// ---------------------------------------------------------------- measured

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
    if (model == nullptr || !prec || dev == nullptr || dev->ceilings.empty()) {
      problems.push_back(fmt::format(
          "{}: {}", what,
          model == nullptr ? "no config for the model"
          : !prec ? fmt::format("dtype {} is not a language-model precision", dtype_name(r.dtype))
          : dev == nullptr ? std::string("no device")
                           : fmt::format("no roofline ({})", dev->note)));
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
      const RoofCeiling* main = main_ceiling(*dev);
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

// ----------------------------------------------------------------- section

namespace {

// "222", "1714", "4.5": a rate for people (no exponents).
std::string rate_text(double v) {
  return v >= 100 ? fmt::format("{:.0f}", v) : fmt::format("{:.3g}", v);
}

// Every configuration: `full` (data file, one column per quantity) and a
// compact table for the page (intensity and bound in one cell).
std::pair<Table, Table> bounds_tables(const std::vector<LlmPoint>& pts) {
  Table full({"model", "chip", "batch", "context", "decode FLOP/B", "decode bound",
              "decode step (lower bound)", "tokens/s (upper bound)", "prefill FLOP/B",
              "prefill bound", "TTFT (lower bound)", "memory needed (decode)", "fits"},
             {"model", "chip", "batch", "context", "decode_intensity", "decode_bound",
              "decode_time_s", "decode_tokens_per_s", "prefill_intensity", "prefill_bound",
              "ttft_s", "decode_memory_bytes", "fits"});
  Table page({"model", "chip", "batch", "context", "decode FLOP/B (bound)",
              "step >=", "tokens/s <=", "prefill FLOP/B (bound)", "TTFT >=", "memory (fits)"});
  std::map<std::tuple<std::string, std::string, std::int64_t, std::int64_t>, const LlmPoint*> pre;
  for (const LlmPoint& p : pts) {
    if (p.phase == llm::Phase::prefill) pre[{p.model, p.chip, p.batch, p.context}] = &p;
  }
  auto bound = [](const LlmPoint& p) { return p.memory_bound ? "memory" : "compute"; };
  for (const LlmPoint& d : pts) {
    if (d.phase != llm::Phase::decode) continue;
    const LlmPoint* p = pre.at({d.model, d.chip, d.batch, d.context});
    full.add_row({d.model, d.chip, integer(d.batch), integer(d.context), num3(d.intensity()),
                  bound(d), si(d.time_s, "s"),
                  Cell(d.tokens_per_s(), fmt::format("{:.4g}", d.tokens_per_s())),
                  num3(p->intensity()), bound(*p), si(p->time_s, "s"), si(d.memory_need, "B"),
                  d.fits ? "yes" : "no"});
    page.add_row({d.model, d.chip, integer(d.batch), integer(d.context),
                  fmt::format("{} ({})", format_intensity(d.intensity()), bound(d)),
                  format_si(d.time_s, "s"), rate_text(d.tokens_per_s()),
                  fmt::format("{} ({})", format_intensity(p->intensity()), bound(*p)),
                  format_si(p->time_s, "s"),
                  fmt::format("{} ({})", format_si(d.memory_need, "B"), d.fits ? "yes" : "no")});
  }
  return {std::move(full), std::move(page)};
}

std::vector<Ceiling> figure_ceilings(const MeasuredDevice& d, const std::vector<std::size_t>& idx) {
  std::vector<Ceiling> out;
  for (std::size_t i : idx) {
    const RoofCeiling& c = d.ceilings[i];
    Ceiling f;
    f.chip = c.chip_id;
    f.label = fmt::format("{} {} {}", c.chip_id, dtype_name(c.precision), c.level);
    f.short_label = c.chip_id;  // the ridge label: short, so it stays inside the plot
    f.level = c.level;
    f.source = c.source;
    f.peak_flops = c.peak_flops;
    f.bandwidth = c.bandwidth;
    out.push_back(std::move(f));
  }
  return out;
}

// The measured steps of one device under its roofs: each step beside its
// bound (the same intensity, at FLOPs / lower-bound time), and its op groups.
FigureBlock measured_figure(const MeasuredDevice& d, const std::vector<const LlmMeasured*>& ms,
                            const std::string& id) {
  std::vector<std::size_t> drawn = drawn_ceilings(d.ceilings);
  std::vector<std::size_t> main_only;
  for (std::size_t i : drawn) {
    if (d.ceilings[i].is_main) main_only.push_back(i);
  }
  if (main_only.empty()) main_only = drawn;
  auto ceiling_index = [&](std::size_t binding) {
    const auto it = std::find(main_only.begin(), main_only.end(), binding);
    if (it != main_only.end()) return static_cast<std::size_t>(it - main_only.begin());
    main_only.push_back(binding);
    return main_only.size() - 1;
  };
  std::vector<PointInput> whole;
  std::vector<std::pair<std::string, std::vector<PointInput>>> ops;  // per step: its op groups
  std::vector<std::string> warnings;
  for (const LlmMeasured* m : ms) {
    PointInput bound;
    bound.label = m->label + " bound";
    bound.group = "lower bound (src/llm)";
    bound.kind = PointKind::measured;
    bound.intensity = m->placement.intensity();
    bound.flops = m->placement.work.flops / m->bound_s;
    bound.ceiling = ceiling_index(m->placement.binding);
    whole.push_back(bound);
    PointInput p;
    p.label = m->label;
    p.group = fmt::format("measured {}", m->record->llm_phase);
    p.intensity = m->placement.intensity();
    p.flops = m->placement.achieved_flops;
    p.ceiling = ceiling_index(m->placement.binding);
    whole.push_back(p);
    if (m->placement.above_roof) warnings.push_back(m->placement.above_roof->explanation);
    if (m->ops.empty()) continue;
    ops.emplace_back(m->label, std::vector<PointInput>{});
    for (const LlmOpMeasured& o : m->ops) {
      PointInput q;
      q.label = o.op;
      q.group = o.op;
      q.intensity = o.placement.intensity();
      q.flops = o.placement.achieved_flops;
      q.ceiling = ceiling_index(o.placement.binding);
      ops.back().second.push_back(q);
      if (o.placement.above_roof) warnings.push_back(o.placement.above_roof->explanation);
    }
  }
  FigureBlock f;
  f.id = id;
  f.title = fmt::format("Measured prefill and decode on {}", d.name);
  f.panels.push_back(build_roofline_figure("Whole steps: measured and their lower bound",
                                           figure_ceilings(d, main_only), whole));
  for (auto& [label, points] : ops) {
    f.panels.push_back(build_roofline_figure(fmt::format("{}: per op group (layers summed)", label),
                                             figure_ceilings(d, main_only), std::move(points)));
  }
  for (RooflineFigure& p : f.panels) p.warnings = warnings;
  f.caption = fmt::format(
      "Each measured step at its intensity (src/llm's FLOPs / bytes) and FLOPs / its median "
      "time, beside its lower bound at the same intensity (FLOPs / the sum over ops of max(FLOPs "
      "/ peak, bytes / bandwidth)): the vertical distance is the gap the text explains.{} {}",
      ops.empty()
          ? ""
          : " Below, for each step timed per layer: its op groups, each op's layers summed, at "
            "the op's intensity and FLOPs / that time.",
      d.note);
  if (!warnings.empty()) {
    f.caption += fmt::format(" Above a roof (flagged): {}", join(warnings, " "));
  }
  return f;
}

}  // namespace

MeasuredSection build_llm_section(const LlmSectionInput& in, const std::string& number) {
  MeasuredSection out;
  Section& s = out.section;
  s.id = "llm";
  s.title = number + ". Language models: prefill and decode";
  const LlmSweep& sw = in.sweep;
  int sub = 0;
  auto heading = [&](const std::string& text) {
    s.blocks.emplace_back(Heading{3, fmt::format("{}.{} {}", number, ++sub, text)});
  };
  if (sw.models.empty() || sw.chips.empty()) {
    s.blocks.emplace_back(Paragraph{
        fmt::format("No language model could be studied: {}.",
                    sw.models.empty() ? "no model was given (`--llm`) or could be read"
                                      : "no chip has a peak at the precision asked for")});
    for (const std::string& n : in.notes) out.flags.push_back(n);
    return out;
  }
  std::vector<std::string> models, chips;
  for (const auto& m : sw.models) models.push_back(m.name);
  for (const LlmChip& c : sw.chips) chips.push_back(c.id);
  std::vector<std::string> batches;
  for (auto b : sw.batches) batches.push_back(std::to_string(b));
  s.blocks.emplace_back(Paragraph{fmt::format(
      "Decoder-only transformers ({}) from their config.json, at {} (weights, activations and KV "
      "cache), on {}: a prefill (a prompt of P tokens per sequence, empty cache) and a decode "
      "step (one new token per sequence with a KV cache of C tokens) at batch {} and P = C = "
      "{} tokens. FLOPs and bytes per op come from dnnroof's analytic per-phase model "
      "(docs/llm.md: causal attention counted exactly, fused attention, the KV cache as memory "
      "traffic, weights read once per step), bounded per op by max(FLOPs / peak, bytes / "
      "bandwidth) on each chip's main-memory roof and summed. The same numbers: `dnnroof "
      "analyze {} --batch {} --context {} --chip {} --figures DIR`.",
      list_text(models), sw.precision.activations, list_text(chips), list_text(batches),
      contexts_text(sw.contexts), models.front(), join(batches, ","),
      join(
          [&] {
            std::vector<std::string> c;
            for (auto x : sw.contexts) c.push_back(std::to_string(x));
            return c;
          }(),
          ","),
      join(chips, ","))});

  // Bounds, figures and where decode stops being memory-bound.
  heading("Prefill and decode on the roofline");
  const std::vector<LlmPoint> pts = llm_sweep_points(sw);
  std::vector<FigureBlock> figs = llm_sweep_figures(sw);
  std::vector<FigureBlock> memory_figs;
  for (FigureBlock& f : figs) {
    if (f.id.starts_with("llm-memory-")) {
      memory_figs.push_back(std::move(f));
    } else {
      s.blocks.emplace_back(std::move(f));
    }
  }
  for (std::string& p : llm_bound_commentary(sw)) s.blocks.emplace_back(Paragraph{std::move(p)});
  auto [bt, page] = bounds_tables(pts);
  s.blocks.emplace_back(TableBlock{
      "Per configuration and chip: decode step and prefill of the same batch and context "
      "(intensity, what bounds it, the lower-bound time), decode tokens/s at best, and the "
      "memory a decode step needs and whether it fits (data/llm_bounds.csv has each quantity in "
      "its own column).",
      page});
  out.data.push_back(DataFile{"llm_bounds", bt});
  Table xt({"model", "chip", "context", "ridge FLOP/B", "decode compute-bound from batch",
            "per-sequence FLOP/B", "largest batch that fits"},
           {"model", "chip", "context", "ridge", "crossover_batch", "per_sequence_intensity",
            "max_batch"});
  for (const auto& m : sw.models) {
    for (const LlmChip& c : sw.chips) {
      for (auto ctx : sw.contexts) {
        const DecodeCrossover x = decode_crossover(m, c, sw.precision, ctx);
        xt.add_row({m.name, c.id, integer(ctx), num3(x.ridge),
                    x.batch > 0 ? integer(x.batch) : Cell("never"), num3(x.per_sequence_intensity),
                    x.max_batch_that_fits >= 0 ? integer(x.max_batch_that_fits) : Cell("unknown")});
      }
    }
  }
  s.blocks.emplace_back(TableBlock{
      "The batch at which decode stops being memory-bound (searched up to 2^20), the intensity "
      "each added sequence brings (what decode tends to as the batch grows), and the largest "
      "batch whose weights, KV cache and activations fit the chip's memory "
      "(data/llm_crossover.csv).",
      xt});
  out.data.push_back(DataFile{"llm_crossover", xt});

  heading("Memory: weights and KV cache against each chip's memory");
  for (FigureBlock& f : memory_figs) s.blocks.emplace_back(std::move(f));
  for (std::string& p : llm_memory_commentary(sw)) s.blocks.emplace_back(Paragraph{std::move(p)});

  heading("Measured prefill and decode");
  std::vector<std::string> problems;
  const std::vector<LlmMeasured> measured = llm_measured(in, problems);
  if (measured.empty()) {
    s.blocks.emplace_back(Paragraph{
        in.records.empty()
            ? "No prefill or decode step was measured for this report (no result record with a "
              "language-model phase), so only the bounds above are shown. Records with `llm` "
              "phase and context (docs/results-schema.md), measured here or read with "
              "`--results`, are placed here under the same roofs."
            : "None of the language-model records could be placed (see below)."});
  } else {
    Table mt({"model", "phase", "batch", "context", "device", "op", "measured", "n", "lower bound",
              "measured / bound", "bound", "% of roof", "binding ceiling"},
             {"model", "phase", "batch", "context", "device", "op", "time_s", "n", "bound_s",
              "ratio", "bound", "percent_of_roof", "ceiling"});
    // The page's table: the step in one cell (the data file splits it).
    Table mpage(
        {"step", "op", "measured", "n", "lower bound", "measured / bound", "bound", "% of roof"});
    for (const LlmMeasured& m : measured) {
      const TimingStats& ts = m.record->timings.at(Phase::forward);
      auto row = [&](const std::string& op, double time, std::size_t n, double bound, bool mem,
                     const Placement& p) {
        mt.add_row(
            {m.record->model, m.record->llm_phase, integer(m.record->batch),
             integer(m.record->llm_context), m.device->short_name, op, si(time, "s"),
             integer(static_cast<std::int64_t>(n)), si(bound, "s"),
             Cell(time / bound, ratio_text(time / bound)), mem ? "memory" : "compute",
             Cell(p.percent_of_attainable(), fmt::format("{:.1f}%", p.percent_of_attainable())),
             m.device->ceilings.at(p.binding).short_label() + " " +
                 m.device->ceilings.at(p.binding).level});
        mpage.add_row({fmt::format("{} on {}", m.label, m.device->short_name), op,
                       format_si(time, "s"), std::to_string(n), format_si(bound, "s"),
                       ratio_text(time / bound), mem ? "memory" : "compute",
                       fmt::format("{:.1f}%", p.percent_of_attainable())});
      };
      row("(whole step)", m.time_s, ts.n, m.bound_s, m.memory_bound, m.placement);
      for (const LlmOpMeasured& o : m.ops) {
        row(o.op, o.time_s, o.layers, o.bound_s, o.memory_bound, o.placement);
      }
    }
    std::map<std::string, std::vector<const LlmMeasured*>> by_device;
    std::vector<const MeasuredDevice*> order;
    for (const LlmMeasured& m : measured) {
      if (by_device[m.device->key].empty()) order.push_back(m.device);
      by_device[m.device->key].push_back(&m);
    }
    for (std::size_t i = 0; i < order.size(); ++i) {
      const MeasuredDevice* d = order[i];
      std::string id = fmt::format("llm-measured-{}", d->chip_id);
      for (char& c : id) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-') c = '-';
      }
      if (order.size() > 1) id += fmt::format("-{}", i + 1);
      try {
        s.blocks.emplace_back(measured_figure(*d, by_device[d->key], id));
      } catch (const Error& e) {
        problems.push_back(
            fmt::format("no measured language-model roofline for {}: {}", d->short_name, e.what()));
      }
    }
    for (std::string& p : llm_measured_commentary(measured)) {
      s.blocks.emplace_back(Paragraph{std::move(p)});
    }
    s.blocks.emplace_back(TableBlock{
        "Measured steps (forward median; n samples, or layers summed for an op group) against "
        "src/llm's lower bound on the device's main-memory roof, and the share of the binding "
        "roof reached (data/llm_measured.csv also names the binding ceiling).",
        mpage});
    out.data.push_back(DataFile{"llm_measured", mt});
    for (const LlmMeasured& m : measured) {
      if (m.placement.above_roof) out.flags.push_back(m.placement.above_roof->explanation);
    }
  }
  std::vector<std::string> notes = in.notes;
  notes.insert(notes.end(), problems.begin(), problems.end());
  if (!notes.empty()) s.blocks.emplace_back(NoteBox{"Left out of this section", notes});
  return out;
}

}  // namespace dnnroof
