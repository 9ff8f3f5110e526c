#include "report/figures_llm.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/chart.h"
#include "report/figures_common.h"
#include "report/figures_measured.h"
#include "report/roofline.h"

namespace dnnroof {
namespace {

using figures_detail::chart_block;
using figures_detail::fit_axes;
using figures_detail::log_range;
using figures_detail::slug;

void require(const LlmSweep& s, std::string_view what) {
  if (s.models.empty()) fail("{}: no language model in the sweep", what);
  if (s.chips.empty()) fail("{}: no chip in the sweep", what);
  if (s.batches.empty() || s.contexts.empty()) fail("{}: no batch or context in the sweep", what);
}

std::string model_names(const LlmSweep& s) {
  std::vector<std::string> names;
  for (const auto& m : s.models) names.push_back(m.name);
  return join(names, ", ");
}

// "bf16" or "bf16 weights int4, KV cache int8".
std::string precision_text(const llm::Precision& p) {
  std::string out = p.activations;
  if (p.weights != p.activations) out += fmt::format(", weights {}", p.weights);
  if (p.kv_cache != p.activations) out += fmt::format(", KV cache {}", p.kv_cache);
  return out;
}

Ceiling figure_ceiling(const LlmChip& c, const llm::Precision& p) {
  RoofCeiling roof;  // the datasheet main-memory roof src/llm bounds with
  roof.chip_id = c.id;
  roof.chip_name = c.name;
  roof.level = c.memory;
  roof.is_main = true;
  roof.precision = p.compute();
  roof.peak_flops = c.roof.peak_flops;
  roof.bandwidth = c.roof.bandwidth;
  roof.capacity_bytes = c.roof.capacity;
  return {std::move(roof), fmt::format("{} {} {}", c.id, p.activations, c.memory), c.id};
}

LlmPoint make_point(const llm::LlmConfig& m, const LlmChip& chip, const llm::Precision& prec,
                    llm::Phase phase, std::int64_t batch, std::int64_t context) {
  const llm::Workload w{phase, batch, context, false};
  const llm::PhaseCost cost = llm::phase_cost(m, w, prec);
  const llm::Bounded b = llm::bound_phase(cost, chip.roof);
  LlmPoint p;
  p.model = m.name;
  p.phase = phase;
  p.batch = batch;
  p.context = context;
  p.chip = chip.id;
  p.flops = cost.flops();
  p.bytes = cost.bytes();
  p.time_s = b.time_s;
  p.memory_bound = b.memory_bound;
  p.memory_need = llm::memory_needed(m, w, prec).total();
  p.fits = chip.roof.capacity <= 0 || p.memory_need <= chip.roof.capacity;
  return p;
}

PointInput bound_point(const LlmPoint& p, std::string label, std::string group) {
  PointInput in;
  in.label = std::move(label);
  in.group = std::move(group);
  in.kind = PointKind::measured;  // drawn at its bound rate (on or just under the roof)
  in.intensity = p.intensity();
  in.flops = p.bound_flops();
  in.ceiling = 0;
  return in;
}

// A point of every chip's panel: a phase of a model at a batch.
struct PanelPoint {
  const llm::LlmConfig* model = nullptr;
  llm::Phase phase = llm::Phase::decode;
  std::int64_t batch = 0;
  std::string label, group;  // PointInput's
};

// One roofline panel per chip with `points` at `context` on it, in that
// order, each at its bound; every point made goes to `all` (chip by chip).
std::vector<RooflineFigure> chip_panels(const LlmSweep& s, const std::string& title_suffix,
                                        std::int64_t context, const std::vector<PanelPoint>& points,
                                        std::vector<LlmPoint>& all) {
  std::vector<RooflineFigure> panels;
  for (const LlmChip& c : s.chips) {
    std::vector<PointInput> pts;
    for (const PanelPoint& pp : points) {
      all.push_back(make_point(*pp.model, c, s.precision, pp.phase, pp.batch, context));
      pts.push_back(bound_point(all.back(), pp.label, pp.group));
    }
    panels.push_back(build_roofline_figure(fmt::format("{}{}", c.name, title_suffix),
                                           {figure_ceiling(c, s.precision)}, std::move(pts)));
  }
  share_axes(panels);
  return panels;
}

std::string not_fitting_text(const std::vector<LlmPoint>& pts) {
  std::vector<std::string> out;
  for (const LlmPoint& p : pts) {
    if (p.fits) continue;
    out.push_back(fmt::format("{} b{} c{} on {}", p.model, p.batch, p.context, p.chip));
  }
  if (out.empty()) return "";
  if (out.size() > 6) {
    const std::size_t n = out.size();
    out.resize(5);
    out.push_back(fmt::format("{} more", n - 5));
  }
  return fmt::format(
      " Beyond the chip's memory (weights + KV cache + activations do not fit; drawn anyway, "
      "as the bound one chip with enough memory would have): {}.",
      join(out, ", "));
}

// Which side of the ridge each phase lies on, per chip; "opposite sides"
// only when every prefill point is right of it and every decode point left.
std::string sides_text(const LlmSweep& s, const std::vector<LlmPoint>& pts) {
  std::vector<std::string> opposite, mixed;
  for (const LlmChip& c : s.chips) {
    std::size_t pre_right = 0, pre = 0, dec_left = 0, dec = 0;
    for (const LlmPoint& p : pts) {
      if (p.chip != c.id) continue;
      const bool right = p.intensity() > c.roof.ridge();
      if (p.phase == llm::Phase::prefill) {
        ++pre;
        pre_right += right ? 1 : 0;
      } else {
        ++dec;
        dec_left += right ? 0 : 1;
      }
    }
    if (pre_right == pre && dec_left == dec) {
      opposite.push_back(c.id);
    } else {
      mixed.push_back(
          fmt::format("on {} {} of {} prefill points are right of the ridge and {} of "
                      "{} decode points left of it",
                      c.id, pre_right, pre, dec_left, dec));
    }
  }
  std::string out;
  if (!opposite.empty()) {
    out += fmt::format(
        " On {}, the two phases of the same model lie on opposite sides of the "
        "ridge: prefill is compute-bound, decode memory-bound.",
        join(opposite, ", "));
  }
  if (!mixed.empty()) out += fmt::format(" Not everywhere: {}.", join(mixed, "; "));
  return out;
}

// What batching buys decode per context, on the first chip: tokens/s at the
// largest batch over the smallest; that a longer cache flattens the line is
// said only when the gains fall as the context grows.
std::string batching_gain_text(const LlmSweep& s, const LlmChip& chip,
                               const std::vector<LlmPoint>& pts) {
  if (s.batches.size() < 2) return "";
  const std::int64_t lo = s.batches.front(), hi = s.batches.back();
  std::vector<std::string> parts;
  std::vector<double> gains;
  for (const std::int64_t ctx : s.contexts) {
    const LlmPoint* a = nullptr;
    const LlmPoint* b = nullptr;
    for (const LlmPoint& p : pts) {
      if (p.chip != chip.id || p.model != s.models.front().name || p.context != ctx) {
        continue;
      }
      if (p.batch == lo) a = &p;
      if (p.batch == hi) b = &p;
    }
    if (a == nullptr || b == nullptr || !(a->tokens_per_s() > 0)) continue;
    gains.push_back(b->tokens_per_s() / a->tokens_per_s());
    parts.push_back(fmt::format("{:.3g}x with {} tokens of cache", gains.back(), ctx));
  }
  if (parts.empty()) return "";
  std::string out = fmt::format(" On {}, {} decode at batch {} gives {} the tokens/s of batch {}.",
                                chip.id, s.models.front().name, hi, join(parts, ", "), lo);
  const bool falling = gains.size() >= 2 && std::is_sorted(gains.rbegin(), gains.rend()) &&
                       gains.front() > gains.back() * 1.2;
  if (falling) {
    out +=
        " A longer cache flattens the line: the weights, read once for the whole batch, are "
        "a smaller share of the step, and each sequence's own cache, read per sequence, a "
        "larger one.";
  }
  return out;
}

}  // namespace

LlmChip llm_chip(const Chip& chip, DType compute) {
  LlmChip c;
  c.id = chip.id;
  c.name = chip.name.empty() ? chip.id : chip.name;
  c.memory = chip.main_memory().name;
  c.roof = llm::roof_of(chip, compute);
  return c;
}

double LlmPoint::tokens_per_s() const {
  if (!(time_s > 0)) return 0;
  const double tokens = phase == llm::Phase::prefill
                            ? static_cast<double>(batch) * static_cast<double>(context)
                            : static_cast<double>(batch);
  return tokens / time_s;
}

std::vector<LlmPoint> llm_sweep_points(const LlmSweep& s) {
  std::vector<LlmPoint> out;
  for (const auto& m : s.models) {
    for (const llm::Phase phase : {llm::Phase::prefill, llm::Phase::decode}) {
      for (const std::int64_t b : s.batches) {
        for (const std::int64_t ctx : s.contexts) {
          for (const LlmChip& c : s.chips) {
            out.push_back(make_point(m, c, s.precision, phase, b, ctx));
          }
        }
      }
    }
  }
  return out;
}

std::int64_t llm_figure_context(const LlmSweep& s) {
  if (s.contexts.empty()) return 512;
  if (std::find(s.contexts.begin(), s.contexts.end(), 4096) != s.contexts.end()) return 4096;
  std::vector<std::int64_t> c = s.contexts;
  std::sort(c.begin(), c.end());
  return c[c.size() / 2];
}

FigureBlock llm_decode_roofline_figure(const LlmSweep& s, std::int64_t context) {
  require(s, "decode roofline");
  std::vector<PanelPoint> points;
  for (const std::int64_t b : s.batches) {
    for (const auto& m : s.models) {
      // One marker per batch (per model and batch with several models,
      // whose points at one batch would otherwise be told apart only by
      // labels, which a panel of more than five points leaves out).
      points.push_back({&m, llm::Phase::decode, b,
                        s.models.size() == 1 ? fmt::format("b{}", b) : m.name,
                        s.models.size() == 1 ? fmt::format("batch {}", b)
                                             : fmt::format("{}, batch {}", m.name, b)});
    }
  }
  std::vector<LlmPoint> all;
  auto panels =
      chip_panels(s, fmt::format(": decode, KV cache of {} tokens", context), context, points, all);
  // How far right the batch moves decode, on the first chip (the intensity
  // does not depend on the chip).
  const LlmPoint* lo = nullptr;
  const LlmPoint* hi = nullptr;
  for (const LlmPoint& p : all) {
    if (p.chip != s.chips.front().id || p.model != s.models.front().name) continue;
    if (lo == nullptr || p.batch < lo->batch) lo = &p;
    if (hi == nullptr || p.batch > hi->batch) hi = &p;
  }
  FigureBlock f;
  f.id = "llm-decode-roofline";
  f.title = fmt::format("Decode on the roofline as the batch grows: {} ({}), KV cache of {} tokens",
                        model_names(s), precision_text(s.precision), context);
  f.caption = fmt::format(
      "One decode step (one new token per sequence, a KV cache of {} tokens) of {} on each "
      "chip's roofline at {}, one marker per batch size{}. Each point is at the step's FLOPs / "
      "bytes and at FLOPs / its lower-bound time (sum over ops of max(FLOPs / peak, bytes / "
      "bandwidth); docs/llm.md). The weights are read once for the whole batch, so a larger "
      "batch moves decode right: {} goes from {} FLOP/B at batch {} to {} FLOP/B at batch {}; "
      "each sequence still reads its own KV cache, which caps how far right it goes.{}",
      context, model_names(s), precision_text(s.precision), s.models.size() > 1 ? " and model" : "",
      s.models.front().name, fmt::format("{:.3g}", lo->intensity()), lo->batch,
      fmt::format("{:.3g}", hi->intensity()), hi->batch, not_fitting_text(all));
  f.panels = std::move(panels);
  return f;
}

FigureBlock llm_tokens_per_s_figure(const LlmSweep& s, const LlmChip& chip) {
  require(s, "tokens/s figure");
  Chart c;
  c.kind = ChartKind::scatter;
  c.title = fmt::format("Decode tokens/s (upper bound) against batch size on {}: {} ({})", chip.id,
                        model_names(s), precision_text(s.precision));
  c.x_label = "Batch size [sequences]";
  c.y_label = "Tokens/s (upper bound)";
  std::vector<double> xs, ys;
  std::vector<LlmPoint> all;
  for (const auto& m : s.models) {
    {
      for (const std::int64_t ctx : s.contexts) {
        std::vector<double> x, y;
        std::vector<std::string> labels;
        for (const std::int64_t b : s.batches) {
          const LlmPoint p = make_point(m, chip, s.precision, llm::Phase::decode, b, ctx);
          all.push_back(p);
          x.push_back(static_cast<double>(b));
          y.push_back(p.tokens_per_s());
          labels.push_back(fmt::format("{} b{} c{} on {}: {:.4g} tokens/s ({}-bound)", m.name, b,
                                       ctx, chip.id, p.tokens_per_s(),
                                       p.memory_bound ? "memory" : "compute"));
        }
        xs.insert(xs.end(), x.begin(), x.end());
        ys.insert(ys.end(), y.begin(), y.end());
        std::string name = fmt::format("context {}", ctx);
        if (s.models.size() > 1) name = m.name + ", " + name;
        ChartSeries se =
            point_series(std::move(name), std::move(x), std::move(y), std::move(labels));
        se.lines = true;
        c.series.push_back(std::move(se));
      }
    }
  }
  // Log axes when the values span decades (batches 1 to 64, tokens/s 100 to
  // 10^4), said short: the full scale_for note does not fit the y axis.
  c.x_scale = figures_detail::decades(xs) > kLogSpanDecades ? AxisScale::log : AxisScale::linear;
  c.y_scale = figures_detail::decades(ys) > kLogSpanDecades ? AxisScale::log : AxisScale::linear;
  if (c.x_scale == AxisScale::log) c.x_label += ", log scale";
  if (c.y_scale == AxisScale::log) c.y_label += ", log scale";
  fit_axes(c, xs, ys);
  if (s.batches.size() <= 12) {
    for (const std::int64_t b : s.batches) c.x_tics.push_back(static_cast<double>(b));
  }
  return chart_block(
      fmt::format("llm-tokens-per-s-{}", slug(chip.id)),
      fmt::format(
          "Decode throughput {} ({}) can reach at best (batch / the step's lower-bound time), "
          "against the batch size, one line per {}KV-cache length.{}{}",
          chip.id, chip.name, s.models.size() > 1 ? "model and " : "",
          batching_gain_text(s, chip, all), not_fitting_text(all)),
      std::move(c));
}

FigureBlock llm_prefill_decode_figure(const LlmSweep& s, std::int64_t context) {
  require(s, "prefill vs decode roofline");
  std::vector<PanelPoint> points;
  for (const llm::Phase phase : {llm::Phase::prefill, llm::Phase::decode}) {
    for (const auto& m : s.models) {
      for (const std::int64_t b : s.batches) {
        std::string group(llm::phase_name(phase));
        if (s.models.size() > 1) group = m.name + " " + group;
        points.push_back({&m, phase, b, fmt::format("b{}", b), std::move(group)});
      }
    }
  }
  std::vector<LlmPoint> all;
  auto panels =
      chip_panels(s, fmt::format(": prefill and decode, {} tokens", context), context, points, all);
  double pre_lo = INFINITY, pre_hi = 0, dec_lo = INFINITY, dec_hi = 0;
  for (const LlmPoint& p : all) {
    double& lo = p.phase == llm::Phase::prefill ? pre_lo : dec_lo;
    double& hi = p.phase == llm::Phase::prefill ? pre_hi : dec_hi;
    lo = std::min(lo, p.intensity());
    hi = std::max(hi, p.intensity());
  }
  FigureBlock f;
  f.id = "llm-prefill-vs-decode";
  f.title = fmt::format("Prefill and decode on one roofline: {} ({}), {} tokens", model_names(s),
                        precision_text(s.precision), context);
  f.caption = fmt::format(
      "Prefill of a {}-token prompt and one decode step with a KV cache of {} tokens, at batch "
      "{}, on each chip's roofline (at FLOPs / the lower-bound time). Prefill runs every prompt "
      "token through the same weights at once: {:.3g} to {:.3g} FLOP/B. Decode runs one token "
      "per sequence: {:.3g} to {:.3g} FLOP/B.{}{}",
      context, context,
      join(
          [&] {
            std::vector<std::string> b;
            for (auto x : s.batches) b.push_back(std::to_string(x));
            return b;
          }(),
          ", "),
      pre_lo, pre_hi, dec_lo, dec_hi, sides_text(s, all), not_fitting_text(all));
  f.panels = std::move(panels);
  return f;
}

FigureBlock llm_memory_figure(const LlmSweep& s, const llm::LlmConfig& m) {
  require(s, "memory figure");
  Chart c;
  c.kind = ChartKind::scatter;
  c.title = fmt::format("Memory needed to decode against context: {} ({})", m.name,
                        precision_text(s.precision));
  c.x_label = "Context (KV-cache length) [tokens]";
  c.y_label = "Memory needed [GB]";
  std::vector<double> xs, ys;
  double weights = 0;
  for (const std::int64_t b : s.batches) {
    std::vector<double> x, y;
    std::vector<std::string> labels;
    for (const std::int64_t ctx : s.contexts) {
      const llm::MemoryNeed need =
          llm::memory_needed(m, llm::Workload{llm::Phase::decode, b, ctx, false}, s.precision);
      weights = need.weights;
      x.push_back(static_cast<double>(ctx));
      y.push_back(need.total() / 1e9);
      labels.push_back(fmt::format("batch {}, context {}: {} (weights {}, KV cache {})", b, ctx,
                                   format_si(need.total(), "B"), format_si(need.weights, "B"),
                                   format_si(need.kv_cache, "B")));
    }
    xs.insert(xs.end(), x.begin(), x.end());
    ys.insert(ys.end(), y.begin(), y.end());
    ChartSeries se =
        point_series(fmt::format("batch {}", b), std::move(x), std::move(y), std::move(labels));
    se.lines = true;
    c.series.push_back(std::move(se));
  }
  std::vector<double> range_ys = ys;
  std::map<double, std::vector<std::string>> capacities;  // [GB] -> chips
  for (const LlmChip& chip : s.chips) {
    if (chip.roof.capacity > 0) capacities[chip.roof.capacity / 1e9].push_back(chip.id);
  }
  for (const auto& [gb, ids] : capacities) {
    c.reference_lines.push_back(
        ReferenceLine{gb, fmt::format("{} memory: {:g} GB", join(ids, ", "), gb)});
    range_ys.push_back(gb);
    range_ys.push_back(1.6 * gb);  // room above the line for its label
  }
  c.x_scale = figures_detail::decades(xs) > kLogSpanDecades ? AxisScale::log : AxisScale::linear;
  c.y_scale =
      figures_detail::decades(range_ys) > kLogSpanDecades ? AxisScale::log : AxisScale::linear;
  if (c.x_scale == AxisScale::log) c.x_label += ", log scale";
  if (c.y_scale == AxisScale::log) c.y_label += ", log scale";
  fit_axes(c, xs, range_ys);
  if (s.contexts.size() <= 12) {
    for (const std::int64_t ctx : s.contexts) c.x_tics.push_back(static_cast<double>(ctx));
  }
  const double per_token = llm::kv_bytes_per_token(m, s.precision);
  return chart_block(
      fmt::format("llm-memory-{}", slug(m.name)),
      fmt::format(
          "Memory one decode step of {} needs (weights {} + KV cache of batch x context tokens "
          "at {} per token{} + the largest op's activations), against the context, one line per "
          "batch size; dashed: each chip's memory. A configuration above a chip's line does not "
          "fit on one such chip.",
          m.name, format_si(weights, "B"), format_si(per_token, "B"),
          m.sliding_window > 0
              ? fmt::format(", at most the sliding window of {} tokens", m.sliding_window)
              : ""),
      std::move(c));
}

std::vector<FigureBlock> llm_sweep_figures(const LlmSweep& s) {
  const std::int64_t ctx = llm_figure_context(s);
  std::vector<FigureBlock> out;
  out.push_back(llm_decode_roofline_figure(s, ctx));
  for (const LlmChip& c : s.chips) out.push_back(llm_tokens_per_s_figure(s, c));
  out.push_back(llm_prefill_decode_figure(s, ctx));
  for (const auto& m : s.models) out.push_back(llm_memory_figure(s, m));
  return out;
}

}  // namespace dnnroof
